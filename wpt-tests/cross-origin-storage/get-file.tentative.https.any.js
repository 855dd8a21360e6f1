// META: global=window,dedicatedworker
// META: title=Cross-Origin Storage: every way of reading the File of getFile()
// META: script=resources/cos-helpers.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// The File of getFile() is backed by a snapshot of the stored blob when the store is on disk
// (the browser's file manager serves it), so these read it through every File API path, whole
// and sliced, more than once, and from two Files at the same time. Checklist 64-68.
"use strict";

// Bytes of a File read with stream(), one chunk at a time.
async function streamBytes(blob) {
  const chunks = [];
  let length = 0;
  for (const reader = blob.stream().getReader(); ;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    assert_true(value instanceof Uint8Array, "stream() chunks are Uint8Arrays");
    chunks.push(value);
    length += value.length;
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

function readWithFileReader(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsArrayBuffer(blob);
  });
}

// More than one 32 KiB file-manager chunk, and not a multiple of it.
const LENGTH = 300 * 1024 + 123;

promise_test(async () => {
  const { bytes, hash } = await cosEntry(LENGTH);
  await cosStore(hash, bytes);
  const file = await (await cosRequest(hash)).getFile();
  assert_equals(file.size, LENGTH, "size");
  cosAssertBytes(await file.arrayBuffer(), bytes, "arrayBuffer()");
  cosAssertBytes(await file.bytes(), bytes, "bytes()");
  cosAssertBytes(await streamBytes(file), bytes, "stream()");
  cosAssertBytes(await readWithFileReader(file), bytes, "FileReader");
  cosAssertBytes(await new Response(file).arrayBuffer(), bytes, "new Response(file)");
  cosAssertBytes(await file.arrayBuffer(), bytes, "arrayBuffer() again");
}, "the whole File reads back byte-exact through every reading API, more than once");

promise_test(async () => {
  const { bytes, hash } = await cosEntry(LENGTH);
  await cosStore(hash, bytes);
  const file = await (await cosRequest(hash)).getFile();
  for (const [start, end] of [[0, 10], [100, 70000], [LENGTH - 5, LENGTH], [65536, 65536]]) {
    const slice = file.slice(start, end);
    const expected = bytes.subarray(start, end);
    assert_equals(slice.size, end - start, `slice(${start}, ${end}).size`);
    cosAssertBytes(await slice.arrayBuffer(), expected, `slice(${start}, ${end}).arrayBuffer()`);
    cosAssertBytes(await streamBytes(slice), expected, `slice(${start}, ${end}).stream()`);
    cosAssertBytes(await readWithFileReader(slice), expected, `slice(${start}, ${end}) FileReader`);
  }
  const nested = file.slice(1000, 200000).slice(500, 1500);
  cosAssertBytes(await nested.arrayBuffer(), bytes.subarray(1500, 2500), "a slice of a slice");
}, "slices of the File read exactly their range");

promise_test(async () => {
  const text = "Cross-Origin Storage \u00e9\u4e2d\u{1f600}\n".repeat(2000);
  const { file } = await cosStoredBytes(text);
  assert_equals(await file.text(), text, "text()");
  assert_equals(await file.slice(0, 21).text(), "Cross-Origin Storage ", "a slice's text()");
  assert_equals(await file.slice(21, 23).text(), "\u00e9", "a slice's text() from the middle");
}, "text() decodes the File, whole and sliced");

promise_test(async () => {
  const { bytes, hash } = await cosEntry(LENGTH);
  await cosStore(hash, bytes);
  const handle = await cosRequest(hash);
  const [first, second] = await Promise.all([handle.getFile(), handle.getFile()]);
  assert_not_equals(first, second, "two getFile() calls give two Files");
  const [a, b] = await Promise.all([first.arrayBuffer(), streamBytes(second)]);
  cosAssertBytes(a, bytes, "the first File");
  cosAssertBytes(b, bytes, "the second File, read at the same time");
}, "two Files of one entry read at the same time, each byte-exact");

promise_test(async () => {
  const { bytes, hash } = await cosEntry(LENGTH);
  await cosStore(hash, bytes);
  const file = await (await cosRequest(hash)).getFile();
  const url = URL.createObjectURL(file);
  try {
    cosAssertBytes(await (await fetch(url)).arrayBuffer(), bytes, "fetch() of a blob: URL");
  } finally {
    URL.revokeObjectURL(url);
  }
}, "a blob: URL of the File fetches its bytes");
