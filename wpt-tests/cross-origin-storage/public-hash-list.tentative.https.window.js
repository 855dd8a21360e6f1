// META: title=Cross-Origin Storage: '*' discloses cross-site only for Public Hash List hashes
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// META: script=resources/phl-fixtures.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 42, 43 (strict: GREASE is off), 44, 93 and §10. The harness points
// dom_cross_origin_storage_phl_path at resources/test-phl.dat (wpt-tests/prefs.json).
"use strict";

const O = cosOrigins();
const READS = 4;

promise_test(async t => {
  const { bytes, hash } = await cosPhlFixture("a");
  await cosStore(hash, bytes, { origins: "*" });
  for (const who of ["crossSite", "crossSite2", "sameSite"]) {
    const reader = await cosOpenFrame(t, O[who]);
    for (let i = 0; i < READS; i++) {
      const reply = await reader.read(hash);
      assert_true(reply.ok, `${who} read ${i} (got ${reply.name})`);
      cosAssertBytes(reply.value, bytes, who);
    }
  }
}, "a listed hash stored with '*' is read by every origin, every time");

promise_test(async t => {
  const { bytes, hash } = await cosPhlFixture("b");
  await cosStore(hash, bytes);  // origins omitted: same-site scope
  const reader = await cosOpenFrame(t, O.crossSite);
  assert_equals((await reader.read(hash)).name, "NotFoundError",
                "being on the list is not a grant by itself");
  const sameSite = await cosOpenFrame(t, O.sameSite);
  assert_true((await sameSite.read(hash)).ok, "same-site reads");
}, "a listed hash stored without '*' stays same-site");

promise_test(async t => {
  const { hash } = await cosPhlFixture("c");
  const reader = await cosOpenFrame(t, O.crossSite);
  assert_equals((await reader.read(hash)).name, "NotFoundError");
  await promise_rejects_dom(t, "NotFoundError", cosRequest(hash));
}, "a listed hash nobody stored is NotFoundError");

promise_test(async t => {
  const { bytes, hash } = await cosPhlFixture("d");
  const storer = await cosOpenFrame(t, O.crossSite);
  const stored = await storer.store(hash, bytes, { origins: "*" });
  assert_true(stored.ok, `the cross-site frame stores (${stored.name})`);
  cosAssertBytes(await cosRead(hash), bytes, "this origin reads it");
}, "a listed hash stored with '*' by a cross-site origin is read here");

promise_test(async t => {
  const { bytes, hash } = await cosEntry(1024);  // random: not on the list
  await cosStore(hash, bytes, { origins: "*" });
  cosAssertBytes(await cosRead(hash), bytes, "the storer reads");
  const reader = await cosOpenFrame(t, O.crossSite);
  for (let i = 0; i < 8; i++) {
    assert_equals((await reader.read(hash)).name, "NotFoundError", `cross-site read ${i}`);
  }
  const sameSite = await cosOpenFrame(t, O.sameSite);
  assert_true((await sameSite.read(hash)).ok, "same-site reads");
}, "'*' for a hash not on the list: storer and same-site read, cross-site never");
