// META: global=window,dedicatedworker
// META: title=Cross-Origin Storage: writing Files that are backed by stored files
// META: script=resources/cos-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// A File from getFile() (of Cross-Origin Storage or of the origin private file system) is backed
// by a file, not by bytes in the page: write() may stream it from that file. These check that
// such writes store exactly the File's bytes, whole and sliced, mixed with other chunks, at a
// position, and from one store into the other.
"use strict";

// More than one file-manager chunk (1 MiB), and not a multiple of it.
const LENGTH = (1 << 20) + 4097;

function storedFile(length = LENGTH) {
  return cosStoredFile(length);
}

// Stores `chunks` (each written with its own write()) under the hash of `expected`, and checks
// that the entry reads back as `expected`.
async function storeAndCheck(chunks, expected, what) {
  const hash = cosHash(await cosSha256Hex(expected));
  await cosStore(hash, chunks);
  cosAssertBytes(await cosRead(hash), expected, what);
}

promise_test(async () => {
  const a = await storedFile();
  const b = await storedFile(5000);
  await storeAndCheck([a.file, b.file], cosConcat([a.bytes, b.bytes]),
                      "two stored Files in a row");
}, "write() of stored Files stores their bytes, in order");

promise_test(async () => {
  const a = await storedFile();
  const head = cosRandomBytes(100);
  const tail = new Blob([cosRandomBytes(200)]);
  const tailBytes = new Uint8Array(await tail.arrayBuffer());
  const slice = a.file.slice(3, LENGTH - 7);
  await storeAndCheck([head, slice, tail, a.file.slice(0, 0)],
                      cosConcat([head, a.bytes.subarray(3, LENGTH - 7), tailBytes]),
                      "bytes, a slice of a stored File, a Blob and an empty slice");
}, "write() of a slice of a stored File between other chunks");

promise_test(async () => {
  const a = await storedFile();
  const expected = a.bytes.slice();
  const patch = a.bytes.subarray(1000, 3000);
  expected.set(patch, 10);
  const hash = cosHash(await cosSha256Hex(expected));
  const handle = await cosRequest(hash, { create: true });
  const writable = await handle.createWritable();
  await writable.write(a.file);
  await writable.write({ type: "write", position: 10, data: a.file.slice(1000, 3000) });
  await writable.close();
  cosAssertBytes(await cosRead(hash), expected, "the File, then a slice of it written at 10");
}, "write() of a stored File at a position");

promise_test(async t => {
  const a = await storedFile(3000);
  const wrong = cosMissingHash();
  const handle = await cosRequest(wrong, { create: true });
  const writable = await handle.createWritable();
  await writable.write(a.file);
  await promise_rejects_dom(t, "DataError", writable.close(), "the digest is still checked");
  await promise_rejects_dom(t, "NotFoundError", cosRequest(wrong));
}, "a stored File written under another hash fails the digest check and stores nothing");

promise_test(async t => {
  const root = await navigator.storage.getDirectory();
  const name = `cos-write-file-${Math.random()}`;
  t.add_cleanup(() => root.removeEntry(name).catch(() => {}));
  const bytes = cosRandomBytes(LENGTH);
  const opfsHandle = await root.getFileHandle(name, { create: true });
  const opfsWritable = await opfsHandle.createWritable();
  await opfsWritable.write(bytes);
  await opfsWritable.close();
  const opfsFile = await opfsHandle.getFile();

  // From the origin private file system into Cross-Origin Storage.
  await storeAndCheck([opfsFile], bytes, "an origin private File stored in COS");

  // And back: a COS File into the origin private file system.
  const cos = await storedFile();
  const back = await opfsHandle.createWritable();
  await back.write(cos.file);
  await back.write({ type: "write", position: 0, data: cos.file.slice(LENGTH - 10) });
  await back.close();
  const expected = cos.bytes.slice();
  expected.set(cos.bytes.subarray(LENGTH - 10), 0);
  cosAssertBytes(new Uint8Array(await (await opfsHandle.getFile()).arrayBuffer()), expected,
                 "a COS File written to the origin private file system");
}, "Files move between the origin private file system and Cross-Origin Storage");
