// META: title=Cache API: a window and its dedicated worker share the origin's caches
// META: script=resources/cache-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// https://w3c.github.io/ServiceWorker/#cachestorage-interface: the CacheStorage objects of
// documents and workers of one origin all represent that origin's one name to cache map.
"use strict";

promise_test(async t => {
  const name = testCacheName(t);
  const deleteName = testCacheName(t);
  const windowUrl = resourceUrl("from-window");
  const workerUrl = resourceUrl("from-worker");
  const cache = await caches.open(name);
  await caches.open(deleteName);
  await cache.put(windowUrl, new Response("put by the window"));

  const worker = new Worker("resources/cache-worker.js");
  t.add_cleanup(() => worker.terminate());
  const reply = await new Promise((resolve, reject) => {
    worker.onmessage = event => resolve(event.data);
    worker.onerror = event => reject(new Error(`worker error: ${event.message}`));
    worker.postMessage({ name, windowUrl, workerUrl, workerBody: "put by the worker", deleteName });
  });

  assert_equals(reply.error, undefined, "no error in the worker");
  assert_equals(reply.seen, "put by the window", "the worker reads the window's entry");
  assert_true(reply.deleted, "the worker deletes a cache the window created");
  const fromWorker = await cache.match(workerUrl);
  assert_true(fromWorker instanceof Response, "the window sees the worker's entry");
  assert_equals(await fromWorker.text(), "put by the worker", "with its body");
  assert_array_equals(await cachedUrls(cache), [windowUrl, workerUrl], "both, in order");
  assert_false(await caches.has(deleteName), "the window sees the worker's delete");
}, "a dedicated worker sees the window's caches and entries, and the window sees its changes");
