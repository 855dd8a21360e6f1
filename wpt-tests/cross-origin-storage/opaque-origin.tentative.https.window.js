// META: title=Cross-Origin Storage: opaque origins are refused promptly
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 106 (spec.md Q17): a sandboxed frame has an opaque origin; its calls reject with
// NotAllowedError (our choice) and never stay pending.
"use strict";

promise_test(async t => {
  const frame = await cosOpenFrame(t, location.origin, { sandbox: "allow-scripts" });
  const hello = await frame.call("hello");
  assert_equals(hello.value.origin, "null", "the frame's origin is opaque");
  const { bytes, hash } = await cosEntry();
  await cosStore(hash, bytes);
  const read = await frame.read(hash);
  assert_equals(read.name, "NotAllowedError", "a read of a stored hash");
  const store = await frame.store(cosMissingHash(), bytes);
  assert_equals(store.name, "NotAllowedError", "a create");
}, "a sandboxed (opaque-origin) frame gets NotAllowedError");
