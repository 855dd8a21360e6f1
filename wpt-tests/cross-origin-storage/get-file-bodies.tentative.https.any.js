// META: global=window,dedicatedworker
// META: title=Cross-Origin Storage: a File of getFile() as a stream and as a body
// META: script=resources/cos-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Clients wrap a stored File in a Response (`new Response(file)`, Transformers.js) or read its
// stream. A browser may start reading the file only when the stream is first read, and may
// hand over the whole file at once when all of an unread stream is consumed. These check that
// every way of consuming such a stream gives exactly the File's bytes once: unread, partly read,
// teed, cancelled, locked, and as a Request or Response body.
"use strict";

// More than one file-manager chunk (1 MiB), and not a multiple of it.
const LENGTH = (1 << 20) + 12345;

function storedFile(length = LENGTH) {
  return cosStoredFile(length);
}

async function readChunks(reader) {
  const chunks = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      return chunks;
    }
    chunks.push(value);
  }
}

promise_test(async t => {
  const { bytes, file } = await storedFile();
  const response = new Response(file);
  assert_false(response.bodyUsed, "bodyUsed before");
  cosAssertBytes(await response.arrayBuffer(), bytes, "new Response(file).arrayBuffer()");
  assert_true(response.bodyUsed, "bodyUsed after");
  assert_true(response.body.locked, "the body stream stays locked");
  await promise_rejects_js(t, TypeError, response.arrayBuffer(), "a second read");
  cosAssertBytes(await new Response(file).bytes(), bytes, "bytes()");
  const blob = await new Response(file).blob();
  assert_equals(blob.size, LENGTH, "blob() size");
  cosAssertBytes(await blob.arrayBuffer(), bytes, "blob() bytes");
}, "a Response of the File reads its bytes once, and is used afterwards");

promise_test(async () => {
  const text = "body \u00e9\u4e2d\u{1f600}\n".repeat(30000);
  const { file } = await cosStoredBytes(text);
  assert_equals(await new Response(file).text(), text, "text()");
  const { file: jsonFile } = await cosStoredBytes(JSON.stringify({ text }));
  assert_equals((await new Response(jsonFile).json()).text, text, "json()");
}, "text() and json() of a Response of a stored File");

promise_test(async () => {
  const { bytes, file } = await storedFile();
  const request = new Request(location.href, { method: "POST", body: file });
  cosAssertBytes(await request.arrayBuffer(), bytes, "new Request(url, {body: file})");
  assert_true(request.bodyUsed, "bodyUsed after");
}, "a Request with the File as its body reads its bytes");

promise_test(async () => {
  const { bytes, file } = await storedFile();
  const stream = file.stream();
  // Nothing has been read: later reads still get every byte, whichever way.
  await new Promise(resolve => setTimeout(resolve, 50));
  cosAssertBytes(cosConcat(await readChunks(stream.getReader())), bytes, "a stream read later");
  const response = new Response(file);
  await new Promise(resolve => setTimeout(resolve, 50));
  assert_false(response.body.locked, "the body is not locked before it is read");
  cosAssertBytes(await response.arrayBuffer(), bytes, "a Response read later");
}, "a File's stream that waits before it is read loses nothing");

promise_test(async () => {
  const { bytes, file } = await storedFile();
  const stream = file.stream();
  const reader = stream.getReader();
  const first = await reader.read();
  assert_false(first.done, "a first chunk");
  reader.releaseLock();
  assert_throws_js(TypeError, () => new Response(stream), "a disturbed stream is no body");
  const rest = await readChunks(stream.getReader());
  cosAssertBytes(cosConcat([first.value, ...rest]), bytes, "a first chunk, then the rest");
}, "a partly read stream of the File gives the rest of its bytes, once");

promise_test(async () => {
  const { bytes, file } = await storedFile();
  const response = new Response(file);
  const clone = response.clone();
  const [a, b] = await Promise.all([response.arrayBuffer(), clone.arrayBuffer()]);
  cosAssertBytes(a, bytes, "the original");
  cosAssertBytes(b, bytes, "the clone");
  const [left, right] = file.stream().tee();
  const [l, r] = await Promise.all([new Response(left).bytes(), readChunks(right.getReader())]);
  cosAssertBytes(l, bytes, "a tee branch as a body");
  cosAssertBytes(cosConcat(r), bytes, "the other branch read in chunks");
}, "clone() and tee() of the File's stream give both readers every byte");

promise_test(async () => {
  const { bytes, file } = await storedFile();
  const stream = file.stream();
  await stream.cancel();
  const { done } = await stream.getReader().read();
  assert_true(done, "a cancelled stream is done");
  const response = new Response(file);
  await response.body.cancel();
  cosAssertBytes(await file.arrayBuffer(), bytes,
                 "the File still reads after its streams are cancelled");
}, "cancelling an unread stream of the File");

promise_test(async () => {
  // A small File ends while the next read waits; a large one fills several views.
  for (const length of [100, LENGTH]) {
    const { bytes, file } = await storedFile(length);
    const reader = file.stream().getReader({ mode: "byob" });
    const chunks = [];
    for (;;) {
      const { done, value } = await reader.read(new Uint8Array(300000));
      if (done) {
        assert_equals(value.byteLength, 0, "the last read gives an empty view");
        break;
      }
      chunks.push(value);
    }
    cosAssertBytes(cosConcat(chunks), bytes, `a BYOB reader of ${length} bytes`);
  }
}, "a BYOB reader of the File's stream reads every byte, and then is done");
