// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Harness self-test: each status must reach the runner as itself. The failures here are
// listed in expectations.json, so a harness that reported them as PASS fails the self-test.

test(() => assert_equals(1 + 1, 2), "sync pass");
test(() => assert_equals(1 + 1, 3), "sync fail");
promise_test(async () => { await Promise.resolve(); }, "promise pass");
promise_test(async () => { throw new Error("deliberate"); }, "promise reject");
async_test(t => { t.step_timeout(() => t.done(), 10); }, "async pass");
async_test(t => { t.force_timeout(); t.done(); }, "forced timeout");
test(() => assert_true(self.GLOBAL === undefined, ".window.js gets no GLOBAL"), "window wrapper");
