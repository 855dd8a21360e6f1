// META: global=window,dedicatedworker
// META: title=Cache API: CacheStorage (self.caches) open, has, delete, keys and match
// META: script=resources/cache-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// https://w3c.github.io/ServiceWorker/#cachestorage-interface: each origin has one name to
// cache map, an ordered map from cache names to request response lists.
"use strict";

test(() => {
  assert_true(isSecureContext, "the test is served over https");
  assert_true("caches" in self, "self.caches exists");
  assert_true(self.caches instanceof CacheStorage, "it is a CacheStorage");
  // https://w3c.github.io/ServiceWorker/#self-caches: [SameObject].
  assert_equals(self.caches, self.caches, "the same object on every read");
}, "self.caches is a CacheStorage, the same object every time");

test(() => {
  for (const method of ["match", "has", "open", "delete", "keys"]) {
    assert_equals(typeof CacheStorage.prototype[method], "function", `CacheStorage.${method}`);
  }
  for (const method of ["match", "matchAll", "add", "addAll", "put", "delete", "keys"]) {
    assert_equals(typeof Cache.prototype[method], "function", `Cache.${method}`);
  }
  // Neither interface has a constructor.
  assert_throws_js(TypeError, () => new CacheStorage(), "new CacheStorage()");
  assert_throws_js(TypeError, () => new Cache(), "new Cache()");
}, "CacheStorage and Cache are exposed with their methods and no constructors");

promise_test(async t => {
  const name = testCacheName(t);
  assert_false(await caches.has(name), "no such cache before open()");
  const cache = await caches.open(name);
  assert_true(cache instanceof Cache, "open() resolves with a Cache");
  assert_true(await caches.has(name), "has() is true after open()");
  assert_array_equals(await cache.keys(), [], "a new cache is empty");
  assert_true((await caches.keys()).includes(name), "keys() lists the new cache");
}, "open() creates an empty cache that has() and keys() then report");

promise_test(async t => {
  const name = testCacheName(t);
  assert_false(await caches.has(name), "has() of a name never opened");
  assert_false(await caches.has(name), "has() did not create it");
  assert_false((await caches.keys()).includes(name), "nor does keys() list it");
  await caches.open(name);
  // Names are compared as exact strings.
  assert_false(await caches.has(name.toUpperCase()), "a name differing in case");
  assert_false(await caches.has(`${name} `), "a name with a trailing space");
  assert_true(await caches.has(name), "the exact name");
}, "has() is true only for the exact name of an existing cache and creates nothing");

promise_test(async t => {
  const name = testCacheName(t);
  const url = resourceUrl("deleted-cache-entry");
  const cache = await caches.open(name);
  await cache.put(url, new Response("before delete"));
  assert_true(await caches.delete(name), "delete() of an existing cache");
  assert_false(await caches.has(name), "has() after delete()");
  assert_false((await caches.keys()).includes(name), "keys() after delete()");
  assert_false(await caches.delete(name), "a second delete()");
  // open() after delete() makes a new, empty request response list under the same name.
  const reopened = await caches.open(name);
  assert_equals(await reopened.match(url), undefined, "the reopened cache has no old entry");
  assert_array_equals(await reopened.keys(), [], "the reopened cache is empty");
}, "delete() resolves true and removes the cache, then false; reopening gives an empty cache");

promise_test(async t => {
  assert_false(await caches.delete(`cache-test-never-${crypto.randomUUID()}`));
}, "delete() of a name that never existed resolves false");

promise_test(async t => {
  // The names sort differently from their creation order, so a sorted keys() fails.
  const prefix = `cache-test-${crypto.randomUUID()}`;
  const names = ["c", "a", "b"].map(suffix => `${prefix}-${suffix}`);
  for (const name of names) {
    t.add_cleanup(() => caches.delete(name));
    await caches.open(name);
  }
  const ours = async () => (await caches.keys()).filter(name => name.startsWith(prefix));
  assert_array_equals(await ours(), names, "creation order");

  await caches.open(names[1]);
  assert_array_equals(await ours(), names, "opening an existing cache does not move it");

  // Deleting removes the map entry; opening again sets a new entry, which goes last.
  await caches.delete(names[0]);
  await caches.open(names[0]);
  assert_array_equals(await ours(), [names[1], names[2], names[0]], "after delete and reopen");
}, "keys() lists cache names in creation order");

promise_test(async t => {
  const first = testCacheName(t);
  const second = testCacheName(t);
  const third = testCacheName(t);
  const firstCache = await caches.open(first);
  const secondCache = await caches.open(second);
  await caches.open(third);
  // A URL no other cache of the origin holds, since caches.match() searches all of them.
  const url = resourceUrl(`storage-match-${crypto.randomUUID()}`);
  // Put into the second cache first, so that entry order differs from cache order.
  await secondCache.put(url, new Response("from the second cache"));
  await firstCache.put(url, new Response("from the first cache"));

  // https://w3c.github.io/ServiceWorker/#cache-storage-match: the caches in map order.
  const found = await caches.match(url);
  assert_true(found instanceof Response, "caches.match() finds the entry");
  assert_equals(await found.text(), "from the first cache", "the first cache in creation order");
  const viaRequest = await caches.match(new Request(url));
  assert_equals(await viaRequest.text(), "from the first cache", "a Request works too");

  const search = await caches.match(`${url}?query`, { ignoreSearch: true });
  assert_equals(await search.text(), "from the first cache", "options reach Cache.match()");
  assert_equals(await caches.match(`${url}?query`), undefined, "without ignoreSearch: a miss");
  assert_equals(await caches.match(resourceUrl(`storage-miss-${crypto.randomUUID()}`)),
                undefined, "a URL in no cache");
}, "caches.match() searches the caches in creation order and resolves undefined on a miss");

promise_test(async t => {
  const first = testCacheName(t);
  const second = testCacheName(t);
  const empty = testCacheName(t);
  const url = resourceUrl(`storage-match-name-${crypto.randomUUID()}`);
  await (await caches.open(first)).put(url, new Response("from the first cache"));
  await (await caches.open(second)).put(url, new Response("from the second cache"));
  await caches.open(empty);

  const named = await caches.match(url, { cacheName: second });
  assert_equals(await named.text(), "from the second cache", "only the named cache is searched");
  assert_equals(await caches.match(url, { cacheName: empty }), undefined,
                "a named cache without the entry");

  const missing = `cache-test-missing-${crypto.randomUUID()}`;
  t.add_cleanup(() => caches.delete(missing));
  assert_equals(await caches.match(url, { cacheName: missing }), undefined,
                "a cacheName that does not exist");
  assert_false(await caches.has(missing), "match() did not create the named cache");
}, "caches.match() with cacheName searches only that cache, and undefined when it does not exist");

promise_test(async t => {
  const name = testCacheName(t);
  const url = resourceUrl("shared-entry");
  const one = await caches.open(name);
  const two = await caches.open(name);
  // https://w3c.github.io/ServiceWorker/#cache-storage-open: a new Cache object each time,
  // representing the same request response list.
  assert_not_equals(one, two, "two Cache objects");
  await one.put(url, new Response("put through the first object"));
  const seen = await two.match(url);
  assert_equals(await seen.text(), "put through the first object", "the second sees the put");
  assert_true(await two.delete(url), "the second deletes it");
  assert_equals(await one.match(url), undefined, "the first sees the delete");
}, "opening the same name twice gives two Cache objects over the same entries");
