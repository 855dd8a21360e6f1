// META: global=window,dedicatedworker
// META: title=OPFS: not exposed in insecure contexts
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Served over plain http (no .https. in the name). The Storage Standard's NavigatorStorage mixin
// (navigator.storage) and StorageManager are [SecureContext], and so are the File System
// Standard's getDirectory() partial interface and every interface it defines
// (FileSystemHandle, FileSystemFileHandle, FileSystemDirectoryHandle,
// FileSystemWritableFileStream, FileSystemSyncAccessHandle).
'use strict';

test(() => {
  assert_false(isSecureContext, 'plain http is not a secure context');
  const storage = navigator.storage;
  if (storage !== undefined) {
    assert_false('getDirectory' in storage, 'navigator.storage.getDirectory');
  }
  if (typeof self.StorageManager === 'function') {
    assert_false('getDirectory' in self.StorageManager.prototype,
                 'StorageManager.prototype.getDirectory');
  }
}, 'navigator.storage.getDirectory() is not reachable over http');

test(() => {
  assert_false(isSecureContext, 'plain http is not a secure context');
  assert_false('FileSystemDirectoryHandle' in self, 'FileSystemDirectoryHandle');
}, 'FileSystemDirectoryHandle is not exposed over http');

test(() => {
  assert_false(isSecureContext, 'plain http is not a secure context');
  for (const name of ['FileSystemHandle', 'FileSystemFileHandle', 'FileSystemWritableFileStream',
                      'FileSystemSyncAccessHandle']) {
    assert_false(name in self, name);
  }
}, 'the other File System interfaces are not exposed over http');
