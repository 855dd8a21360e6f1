// META: global=window,dedicatedworker
// META: title=Cross-Origin Storage: digest mismatch is DataError and stores nothing
// META: script=resources/cos-helpers.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 58-61 (spec.md §3.4).
"use strict";

promise_test(async t => {
  const { bytes, hash } = await cosEntry(512);
  const handle = await cosRequest(hash, { create: true });
  const writable = await handle.createWritable();
  const wrong = bytes.slice();
  wrong[100] ^= 1;  // one flipped bit
  await writable.write(wrong);
  await promise_rejects_dom(t, "DataError", writable.close());
  await promise_rejects_dom(t, "NotFoundError", cosRequest(hash), "the hash stays missing");
  await promise_rejects_dom(t, "NotAllowedError", handle.getFile(), "the handle stays unreadable");
  // The right bytes through a new create request then succeed.
  await cosStore(hash, bytes);
  cosAssertBytes(await cosRead(hash), bytes);
}, "wrong bytes: close() rejects with DataError, the hash stays missing, a retry works");

promise_test(async t => {
  const { bytes, hash } = await cosEntry(512);
  const handle = await cosRequest(hash, { create: true });
  const writable = await handle.createWritable();
  await writable.write(bytes.subarray(0, 511));
  await promise_rejects_dom(t, "DataError", writable.close());
  await promise_rejects_dom(t, "NotFoundError", cosRequest(hash));
}, "a truncated payload is a DataError");

promise_test(async t => {
  const { bytes, hash } = await cosEntry(4096);
  const [a, b] = await Promise.all([cosRequest(hash, { create: true }),
                                    cosRequest(hash, { create: true })]);
  const [wa, wb] = await Promise.all([a.createWritable(), b.createWritable()]);
  await wa.write(cosRandomBytes(4096));
  await wb.write(bytes);
  const [ra, rb] = await Promise.allSettled([wa.close(), wb.close()]);
  assert_equals(ra.status, "rejected", "the wrong writer fails");
  assert_equals(ra.reason.name, "DataError");
  assert_equals(rb.status, "fulfilled", "the right writer is unaffected");
  cosAssertBytes(await cosRead(hash), bytes);
}, "concurrent writers: a failing one does not disturb a succeeding one");

promise_test(async t => {
  const { bytes, hash } = await cosEntry(4096);
  const [a, b] = await Promise.all([cosRequest(hash, { create: true }),
                                    cosRequest(hash, { create: true })]);
  const [wa, wb] = await Promise.all([a.createWritable(), b.createWritable()]);
  await wa.write(bytes);
  await wb.write(cosRandomBytes(4096));
  // The good writer closes first; the late failure must not remove the entry.
  await wa.close();
  await promise_rejects_dom(t, "DataError", wb.close());
  cosAssertBytes(await cosRead(hash), bytes);
}, "a failed write after a successful one leaves the entry intact");
