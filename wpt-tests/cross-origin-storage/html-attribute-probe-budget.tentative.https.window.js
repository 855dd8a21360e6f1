// META: title=Cross-Origin Storage: crossoriginstorage lookups draw on the probe budget
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 114 (spec.md §14): an element with a crossoriginstorage attribute looks its entry
// up as a read, charged like getFileHandle()'s and fetch()'s, and the storer is never charged.
// wpt-tests/prefs.json sets dom_cross_origin_storage_probe_budget=2 and turns the HTML and
// fetch() integrations on for this file; the budget persists per profile, so this file is one
// test and gets a fresh profile.
"use strict";

const O = cosOrigins();

promise_test(async t => {
  const entries = [];
  for (let i = 0; i < 3; i++) {
    const entry = await cosDeclarativeEntry("script");
    await cosStore(entry.hash, entry.bytes, { origins: [O.crossSite] });
    entries.push(entry);
  }
  const reader = await cosOpenFrame(t, O.crossSite);
  const loadEntry = entry => reader.call("element", {
    kind: "script",
    url: cosMissingUrl(O.crossSite),
    attributes: { integrity: cosIntegrity(entry.hash), crossoriginstorage: "" },
    token: entry.token,
  });

  const first = await loadEntry(entries[0]);
  assert_equals(first.value.event, "load", "the first distinct hash is answered from COS");
  assert_true(first.value.effect, "and the script ran");
  const second = await reader.call("fetch", {
    url: cosMissingUrl(O.crossSite),
    init: { integrity: cosIntegrity(entries[1].hash), crossOriginStorage: "" },
  });
  assert_true(second.ok, "fetch() charges the same budget: the second hash is answered");
  assert_equals((await loadEntry(entries[2])).value.event, "error",
                "the third distinct hash is over the budget: the load goes to the network");
  assert_equals((await reader.read(entries[2].hash)).name, "NotFoundError",
                "and getFileHandle() sees the same budget");
  assert_equals((await loadEntry(entries[1])).value.event, "load",
                "an already-charged hash still loads");

  // The storer is never charged: twenty loads of its own entry all come from COS.
  for (let i = 0; i < 20; i++) {
    const result = await cosLoadElement("script", cosMissingUrl(), {
      integrity: cosIntegrity(entries[2].hash),
      crossoriginstorage: "",
    }, entries[2].token);
    assert_equals(result.event, "load", `storer load ${i}`);
  }
}, "a budget of 2: a third distinct cross-site hash loaded with crossoriginstorage is a miss");
