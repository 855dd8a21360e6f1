// META: title=The ArrayBuffer that reading all bytes makes: exact length, owned, transferable
// META: script=../resources/bytes.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.
//
// arrayBuffer() and bytes() of a Blob or a body return a new ArrayBuffer holding exactly the bytes
// read (https://fetch.spec.whatwg.org/#concept-body-consume-body,
// https://w3c.github.io/FileAPI/#arraybuffer-method-algo). An engine may hand the memory it read
// into to the buffer instead of copying it; the buffer must then behave as any other: its own
// bytes, detachable, transferable and cloneable, and empty bodies give empty buffers.
'use strict';

// Every way to read all bytes, each given the bytes to serve.
const sources = [
  ['Blob.arrayBuffer()', bytes => new Blob([bytes]).arrayBuffer()],
  ['a Blob slice\'s arrayBuffer()', bytes => {
    const padded = new Uint8Array(bytes.length + 20);
    padded.set(bytes, 7);
    return new Blob([padded]).slice(7, 7 + bytes.length).arrayBuffer();
  }],
  ['Blob.bytes()', async bytes => (await new Blob([bytes]).bytes()).buffer],
  ['Response.arrayBuffer() of a stream', bytes => {
    // Uneven chunks, so the collected bytes grow several times with no size known up front.
    const chunks = [];
    for (let offset = 0, size = 1; offset < bytes.length; offset += size, size = size * 2 + 3) {
      chunks.push(bytes.slice(offset, offset + size));
    }
    return new Response(streamOf(chunks)).arrayBuffer();
  }],
  ['Response.bytes() of a Blob', async bytes => (await new Response(new Blob([bytes])).bytes()).buffer],
];

for (const [name, read] of sources) {
  promise_test(async () => {
    const expected = pattern(1 << 20, 17);
    const buffer = await read(expected);
    assert_true(buffer instanceof ArrayBuffer, 'an ArrayBuffer');
    assert_false(buffer.resizable, 'not resizable');
    assertSameBytes(new Uint8Array(buffer), expected, name);
  }, `${name} gives an ArrayBuffer of exactly the bytes read`);

  promise_test(async () => {
    const expected = pattern(300000, 23);
    const first = await read(expected);
    const second = await read(expected);
    new Uint8Array(first).fill(0);
    assertSameBytes(new Uint8Array(second), expected, 'the second read');
  }, `${name} gives each call a buffer of its own`);

  promise_test(async () => {
    const expected = pattern(500000, 29);
    const buffer = await read(expected);
    const moved = buffer.transfer();
    assert_equals(buffer.byteLength, 0, 'the original is detached');
    assertSameBytes(new Uint8Array(moved), expected, 'the transferred buffer');
    const shorter = moved.transfer(1000);
    assertSameBytes(new Uint8Array(shorter), expected.subarray(0, 1000), 'transfer(1000)');
  }, `${name} gives a buffer that transfer() detaches and moves`);

  promise_test(async () => {
    const expected = pattern(200000, 31);
    const buffer = await read(expected);
    const clone = structuredClone(buffer);
    assertSameBytes(new Uint8Array(clone), expected, 'the clone');
    const moved = structuredClone(buffer, { transfer: [buffer] });
    assert_equals(buffer.byteLength, 0, 'the transferred original is detached');
    assertSameBytes(new Uint8Array(moved), expected, 'the transferred clone');
  }, `${name} gives a buffer that structured clone copies and transfers`);

  promise_test(async () => {
    const buffer = await read(new Uint8Array(0));
    assert_true(buffer instanceof ArrayBuffer, 'an ArrayBuffer');
    assert_equals(buffer.byteLength, 0, 'empty');
    assert_equals(buffer.transfer().byteLength, 0, 'an empty buffer transfers');
  }, `${name} gives an empty ArrayBuffer for no bytes`);
}

promise_test(async () => {
  const expected = pattern(70000, 37);
  const bytes = await new Response(new Blob([expected])).bytes();
  assert_true(bytes instanceof Uint8Array, 'a Uint8Array');
  assert_equals(bytes.byteOffset, 0, 'byteOffset');
  assert_equals(bytes.buffer.byteLength, expected.length, 'the buffer holds the bytes and no more');
  assertSameBytes(bytes, expected, 'bytes()');
}, 'Response.bytes() views a whole buffer of exactly the body\'s length');

promise_test(async () => {
  const bytes = await new Response(null).bytes();
  assert_equals(bytes.length, 0, 'length');
  assert_equals((await new Response(null).arrayBuffer()).byteLength, 0, 'arrayBuffer()');
}, 'A null body reads as empty bytes and an empty ArrayBuffer');

promise_test(async () => {
  const bom = [0xef, 0xbb, 0xbf];
  const text = '{"a":"\u00e9\u4e2d"}';
  const body = new Uint8Array([...bom, ...new TextEncoder().encode(text)]);
  assert_equals(await new Response(streamOf([body.slice(0, 2), body.slice(2)])).text(), text,
                'text() drops the BOM, even split across chunks');
  assert_object_equals(await new Response(streamOf([body.slice(0, 5), body.slice(5)])).json(),
                       { a: '\u00e9\u4e2d' }, 'json() drops the BOM');
  assert_equals(await new Blob([body]).text(), text, 'Blob.text() drops the BOM');
}, 'text() and json() decode the bytes read, without a leading BOM');
