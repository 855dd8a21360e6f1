// META: phases=2
// META: title=Cross-Origin Storage: the probe budget is shared by a site's frames and persists
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 112, 113 (spec.md §9.1, Q10: probe_budget_key defaults to the top-level site).
// wpt-tests/prefs.json sets dom_cross_origin_storage_probe_budget=2 for this file.
// `// META: phases=2` (see persistence.tentative…): phase 1 spends the budget from two frames
// of different origins, phase 2 runs in a restarted browser on the same profile.
"use strict";

const PARAMS = new URLSearchParams(location.search);
const PHASE = PARAMS.get("phase");
const TOKEN = PARAMS.get("token");
const O = cosOrigins();
const READERS = [O.crossSite, O.crossSite2];

// Entry n's bytes derive from the run's token, so phase 2 knows phase 1's hashes.
async function entry(n) {
  const bytes = new Uint8Array(await crypto.subtle.digest(
      "SHA-256", new TextEncoder().encode(`${TOKEN}/budget/${n}`)));
  return { bytes, hash: cosHash(await cosSha256Hex(bytes)) };
}

async function outcome(t, origin, n) {
  const reply = await (await cosOpenFrame(t, origin)).read((await entry(n)).hash);
  return reply.ok ? "ok" : reply.name;
}

test(() => {
  assert_in_array(PHASE, ["1", "2"], "run by mach test-wpt with ?phase=");
}, "the runner gives the phase");

if (PHASE === "1") {
  promise_test(async t => {
    for (let n = 0; n < 4; n++) {
      const { bytes, hash } = await entry(n);
      await cosStore(hash, bytes, { origins: READERS });
    }
  }, "phase 1: store four entries listing both readers");

  promise_test(async t => {
    assert_equals(await outcome(t, O.crossSite, 0), "ok", "reader 1, first distinct hash");
    assert_equals(await outcome(t, O.crossSite2, 1), "ok", "reader 2, second distinct hash");
  }, "phase 1: two frames under this top-level site spend the budget of 2");

  promise_test(async t => {
    assert_equals(await outcome(t, O.crossSite, 2), "NotFoundError", "reader 1, third hash");
    assert_equals(await outcome(t, O.crossSite2, 2), "NotFoundError", "reader 2, third hash");
  }, "phase 1: the budget is shared by the site's frames");
}

if (PHASE === "2") {
  promise_test(async t => {
    // Reader 1 spent two distinct hashes in phase 1 whichever way the budget is keyed.
    assert_equals(await outcome(t, O.crossSite, 3), "NotFoundError");
  }, "phase 2: after a restart the budget is still spent");

  promise_test(async t => {
    assert_equals(await outcome(t, O.crossSite2, 3), "NotFoundError");
  }, "phase 2: after a restart the budget is still shared by the site's frames");

  promise_test(async t => {
    assert_equals(await outcome(t, O.crossSite, 0), "ok", "an already-charged hash still reads");
  }, "phase 2: already-charged hashes keep their answers");
}
