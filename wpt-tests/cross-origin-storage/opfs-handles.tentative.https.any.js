// META: global=window,dedicatedworker
// META: title=Cross-Origin Storage handles next to origin private file system handles
// META: script=resources/cos-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// COS and the origin private file system hand out the same FileSystemHandle and
// FileSystemFileHandle interfaces for entries of two different file systems. Their locators
// differ, so isSameEntry() is false both ways (https://fs.spec.whatwg.org/#dom-filesystemhandle-issameentry,
// which compares locators and does not fail); a COS entry is not in a bucket file system, so it
// has no sync access handle (spec.md §18 items 79 and 82). prefs.json turns the origin private
// file system on for this file.
'use strict';

async function opfsFile(t) {
  const root = await navigator.storage.getDirectory();
  const name = `cos-next-to-opfs-${crypto.randomUUID()}`;
  t.add_cleanup(() => root.removeEntry(name).catch(() => {}));
  return root.getFileHandle(name, { create: true });
}

promise_test(async t => {
  const opfs = await opfsFile(t);
  const { hash, bytes } = await cosEntry();
  await cosStore(hash, bytes);
  const cos = await cosRequest(hash);
  assert_false(await cos.isSameEntry(opfs), 'COS handle, OPFS handle');
  assert_false(await opfs.isSameEntry(cos), 'OPFS handle, COS handle');
  assert_true(await opfs.isSameEntry(opfs), 'the OPFS handle itself');
  assert_true(await cos.isSameEntry(cos), 'the COS handle itself');
}, 'isSameEntry() between a COS handle and an OPFS handle is false both ways');

promise_test(async t => {
  const opfs = await opfsFile(t);
  const { hash, bytes } = await cosEntry();
  await cosStore(hash, bytes);
  const cos = await cosRequest(hash);
  assert_equals(cos.kind, 'file');
  assert_equals(Object.getPrototypeOf(cos), Object.getPrototypeOf(opfs), 'one interface');
  // Each keeps its own rules: the COS entry's bytes, the OPFS file's emptiness.
  cosAssertBytes(new Uint8Array(await (await cos.getFile()).arrayBuffer()), bytes);
  assert_equals((await opfs.getFile()).size, 0);
}, 'COS and OPFS file handles share FileSystemFileHandle and keep their own entries');

if (typeof DedicatedWorkerGlobalScope !== 'undefined' && self instanceof DedicatedWorkerGlobalScope) {
  promise_test(async t => {
    const { hash, bytes } = await cosEntry();
    await cosStore(hash, bytes);
    const cos = await cosRequest(hash);
    await promise_rejects_dom(t, 'InvalidStateError', cos.createSyncAccessHandle());
    cosAssertBytes(new Uint8Array(await (await cos.getFile()).arrayBuffer()), bytes, 'entry intact');
    const opfs = await opfsFile(t);
    const access = await opfs.createSyncAccessHandle();
    access.close();
  }, 'createSyncAccessHandle() on a COS handle is InvalidStateError; OPFS handles have one');
}
