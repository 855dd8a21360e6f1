// META: global=window,dedicatedworker
// META: script=resources/helper.js
// META: variant=?v=one
// META: variant=?v=two
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Harness self-test: META script/global/variant reach the wrappers (window and worker).

test(() => assert_equals(self.selftestHelper, "loaded"), "META script loaded first");
test(() => {
  assert_in_array(location.search, ["?v=one", "?v=two"]);
}, "the variant query reaches the global");
test(() => {
  const worker = typeof WorkerGlobalScope !== "undefined" && self instanceof WorkerGlobalScope;
  assert_equals(GLOBAL.isWorker(), worker);
  assert_equals(GLOBAL.isWindow(), !worker);
}, "GLOBAL matches the global");
