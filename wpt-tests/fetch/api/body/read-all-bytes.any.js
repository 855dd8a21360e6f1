// META: title=Reading all bytes of a body or a Blob: Uint8Array chunks only, byte-exact
// META: timeout=long
// META: script=../resources/bytes.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.
//
// https://streams.spec.whatwg.org/#read-loop: every chunk must be a Uint8Array (anything else is
// a TypeError) and its bytes, exactly the view's bytes, are appended in order.
'use strict';

const badChunks = [
  ['an Array of numbers', () => [1, 2, 3]],
  ['an ArrayBuffer', () => new ArrayBuffer(3)],
  ['a Uint8ClampedArray', () => new Uint8ClampedArray([1, 2, 3])],
  ['a Uint16Array', () => new Uint16Array([1, 2, 3])],
  ['a DataView', () => new DataView(new ArrayBuffer(3))],
  ['a string', () => 'abc'],
  ['null', () => null],
  ['an iterable object', () => ({ *[Symbol.iterator]() { yield 1; } })],
];

for (const [name, make] of badChunks) {
  for (const method of ['arrayBuffer', 'bytes', 'text', 'blob']) {
    if (!(method in Response.prototype)) continue;
    promise_test(async t => {
      const response = new Response(streamOf([new Uint8Array([7]), make()]));
      await promise_rejects_js(t, TypeError, response[method]());
    }, `Response.${method}() rejects with a TypeError for ${name} chunk`);
  }
}

promise_test(async () => {
  // Views into larger buffers at odd offsets: only the view's bytes count.
  const expected = pattern(200000, 7);
  const chunks = [];
  let offset = 0;
  for (let size = 1; offset < expected.length; size = size * 3 + 1) {
    const end = Math.min(expected.length, offset + size);
    const backing = new Uint8Array(end - offset + 10);
    backing.fill(0xee);
    backing.set(expected.subarray(offset, end), 5);
    chunks.push(backing.subarray(5, 5 + end - offset));
    offset = end;
  }
  chunks.splice(3, 0, new Uint8Array(0));
  const buffer = await new Response(streamOf(chunks)).arrayBuffer();
  assertSameBytes(new Uint8Array(buffer), expected, 'arrayBuffer()');
}, 'Response.arrayBuffer() appends exactly the bytes of each Uint8Array view, in order');

promise_test(async () => {
  const expected = pattern(64 * 1024 + 3, 11);
  const text = await new Response(streamOf([expected.subarray(0, 1000), expected.subarray(1000)])).blob();
  assert_equals(text.size, expected.length);
  assertSameBytes(new Uint8Array(await text.arrayBuffer()), expected, 'blob() then arrayBuffer()');
}, 'Response.blob() keeps every byte of a multi-chunk body');

promise_test(async () => {
  // 32 MiB: a consumer that walks the bytes one JS value at a time takes minutes here.
  const size = 32 * 1024 * 1024;
  const expected = pattern(size, 3);
  const blob = new Blob([expected.subarray(0, size / 2), expected.subarray(size / 2)]);
  const buffer = await blob.arrayBuffer();
  assertSameBytes(new Uint8Array(buffer), expected, 'Blob.arrayBuffer()');
  const bytes = await new Response(blob).bytes?.();
  if (bytes) assertSameBytes(bytes, expected, 'Response(blob).bytes()');
}, 'A 32 MiB Blob reads back byte-exact through arrayBuffer() and a Response');

promise_test(async () => {
  const expected = pattern(300000, 5);
  const chunks = [];
  for (let i = 0; i < expected.length; i += 4096) chunks.push(expected.slice(i, i + 4096));
  const response = await fetch('../resources/echo-body.py', {
    method: 'POST',
    body: streamOf(chunks),
    duplex: 'half',
  });
  assertSameBytes(new Uint8Array(await response.arrayBuffer()), expected, 'echoed body');
}, 'A request body stream of Uint8Array chunks is sent byte-exact');

promise_test(async t => {
  await promise_rejects_js(t, TypeError, fetch('../resources/echo-body.py', {
    method: 'POST',
    body: streamOf([new Uint8Array([1]), [2, 3]]),
    duplex: 'half',
  }));
}, 'A request body stream with a chunk that is not a Uint8Array fails the fetch with a TypeError');
