// META: global=window,dedicatedworker
// META: title=Cross-Origin Storage: the streaming size cap
// META: script=resources/cos-helpers.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 74 (spec.md §7, §17): growth past MAX_COS_WRITE_FILE_BYTES (4 GiB) is refused at
// once, before any disk space is used. The sources fix no error name, so any rejection passes;
// the writable is then unusable and nothing is stored.
"use strict";

const HUGE = 2 ** 40;

for (const [label, op] of [
  ["truncate(2^40)", w => w.truncate(HUGE)],
  ["seek(2^40) then write()", async w => { await w.seek(HUGE); await w.write("x"); }],
  ["write({position: 2^40})", w => w.write({ type: "write", position: HUGE, data: "x" })],
]) {
  promise_test(async t => {
    const { bytes, hash } = await cosEntry(64);
    const handle = await cosRequest(hash, { create: true });
    const writable = await handle.createWritable();
    const started = performance.now();
    const outcome = await cosOutcome(op(writable));
    assert_not_equals(outcome, "ok", "refused");
    assert_less_than(performance.now() - started, 5000, "refused at once, without writing 1 TiB");
    await promise_rejects_dom(t, "NotFoundError", cosRequest(hash), "nothing stored");
    await cosStore(hash, bytes);
    cosAssertBytes(await cosRead(hash), bytes, "a normal write of the hash still works");
  }, `${label} is refused`);
}
