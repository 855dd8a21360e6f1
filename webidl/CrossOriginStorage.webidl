/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

// https://wicg.github.io/cross-origin-storage/#api
// getFileHandle() is the newest draft's name for requestFileHandle(); both run one algorithm.
// requestFileHandles() is the deprecated plural of the 2025 drafts, still called by published
// clients (older Flutter and Transformers.js releases): all handles or none.

[Exposed=(Window,Worker), SecureContext, Pref="dom_cross_origin_storage_enabled"]
interface CrossOriginStorageManager {
  [NewObject, Pref="dom_cross_origin_storage_request_file_handle_enabled"]
  Promise<FileSystemFileHandle> requestFileHandle(
      CrossOriginStorageRequestFileHandleHash hash,
      optional CrossOriginStorageRequestFileHandleOptions options = {});
  [NewObject, Pref="dom_cross_origin_storage_get_file_handle_enabled"]
  Promise<FileSystemFileHandle> getFileHandle(
      CrossOriginStorageRequestFileHandleHash hash,
      optional CrossOriginStorageRequestFileHandleOptions options = {});
  [NewObject, Pref="dom_cross_origin_storage_request_file_handles_enabled"]
  Promise<sequence<FileSystemFileHandle>> requestFileHandles(
      sequence<CrossOriginStorageRequestFileHandleHash> hashes,
      optional CrossOriginStorageRequestFileHandleOptions options = {});
};

dictionary CrossOriginStorageRequestFileHandleHash {
  required DOMString value;
  required DOMString algorithm;
};

dictionary CrossOriginStorageRequestFileHandleOptions {
  boolean create = false;
  (DOMString or sequence<DOMString>) origins;
};

interface mixin NavigatorCrossOriginStorage {
  [SameObject, SecureContext, Pref="dom_cross_origin_storage_enabled"]
  readonly attribute CrossOriginStorageManager crossOriginStorage;
};
Navigator includes NavigatorCrossOriginStorage;
WorkerNavigator includes NavigatorCrossOriginStorage;
