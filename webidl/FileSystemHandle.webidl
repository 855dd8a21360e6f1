/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

// https://fs.spec.whatwg.org/#api-filesystemhandle
// Exposed when Cross-Origin Storage or the origin private file system is on, the two
// features that hand out handles (FileSystemHandle::is_exposed).

enum FileSystemHandleKind { "file", "directory" };
enum FileSystemPermissionMode { "read", "readwrite" };

dictionary FileSystemHandlePermissionDescriptor {
  FileSystemPermissionMode mode = "read";
};

dictionary FileSystemRemoveOptions {
  boolean recursive = false;
};

[Exposed=(Window,Worker), SecureContext, Func="FileSystemHandle::is_exposed", Serializable]
interface FileSystemHandle {
  readonly attribute FileSystemHandleKind kind;
  readonly attribute USVString name;

  Promise<boolean> isSameEntry(FileSystemHandle other);
  Promise<undefined> move(USVString newEntryName);
  Promise<undefined> remove(optional FileSystemRemoveOptions options = {});
  Promise<PermissionState> queryPermission(optional FileSystemHandlePermissionDescriptor descriptor = {});
  Promise<PermissionState> requestPermission(optional FileSystemHandlePermissionDescriptor descriptor = {});
};
