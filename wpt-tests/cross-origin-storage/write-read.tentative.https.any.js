// META: global=window,dedicatedworker
// META: title=Cross-Origin Storage: create, write, close, read round trips
// META: script=resources/cos-helpers.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 21, 34, 35, 53, 57, 64-68, 70-73 (spec.md §3.4, §6, §7).
"use strict";

promise_test(async () => {
  const { bytes, hash } = await cosEntry(1024);
  const createHandle = await cosStore(hash, bytes);
  assert_true(createHandle instanceof FileSystemFileHandle, "create handle type");
  cosAssertBytes(await cosFileBytes(createHandle), bytes, "through the create handle");
  const handle = await cosRequest(hash);
  assert_true(handle instanceof FileSystemFileHandle, "read handle type");
  assert_equals(handle.kind, "file");
  assert_equals(handle.name, hash.value);
  const file = await handle.getFile();
  assert_true(file instanceof File, "getFile() gives a File");
  assert_equals(file.name, hash.value, "File.name");
  assert_equals(file.size, bytes.length, "File.size");
  cosAssertBytes(new Uint8Array(await file.arrayBuffer()), bytes, "through a read handle");
}, "small random bytes round trip");

promise_test(async () => {
  const hash = cosHash(COS_EMPTY_SHA256);
  assert_equals(await cosSha256Hex(new Uint8Array(0)), COS_EMPTY_SHA256);
  const handle = await cosRequest(hash, { create: true });
  await (await handle.createWritable()).close();
  const bytes = await cosRead(hash);
  assert_equals(bytes.length, 0);
}, "the empty file (e3b0c442...b855) closes without any write and reads back empty");

promise_test(async t => {
  const { hash } = await cosEntry(64);
  const handle = await cosRequest(hash, { create: true });
  const writable = await handle.createWritable();
  await promise_rejects_dom(t, "DataError", writable.close());
  await promise_rejects_dom(t, "NotFoundError", cosRequest(hash));
}, "closing with nothing written is a DataError for a non-empty hash");

const CHUNK_KINDS = {
  "ArrayBuffer": bytes => bytes.slice().buffer,
  "Uint8Array": bytes => bytes,
  "DataView": bytes => new DataView(bytes.slice().buffer),
  "Int32Array": bytes => new Int32Array(bytes.slice().buffer),
  "Blob": bytes => new Blob([bytes]),
  "WriteParams {type: 'write'}": bytes => ({ type: "write", data: bytes }),
  "WriteParams {type: 'write', position: 0}": bytes => ({ type: "write", position: 0, data: bytes }),
};
for (const [kind, wrap] of Object.entries(CHUNK_KINDS)) {
  promise_test(async () => {
    const { bytes, hash } = await cosEntry(4096);  // a multiple of 4 for Int32Array
    await cosStore(hash, wrap(bytes));
    cosAssertBytes(await cosRead(hash), bytes);
  }, `write(${kind})`);
}

promise_test(async () => {
  const text = "Cross-Origin Storage \u00e9\u4e2d\ud83d\ude00 " + cosHex(cosRandomBytes(16));
  const encoded = new TextEncoder().encode(text);
  const hash = cosHash(await cosSha256Hex(encoded));
  await cosStore(hash, text);
  cosAssertBytes(await cosRead(hash), encoded);
}, "write(string) stores UTF-8");

promise_test(async () => {
  const { bytes, hash } = await cosEntry(3000);
  await cosStore(hash, [bytes.subarray(0, 1000), new Blob([bytes.subarray(1000, 2000)]),
                        bytes.subarray(2000).slice().buffer]);
  cosAssertBytes(await cosRead(hash), bytes);
}, "several writes of mixed kinds append");

promise_test(async () => {
  const final = new TextEncoder().encode("AAAAABBBBB" + cosHex(cosRandomBytes(8)));
  const hash = cosHash(await cosSha256Hex(final));
  const handle = await cosRequest(hash, { create: true });
  const writable = await handle.createWritable();
  await writable.write(new TextDecoder().decode(final).replace("BBBBB", "XXXXX"));
  await writable.seek(5);
  await writable.write("BBBBB");
  await writable.close();
  cosAssertBytes(await cosRead(hash), final);
}, "seek() then write() overwrites: the hash covers the final bytes");

promise_test(async () => {
  const { bytes, hash } = await cosEntry(500);
  const handle = await cosRequest(hash, { create: true });
  const writable = await handle.createWritable();
  await writable.write(bytes);
  await writable.write(cosRandomBytes(300));
  await writable.truncate(500);
  await writable.close();
  cosAssertBytes(await cosRead(hash), bytes);
}, "truncate() drops extra bytes before verification");

promise_test(async () => {
  const tail = cosRandomBytes(16);
  const final = new Uint8Array(32);
  final.set(tail, 16);  // 16 zero bytes, then the tail
  const hash = cosHash(await cosSha256Hex(final));
  const handle = await cosRequest(hash, { create: true });
  const writable = await handle.createWritable();
  await writable.write({ type: "seek", position: 16 });
  await writable.write(tail);
  await writable.close();
  cosAssertBytes(await cosRead(hash), final);
}, "a seek past the end zero-fills the gap");

promise_test(async () => {
  const { bytes, hash } = await cosEntry(100);
  const handle = await cosRequest(hash, { create: true });
  const writable = await handle.createWritable();
  await writable.write(bytes);
  await writable.write({ type: "truncate", size: 50 });
  await writable.write({ type: "write", position: 50, data: bytes.subarray(50) });
  await writable.close();
  cosAssertBytes(await cosRead(hash), bytes);
}, "WriteParams truncate and positioned write");

promise_test(async () => {
  const { bytes, hash } = await cosEntry(200000);
  const handle = await cosRequest(hash, { create: true });
  await new Blob([bytes]).stream().pipeTo(await handle.createWritable());
  cosAssertBytes(await cosRead(hash), bytes);
}, "pipeTo() into the writable stores the entry");

promise_test(async t => {
  const { hash } = await cosEntry(1000);
  const handle = await cosRequest(hash, { create: true });
  await promise_rejects_dom(t, "DataError",
                            new Blob([cosRandomBytes(1000)]).stream().pipeTo(await handle.createWritable()));
  await promise_rejects_dom(t, "NotFoundError", cosRequest(hash));
}, "pipeTo() of the wrong bytes rejects with DataError");

promise_test(async t => {
  const { bytes, hash } = await cosEntry(256);
  await cosStore(hash, bytes);
  // keepExistingData cannot make a caller a storer of bytes it never had: it starts empty.
  const handle = await cosRequest(hash, { create: true });
  const empty = await handle.createWritable({ keepExistingData: true });
  await promise_rejects_dom(t, "DataError", empty.close());
  const full = await (await cosRequest(hash, { create: true })).createWritable({ keepExistingData: true });
  await full.write(bytes);
  await full.close();
  cosAssertBytes(await cosRead(hash), bytes);
}, "keepExistingData: true still starts empty");

promise_test(async t => {
  const { bytes, hash } = await cosEntry(256);
  const handle = await cosRequest(hash, { create: true });
  const writable = await handle.createWritable();
  await writable.write(bytes);
  await writable.abort();
  await promise_rejects_dom(t, "NotFoundError", cosRequest(hash));
}, "abort() stores nothing");

promise_test(async () => {
  const { bytes, hash } = await cosEntry(128);
  await cosStore(cosHash(hash.value, "sha-256"), bytes);
  cosAssertBytes(await cosRead(cosHash(hash.value, "SHA-256")), bytes, "read as SHA-256");
  cosAssertBytes(await cosRead(cosHash(hash.value, "Sha-256")), bytes, "read as Sha-256");
}, "the algorithm name is compared case-insensitively");

promise_test(async () => {
  const { bytes, hash } = await cosEntry(128);
  await cosStore(hash, bytes);
  // A create request for a written entry still resolves: create is no presence oracle.
  const again = await cosRequest(hash, { create: true });
  assert_true(again instanceof FileSystemFileHandle);
  for (let i = 0; i < 25; i++) {
    await cosStore(hash, bytes);
  }
  cosAssertBytes(await cosRead(hash), bytes);
}, "identical rewrites (25) succeed");
