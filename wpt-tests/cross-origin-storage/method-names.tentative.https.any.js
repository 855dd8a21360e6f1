// META: global=window,dedicatedworker
// META: title=Cross-Origin Storage: getFileHandle() and requestFileHandle() are one algorithm
// META: script=resources/cos-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// spec.md Q1: both names are exposed and address one registry.
"use strict";

for (const [writer, reader] of [["getFileHandle", "requestFileHandle"],
                                ["requestFileHandle", "getFileHandle"]]) {
  promise_test(async () => {
    const { bytes, hash } = await cosEntry();
    await cosStore(hash, bytes, {}, writer);
    cosAssertBytes(await cosRead(hash, {}, reader), bytes);
  }, `stored with ${writer}(), read with ${reader}()`);

  promise_test(async t => {
    const { bytes, hash } = await cosEntry();
    const handle = await cosRequest(hash, { create: true }, writer);
    const writable = await handle.createWritable();
    await writable.write(bytes);
    await promise_rejects_dom(t, "NotFoundError", cosRequest(hash, {}, reader),
                              "in-flight writes are invisible through the other name too");
    await writable.close();
    cosAssertBytes(await cosRead(hash, {}, reader), bytes);
  }, `an in-flight ${writer}() write is invisible to ${reader}()`);
}
