// META: global=window,dedicatedworker
// META: title=Cache API: Cache.add() and Cache.addAll() fetch and store
// META: timeout=long
// META: script=/common/get-host-info.sub.js
// META: script=resources/cache-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// https://w3c.github.io/ServiceWorker/#cache-addAll (add() is addAll() of one request): every
// request is fetched, any failure rejects the whole call, and the puts are one batch, so either
// every response is stored or none is.
"use strict";

// A path on this origin that the server does not have (a 404).
const missingUrl = () => resourceUrl(`does-not-exist-${crypto.randomUUID()}.txt`);

promise_test(async t => {
  const cache = await createTestCache(t);
  assert_equals(await cache.add("resources/a.txt"), undefined, "add() result");
  const url = resourceUrl("a.txt");

  const [request] = await cache.keys();
  assert_equals(request.url, url, "the key is the absolute URL");
  assert_equals(request.method, "GET", "the key's method");

  const response = await cache.match(url);
  assert_true(response instanceof Response, "match() finds the fetched response");
  assert_equals(response.status, 200, "status");
  assert_equals(response.url, url, "url");
  assert_equals(response.type, "basic", "type");
  assert_equals(await response.text(), RESOURCE_A_TEXT, "the fetched body");
}, "add(url) fetches the URL and stores the response");

promise_test(async t => {
  const cache = await createTestCache(t);
  await cache.add(new Request(resourceUrl("b.txt")));
  assert_equals(await (await cache.match(resourceUrl("b.txt"))).text(), RESOURCE_B_TEXT);
}, "add(request) fetches the Request and stores the response");

promise_test(async t => {
  const cache = await createTestCache(t);
  const a = resourceUrl("a.txt");
  const b = resourceUrl("b.txt");
  assert_equals(await cache.addAll([b, new Request(a)]), undefined, "addAll() result");
  assert_array_equals(await cachedUrls(cache), [b, a], "both stored, in argument order");
  assert_equals(await (await cache.match(a)).text(), RESOURCE_A_TEXT, "a.txt body");
  assert_equals(await (await cache.match(b)).text(), RESOURCE_B_TEXT, "b.txt body");
}, "addAll() fetches and stores every request");

promise_test(async t => {
  const cache = await createTestCache(t);
  assert_equals(await cache.addAll([]), undefined, "addAll([]) result");
  assert_array_equals(await cache.keys(), [], "nothing stored");
}, "addAll() of no requests resolves and stores nothing");

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("a.txt");
  await cache.put(url, new Response("put before add"));
  await cache.add(url);
  assert_array_equals(await bodyTexts(await cache.matchAll()), [RESOURCE_A_TEXT]);
}, "add() replaces an existing entry for the same URL");

// A response that is not an ok status (200-299), or is a 206, rejects add() with a TypeError.
const badStatuses = [
  ["a 404 response", missingUrl],
  ["a 500 response", () => resourceUrl("a.txt?pipe=status(500)")],
  ["a 206 response", () => resourceUrl("a.txt?pipe=status(206)")],
  ["a 302 response with no Location", () => resourceUrl("a.txt?pipe=status(302)")],
];

for (const [what, makeUrl] of badStatuses) {
  promise_test(async t => {
    const cache = await createTestCache(t);
    await promise_rejects_js(t, TypeError, cache.add(makeUrl()));
    assert_array_equals(await cache.keys(), [], "nothing stored");
  }, `add() rejects with a TypeError for ${what} and stores nothing`);
}

promise_test(async t => {
  const cache = await createTestCache(t);
  await promise_rejects_js(t, TypeError, cache.add(resourceUrl("a.txt?pipe=header(Vary,*)")));
  assert_array_equals(await cache.keys(), [], "nothing stored");
}, "add() rejects with a TypeError for a response with Vary: * and stores nothing");

promise_test(async t => {
  const cache = await createTestCache(t);
  const a = resourceUrl("a.txt");
  const b = resourceUrl("b.txt");
  await cache.put(a, new Response("old a"));
  await promise_rejects_js(t, TypeError, cache.addAll([b, missingUrl(), a]));
  // Nothing was added, and the existing entry for a.txt was not replaced.
  assert_array_equals(await cachedUrls(cache), [a], "keys()");
  assert_equals(await (await cache.match(a)).text(), "old a", "the old entry is intact");
  assert_equals(await cache.match(b), undefined, "b.txt was not stored");
}, "addAll() with one failing request stores none of them");

promise_test(async t => {
  const cache = await createTestCache(t);
  const a = resourceUrl("a.txt");
  // https://w3c.github.io/ServiceWorker/#batch-cache-operations-algorithm: a put that matches
  // an item added earlier in the same batch throws an InvalidStateError.
  await promise_rejects_dom(t, "InvalidStateError", cache.addAll([a, resourceUrl("b.txt"), a]));
  assert_array_equals(await cache.keys(), [], "nothing stored");
}, "addAll() with the same request twice rejects with an InvalidStateError and stores nothing");

const badRequests = [
  ["a data: URL", () => "data:text/plain,x"],
  ["a blob: URL", t => {
    const blobUrl = URL.createObjectURL(new Blob(["x"]));
    t.add_cleanup(() => URL.revokeObjectURL(blobUrl));
    return blobUrl;
  }],
  ["a POST Request", () => new Request(resourceUrl("a.txt"), { method: "POST" })],
  ["a URL that does not parse", () => "https://["],
];

for (const [what, makeRequest] of badRequests) {
  promise_test(async t => {
    const cache = await createTestCache(t);
    await promise_rejects_js(t, TypeError, cache.add(makeRequest(t)), "add()");
    await promise_rejects_js(t, TypeError, cache.addAll([resourceUrl("a.txt"), makeRequest(t)]),
                             "addAll() with a good request first");
    assert_array_equals(await cache.keys(), [], "nothing stored");
  }, `add() and addAll() reject with a TypeError for ${what}`);
}

promise_test(async t => {
  const cache = await createTestCache(t);
  const { HTTPS_REMOTE_ORIGIN } = get_host_info();
  const path = new URL(resourceUrl("a.txt")).pathname;
  // The request's mode is "cors" and the response has no Access-Control-Allow-Origin header,
  // so the fetch is a network error.
  await promise_rejects_js(t, TypeError, cache.add(`${HTTPS_REMOTE_ORIGIN}${path}`));
  assert_array_equals(await cache.keys(), [], "nothing stored");
}, "add() of a cross-origin URL without CORS headers rejects with a TypeError");

promise_test(async t => {
  const cache = await createTestCache(t);
  const { HTTPS_REMOTE_ORIGIN } = get_host_info();
  const path = new URL(resourceUrl("a.txt")).pathname;
  const url = `${HTTPS_REMOTE_ORIGIN}${path}?pipe=header(Access-Control-Allow-Origin,*)`;
  await cache.add(url);
  const response = await cache.match(url);
  assert_equals(response.type, "cors", "type");
  assert_equals(response.url, new URL(url).href, "url");
  assert_equals(await response.text(), RESOURCE_A_TEXT, "body");
}, "add() of a cross-origin URL with CORS headers stores a cors response");
