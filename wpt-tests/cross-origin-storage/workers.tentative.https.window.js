// META: title=Cross-Origin Storage: a page and its workers share one view
// META: script=resources/cos-helpers.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 2, 105 (spec.md §15). The .any.js tests run every API test in a worker too.
"use strict";

promise_test(async t => {
  const worker = await cosOpenWorker(t);
  const hello = await worker.call("hello");
  assert_true(hello.value.exposed, "the worker has navigator.crossOriginStorage");
  assert_equals(hello.value.origin, location.origin);
  const { bytes, hash } = await cosEntry(4096);
  await cosStore(hash, bytes);
  const reply = await worker.read(hash);
  assert_true(reply.ok, `the worker reads (${reply.name})`);
  cosAssertBytes(reply.value, bytes);
}, "the page stores, a dedicated worker reads");

promise_test(async t => {
  const worker = await cosOpenWorker(t);
  const { bytes, hash } = await cosEntry(4096);
  const stored = await worker.store(hash, bytes);
  assert_true(stored.ok, `the worker stores (${stored.name})`);
  cosAssertBytes(await cosRead(hash), bytes);
}, "a dedicated worker stores, the page reads");

promise_test(async t => {
  const { bytes, hash } = await cosEntry(4096);
  const worker = await cosOpenWorker(t);
  const mismatch = await worker.store(hash, cosRandomBytes(4096));
  assert_equals(mismatch.name, "DataError", "a wrong write in the worker");
  await promise_rejects_dom(t, "NotFoundError", cosRequest(hash), "nothing stored");
}, "a worker's failed write stores nothing");

promise_test(async t => {
  const base = COS_RESOURCES;
  const source = `self.COS_RESOURCES_BASE = ${JSON.stringify(base)};\n` +
                 `importScripts(${JSON.stringify(base + "cos-helpers.js")}, ` +
                 `${JSON.stringify(base + "cos-rpc.js")});\n` +
                 "cosServe(self, data => self.postMessage(data));\n";
  const url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
  const worker = await cosOpenWorker(t, url);
  URL.revokeObjectURL(url);
  const a = await cosEntry(1024);
  const b = await cosEntry(1024);
  assert_true((await worker.store(a.hash, a.bytes)).ok, "the blob: worker stores");
  cosAssertBytes(await cosRead(a.hash), a.bytes, "the page reads it");
  await cosStore(b.hash, b.bytes);
  const reply = await worker.read(b.hash);
  assert_true(reply.ok, `the blob: worker reads (${reply.name})`);
  cosAssertBytes(reply.value, b.bytes);
}, "a blob: worker shares its creator's view, after the URL is revoked");
