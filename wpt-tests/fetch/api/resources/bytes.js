// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Helpers of the read-all-bytes tests.
'use strict';

// Deterministic pseudo-random bytes (xorshift), so a mismatch names its first differing offset.
function pattern(length, seed) {
  const bytes = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

// Asserts that `actual` (a view or an ArrayBuffer) holds exactly the bytes of `expected`.
function assertSameBytes(actual, expected, what) {
  assert_equals(actual.byteLength, expected.byteLength, `${what}: length`);
  const a = new Uint8Array(actual.buffer ?? actual, actual.byteOffset ?? 0, actual.byteLength);
  for (let i = 0; i < expected.length; i++) {
    if (a[i] !== expected[i]) {
      assert_unreached(`${what}: byte ${i} is ${a[i]}, expected ${expected[i]}`);
    }
  }
}

// A ReadableStream that enqueues `chunks` and closes.
function streamOf(chunks) {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}
