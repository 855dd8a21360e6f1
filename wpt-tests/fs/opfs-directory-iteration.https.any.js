// META: global=window,dedicatedworker
// META: title=OPFS: directory iteration, resolve() and removeEntry()
// META: script=resources/opfs-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// FileSystemDirectoryHandle's async iterable (File System Standard §2.4.1 "Directory iteration":
// entries(), keys(), values() and the default iterator, every child once, in no given order),
// resolve() (§2.4.5, with §2.1 "resolve a file system locator") and removeEntry() (§2.4.4).
// Each test builds its own tree in a fresh directory (resources/opfs-helpers.js), removed at the
// end; orders are compared after sorting.
'use strict';

// Fills `dir` with three files and two directories (one of them not empty) and returns the
// sorted "name (kind)" list of its direct children.
async function populate(dir) {
  await createFileWithContents(dir, 'file-one', 'one');
  await createFileWithContents(dir, 'file-two.txt', 'two');
  await dir.getFileHandle('empty-file', { create: true });
  await dir.getDirectoryHandle('dir-empty', { create: true });
  const full = await dir.getDirectoryHandle('dir-full', { create: true });
  await createFileWithContents(full, 'nested-file', 'nested');
  await full.getDirectoryHandle('nested-dir', { create: true });
  return describeEntries([['file-one', 'file'], ['file-two.txt', 'file'], ['empty-file', 'file'],
                          ['dir-empty', 'directory'], ['dir-full', 'directory']]);
}

function assertHandleKind(handle, what) {
  if (handle.kind === 'file') {
    assert_true(handle instanceof FileSystemFileHandle, `${what}: a FileSystemFileHandle`);
  } else {
    assert_equals(handle.kind, 'directory', `${what}: kind`);
    assert_true(handle instanceof FileSystemDirectoryHandle,
                `${what}: a FileSystemDirectoryHandle`);
  }
}

// --- iteration --------------------------------------------------------------------------------

test(() => {
  const proto = FileSystemDirectoryHandle.prototype;
  for (const method of ['entries', 'keys', 'values']) {
    assert_equals(typeof proto[method], 'function', method);
  }
  // Web IDL: for an async iterable with keys and values, @@asyncIterator is entries itself.
  assert_equals(proto[Symbol.asyncIterator], proto.entries, '@@asyncIterator is entries');
}, 'FileSystemDirectoryHandle has entries(), keys(), values() and entries as @@asyncIterator');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  for (const method of ['entries', 'keys', 'values']) {
    const iterator = dir[method]();
    const result = await iterator.next();
    assert_true(result.done, `${method}(): done at once`);
    assert_equals(result.value, undefined, `${method}(): no value`);
  }
  const seen = [];
  for await (const entry of dir) {
    seen.push(entry);
  }
  assert_equals(seen.length, 0, 'for await...of yields nothing');
}, 'an empty directory yields nothing');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const expected = await populate(dir);
  const pairs = [];
  for await (const entry of dir.entries()) {
    assert_true(Array.isArray(entry) && entry.length === 2, 'each step is a [name, handle] pair');
    const [name, handle] = entry;
    assert_equals(typeof name, 'string', 'the key is a string');
    assert_equals(handle.name, name, 'the handle has the key as its name');
    assertHandleKind(handle, name);
    pairs.push([name, handle.kind]);
  }
  assert_array_equals(describeEntries(pairs), expected, 'every direct child exactly once');
}, 'entries() yields every child once with its name and a handle of the right kind');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const expected = await populate(dir);
  const names = [];
  for await (const name of dir.keys()) {
    assert_equals(typeof name, 'string', 'each key is a string');
    names.push(name);
  }
  assert_array_equals(names.sort(), expected.map(e => e.replace(/ \(.*\)$/, '')).sort(),
                      'every direct child\'s name exactly once');
}, 'keys() yields every child\'s name once');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const expected = await populate(dir);
  const pairs = [];
  for await (const handle of dir.values()) {
    assert_true(handle instanceof FileSystemHandle, 'each value is a FileSystemHandle');
    assertHandleKind(handle, handle.name);
    pairs.push([handle.name, handle.kind]);
  }
  assert_array_equals(describeEntries(pairs), expected, 'every direct child exactly once');
}, 'values() yields a handle of the right kind for every child once');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const expected = await populate(dir);
  const pairs = [];
  for await (const [name, handle] of dir) {
    assert_equals(handle.name, name, 'the handle has the key as its name');
    assertHandleKind(handle, name);
    pairs.push([name, handle.kind]);
  }
  assert_array_equals(describeEntries(pairs), expected, 'every direct child exactly once');
}, 'for await...of over a directory iterates its entries()');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  await populate(dir);
  const byName = new Map();
  for await (const [name, handle] of dir) {
    byName.set(name, handle);
  }
  assert_equals(await readFileText(byName.get('file-one')), 'one', 'read a yielded file');
  assert_equals((await byName.get('empty-file').getFile()).size, 0, 'the empty file');
  assert_true(await byName.get('file-two.txt').isSameEntry(await dir.getFileHandle('file-two.txt')),
              'a yielded file handle is the same entry as getFileHandle()\'s');
  const full = byName.get('dir-full');
  assert_true(await full.isSameEntry(await dir.getDirectoryHandle('dir-full')),
              'a yielded directory handle is the same entry as getDirectoryHandle()\'s');
  assert_array_equals(await listDirectory(full), ['nested-dir (directory)', 'nested-file (file)'],
                      'a yielded directory handle can itself be iterated');
}, 'the handles iteration yields are usable like those from getFileHandle()/getDirectoryHandle()');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const names = [];
  for (let i = 0; i < 120; i++) {
    const name = `child-${String(i).padStart(3, '0')}`;
    names.push(name);
    if (i % 3 === 0) {
      await dir.getDirectoryHandle(name, { create: true });
    } else {
      await dir.getFileHandle(name, { create: true });
    }
  }
  const seen = [];
  for await (const name of dir.keys()) {
    seen.push(name);
  }
  assert_equals(seen.length, names.length, 'as many names as children');
  assert_array_equals(seen.sort(), names, 'each name exactly once');
}, 'a directory with 120 children yields each of them exactly once');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  await createFileWithContents(dir, 'stays', 'x');
  await createFileWithContents(dir, 'goes', 'y');
  assert_array_equals(await listDirectory(dir), ['goes (file)', 'stays (file)'], 'before');
  await dir.removeEntry('goes');
  await dir.getDirectoryHandle('added', { create: true });
  assert_array_equals(await listDirectory(dir), ['added (directory)', 'stays (file)'],
                      'a new iteration sees the removal and the addition');
}, 'a new iteration reflects entries removed and added since the previous one');

// --- resolve() --------------------------------------------------------------------------------

promise_test(async t => {
  const dir = await createTestDirectory(t);
  assert_array_equals(await dir.resolve(dir), [], 'the same handle');
  const root = await navigator.storage.getDirectory();
  const again = await root.getDirectoryHandle(dir.name);
  assert_array_equals(await dir.resolve(again), [], 'another handle of the same directory');
  assert_array_equals(await root.resolve(await navigator.storage.getDirectory()), [],
                      'the root and another root handle');
}, 'resolve() of the directory itself is an empty array');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const file = await dir.getFileHandle('b.txt', { create: true });
  const sub = await dir.getDirectoryHandle('a', { create: true });
  const result = await dir.resolve(file);
  assert_true(Array.isArray(result), 'an array');
  assert_array_equals(result, ['b.txt'], 'a child file');
  assert_array_equals(await dir.resolve(sub), ['a'], 'a child directory');
}, 'resolve() of a direct child is an array of its name');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const a = await dir.getDirectoryHandle('a', { create: true });
  const b = await a.getDirectoryHandle('b', { create: true });
  const c = await b.getDirectoryHandle('c', { create: true });
  const file = await c.getFileHandle('d.txt', { create: true });
  assert_array_equals(await dir.resolve(file), ['a', 'b', 'c', 'd.txt'], 'from the top');
  assert_array_equals(await a.resolve(file), ['b', 'c', 'd.txt'], 'from a');
  assert_array_equals(await b.resolve(file), ['c', 'd.txt'], 'from a/b');
  assert_array_equals(await dir.resolve(c), ['a', 'b', 'c'], 'a nested directory');
  const aFile = await a.getFileHandle('b.txt', { create: true });
  assert_array_equals(await dir.resolve(aFile), ['a', 'b.txt'], 'a file one level down');
}, 'resolve() of a nested descendant lists the names from the directory to it');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const root = await navigator.storage.getDirectory();
  const file = await (await dir.getDirectoryHandle('sub', { create: true }))
                   .getFileHandle('f', { create: true });
  assert_array_equals(await root.resolve(dir), [dir.name], 'the test directory');
  assert_array_equals(await root.resolve(file), [dir.name, 'sub', 'f'], 'a file two levels down');
}, 'resolve() from the root starts with the top-level directory\'s name');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const a = await dir.getDirectoryHandle('a', { create: true });
  const ab = await dir.getDirectoryHandle('ab', { create: true });
  const inAb = await ab.getFileHandle('x', { create: true });
  const sibling = await dir.getFileHandle('sibling', { create: true });
  const root = await navigator.storage.getDirectory();
  assert_equals(await a.resolve(dir), null, 'the parent');
  assert_equals(await a.resolve(root), null, 'the root');
  assert_equals(await a.resolve(ab), null, 'a sibling directory whose name starts the same');
  assert_equals(await a.resolve(inAb), null, 'a file in that sibling');
  assert_equals(await a.resolve(sibling), null, 'a sibling file');
  const other = await createTestDirectory(t, 'opfs-other');
  assert_equals(await dir.resolve(other), null, 'another top-level directory');
  assert_equals(await dir.resolve(await other.getFileHandle('f', { create: true })), null,
                'a file in it');
}, 'resolve() of a handle that is not inside the directory is null');

// --- removeEntry() ----------------------------------------------------------------------------

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const handle = await createFileWithContents(dir, 'doomed', 'bytes');
  await createFileWithContents(dir, 'neighbour', 'stays');
  assert_equals(await dir.removeEntry('doomed'), undefined, 'resolves with undefined');
  await promise_rejects_dom(t, 'NotFoundError', dir.getFileHandle('doomed'), 'getFileHandle()');
  assert_array_equals(await listDirectory(dir), ['neighbour (file)'], 'only the neighbour left');
  assert_equals(await readFileText(await dir.getFileHandle('neighbour')), 'stays',
                'which is untouched');
  // The name is free again, and a new file there starts empty.
  const recreated = await dir.getFileHandle('doomed', { create: true });
  assert_equals((await recreated.getFile()).size, 0, 'a new file of that name is empty');
  assert_true(await recreated.isSameEntry(handle), 'same path and kind: the same locator');
}, 'removeEntry() removes a file');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  await createFileWithContents(dir, 'doomed', 'bytes');
  await dir.removeEntry('doomed', { recursive: true });
  await promise_rejects_dom(t, 'NotFoundError', dir.getFileHandle('doomed'), 'getFileHandle()');
  assert_array_equals(await listDirectory(dir), [], 'gone');
}, 'removeEntry() with recursive removes a file too');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const handle = await createFileWithContents(dir, 'doomed', 'bytes');
  await dir.removeEntry('doomed');
  await promise_rejects_dom(t, 'NotFoundError', handle.getFile(), 'getFile()');
}, 'getFile() through a handle of a removed file rejects with NotFoundError');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  await dir.getDirectoryHandle('empty', { create: true });
  await dir.removeEntry('empty');
  await promise_rejects_dom(t, 'NotFoundError', dir.getDirectoryHandle('empty'),
                            'getDirectoryHandle()');
  assert_array_equals(await listDirectory(dir), [], 'gone');
}, 'removeEntry() without recursive removes an empty directory');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const full = await dir.getDirectoryHandle('full', { create: true });
  await createFileWithContents(full, 'keep-me', 'precious');
  const inner = await full.getDirectoryHandle('inner', { create: true });
  await createFileWithContents(inner, 'deep', 'deeper');
  await promise_rejects_dom(t, 'InvalidModificationError', dir.removeEntry('full'),
                            'no options');
  await promise_rejects_dom(t, 'InvalidModificationError',
                            dir.removeEntry('full', { recursive: false }), 'recursive: false');
  // Nothing at all was removed, not even part of the tree.
  assert_array_equals(await listDirectory(dir), ['full (directory)'], 'the directory stays');
  assert_array_equals(await listDirectory(full), ['inner (directory)', 'keep-me (file)'],
                      'its children stay');
  assert_equals(await readFileText(await full.getFileHandle('keep-me')), 'precious',
                'a child\'s contents');
  assert_equals(await readFileText(await inner.getFileHandle('deep')), 'deeper',
                'a grandchild\'s contents');
}, 'removeEntry() of a non-empty directory without recursive rejects with ' +
   'InvalidModificationError and removes nothing');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  await createFileWithContents(dir, 'neighbour', 'stays');
  const full = await dir.getDirectoryHandle('full', { create: true });
  await createFileWithContents(full, 'a', 'a');
  await full.getDirectoryHandle('empty', { create: true });
  const inner = await full.getDirectoryHandle('inner', { create: true });
  await createFileWithContents(inner, 'b', 'b');
  await (await inner.getDirectoryHandle('innermost', { create: true }))
      .getFileHandle('c', { create: true });
  assert_equals(await dir.removeEntry('full', { recursive: true }), undefined,
                'resolves with undefined');
  assert_array_equals(await listDirectory(dir), ['neighbour (file)'], 'only the neighbour left');
  await promise_rejects_dom(t, 'NotFoundError', dir.getDirectoryHandle('full'),
                            'getDirectoryHandle()');
  // Re-creating the name gives an empty directory: the old contents went with it.
  const recreated = await dir.getDirectoryHandle('full', { create: true });
  assert_array_equals(await listDirectory(recreated), [], 'a new directory of that name is empty');
  await promise_rejects_dom(t, 'NotFoundError', recreated.getFileHandle('a'), 'old file "a"');
}, 'removeEntry() with recursive removes a directory with all its contents');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const name = uniqueName('missing');
  await promise_rejects_dom(t, 'NotFoundError', dir.removeEntry(name), 'no options');
  await promise_rejects_dom(t, 'NotFoundError', dir.removeEntry(name, { recursive: true }),
                            'recursive: true');
  await createFileWithContents(dir, 'once', 'x');
  await dir.removeEntry('once');
  await promise_rejects_dom(t, 'NotFoundError', dir.removeEntry('once'), 'a second removal');
}, 'removeEntry() of a missing entry rejects with NotFoundError');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  // An existing child, so a name that resolved to the directory itself or its parent would have
  // something to remove.
  await createFileWithContents(dir, 'a', 'x');
  for (const name of INVALID_NAMES) {
    for (const recursive of [false, true]) {
      await promise_rejects_js(t, TypeError, dir.removeEntry(name, { recursive }),
                               `removeEntry(${JSON.stringify(name)}, {recursive: ${recursive}})`);
    }
  }
  assert_array_equals(await listDirectory(dir), ['a (file)'], 'nothing was removed');
  const root = await navigator.storage.getDirectory();
  assert_true(await (await root.getDirectoryHandle(dir.name)).isSameEntry(dir),
              'the directory itself still exists');
}, 'removeEntry() rejects with TypeError for "", ".", ".." and names containing "/"');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  await createFileWithContents(dir, 'a', 'x');
  for (const name of BACKSLASH_NAMES) {
    await promise_rejects_js(t, TypeError, dir.removeEntry(name),
                             `removeEntry(${JSON.stringify(name)})`);
  }
  assert_array_equals(await listDirectory(dir), ['a (file)'], 'nothing was removed');
}, 'removeEntry() rejects names containing "\\" with TypeError');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  await createFileWithContents(dir, 'shape-shifter', 'was a file');
  await dir.removeEntry('shape-shifter');
  const asDir = await dir.getDirectoryHandle('shape-shifter', { create: true });
  assert_equals(asDir.kind, 'directory', 'the name now holds a directory');
  await asDir.getFileHandle('inside', { create: true });
  await dir.removeEntry('shape-shifter', { recursive: true });
  const asFile = await dir.getFileHandle('shape-shifter', { create: true });
  assert_equals((await asFile.getFile()).size, 0, 'and then an empty file');
  assert_array_equals(await listDirectory(dir), ['shape-shifter (file)'], 'one child');
}, 'after removeEntry() the name can be reused for an entry of the other kind');
