// META: title=Cross-Origin Storage: GREASE applies only to the global grant
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// META: script=resources/phl-fixtures.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 115-117. wpt-tests/prefs.json forces dom_cross_origin_storage_grease_per_mille=1000
// (GREASE every eligible read) and grease_max_bytes=100000 for this file, so nothing is
// left to chance.
"use strict";

const O = cosOrigins();

promise_test(async t => {
  const { bytes, hash } = await cosPhlFixture("a");
  await cosStore(hash, bytes, { origins: "*" });
  const reader = await cosOpenFrame(t, O.crossSite);
  for (let i = 0; i < 4; i++) {
    assert_equals((await reader.read(hash)).name, "NotFoundError", `read ${i}`);
  }
}, "a small PHL-listed '*' entry is GREASEd for a non-storer cross-site reader");

promise_test(async t => {
  const { bytes, hash } = await cosPhlFixture("b");
  await cosStore(hash, bytes, { origins: [O.crossSite] });
  cosAssertBytes(await cosRead(hash), bytes, "the storer");
  for (const who of ["sameSite", "crossSite"]) {
    const reply = await (await cosOpenFrame(t, O[who])).read(hash);
    assert_true(reply.ok, `${who} (${reply.name})`);
  }
}, "storer, same-site and listed readers are never GREASEd");

promise_test(async t => {
  const { bytes, hash } = await cosEntry(150000);  // above grease_max_bytes
  await cosStore(hash, bytes, { origins: [O.crossSite2] });
  const reply = await (await cosOpenFrame(t, O.crossSite2)).read(hash);
  assert_true(reply.ok, `a listed reader of a large entry (${reply.name})`);
}, "large listed entries read normally");
