// META: global=window,dedicatedworker
// META: title=Cache API: Cache.keys() and Cache.delete()
// META: script=resources/cache-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// https://w3c.github.io/ServiceWorker/#cache-keys and #cache-delete; a cache is a list of
// request/response pairs in insertion order (#dfn-request-response-list).
"use strict";

promise_test(async t => {
  const cache = await createTestCache(t);
  const keys = await cache.keys();
  assert_true(Array.isArray(keys), "an array");
  assert_equals(keys.length, 0, "empty");
}, "keys() of an empty cache resolves with an empty array");

promise_test(async t => {
  const cache = await createTestCache(t);
  // The names sort differently from their insertion order.
  const urls = ["keys-c", "keys-a", "keys-b"].map(resourceUrl);
  for (const url of urls) {
    await cache.put(url, new Response(url));
  }
  const keys = await cache.keys();
  assert_equals(keys.length, 3, "three entries");
  for (const [i, request] of keys.entries()) {
    assert_true(request instanceof Request, `keys()[${i}] is a Request`);
    assert_equals(request.url, urls[i], `keys()[${i}].url`);
    assert_equals(request.method, "GET", `keys()[${i}].method`);
  }
}, "keys() resolves with Request objects with the URL and method, in insertion order");

promise_test(async t => {
  const cache = await createTestCache(t);
  const [a, b, c] = ["order-a", "order-b", "order-c"].map(resourceUrl);
  await cache.put(a, new Response("a, first"));
  await cache.put(b, new Response("b"));
  await cache.put(c, new Response("c"));
  // https://w3c.github.io/ServiceWorker/#batch-cache-operations-algorithm: a put removes the
  // matching entries, then appends the new one.
  await cache.put(a, new Response("a, again"));
  assert_array_equals(await cachedUrls(cache), [b, c, a], "keys()");
  assert_array_equals(await bodyTexts(await cache.matchAll()), ["b", "c", "a, again"],
                      "matchAll()");
}, "putting a URL again moves its entry to the end");

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("keys-headers");
  await cache.put(new Request(url, { headers: { "X-Request-Header": "kept" } }),
                  new Response("x"));
  const [request] = await cache.keys();
  assert_equals(request.headers.get("X-Request-Header"), "kept", "the stored request's header");
  // Each returned Request has a new Headers object whose guard is "immutable".
  assert_throws_js(TypeError, () => request.headers.set("X-Request-Header", "changed"), "set()");
  assert_throws_js(TypeError, () => request.headers.append("X-Other", "added"), "append()");
  assert_equals(request.headers.get("X-Request-Header"), "kept", "unchanged");
}, "keys() returns the stored request headers, immutable");

promise_test(async t => {
  const cache = await createTestCache(t);
  const path = resourceUrl("filter");
  const other = resourceUrl("filter-other");
  const stored = [`${path}?q=1`, other, path, `${path}?q=2`];
  for (const url of stored) {
    await cache.put(url, new Response(url));
  }
  assert_array_equals(await cachedUrls(cache, `${path}?q=2`), [`${path}?q=2`], "a URL string");
  assert_array_equals(await cachedUrls(cache, new Request(path)), [path], "a Request");
  assert_array_equals(await cachedUrls(cache, `${path}?q=3`), [], "a miss");
  assert_array_equals(await cachedUrls(cache, `${path}?q=3`, { ignoreSearch: true }),
                      [`${path}?q=1`, path, `${path}?q=2`], "ignoreSearch, in insertion order");
}, "keys(request) lists only the matching entries, and ignoreSearch widens the match");

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("keys-method");
  await cache.put(url, new Response("x"));
  const post = new Request(url, { method: "POST" });
  assert_array_equals(await cachedUrls(cache, post), [], "a POST Request matches nothing");
  assert_array_equals(await cachedUrls(cache, post, { ignoreMethod: true }), [url],
                      "unless ignoreMethod is true");
}, "keys() with a non-GET Request is empty unless ignoreMethod is true");

promise_test(async t => {
  const cache = await createTestCache(t);
  const [a, b, c] = ["delete-a", "delete-b", "delete-c"].map(resourceUrl);
  for (const url of [a, b, c]) {
    await cache.put(url, new Response(url));
  }
  assert_true(await cache.delete(b), "delete() of a stored URL");
  assert_array_equals(await cachedUrls(cache), [a, c], "the others are kept, in order");
  assert_equals(await cache.match(b), undefined, "match() after delete()");
  assert_false(await cache.delete(b), "a second delete()");
  assert_false(await cache.delete(resourceUrl("delete-never-stored")), "a URL never stored");
  assert_array_equals(await cachedUrls(cache), [a, c], "nothing else removed");
}, "delete(url) resolves true and removes the entry, then false");

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("delete-request");
  await cache.put(url, new Response("x"));
  assert_true(await cache.delete(new Request(url)), "delete() with a Request");
  assert_array_equals(await cache.keys(), [], "the cache is empty");
}, "delete() accepts a Request");

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("delete-method");
  await cache.put(url, new Response("x"));
  const post = new Request(url, { method: "POST" });
  assert_false(await cache.delete(post), "a POST Request deletes nothing");
  assert_array_equals(await cachedUrls(cache), [url], "the entry is still there");
  assert_true(await cache.delete(post, { ignoreMethod: true }), "with ignoreMethod");
  assert_array_equals(await cache.keys(), [], "the entry is gone");
}, "delete() with a non-GET Request resolves false unless ignoreMethod is true");

promise_test(async t => {
  const cache = await createTestCache(t);
  const path = resourceUrl("delete-search");
  const other = resourceUrl("delete-search-other");
  for (const url of [`${path}?q=1`, other, path, `${path}?q=2`]) {
    await cache.put(url, new Response(url));
  }
  assert_false(await cache.delete(`${path}?q=3`), "without ignoreSearch: no match");
  assert_true(await cache.delete(`${path}?q=3`, { ignoreSearch: true }), "with ignoreSearch");
  assert_array_equals(await cachedUrls(cache), [other], "every entry with that path is gone");
}, "delete() with ignoreSearch removes every entry whose URL differs only in the query");

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("delete-fragment");
  await cache.put(url, new Response("x"));
  assert_true(await cache.delete(`${url}#fragment`), "the fragment is ignored");
  assert_array_equals(await cache.keys(), [], "the entry is gone");
}, "delete() ignores the URL fragment");

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("delete-vary");
  await cache.put(new Request(url, { headers: { "X-Foo": "a" } }),
                  new Response("x", { headers: { "Vary": "X-Foo" } }));
  const otherValue = new Request(url, { headers: { "X-Foo": "b" } });
  // Deleting queries the cache like match(): the Vary header is honoured.
  assert_false(await cache.delete(otherValue), "another X-Foo value deletes nothing");
  assert_equals((await cache.keys()).length, 1, "the entry is still there");
  assert_true(await cache.delete(otherValue, { ignoreVary: true }), "with ignoreVary");
  assert_array_equals(await cache.keys(), [], "the entry is gone");
}, "delete() honours Vary unless ignoreVary is true");
