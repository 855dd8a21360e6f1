// META: title=Cross-Origin Storage: an unusable Public Hash List lists nothing
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// META: script=resources/phl-fixtures.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 124 (spec.md §10: fail closed). wpt-tests/prefs.json points
// dom_cross_origin_storage_phl_path at a file that does not exist for this file, and at
// resources/corrupt-phl.dat (no SHA-256 section) for phl-corrupt.tentative… (this same test).
"use strict";

const O = cosOrigins();

promise_test(async t => {
  const { bytes, hash } = await cosPhlFixture("a");
  await cosStore(hash, bytes, { origins: "*" });
  cosAssertBytes(await cosRead(hash), bytes, "the storer reads");
  const reader = await cosOpenFrame(t, O.crossSite);
  for (let i = 0; i < 4; i++) {
    assert_equals((await reader.read(hash)).name, "NotFoundError", `cross-site read ${i}`);
  }
  const sameSite = await (await cosOpenFrame(t, O.sameSite)).read(hash);
  assert_true(sameSite.ok, `same-site still reads (${sameSite.name})`);
}, "without a usable list, '*' discloses nothing cross-site");
