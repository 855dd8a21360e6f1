// META: global=window,dedicatedworker
// META: title=Cross-Origin Storage: create and read handle permissions and surface
// META: script=resources/cos-helpers.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 51-54, 56, 77, 78, 80, 81, 83, 84 (spec.md §4 handle table, §6).
"use strict";

promise_test(async t => {
  const { hash } = await cosEntry();
  const handle = await cosRequest(hash, { create: true });
  assert_true(handle instanceof FileSystemFileHandle);
  assert_equals(handle.kind, "file");
  assert_equals(handle.name, hash.value);
  await promise_rejects_dom(t, "NotAllowedError", handle.getFile());
}, "getFile() on a fresh create handle is NotAllowedError");

promise_test(async t => {
  const { bytes, hash } = await cosEntry();
  await cosStore(hash, bytes);
  const handle = await cosRequest(hash, { create: true });
  await promise_rejects_dom(t, "NotAllowedError", handle.getFile(),
                            "readability is per handle, not per entry");
}, "getFile() on a create handle for an already-written entry is NotAllowedError");

promise_test(async t => {
  const { bytes, hash } = await cosEntry();
  const one = await cosRequest(hash, { create: true });
  const two = await cosRequest(hash, { create: true });
  const writable = await one.createWritable();
  await writable.write(bytes);
  await writable.close();
  cosAssertBytes(await cosFileBytes(one), bytes, "the handle that wrote reads");
  await promise_rejects_dom(t, "NotAllowedError", two.getFile(), "the other one does not");
}, "of two create handles only the one written through becomes readable");

promise_test(async t => {
  const { bytes, hash } = await cosEntry();
  await cosStore(hash, bytes);
  const handle = await cosRequest(hash);
  await promise_rejects_dom(t, "NotAllowedError", handle.createWritable());
  await promise_rejects_dom(t, "NotAllowedError", handle.createWritable({ keepExistingData: true }));
  cosAssertBytes(await cosFileBytes(handle), bytes, "the entry is intact");
}, "createWritable() on a read handle is NotAllowedError");

promise_test(async t => {
  const { bytes, hash } = await cosEntry();
  await cosStore(hash, bytes);
  const handle = await cosRequest(hash);
  await promise_rejects_dom(t, "NotAllowedError", handle.move("renamed"));
  await promise_rejects_dom(t, "NotAllowedError", handle.remove());
  await promise_rejects_dom(t, "NotAllowedError", handle.remove({ recursive: true }));
  assert_equals(handle.name, hash.value, "the name is unchanged");
  cosAssertBytes(await cosRead(hash), bytes, "the entry is still readable");
}, "move() and remove() are NotAllowedError and leave the entry intact");

promise_test(async t => {
  const { hash } = await cosEntry();
  const handle = await cosRequest(hash, { create: true });
  await promise_rejects_dom(t, "NotAllowedError", handle.move("x"));
  await promise_rejects_dom(t, "NotAllowedError", handle.remove());
}, "move() and remove() on a create handle are NotAllowedError");

promise_test(async () => {
  const a = await cosEntry();
  const b = await cosEntry();
  await cosStore(a.hash, a.bytes);
  await cosStore(b.hash, b.bytes);
  const a1 = await cosRequest(a.hash);
  const a2 = await cosRequest(a.hash);
  const b1 = await cosRequest(b.hash);
  assert_true(await a1.isSameEntry(a2), "same hash");
  assert_true(await a1.isSameEntry(a1), "itself");
  assert_false(await a1.isSameEntry(b1), "different hashes");
}, "isSameEntry() compares hashes");

promise_test(async () => {
  const { bytes, hash } = await cosEntry();
  const create = await cosRequest(hash, { create: true });
  assert_equals(await create.queryPermission(), "granted", "create: default mode");
  assert_equals(await create.queryPermission({ mode: "read" }), "granted", "create: read");
  assert_equals(await create.queryPermission({ mode: "readwrite" }), "granted", "create: readwrite");
  await cosStore(hash, bytes);
  const read = await cosRequest(hash);
  assert_equals(await read.queryPermission({ mode: "read" }), "granted", "read: read");
  assert_equals(await read.requestPermission({ mode: "read" }), "granted", "read: request read");
  assert_equals(await read.queryPermission({ mode: "readwrite" }), "denied", "read: readwrite");
  assert_equals(await read.requestPermission({ mode: "readwrite" }), "denied",
                "read: request readwrite");
}, "queryPermission()/requestPermission(): granted, except writing through a read handle");
