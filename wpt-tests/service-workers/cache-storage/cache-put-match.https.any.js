// META: global=window,dedicatedworker
// META: title=Cache API: put(), then match() and matchAll()
// META: timeout=long
// META: script=resources/cache-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// https://w3c.github.io/ServiceWorker/#cache-put, #cache-match, #cache-matchall and the
// matching rules of #request-matches-cached-item-algorithm.
"use strict";

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("put-text");
  const body = "Text with non-ASCII: \u00e9\u4e2d\u{1f600}.";
  const init = {
    status: 201,
    statusText: "Created Here",
    headers: { "Content-Type": "text/x-cache-test", "X-Custom": "value one" },
  };
  const expectedHeaders = headerLines(new Response(body, init).headers);
  assert_equals(await cache.put(url, new Response(body, init)), undefined, "put() result");

  const response = await cache.match(url);
  assert_true(response instanceof Response, "match() resolves with a Response");
  assert_equals(response.status, 201, "status");
  assert_equals(response.statusText, "Created Here", "statusText");
  assert_true(response.ok, "ok");
  assert_array_equals(headerLines(response.headers), expectedHeaders, "headers");
  assert_equals(response.type, "default", "type of a constructed response");
  // A Response made by new Response() has an empty URL list, and the cache stores a copy of
  // that response, so its url is "" (not the request URL).
  assert_equals(response.url, "", "url of a constructed response");
  assert_false(response.bodyUsed, "bodyUsed");
  assert_equals(await response.text(), body, "body");
}, "match() returns the put response's status, statusText, headers and text body");

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("put-binary");
  // Not a multiple of any chunk size, and more than a few stream chunks.
  const bytes = randomBytes(300 * 1024 + 17);
  await cache.put(url, new Response(bytes));
  assertBytes(await (await cache.match(url)).arrayBuffer(), bytes, "match()");
  const all = await cache.matchAll(url);
  assert_equals(all.length, 1, "matchAll() finds one response");
  assertBytes(await all[0].arrayBuffer(), bytes, "matchAll()");
}, "a binary body of about 300 KB reads back byte-exact from match() and matchAll()");

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("put-stream");
  const chunks = [randomBytes(1), randomBytes(70000), randomBytes(4096)];
  const stream = new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  await cache.put(url, new Response(stream));
  const expected = new Uint8Array(chunks.reduce((sum, c) => sum + c.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    expected.set(chunk, offset);
    offset += chunk.length;
  }
  assertBytes(await (await cache.match(url)).arrayBuffer(), expected, "the stored body");
}, "put() reads a ReadableStream body to its end and stores the concatenated bytes");

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("put-null-body");
  await cache.put(url, new Response(null, { status: 204, headers: { "X-Empty": "yes" } }));
  const response = await cache.match(url);
  assert_equals(response.status, 204, "status");
  assert_equals(response.headers.get("X-Empty"), "yes", "header");
  assert_equals(response.body, null, "a null body stays null");
  assert_equals(await response.text(), "", "text");
}, "a response with a null body is stored and matched with a null body");

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("put-fresh-objects");
  await cache.put(url, new Response("same body"));
  const one = await cache.match(url);
  const two = await cache.match(url);
  assert_not_equals(one, two, "two match() calls give two Response objects");
  assert_equals(await one.text(), "same body", "the first");
  assert_equals(await two.text(), "same body", "the second: reading the first consumed nothing");
  const [three] = await cache.matchAll(url);
  assert_equals(await three.text(), "same body", "matchAll() after both were read");
}, "match() and matchAll() give a new Response with its own body each time");

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("put-immutable");
  await cache.put(url, new Response("x", { headers: { "X-Custom": "original" } }));
  const response = await cache.match(url);
  // The matched Response gets a new Headers object whose guard is "immutable".
  assert_throws_js(TypeError, () => response.headers.set("X-Custom", "changed"), "set()");
  assert_throws_js(TypeError, () => response.headers.append("X-Other", "added"), "append()");
  assert_throws_js(TypeError, () => response.headers.delete("X-Custom"), "delete()");
  assert_equals(response.headers.get("X-Custom"), "original", "unchanged on this object");
  const [fromAll] = await cache.matchAll(url);
  assert_throws_js(TypeError, () => fromAll.headers.set("X-Custom", "changed"),
                   "matchAll() responses too");
}, "the headers of a matched response are immutable");

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("a.txt");
  const fetched = await fetch(url);
  assert_equals(fetched.status, 200, "precondition: the resource is served");
  assert_equals(fetched.url, url, "precondition: the fetched URL");
  const expectedHeaders = headerLines(fetched.headers);
  await cache.put(url, fetched);

  const response = await cache.match(url);
  assert_equals(response.url, url, "url");
  assert_equals(response.type, "basic", "type of a same-origin fetch");
  assert_equals(response.status, 200, "status");
  assert_equals(response.statusText, fetched.statusText, "statusText");
  assert_array_equals(headerLines(response.headers), expectedHeaders, "headers");
  assert_equals(await response.text(), RESOURCE_A_TEXT, "body");
}, "a response from fetch() keeps its URL, type, status, headers and body");

promise_test(async t => {
  const cache = await createTestCache(t);
  const fetchedUrl = resourceUrl("b.txt");
  const key = resourceUrl("stored-under-another-key");
  await cache.put(key, await fetch(fetchedUrl));
  assert_equals(await cache.match(fetchedUrl), undefined, "the response URL is not a key");
  const response = await cache.match(key);
  assert_equals(response.url, fetchedUrl, "url is the response's, not the request's");
  assert_equals(await response.text(), RESOURCE_B_TEXT, "body");
}, "a fetched response stored under another request URL keeps the fetched URL");

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("put-request-or-string");
  const other = resourceUrl("put-request-or-string-2");
  await cache.put(new Request(url), new Response("put with a Request"));
  await cache.put(other, new Response("put with a string"));
  assert_equals(await (await cache.match(url)).text(), "put with a Request",
                "a Request key, matched by string");
  assert_equals(await (await cache.match(new Request(other))).text(), "put with a string",
                "a string key, matched by Request");
  // A relative string is parsed against the global's base URL, as new Request() does.
  assert_equals(await (await cache.match("resources/put-request-or-string")).text(),
                "put with a Request", "a relative URL string");
}, "put() and match() accept a Request or a URL string");

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("put-replace");
  await cache.put(url, new Response("first"));
  await cache.put(url, new Response("second"));
  assert_array_equals(await bodyTexts(await cache.matchAll(url)), ["second"], "matchAll()");
  assert_equals((await cache.keys()).length, 1, "one entry");
}, "put() replaces the entry for the same URL");

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("put-fragment");
  await cache.put(`${url}#stored`, new Response("with fragment"));
  // URLs are compared with the exclude fragment flag set.
  assert_equals(await (await cache.match(url)).text(), "with fragment", "no fragment");
  assert_equals(await (await cache.match(`${url}#other`)).text(), "with fragment",
                "another fragment");
  await cache.put(`${url}#replacement`, new Response("replaced"));
  assert_array_equals(await bodyTexts(await cache.matchAll(url)), ["replaced"],
                      "a put with another fragment replaces the entry");
}, "matching ignores the URL fragment");

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("put-search");
  await cache.put(`${url}?v=1`, new Response("v1"));
  await cache.put(url, new Response("none"));
  await cache.put(`${url}?v=2`, new Response("v2"));

  assert_equals(await (await cache.match(`${url}?v=2`)).text(), "v2", "an exact query");
  assert_equals(await (await cache.match(url)).text(), "none", "no query");
  assert_equals(await cache.match(`${url}?v=3`), undefined, "another query");
  assert_array_equals(await cache.matchAll(`${url}?v=3`), [], "matchAll() of another query");

  const options = { ignoreSearch: true };
  assert_equals(await (await cache.match(`${url}?v=3`, options)).text(), "v1",
                "ignoreSearch: the first entry in insertion order");
  assert_array_equals(await bodyTexts(await cache.matchAll(`${url}?v=3`, options)),
                      ["v1", "none", "v2"], "ignoreSearch: every entry with that path");
  assert_equals(await cache.match(resourceUrl("put-search-other?v=1"), options), undefined,
                "ignoreSearch still compares the path");
}, "the query string must match unless ignoreSearch is true");

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("put-method");
  await cache.put(url, new Response("stored by GET"));
  for (const method of ["POST", "HEAD", "PUT"]) {
    const request = new Request(url, { method });
    // A non-GET Request query resolves with nothing, before any matching.
    assert_equals(await cache.match(request), undefined, `${method}: match()`);
    assert_array_equals(await cache.matchAll(request), [], `${method}: matchAll()`);
    const found = await cache.match(request, { ignoreMethod: true });
    assert_true(found instanceof Response, `${method} with ignoreMethod: match()`);
    assert_equals(await found.text(), "stored by GET", `${method} with ignoreMethod: body`);
    assert_equals((await cache.matchAll(request, { ignoreMethod: true })).length, 1,
                  `${method} with ignoreMethod: matchAll()`);
  }
}, "a non-GET Request matches nothing unless ignoreMethod is true");

promise_test(async t => {
  const cache = await createTestCache(t);
  const url = resourceUrl("put-vary");
  await cache.put(new Request(url, { headers: { "X-Foo": "a" } }),
                  new Response("varies on X-Foo", { headers: { "Vary": "X-Foo" } }));

  const withA = await cache.match(new Request(url, { headers: { "X-Foo": "a" } }));
  assert_equals(await withA.text(), "varies on X-Foo", "the same X-Foo value");
  // The Vary header names X-Foo: its values in the two requests must be equal.
  assert_equals(await cache.match(new Request(url, { headers: { "X-Foo": "b" } })), undefined,
                "another X-Foo value");
  assert_equals(await cache.match(url), undefined, "no X-Foo header at all");
  assert_array_equals(await cache.matchAll(new Request(url, { headers: { "X-Foo": "b" } })), [],
                      "matchAll() of another X-Foo value");

  const ignored = await cache.match(new Request(url, { headers: { "X-Foo": "b" } }),
                                    { ignoreVary: true });
  assert_true(ignored instanceof Response, "ignoreVary: found");
  assert_equals(await ignored.text(), "varies on X-Foo", "ignoreVary: body");
  assert_true((await cache.match(url, { ignoreVary: true })) instanceof Response,
              "ignoreVary: found without the header");
}, "a response with Vary matches only requests with the same values of those headers, " +
   "unless ignoreVary is true");

promise_test(async t => {
  const cache = await createTestCache(t);
  const urls = ["all-c", "all-a", "all-b"].map(resourceUrl);
  for (const url of urls) {
    await cache.put(url, new Response(`body of ${url}`));
  }
  const all = await cache.matchAll();
  assert_array_equals(await bodyTexts(all), urls.map(url => `body of ${url}`));
  assert_array_equals(await cache.matchAll(resourceUrl("all-missing")), [], "a miss");
  assert_equals(await cache.match(resourceUrl("all-missing")), undefined, "match() of a miss");
}, "matchAll() with no request returns every response in insertion order");

promise_test(async t => {
  const cache = await createTestCache(t);
  assert_array_equals(await cache.matchAll(), [], "matchAll()");
  assert_equals(await cache.match(resourceUrl("empty")), undefined, "match()");
}, "an empty cache matches nothing");

promise_test(async t => {
  const cache = await createTestCache(t);
  const response = new Response("consumed by put");
  assert_false(response.bodyUsed, "precondition");
  await cache.put(resourceUrl("put-consumes"), response);
  assert_true(response.bodyUsed, "bodyUsed after put()");
  await promise_rejects_js(t, TypeError, response.text(), "the body cannot be read again");
}, "put() consumes the response body");

// https://w3c.github.io/ServiceWorker/#cache-put: each case rejects with a TypeError (the
// request must be a GET of an http(s) URL; the response must not be a 206 or vary on "*")
// and leaves the cache empty.
const rejectedUrl = () => resourceUrl("rejected-put");
const textResponse = init => new Response("x", init);
const rejectedPuts = [
  ["a POST Request", () => [new Request(rejectedUrl(), { method: "POST" }), textResponse()]],
  ["a HEAD Request", () => [new Request(rejectedUrl(), { method: "HEAD" }), textResponse()]],
  ["a data: URL", () => ["data:text/plain,x", textResponse()]],
  ["a blob: URL", () => {
    const blobUrl = URL.createObjectURL(new Blob(["x"]));
    return [blobUrl, textResponse(), () => URL.revokeObjectURL(blobUrl)];
  }],
  ["a 206 response", () => [rejectedUrl(), textResponse({ status: 206 })]],
  ["a response with Vary: *", () => [rejectedUrl(), textResponse({ headers: { Vary: "*" } })]],
  ["a response with Vary: X-Foo, *",
   () => [rejectedUrl(), textResponse({ headers: { Vary: "X-Foo, *" } })]],
  ["something that is not a Response", () => [rejectedUrl(), "x"]],
];

for (const [what, make] of rejectedPuts) {
  promise_test(async t => {
    const cache = await createTestCache(t);
    const [request, response, cleanup] = make();
    if (cleanup) t.add_cleanup(cleanup);
    await promise_rejects_js(t, TypeError, cache.put(request, response));
    assert_array_equals(await cache.keys(), [], "nothing stored");
    if (response instanceof Response) {
      // These checks come before put() reads the body.
      assert_false(response.bodyUsed, "the body was not read");
    }
  }, `put() rejects with a TypeError for ${what} and stores nothing`);
}

promise_test(async t => {
  const cache = await createTestCache(t);
  const response = new Response("read before put");
  await response.text();
  await promise_rejects_js(t, TypeError, cache.put(rejectedUrl(), response));
  assert_array_equals(await cache.keys(), [], "nothing stored");
}, "put() rejects with a TypeError for a response whose body was already used");

promise_test(async t => {
  const cache = await createTestCache(t);
  const response = new Response("locked before put");
  const reader = response.body.getReader();
  t.add_cleanup(() => reader.releaseLock());
  await promise_rejects_js(t, TypeError, cache.put(rejectedUrl(), response));
  assert_array_equals(await cache.keys(), [], "nothing stored");
}, "put() rejects with a TypeError for a response whose body is locked");

promise_test(async t => {
  const cache = await createTestCache(t);
  const key = rejectedUrl();
  await cache.put(key, new Response("kept"));
  await promise_rejects_js(t, TypeError, cache.put(key, new Response("x", { status: 206 })));
  assert_array_equals(await bodyTexts(await cache.matchAll()), ["kept"]);
}, "a rejected put() leaves the existing entry for that URL in place");
