// META: global=window,dedicatedworker
// META: title=Cross-Origin Storage: the deprecated plural requestFileHandles(), all or nothing
// META: script=resources/cos-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// The 2025 drafts' requestFileHandles(hashes, options) (WICG PR #30), still called by published
// clients (older Flutter loaders): one FileSystemFileHandle per hash, in order, or a rejection
// and no handle at all. Each hash is validated as the singular validates it.
"use strict";

const cos = () => navigator.crossOriginStorage;

test(() => {
  assert_equals(typeof cos().requestFileHandles, "function");
  assert_equals(cos().requestFileHandles.length, 1);
  assert_true("requestFileHandles" in CrossOriginStorageManager.prototype);
}, "requestFileHandles() is exposed, with one required argument");

promise_test(async () => {
  const first = await cosEntry(1000);
  const second = await cosEntry(3000);
  await cosStore(first.hash, first.bytes);
  await cosStore(second.hash, second.bytes);
  const handles = await cos().requestFileHandles([first.hash, second.hash]);
  assert_true(Array.isArray(handles), "an array");
  assert_equals(handles.length, 2);
  for (const handle of handles) {
    assert_true(handle instanceof FileSystemFileHandle);
  }
  cosAssertBytes(await cosFileBytes(handles[0]), first.bytes, "first");
  cosAssertBytes(await cosFileBytes(handles[1]), second.bytes, "second");
  assert_equals(handles[0].name, first.hash.value);
  assert_equals(handles[1].name, second.hash.value);
}, "read: one handle per hash, in the order asked");

promise_test(async () => {
  const entry = await cosEntry(500);
  await cosStore(entry.hash, entry.bytes);
  const [handle] = await cos().requestFileHandles([entry.hash]);
  cosAssertBytes(await cosFileBytes(handle), entry.bytes);
}, "read: the older Flutter loader's call, const [h] = await requestFileHandles([hash])");

promise_test(async t => {
  const stored = await cosEntry(500);
  await cosStore(stored.hash, stored.bytes);
  const missing = cosMissingHash();
  for (const list of [[missing], [missing, stored.hash], [stored.hash, missing],
                      [stored.hash, missing, stored.hash]]) {
    await promise_rejects_dom(t, "NotFoundError", cos().requestFileHandles(list),
                              `a miss at position ${list.indexOf(missing)}`);
  }
}, "read: a miss in any position rejects the whole request with NotFoundError");

promise_test(async t => {
  const good = await cosEntry(100);
  const bad = [
    { algorithm: "SHA-256", value: "xyz" },
    { algorithm: "SHA-256", value: good.hash.value.slice(1) },
    { algorithm: "MD5", value: "0".repeat(32) },
  ];
  for (const hash of bad) {
    await promise_rejects_js(t, TypeError, cos().requestFileHandles([good.hash, hash]),
                             `read with ${JSON.stringify(hash)}`);
    await promise_rejects_js(t, TypeError,
                             cos().requestFileHandles([hash, good.hash], { create: true }),
                             `create with ${JSON.stringify(hash)}`);
  }
  await promise_rejects_js(t, TypeError, cos().requestFileHandles([{ value: good.hash.value }]),
                           "a hash without an algorithm");
  await promise_rejects_js(t, TypeError, cos().requestFileHandles(good.hash),
                           "a single hash instead of a list");
  await promise_rejects_js(t, TypeError, cos().requestFileHandles(),
                           "no argument");
}, "a malformed hash anywhere in the list is a TypeError");

promise_test(async t => {
  const a = await cosEntry(700);
  const b = await cosEntry(900);
  const handles = await cos().requestFileHandles([a.hash, b.hash], { create: true });
  assert_equals(handles.length, 2);
  // Nothing is registered by a create request: both hashes are still misses.
  await promise_rejects_dom(t, "NotFoundError", cosRequest(a.hash, {}));
  await promise_rejects_dom(t, "NotFoundError", cosRequest(b.hash, {}));
  for (const [handle, entry] of [[handles[0], a], [handles[1], b]]) {
    const writable = await handle.createWritable();
    await writable.write(entry.bytes);
    await writable.close();
  }
  cosAssertBytes(await cosRead(a.hash), a.bytes, "a");
  cosAssertBytes(await cosRead(b.hash), b.bytes, "b");
}, "create: one writable handle per hash, and each verified write stores its entry");

promise_test(async t => {
  const a = await cosEntry(300);
  const b = await cosEntry(300);
  const [handleA, handleB] = await cos().requestFileHandles([a.hash, b.hash], { create: true });
  const writable = await handleB.createWritable();
  await writable.write(a.bytes);   // the wrong bytes for b
  await promise_rejects_dom(t, "DataError", writable.close());
  await promise_rejects_dom(t, "NotFoundError", cosRequest(b.hash, {}));
  await promise_rejects_dom(t, "NotFoundError", cosRequest(a.hash, {}),
                            "the other handle of the request stored nothing either");
  assert_true(handleA instanceof FileSystemFileHandle);
}, "create: a mismatching write through one handle stores nothing");

promise_test(async () => {
  assert_array_equals(await cos().requestFileHandles([]), []);
}, "an empty list resolves with no handles");

promise_test(async t => {
  const { hash } = await cosEntry(10);
  const list = Array.from({ length: 101 }, () => hash);
  await promise_rejects_js(t, TypeError, cos().requestFileHandles(list, { create: true }));
}, "more than 100 hashes in one call is a TypeError");
