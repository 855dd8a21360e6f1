// META: global=window,dedicatedworker
// META: title=Cross-Origin Storage: the ArrayBuffers read from a File of getFile()
// META: script=resources/cos-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Reading all of a stored File (arrayBuffer(), bytes(), text()) may hand the page the stored
// file's pages instead of a copy of them. Whatever the browser does, each read must still give
// the page a buffer of its own: ordinary, detachable, transferable, writable without touching
// the stored bytes or any other read, at any offset of a slice and across the file's last page.
"use strict";

// Several pages, and a last page that the file fills only in part.
const LENGTH = 3 * 4096 * 16 + 1234;

function storedFile(length = LENGTH) {
  return cosStoredFile(length);
}

promise_test(async () => {
  const { bytes, hash, file } = await storedFile();
  const buffer = await file.arrayBuffer();
  assert_true(buffer instanceof ArrayBuffer, "an ArrayBuffer");
  assert_false(buffer.resizable, "not resizable");
  assert_false(buffer.detached, "not detached");
  assert_equals(buffer.byteLength, LENGTH, "byteLength");
  cosAssertBytes(buffer, bytes, "arrayBuffer()");

  new Uint8Array(buffer).fill(0xa5);
  assert_equals(new Uint8Array(buffer)[LENGTH - 1], 0xa5, "the page's writes stay in its buffer");
  cosAssertBytes(await file.arrayBuffer(), bytes, "a later read of the same File");
  const again = await (await cosRequest(hash)).getFile();
  cosAssertBytes(await again.arrayBuffer(), bytes, "a read of a new File of the entry");
  cosAssertBytes(await (await cosRequest(hash)).getFile().then(f => f.bytes()), bytes,
                 "bytes() of another File");
}, "writing into the buffer of arrayBuffer() changes neither the entry nor later reads");

promise_test(async () => {
  const { bytes, file } = await storedFile();
  const [first, second] = await Promise.all([file.arrayBuffer(), file.arrayBuffer()]);
  assert_not_equals(first, second, "two reads give two buffers");
  new Uint8Array(first)[0] ^= 0xff;
  new Uint8Array(first)[LENGTH - 1] ^= 0xff;
  cosAssertBytes(second, bytes, "the second buffer, after writes to the first");
  const view = await file.bytes();
  assert_true(view instanceof Uint8Array, "bytes() is a Uint8Array");
  assert_equals(view.byteOffset, 0, "bytes() views its buffer from the start");
  assert_equals(view.buffer.byteLength, LENGTH, "bytes() has a buffer of its own");
  view[12345] ^= 0xff;
  cosAssertBytes(await file.arrayBuffer(), bytes, "after a write through bytes()");
}, "each read of a File has a buffer of its own");

promise_test(async () => {
  const { bytes, file } = await storedFile();
  const buffer = await file.arrayBuffer();
  const moved = buffer.transfer();
  assert_true(buffer.detached, "transfer() detaches the original");
  assert_equals(buffer.byteLength, 0, "a detached buffer is empty");
  cosAssertBytes(moved, bytes, "the transferred buffer");

  const shorter = moved.transfer(1000);
  cosAssertBytes(shorter, bytes.subarray(0, 1000), "transfer() to a shorter length");
  const longer = (await file.arrayBuffer()).transfer(LENGTH + 5000);
  assert_equals(longer.byteLength, LENGTH + 5000, "transfer() to a longer length");
  cosAssertBytes(longer.slice(0, LENGTH), bytes, "the stored bytes after a longer transfer()");
  assert_true(new Uint8Array(longer, LENGTH).every(b => b === 0), "the new tail is zeros");

  const source = await file.arrayBuffer();
  const copy = structuredClone(source);
  new Uint8Array(source).fill(1);
  cosAssertBytes(copy, bytes, "structuredClone() copies");
  const sent = await file.arrayBuffer();
  const received = structuredClone(sent, { transfer: [sent] });
  assert_true(sent.detached, "a transferred buffer is detached");
  cosAssertBytes(received, bytes, "the buffer received through a transfer");
}, "the buffer transfers, shrinks, grows and clones like any other");

promise_test(async () => {
  const { bytes, file } = await storedFile();
  // Offsets on 8 bytes, on a page, on neither, and ranges that end in the last partial page.
  const ranges = [[8, 4104], [4096, 8192 + 17], [4097, 70001], [24, LENGTH], [65536, LENGTH - 1],
                  [LENGTH - 8, LENGTH], [LENGTH - 3, LENGTH], [5, 6], [4096, 4096]];
  for (const [start, end] of ranges) {
    const slice = file.slice(start, end);
    const expected = bytes.subarray(start, end);
    const buffer = await slice.arrayBuffer();
    cosAssertBytes(buffer, expected, `slice(${start}, ${end}).arrayBuffer()`);
    cosAssertBytes(await slice.bytes(), expected, `slice(${start}, ${end}).bytes()`);
    if (buffer.byteLength) {
      new Uint8Array(buffer).fill(0);
      cosAssertBytes(await slice.arrayBuffer(), expected, `slice(${start}, ${end}) read again`);
    }
  }
  cosAssertBytes(await file.slice(8).slice(8, 4096).arrayBuffer(), bytes.subarray(16, 4104),
                 "a slice of a slice");
}, "slices read exactly their range, at any offset");

promise_test(async () => {
  const text = "\ufeffmapped \u00e9\u4e2d\u{1f600}\n".repeat(5000);
  const { file } = await cosStoredBytes(text);
  assert_equals(await file.text(), text.slice(1), "text() drops the BOM and decodes the rest");
  assert_equals(await file.slice(3, 20).text(), "mapped \u00e9\u4e2d\u{1f600}\n",
                "a slice after the BOM");
  assert_equals(await new Blob(["[", file.slice(3, 20), "]"]).text(),
                "[mapped \u00e9\u4e2d\u{1f600}\n]", "a slice of the File inside a Blob");
}, "text() of a stored File decodes it");

promise_test(async () => {
  const { file } = await storedFile(1);
  assert_equals((await file.arrayBuffer()).byteLength, 1, "one byte");
  assert_equals((await file.slice(1).arrayBuffer()).byteLength, 0, "an empty slice");
  const emptyHash = cosHash(COS_EMPTY_SHA256);
  await (await (await cosRequest(emptyHash, { create: true })).createWritable()).close();
  const empty = await (await cosRequest(emptyHash)).getFile();
  const buffer = await empty.arrayBuffer();
  assert_true(buffer instanceof ArrayBuffer, "an ArrayBuffer");
  assert_equals(buffer.byteLength, 0, "an empty File reads as empty");
  assert_equals((await empty.bytes()).length, 0, "bytes() too");
  assert_equals(await empty.text(), "", "text() too");
}, "tiny and empty reads");

promise_test(async () => {
  // The smallest module: magic and version, and one exported function returning 42.
  const wasm = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,
    0x03, 0x02, 0x01, 0x00, 0x07, 0x07, 0x01, 0x03, 0x66, 0x6f, 0x72, 0x00, 0x00, 0x0a, 0x06,
    0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b,
  ]);
  const hash = cosHash(await cosSha256Hex(wasm));
  await cosStore(hash, wasm);
  const file = await (await cosRequest(hash)).getFile();
  const { instance } = await WebAssembly.instantiate(await file.arrayBuffer());
  assert_equals(instance.exports.for(), 42, "the module runs");
  const module = new WebAssembly.Module(await file.bytes());
  assert_equals(WebAssembly.Module.exports(module)[0].name, "for", "compiled from bytes()");
}, "a stored WebAssembly module compiles from arrayBuffer() and bytes()");
