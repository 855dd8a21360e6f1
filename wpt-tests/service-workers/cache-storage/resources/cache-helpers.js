// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Shared helpers for the Cache API tests (windows and dedicated workers).
// Spec: https://w3c.github.io/ServiceWorker/#cache-objects
"use strict";

// The exact bytes of the static files in this folder (fetched by add(), addAll() and fetch()).
const RESOURCE_A_TEXT = "Resource A for the Cache API tests.\n";
const RESOURCE_B_TEXT = "Resource B: \u03b2 and more bytes.\n";

// An absolute URL under this directory's resources/ folder. The tests run from a page or a
// worker script in the directory above, so the global's own location is the base.
function resourceUrl(path) {
  return new URL(`resources/${path}`, self.location.href).href;
}

// A cache name no other test uses; the cache is deleted when test `t` ends.
function testCacheName(t) {
  const name = `cache-test-${crypto.randomUUID()}`;
  t.add_cleanup(() => caches.delete(name));
  return name;
}

// A new, empty cache of its own for test `t`, deleted when the test ends.
function createTestCache(t) {
  return caches.open(testCacheName(t));
}

function randomBytes(length) {
  const bytes = new Uint8Array(length);
  // getRandomValues fills at most 65536 bytes per call.
  for (let i = 0; i < length; i += 65536) {
    crypto.getRandomValues(bytes.subarray(i, Math.min(length, i + 65536)));
  }
  return bytes;
}

// Byte-exact comparison that names the first differing offset instead of asserting per byte.
function assertBytes(actual, expected, what) {
  const a = actual instanceof Uint8Array ? actual : new Uint8Array(actual);
  assert_equals(a.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (a[i] !== expected[i]) {
      assert_unreached(`${what}: byte ${i} is ${a[i]}, expected ${expected[i]}`);
    }
  }
}

// A Headers object as comparable strings, in the Headers iteration order (sorted, combined).
function headerLines(headers) {
  return [...headers].map(([name, value]) => `${name}: ${value}`);
}

// The URLs of cache.keys(), in order; with no request, every entry of the cache.
async function cachedUrls(cache, request, options) {
  const requests = request === undefined ? await cache.keys() : await cache.keys(request, options);
  return requests.map(r => r.url);
}

// The body texts of responses (e.g. what matchAll() resolved with), in order.
function bodyTexts(responses) {
  return Promise.all(responses.map(r => r.text()));
}
