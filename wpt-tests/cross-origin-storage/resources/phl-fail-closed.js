// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// The fail-closed check shared by the tests that give the browser an unusable Public Hash List
// (checklist 124, spec.md §10): each test file differs only in the list wpt-tests/prefs.json
// gives it.
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
