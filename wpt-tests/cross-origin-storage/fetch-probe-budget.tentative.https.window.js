// META: title=Cross-Origin Storage: fetch() lookups draw on the probe budget
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 114 (spec.md §14): a fetch with crossOriginStorage looks its entry up as a read,
// charged like getFileHandle()'s, and the storer is never charged. wpt-tests/prefs.json sets
// dom_cross_origin_storage_probe_budget=2 and turns the fetch integration on for this file;
// the budget persists per profile, so this file is one test and gets a fresh profile.
"use strict";

const O = cosOrigins();

promise_test(async t => {
  const entries = await cosStoreEntries(3, { origins: [O.crossSite] });
  const reader = await cosOpenFrame(t, O.crossSite);
  const fetchEntry = ({ hash }) => reader.call("fetch", {
    url: cosMissingUrl(O.crossSite),
    init: { integrity: cosIntegrity(hash), crossOriginStorage: "" },
  });

  const first = await fetchEntry(entries[0]);
  assert_true(first.ok, "the first distinct hash is answered from COS");
  cosAssertBytes(first.value.bytes, entries[0].bytes, "the first entry");
  assert_true((await fetchEntry(entries[1])).ok, "so is the second");
  assert_equals((await fetchEntry(entries[2])).name, "TypeError",
                "the third distinct hash is over the budget: the fetch goes to the network");
  assert_equals((await reader.read(entries[2].hash)).name, "NotFoundError",
                "and getFileHandle() draws on the same budget");
  assert_true((await reader.read(entries[0].hash)).ok, "an already-charged hash still reads");
  assert_true((await fetchEntry(entries[1])).ok, "through fetch() too");

  // The storer is never charged: twenty fetches of its own entry all come from COS.
  for (let i = 0; i < 20; i++) {
    const response = await fetch(cosMissingUrl(O.self), {
      integrity: cosIntegrity(entries[2].hash),
      crossOriginStorage: "",
    });
    assert_true(response.ok, `storer fetch ${i}`);
    cosAssertBytes(new Uint8Array(await response.arrayBuffer()), entries[2].bytes,
                   `storer fetch ${i}`);
  }
}, "a budget of 2: a third distinct cross-site hash fetched with crossOriginStorage is a miss");
