// META: global=window,dedicatedworker
// META: title=OPFS: getDirectory(), handle kinds and names, isSameEntry(), getFileHandle() and getDirectoryHandle()
// META: script=resources/opfs-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// The bucket file system's root and child lookup. File System Standard §3 "Accessing the Bucket
// File System" (StorageManager.getDirectory()), §2.2 FileSystemHandle (kind, name, isSameEntry()),
// §2.4 FileSystemDirectoryHandle (getFileHandle(), getDirectoryHandle()) and §2.1 "valid file
// name". Every test works in a directory of its own (resources/opfs-helpers.js), removed at the
// end, except the few that must touch the root itself, which remove what they create there.
'use strict';

test(() => {
  assert_true(isSecureContext, 'the test is served over https');
  assert_true('storage' in navigator, 'navigator.storage exists');
  assert_equals(typeof navigator.storage.getDirectory, 'function', 'getDirectory()');
  for (const name of ['FileSystemHandle', 'FileSystemFileHandle', 'FileSystemDirectoryHandle',
                      'FileSystemWritableFileStream']) {
    assert_equals(typeof self[name], 'function', `${name} is exposed`);
    // None of these interfaces has a constructor.
    assert_throws_js(TypeError, () => new self[name](), `new ${name}()`);
  }
  assert_true(FileSystemFileHandle.prototype instanceof FileSystemHandle,
              'FileSystemFileHandle inherits from FileSystemHandle');
  assert_true(FileSystemDirectoryHandle.prototype instanceof FileSystemHandle,
              'FileSystemDirectoryHandle inherits from FileSystemHandle');
  assert_true(FileSystemWritableFileStream.prototype instanceof WritableStream,
              'FileSystemWritableFileStream inherits from WritableStream');
}, 'navigator.storage.getDirectory() and the handle interfaces are exposed, without constructors');

promise_test(async t => {
  const root = await navigator.storage.getDirectory();
  assert_true(root instanceof FileSystemDirectoryHandle, 'a FileSystemDirectoryHandle');
  assert_true(root instanceof FileSystemHandle, 'which is a FileSystemHandle');
  assert_equals(root.kind, 'directory', 'kind');
  // The root's path is « "" » (getDirectory() step "Let path be « the empty string »").
  assert_equals(root.name, '', 'name');
}, 'getDirectory() resolves with a directory handle whose name is the empty string');

promise_test(async t => {
  const first = await navigator.storage.getDirectory();
  const second = await navigator.storage.getDirectory();
  // Each call creates a new FileSystemDirectoryHandle for the same locator.
  assert_not_equals(first, second, 'two calls give two handle objects');
  assert_true(await first.isSameEntry(second), 'first.isSameEntry(second)');
  assert_true(await second.isSameEntry(first), 'second.isSameEntry(first)');
  assert_true(await first.isSameEntry(first), 'a handle is the same entry as itself');
}, 'two getDirectory() calls give handles for the same entry');

promise_test(async t => {
  const root = await navigator.storage.getDirectory();
  const name = uniqueName('opfs-root-file');
  t.add_cleanup(() => root.removeEntry(name).catch(() => {}));
  const created = await root.getFileHandle(name, { create: true });
  // A second root handle, taken after the creation, sees the file.
  const otherRoot = await navigator.storage.getDirectory();
  const found = await otherRoot.getFileHandle(name);
  assert_true(await created.isSameEntry(found), 'the same file through either root handle');
  assert_true((await listDirectory(otherRoot)).includes(`${name} (file)`),
              'the new file is a child of the root');
}, 'a file created directly in the root is visible through another getDirectory() handle');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const name = uniqueName('missing');
  await promise_rejects_dom(t, 'NotFoundError', dir.getFileHandle(name), 'no options');
  await promise_rejects_dom(t, 'NotFoundError', dir.getFileHandle(name, {}), 'empty options');
  await promise_rejects_dom(t, 'NotFoundError', dir.getFileHandle(name, { create: false }),
                            'create: false');
  assert_array_equals(await listDirectory(dir), [], 'nothing was created');
}, 'getFileHandle() of a missing file without create rejects with NotFoundError');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const name = uniqueName('missing');
  await promise_rejects_dom(t, 'NotFoundError', dir.getDirectoryHandle(name), 'no options');
  await promise_rejects_dom(t, 'NotFoundError', dir.getDirectoryHandle(name, { create: false }),
                            'create: false');
  assert_array_equals(await listDirectory(dir), [], 'nothing was created');
}, 'getDirectoryHandle() of a missing directory without create rejects with NotFoundError');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const name = uniqueName('file');
  const handle = await dir.getFileHandle(name, { create: true });
  assert_true(handle instanceof FileSystemFileHandle, 'a FileSystemFileHandle');
  assert_true(handle instanceof FileSystemHandle, 'which is a FileSystemHandle');
  assert_equals(handle.kind, 'file', 'kind');
  assert_equals(handle.name, name, 'name');
  assert_equals((await handle.getFile()).size, 0, 'a new file is empty');
  assert_array_equals(await listDirectory(dir), [`${name} (file)`], 'the directory lists it');
  const again = await dir.getFileHandle(name);
  assert_true(await again.isSameEntry(handle), 'getFileHandle() without create now finds it');
}, 'getFileHandle() with create creates an empty file');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const name = uniqueName('file');
  const first = await createFileWithContents(dir, name, 'kept across a second create');
  const second = await dir.getFileHandle(name, { create: true });
  assert_equals(second.name, name, 'name');
  assert_true(await second.isSameEntry(first), 'the existing file');
  assert_equals(await readFileText(second), 'kept across a second create',
                'the contents are not replaced');
  assert_array_equals(await listDirectory(dir), [`${name} (file)`], 'still one child');
}, 'getFileHandle() with create on an existing file returns it and keeps its contents');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const name = uniqueName('dir');
  const handle = await dir.getDirectoryHandle(name, { create: true });
  assert_true(handle instanceof FileSystemDirectoryHandle, 'a FileSystemDirectoryHandle');
  assert_equals(handle.kind, 'directory', 'kind');
  assert_equals(handle.name, name, 'name');
  assert_array_equals(await listDirectory(handle), [], 'a new directory is empty');
  assert_array_equals(await listDirectory(dir), [`${name} (directory)`], 'the parent lists it');
  const again = await dir.getDirectoryHandle(name);
  assert_true(await again.isSameEntry(handle), 'getDirectoryHandle() without create finds it');
}, 'getDirectoryHandle() with create creates an empty directory');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const name = uniqueName('dir');
  const first = await dir.getDirectoryHandle(name, { create: true });
  await createFileWithContents(first, 'child', 'inside');
  await first.getDirectoryHandle('grandchild', { create: true });
  const second = await dir.getDirectoryHandle(name, { create: true });
  assert_true(await second.isSameEntry(first), 'the existing directory');
  assert_array_equals(await listDirectory(second), ['child (file)', 'grandchild (directory)'],
                      'its children are kept');
  assert_equals(await readFileText(await second.getFileHandle('child')), 'inside',
                'and their contents');
}, 'getDirectoryHandle() with create on an existing directory returns it with its children');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const name = uniqueName('dir');
  await dir.getDirectoryHandle(name, { create: true });
  await promise_rejects_dom(t, 'TypeMismatchError', dir.getFileHandle(name), 'without create');
  await promise_rejects_dom(t, 'TypeMismatchError', dir.getFileHandle(name, { create: true }),
                            'with create');
  assert_array_equals(await listDirectory(dir), [`${name} (directory)`],
                      'the directory is still there, and no file was made');
}, 'getFileHandle() on an existing directory rejects with TypeMismatchError');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const name = uniqueName('file');
  await createFileWithContents(dir, name, 'a file, not a directory');
  await promise_rejects_dom(t, 'TypeMismatchError', dir.getDirectoryHandle(name),
                            'without create');
  await promise_rejects_dom(t, 'TypeMismatchError', dir.getDirectoryHandle(name, { create: true }),
                            'with create');
  assert_array_equals(await listDirectory(dir), [`${name} (file)`], 'still one file');
  assert_equals(await readFileText(await dir.getFileHandle(name)), 'a file, not a directory',
                'with its contents');
}, 'getDirectoryHandle() on an existing file rejects with TypeMismatchError');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  for (const name of INVALID_NAMES) {
    for (const create of [false, true]) {
      await promise_rejects_js(t, TypeError, dir.getFileHandle(name, { create }),
                               `getFileHandle(${JSON.stringify(name)}, {create: ${create}})`);
    }
  }
  assert_array_equals(await listDirectory(dir), [], 'nothing was created');
}, 'getFileHandle() rejects with TypeError for "", ".", ".." and names containing "/"');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  for (const name of INVALID_NAMES) {
    for (const create of [false, true]) {
      await promise_rejects_js(t, TypeError, dir.getDirectoryHandle(name, { create }),
                               `getDirectoryHandle(${JSON.stringify(name)}, {create: ${create}})`);
    }
  }
  assert_array_equals(await listDirectory(dir), [], 'nothing was created');
}, 'getDirectoryHandle() rejects with TypeError for "", ".", ".." and names containing "/"');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  // "." and ".." name the directory itself and its parent on disk; if they were accepted, these
  // would find existing directories instead of rejecting.
  await dir.getDirectoryHandle('sub', { create: true });
  const sub = await dir.getDirectoryHandle('sub');
  await promise_rejects_js(t, TypeError, sub.getDirectoryHandle('..'), '".." in a subdirectory');
  await promise_rejects_js(t, TypeError, sub.getDirectoryHandle('.'), '"." in a subdirectory');
  await promise_rejects_js(t, TypeError, dir.getDirectoryHandle('sub/'), '"sub/"');
  await promise_rejects_js(t, TypeError, dir.getDirectoryHandle('./sub'), '"./sub"');
}, 'getDirectoryHandle() does not resolve "." and ".." or paths to existing directories');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  for (const name of BACKSLASH_NAMES) {
    await promise_rejects_js(t, TypeError, dir.getFileHandle(name, { create: true }),
                             `getFileHandle(${JSON.stringify(name)})`);
    await promise_rejects_js(t, TypeError, dir.getDirectoryHandle(name, { create: true }),
                             `getDirectoryHandle(${JSON.stringify(name)})`);
  }
  assert_array_equals(await listDirectory(dir), [], 'nothing was created');
}, 'getFileHandle() and getDirectoryHandle() reject names containing "\\" with TypeError');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  for (const name of UNUSUAL_VALID_NAMES) {
    const handle = await dir.getFileHandle(name, { create: true });
    assert_equals(handle.name, name, `the handle keeps the name ${JSON.stringify(name)}`);
  }
  const sub = await dir.getDirectoryHandle('\u00e9\u4e2d \u{1f600}.d', { create: true });
  assert_equals(sub.name, '\u00e9\u4e2d \u{1f600}.d', 'a directory name');
  assert_array_equals(
      await listDirectory(dir),
      describeEntries([...UNUSUAL_VALID_NAMES.map(n => [n, 'file']),
                       ['\u00e9\u4e2d \u{1f600}.d', 'directory']]),
      'iteration gives the names back unchanged');
  assert_true(await (await dir.getFileHandle('...')).isSameEntry(
                  await dir.getFileHandle('...', { create: true })),
              '"..." is an ordinary name');
}, 'names with leading, trailing or repeated dots, spaces and non-ASCII characters are valid');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const a = await dir.getDirectoryHandle('a', { create: true });
  const b = await a.getDirectoryHandle('b', { create: true });
  const file = await b.getFileHandle('c.txt', { create: true });
  assert_equals(a.name, 'a', 'a');
  assert_equals(b.name, 'b', 'a/b: the last path component only');
  assert_equals(file.name, 'c.txt', 'a/b/c.txt');
  const fileAgain = await (await (await dir.getDirectoryHandle('a'))
                                .getDirectoryHandle('b')).getFileHandle('c.txt');
  assert_true(await fileAgain.isSameEntry(file), 'the nested file is found again by walking');
  assert_array_equals(await listDirectory(dir), ['a (directory)'], 'only "a" in the top');
}, 'nested directories and files: each handle is named by its last path component');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const fileA = await dir.getFileHandle('a', { create: true });
  const fileA2 = await dir.getFileHandle('a');
  const fileB = await dir.getFileHandle('b', { create: true });
  assert_true(await fileA.isSameEntry(fileA), 'a handle and itself');
  assert_true(await fileA.isSameEntry(fileA2), 'two handles for the same file');
  assert_true(await fileA2.isSameEntry(fileA), 'in either direction');
  assert_false(await fileA.isSameEntry(fileB), 'two different files');
  assert_false(await fileB.isSameEntry(fileA), 'in either direction');
}, 'isSameEntry() is true for handles of the same file and false for different files');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const sub1 = await dir.getDirectoryHandle('one', { create: true });
  const sub1Again = await dir.getDirectoryHandle('one');
  const sub2 = await dir.getDirectoryHandle('two', { create: true });
  const root = await navigator.storage.getDirectory();
  assert_true(await sub1.isSameEntry(sub1Again), 'two handles for the same directory');
  assert_false(await sub1.isSameEntry(sub2), 'sibling directories');
  assert_false(await dir.isSameEntry(sub1), 'a directory and its child');
  assert_false(await sub1.isSameEntry(dir), 'a directory and its parent');
  assert_false(await root.isSameEntry(dir), 'the root and a directory in it');
}, 'isSameEntry() distinguishes directories at different paths');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const file = await dir.getFileHandle('file', { create: true });
  const sub = await dir.getDirectoryHandle('sub', { create: true });
  const nested = await sub.getFileHandle('file', { create: true });
  assert_false(await file.isSameEntry(sub), 'a file and a directory');
  assert_false(await sub.isSameEntry(file), 'a directory and a file');
  assert_false(await dir.isSameEntry(file), 'a directory and a file in it');
  // Same name, different parents.
  assert_false(await file.isSameEntry(nested), '"file" and "sub/file"');
  assert_false(await nested.isSameEntry(file), '"sub/file" and "file"');
}, 'isSameEntry() is false between a file and a directory, and for equal names in other ' +
   'directories');
