// META: title=Cross-Origin Storage: one probe budget per top-level site
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 112: frames of different origins under one top-level site draw on one shared
// budget (the explainer and privacy.md; dom_cross_origin_storage_probe_budget_key, default
// "top-level-site"). wpt-tests/prefs.json sets a budget of 2 for this file, whose profile is
// fresh. The budget persists within the profile, so the steps build on each other: one test.
"use strict";

const O = cosOrigins();

promise_test(async t => {
  const entries = [];
  for (let i = 0; i < 5; i++) {
    const entry = await cosEntry();
    await cosStore(entry.hash, entry.bytes, { origins: [O.crossSite, O.sameSite] });
    entries.push(entry);
  }
  const read = async (reader, i) => reader.read(entries[i].hash);

  // A cross-site frame spends this page's budget of 2.
  const crossSiteFrame = await cosOpenFrame(t, O.crossSite);
  assert_true((await read(crossSiteFrame, 0)).ok, "the cross-site frame's first hash");
  assert_true((await read(crossSiteFrame, 1)).ok, "the cross-site frame's second hash");

  // A frame of another site under the same top level finds the budget spent: framing more
  // sites does not widen it.
  const sameSiteFrame = await cosOpenFrame(t, O.sameSite);
  assert_equals((await read(sameSiteFrame, 2)).name, "NotFoundError",
                "a frame of another site under this top level is over the same budget");
  assert_true((await read(sameSiteFrame, 0)).ok,
              "a hash another frame under this top level already paid for still reads");

  // A worker counts under its owner's top level.
  const fromWorker = await sameSiteFrame.call("inWorker", {
    op: "read", args: { hash: entries[3].hash, options: {} } });
  assert_true(fromWorker.ok, "the RPC reached the frame's worker");
  assert_equals(fromWorker.value.name, "NotFoundError",
                "a frame's worker draws on its top level's budget too");

  // The same reader as a top-level page of its own has its own site's budget.
  const ownTopLevel = await cosOpenWindow(t, O.crossSite);
  assert_true((await read(ownTopLevel, 4)).ok,
              "the cross-site reader as its own top level has a budget of its own");
}, "frames and workers under one top-level site share one probe budget");
