// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// The worker side of cache-storage-worker.https.window.js: on one message, it reads the entry
// the window put, puts one of its own, deletes the cache the window asked it to, and replies
// with what it saw (or the error it met).
"use strict";

self.onmessage = async ({ data }) => {
  try {
    const cache = await caches.open(data.name);
    const found = await cache.match(data.windowUrl);
    const seen = found ? await found.text() : null;
    await cache.put(data.workerUrl, new Response(data.workerBody));
    const deleted = await caches.delete(data.deleteName);
    postMessage({ seen, deleted });
  } catch (e) {
    postMessage({ error: `${e.name}: ${e.message}` });
  }
};
