// META: global=window,dedicatedworker
// META: title=Cross-Origin Storage: in-progress writes are invisible
// META: script=resources/cos-helpers.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 49, 55, 62, 72 (register-nothing model, spec.md §2.2, Q2).
"use strict";

promise_test(async t => {
  const { bytes, hash } = await cosEntry(2048);
  const handle = await cosRequest(hash, { create: true });
  await promise_rejects_dom(t, "NotFoundError", cosRequest(hash), "after create");
  const writable = await handle.createWritable();
  await promise_rejects_dom(t, "NotFoundError", cosRequest(hash), "after createWritable");
  await writable.write(bytes);
  await promise_rejects_dom(t, "NotFoundError", cosRequest(hash), "after write, before close");
  await writable.close();
  cosAssertBytes(await cosRead(hash), bytes, "after close");
}, "a write is invisible, even to its own origin, until close() verifies it");

promise_test(async t => {
  const { bytes, hash } = await cosEntry();
  await cosRequest(hash, { create: true });  // abandoned: createWritable() never called
  await promise_rejects_dom(t, "NotFoundError", cosRequest(hash));
  await cosStore(hash, bytes);
  cosAssertBytes(await cosRead(hash), bytes);
}, "an abandoned create handle leaves nothing behind");

promise_test(async () => {
  const { bytes, hash } = await cosEntry(100000);
  const handles = await Promise.all([0, 1, 2].map(() => cosRequest(hash, { create: true })));
  const writables = await Promise.all(handles.map(h => h.createWritable()));
  // Interleave the chunks of three writers.
  for (let offset = 0; offset < bytes.length; offset += 25000) {
    for (const w of writables) {
      await w.write(bytes.subarray(offset, offset + 25000));
    }
  }
  await Promise.all(writables.map(w => w.close()));
  for (const h of handles) {
    cosAssertBytes(await cosFileBytes(h), bytes, "each writer's handle reads");
  }
  cosAssertBytes(await cosRead(hash), bytes);
}, "concurrent writers of the same bytes all succeed");

promise_test(async t => {
  const { bytes, hash } = await cosEntry(4096);
  const [a, b] = await Promise.all([cosRequest(hash, { create: true }),
                                    cosRequest(hash, { create: true })]);
  const [wa, wb] = await Promise.all([a.createWritable(), b.createWritable()]);
  await wa.write(bytes);
  await wb.write(bytes);
  await wa.abort();
  await promise_rejects_dom(t, "NotFoundError", cosRequest(hash), "after the abort");
  await wb.close();
  cosAssertBytes(await cosRead(hash), bytes, "the other writer still succeeds");
}, "abort() does not disturb a concurrent writer");
