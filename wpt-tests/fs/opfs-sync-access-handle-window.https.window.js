// META: title=OPFS: a window does not expose createSyncAccessHandle() or FileSystemSyncAccessHandle
// META: script=resources/opfs-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// File System Standard §2.3 declares createSyncAccessHandle() [Exposed=DedicatedWorker] on
// FileSystemFileHandle, and §2.6 declares FileSystemSyncAccessHandle [Exposed=DedicatedWorker]:
// neither exists in a Window, while the rest of FileSystemFileHandle does.
// opfs-sync-access-handle.https.worker.js tests them where they are exposed.
'use strict';

test(() => {
  assert_equals(typeof FileSystemFileHandle, 'function', 'FileSystemFileHandle is exposed');
  assert_equals(typeof FileSystemFileHandle.prototype.getFile, 'function', 'with getFile()');
  assert_false('createSyncAccessHandle' in FileSystemFileHandle.prototype,
               'FileSystemFileHandle.prototype.createSyncAccessHandle');
  assert_false('FileSystemSyncAccessHandle' in self, 'the FileSystemSyncAccessHandle interface');
}, 'FileSystemFileHandle has no createSyncAccessHandle() in a window');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const file = await dir.getFileHandle(uniqueName('file'), { create: true });
  assert_false('createSyncAccessHandle' in file, 'not on a handle instance either');
  assert_equals(file.createSyncAccessHandle, undefined, 'file.createSyncAccessHandle');
}, 'a FileSystemFileHandle from a window has no createSyncAccessHandle()');
