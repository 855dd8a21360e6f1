// META: global=window,dedicatedworker
// META: title=Cross-Origin Storage is not exposed in insecure contexts
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 4: [SecureContext]. Served over plain http (no .https. in the name).
"use strict";

test(() => {
  assert_false(isSecureContext, "plain http is not a secure context");
  assert_false("crossOriginStorage" in navigator, "navigator.crossOriginStorage");
  assert_equals(self.CrossOriginStorageManager, undefined, "the interface object");
}, "no navigator.crossOriginStorage over http");
