// META: global=window,dedicatedworker
// META: title=Cache API: not exposed in insecure contexts
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// https://w3c.github.io/ServiceWorker/#self-caches: caches, Cache and CacheStorage are all
// [SecureContext]. Served over plain http (no .https. in the name).
"use strict";

test(() => {
  assert_false(isSecureContext, "plain http is not a secure context");
  assert_false("caches" in self, "self.caches");
  assert_equals(self.CacheStorage, undefined, "the CacheStorage interface object");
  assert_equals(self.Cache, undefined, "the Cache interface object");
}, "no self.caches, CacheStorage or Cache over http");
