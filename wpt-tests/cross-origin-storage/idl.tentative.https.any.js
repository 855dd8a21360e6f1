// META: global=window,dedicatedworker
// META: title=Cross-Origin Storage: exposure and IDL shape
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 1, 2, 5, 7 (spec.md §18). Spec: WICG index.bs 0a03d54d + the getFileHandle draft.
"use strict";

test(() => {
  assert_true(isSecureContext, "this test runs in a secure context");
  assert_true("crossOriginStorage" in navigator, "navigator.crossOriginStorage exists");
  const manager = navigator.crossOriginStorage;
  assert_equals(typeof CrossOriginStorageManager, "function");
  assert_true(manager instanceof CrossOriginStorageManager);
  assert_equals(navigator.crossOriginStorage, manager, "[SameObject]");
}, "navigator.crossOriginStorage is one CrossOriginStorageManager");

test(() => {
  const proto = CrossOriginStorageManager.prototype;
  for (const name of ["requestFileHandle", "getFileHandle"]) {
    assert_equals(typeof proto[name], "function", name);
    assert_equals(proto[name].length, 1, `${name}.length (one required argument)`);
  }
  assert_throws_js(TypeError, () => new CrossOriginStorageManager(), "no constructor");
}, "CrossOriginStorageManager has requestFileHandle() and getFileHandle()");

test(() => {
  for (const name of ["FileSystemHandle", "FileSystemFileHandle", "FileSystemWritableFileStream"]) {
    assert_equals(typeof self[name], "function", name);
  }
  assert_true(FileSystemFileHandle.prototype instanceof FileSystemHandle);
  assert_true(FileSystemWritableFileStream.prototype instanceof WritableStream);
  for (const name of ["getFile", "createWritable"]) {
    assert_equals(typeof FileSystemFileHandle.prototype[name], "function", name);
  }
  for (const name of ["isSameEntry", "move", "remove", "queryPermission", "requestPermission"]) {
    assert_equals(typeof FileSystemHandle.prototype[name], "function", name);
  }
  for (const name of ["write", "seek", "truncate"]) {
    assert_equals(typeof FileSystemWritableFileStream.prototype[name], "function", name);
  }
}, "the File System interfaces COS hands out are exposed");

for (const method of ["requestFileHandle", "getFileHandle"]) {
  test(() => {
    let result;
    // Invalid input must give a rejected promise, never a synchronous throw.
    result = navigator.crossOriginStorage[method]({ algorithm: "SHA-256", value: "nope" });
    assert_true(result instanceof Promise, "returns a promise");
    result.catch(() => {});
    result = navigator.crossOriginStorage[method]();
    assert_true(result instanceof Promise, "returns a promise without arguments");
    result.catch(() => {});
  }, `${method}() with invalid input returns a promise instead of throwing`);
}
