// META: phases=2
// META: title=Cache API: caches and their entries survive a browser restart
// META: timeout=long
// META: script=resources/cache-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// `// META: phases=2` is a `mach test-wpt` convention (WPT ignores unknown META keys): the
// runner loads this page twice, in two browser processes sharing one profile, with ?phase=1
// then ?phase=2 and one random &token= per run. Phase 1 stores; phase 2, after the restart,
// checks that everything reads back the same. The names and content derive from the token, so
// each run stores fresh data and phase 2 knows what to expect. The name to cache map belongs to
// the origin and is kept in the profile (https://w3c.github.io/ServiceWorker/#cache-objects).
"use strict";

const PARAMS = new URLSearchParams(location.search);
const PHASE = PARAMS.get("phase");
const TOKEN = PARAMS.get("token");

const CACHE_NAME = `cache-persistence-${TOKEN}`;
const DELETED_CACHE_NAME = `cache-persistence-deleted-${TOKEN}`;
const TEXT_URL = resourceUrl(`persist-text-${TOKEN}`);
const BINARY_URL = resourceUrl(`persist-binary-${TOKEN}?part=1`);
const REMOVED_URL = resourceUrl(`persist-removed-${TOKEN}`);
const VARY_URL = resourceUrl(`persist-vary-${TOKEN}`);
const FETCHED_URL = resourceUrl("a.txt");
// Insertion order after phase 1 (REMOVED_URL was put, then deleted).
const EXPECTED_URLS = [TEXT_URL, BINARY_URL, VARY_URL, FETCHED_URL];

const TEXT_INIT = {
  status: 201,
  statusText: "Stored Before Restart",
  headers: { "Content-Type": "text/plain;charset=utf-8", "X-Token": TOKEN },
};
const BINARY_LENGTH = 200 * 1024 + 3;

function tokenText() {
  return `Token ${TOKEN}: text with non-ASCII \u00e9\u4e2d\u{1f600}.\n`.repeat(40);
}

// Deterministic bytes from (token, label): SHA-256 in counter mode.
async function tokenBytes(label, length) {
  const out = new Uint8Array(length);
  for (let i = 0; i * 32 < length; i++) {
    const block = new Uint8Array(await crypto.subtle.digest(
        "SHA-256", new TextEncoder().encode(`${TOKEN}/${label}/${i}`)));
    out.set(block.subarray(0, Math.min(32, length - i * 32)), i * 32);
  }
  return out;
}

function varyRequest(value) {
  return new Request(VARY_URL, { headers: { "X-Token": value } });
}

test(() => {
  assert_in_array(PHASE, ["1", "2"], "run by mach test-wpt with ?phase=");
  assert_regexp_match(TOKEN || "", /^[0-9a-f]{32}$/, "and a token");
}, "the runner gives the phase and token");

if (PHASE === "1") {
  promise_test(async t => {
    assert_false(await caches.has(CACHE_NAME), "precondition: a fresh profile");
    const cache = await caches.open(CACHE_NAME);
    await cache.put(TEXT_URL, new Response(tokenText(), TEXT_INIT));
    const bytes = await tokenBytes("binary", BINARY_LENGTH);
    await cache.put(BINARY_URL,
                    new Response(bytes, { headers: { "Content-Type": "application/x-test" } }));
    await cache.put(REMOVED_URL, new Response("removed before the restart"));
    await cache.put(varyRequest(TOKEN),
                    new Response("varies on X-Token", { headers: { "Vary": "X-Token" } }));
    await cache.add(FETCHED_URL);
    assert_true(await cache.delete(REMOVED_URL), "delete() of one entry");
    assert_array_equals(await cachedUrls(cache), EXPECTED_URLS, "the entries before the restart");
  }, "phase 1: store text, binary, Vary and fetched entries in a cache, and delete one entry");

  promise_test(async t => {
    const doomed = await caches.open(DELETED_CACHE_NAME);
    await doomed.put(TEXT_URL, new Response("in a deleted cache"));
    assert_true(await caches.delete(DELETED_CACHE_NAME), "delete()");
    assert_false(await caches.has(DELETED_CACHE_NAME), "gone before the restart");
  }, "phase 1: create a second cache and delete it");
}

if (PHASE === "2") {
  promise_test(async t => {
    assert_true(await caches.has(CACHE_NAME), "has()");
    assert_true((await caches.keys()).includes(CACHE_NAME), "keys()");
    assert_false(await caches.has(DELETED_CACHE_NAME), "the cache deleted in phase 1");
  }, "phase 2: the cache exists after the restart, and the deleted cache does not");

  promise_test(async t => {
    const cache = await caches.open(CACHE_NAME);
    assert_array_equals(await cachedUrls(cache), EXPECTED_URLS, "keys()");
    assert_equals(await cache.match(REMOVED_URL), undefined, "the entry deleted in phase 1");
  }, "phase 2: the entries are the same, in insertion order");

  promise_test(async t => {
    const response = await (await caches.open(CACHE_NAME)).match(TEXT_URL);
    assert_true(response instanceof Response, "found");
    assert_equals(response.status, TEXT_INIT.status, "status");
    assert_equals(response.statusText, TEXT_INIT.statusText, "statusText");
    assert_array_equals(headerLines(response.headers),
                        headerLines(new Response("", TEXT_INIT).headers), "headers");
    assert_equals(await response.text(), tokenText(), "body");
  }, "phase 2: the text entry reads back with its status, headers and body");

  promise_test(async t => {
    const response = await (await caches.open(CACHE_NAME)).match(BINARY_URL);
    assert_true(response instanceof Response, "found");
    assert_equals(response.headers.get("Content-Type"), "application/x-test", "Content-Type");
    assertBytes(await response.arrayBuffer(), await tokenBytes("binary", BINARY_LENGTH), "body");
  }, "phase 2: the binary entry reads back byte-exact");

  promise_test(async t => {
    const cache = await caches.open(CACHE_NAME);
    const response = await cache.match(varyRequest(TOKEN));
    assert_true(response instanceof Response, "the stored X-Token value matches");
    assert_equals(await response.text(), "varies on X-Token", "body");
    // The stored request's headers survived too, so Vary still decides.
    assert_equals(await cache.match(varyRequest("other")), undefined, "another X-Token value");
    assert_true((await cache.match(varyRequest("other"), { ignoreVary: true })) instanceof Response,
                "ignoreVary");
  }, "phase 2: the Vary entry still matches only its request header value");

  promise_test(async t => {
    const response = await (await caches.open(CACHE_NAME)).match(FETCHED_URL);
    assert_true(response instanceof Response, "found");
    assert_equals(response.url, FETCHED_URL, "url");
    assert_equals(response.type, "basic", "type");
    assert_equals(response.status, 200, "status");
    assert_equals(await response.text(), RESOURCE_A_TEXT, "body");
  }, "phase 2: the entry stored by add() keeps its URL, type and body");

  // Runs last (promise_test runs tests in order), whatever the results above.
  promise_test(async t => {
    assert_true(await caches.delete(CACHE_NAME), "delete()");
    assert_false(await caches.has(CACHE_NAME), "has() after delete()");
  }, "phase 2: the cache can then be deleted");
}
