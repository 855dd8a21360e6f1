// META: title=Cross-Origin Storage: the cross-site probe budget
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 107, 109, 111. wpt-tests/prefs.json sets dom_cross_origin_storage_probe_budget=2
// for this file. The budget persists per profile, so this file is one test: the harness
// gives it a fresh profile.
"use strict";

const O = cosOrigins();

promise_test(async t => {
  const entries = await cosStoreEntries(3, { origins: [O.crossSite] });
  const reader = await cosOpenFrame(t, O.crossSite);
  assert_true((await reader.read(entries[0].hash)).ok, "first distinct hash");
  assert_true((await reader.read(entries[1].hash)).ok, "second distinct hash");
  assert_equals((await reader.read(entries[2].hash)).name, "NotFoundError",
                "the third distinct hash is over the budget");
  assert_true((await reader.read(entries[0].hash)).ok, "an already-charged hash still reads");
  assert_true((await reader.read(entries[1].hash)).ok, "so does the other");
  // The storer is never charged.
  for (let i = 0; i < 20; i++) {
    cosAssertBytes(await cosRead(entries[2].hash), entries[2].bytes, `storer read ${i}`);
  }
  const fresh = await cosEntry();
  await cosStore(fresh.hash, fresh.bytes);
  cosAssertBytes(await cosRead(fresh.hash), fresh.bytes, "the storer still creates and reads");
}, "a budget of 2: the third distinct cross-site hash reads as a miss");
