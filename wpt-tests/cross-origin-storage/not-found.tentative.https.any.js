// META: global=window,dedicatedworker
// META: title=Cross-Origin Storage: misses are NotFoundError
// META: script=resources/cos-helpers.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 32, 33, 108, 110.
"use strict";

promise_test(t => promise_rejects_dom(t, "NotFoundError", cosRequest(cosMissingHash())),
             "a never-stored hash, no options");
promise_test(t => promise_rejects_dom(t, "NotFoundError", cosRequest(cosMissingHash(), {})),
             "a never-stored hash, options = {}");
promise_test(t => promise_rejects_dom(t, "NotFoundError",
                                      cosRequest(cosMissingHash(), { create: false })),
             "a never-stored hash, create: false");
promise_test(async t => {
  const hash = cosMissingHash();
  for (let i = 0; i < 20; i++) {
    await promise_rejects_dom(t, "NotFoundError", cosRequest(hash), `probe ${i}`);
  }
}, "one missing hash probed 20 times");
promise_test(async t => {
  const names = new Set();
  for (let i = 0; i < 20; i++) {
    names.add(await cosOutcome(cosRequest(cosMissingHash())));
  }
  assert_array_equals([...names], ["NotFoundError"]);
}, "20 distinct missing hashes only ever give NotFoundError");
