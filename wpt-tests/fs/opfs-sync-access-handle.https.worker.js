// META: title=OPFS: FileSystemSyncAccessHandle in a dedicated worker
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// FileSystemFileHandle.createSyncAccessHandle() and FileSystemSyncAccessHandle, which exist only
// in dedicated workers ([Exposed=DedicatedWorker]). File System Standard §2.3.3
// createSyncAccessHandle() (an exclusive lock: a second access handle or a writable stream on the
// file fails with NoModificationAllowedError until close()) and §2.6 FileSystemSyncAccessHandle
// (read() and write() with or without `at` and the file position cursor, truncate(), getSize(),
// flush(), close(), and InvalidStateError once closed). A .worker.js test: it loads
// testharness.js itself and ends with done(). Each test works in a fresh directory
// (resources/opfs-helpers.js) and closes its access handles before that directory is removed.
'use strict';

importScripts('/resources/testharness.js');
importScripts('resources/opfs-helpers.js');

// An access handle on `fileHandle`, closed when the test ends (close() of a closed handle is a
// no-op).
async function openSyncHandle(t, fileHandle) {
  const handle = await fileHandle.createSyncAccessHandle();
  t.add_cleanup(() => handle.close());
  return handle;
}

// All the bytes of the file behind access handle `handle`, read at offset 0.
function readAll(handle) {
  const buffer = new Uint8Array(handle.getSize());
  assert_equals(handle.read(buffer, { at: 0 }), buffer.length, 'read() of the whole file');
  return buffer;
}

function decode(bytes) {
  return new TextDecoder().decode(bytes);
}

test(() => {
  assert_true('createSyncAccessHandle' in FileSystemFileHandle.prototype,
              'FileSystemFileHandle.prototype.createSyncAccessHandle');
  assert_equals(typeof FileSystemFileHandle.prototype.createSyncAccessHandle, 'function',
                'a function');
  assert_equals(typeof FileSystemSyncAccessHandle, 'function', 'FileSystemSyncAccessHandle');
  for (const method of ['read', 'write', 'truncate', 'getSize', 'flush', 'close']) {
    assert_equals(typeof FileSystemSyncAccessHandle.prototype[method], 'function', method);
  }
  assert_throws_js(TypeError, () => new FileSystemSyncAccessHandle(), 'no constructor');
}, 'a dedicated worker exposes createSyncAccessHandle() and FileSystemSyncAccessHandle');

promise_test(async t => {
  const file = await createTestFile(t);
  const handle = await openSyncHandle(t, file);
  assert_true(handle instanceof FileSystemSyncAccessHandle, 'a FileSystemSyncAccessHandle');
  assert_equals(handle.getSize(), 0, 'getSize()');
  assert_equals(handle.read(new Uint8Array(10)), 0, 'read() reads nothing');
  assert_equals(handle.read(new Uint8Array(10), { at: 0 }), 0, 'read({at: 0}) reads nothing');
}, 'createSyncAccessHandle() on a new file gives an empty file');

promise_test(async t => {
  const file = await createTestFile(t, 'existing contents');
  const handle = await openSyncHandle(t, file);
  assert_equals(handle.getSize(), 17, 'getSize()');
  const buffer = new Uint8Array(17);
  assert_equals(handle.read(buffer), 17, 'read() from the start');
  assert_equals(decode(buffer), 'existing contents', 'the bytes');
  // Writing in place: opening the handle did not empty the file.
  assert_equals(handle.write(utf8('E'), { at: 0 }), 1, 'write()');
  assert_equals(decode(readAll(handle)), 'Existing contents', 'overwritten in place');
}, 'an access handle sees a file\'s existing contents and writes over them in place');

promise_test(async t => {
  const file = await createTestFile(t);
  const handle = await openSyncHandle(t, file);
  const written = handle.write(utf8('hello'));
  assert_equals(typeof written, 'number', 'write() returns a number');
  assert_equals(written, 5, 'write() returns the bytes written');
  assert_equals(handle.getSize(), 5, 'getSize()');
  // The cursor is at 5, the end.
  const buffer = new Uint8Array(5);
  assert_equals(handle.read(buffer), 0, 'read() at the cursor, the end of the file');
  const read = handle.read(buffer, { at: 0 });
  assert_equals(typeof read, 'number', 'read() returns a number');
  assert_equals(read, 5, 'read({at: 0}) returns the bytes read');
  assert_equals(decode(buffer), 'hello', 'the bytes');
  // read({at: 0}) left the cursor after the bytes it read.
  assert_equals(handle.write(utf8(' world')), 6, 'write() at the cursor');
  assert_equals(handle.getSize(), 11, 'getSize() after the second write');
  const part = new Uint8Array(4);
  assert_equals(handle.read(part, { at: 0 }), 4, 'read 4 bytes at 0');
  assert_equals(decode(part), 'hell', 'first part');
  assert_equals(handle.read(part), 4, 'read the next 4 bytes at the cursor');
  assert_equals(decode(part), 'o wo', 'second part');
  assert_equals(handle.read(part), 3, 'the last 3 bytes');
  assert_equals(decode(part.subarray(0, 3)), 'rld', 'third part');
}, 'read() and write() without `at` use and advance a cursor that starts at 0');

promise_test(async t => {
  const file = await createTestFile(t);
  const handle = await openSyncHandle(t, file);
  handle.write(utf8('hello world'));
  assert_equals(handle.write(utf8('HE'), { at: 0 }), 2, 'write({at: 0})');
  assert_equals(handle.write(utf8('LL')), 2, 'then at the cursor, 2');
  assert_equals(handle.write(utf8('W'), { at: 6 }), 1, 'write({at: 6})');
  const rest = new Uint8Array(4);
  assert_equals(handle.read(rest), 4, 'read() at the cursor, 7');
  assert_equals(decode(rest), 'orld', 'the bytes after the last write');
  assert_equals(decode(readAll(handle)), 'HELLo World', 'the file');
  assert_equals(handle.getSize(), 11, 'writes inside the file do not change its size');
}, 'write() with `at` writes there and moves the cursor after the written bytes');

promise_test(async t => {
  const file = await createTestFile(t);
  const handle = await openSyncHandle(t, file);
  const bytes = patternBytes(10, 'partial');
  handle.write(bytes);
  const buffer = new Uint8Array(16).fill(0xaa);
  assert_equals(handle.read(buffer, { at: 4 }), 6, 'a read running past the end');
  assertBytes(buffer.subarray(0, 6), bytes.subarray(4), 'the bytes that exist');
  assertBytes(buffer.subarray(6), new Uint8Array(10).fill(0xaa), 'the rest is untouched');
  assert_equals(handle.read(buffer, { at: 10 }), 0, 'a read at the end');
  assert_equals(handle.read(buffer, { at: 1000 }), 0, 'a read past the end');
  assert_equals(handle.getSize(), 10, 'reads do not change the size');
}, 'read() returns how many bytes it read, and 0 at or past the end of the file');

promise_test(async t => {
  const file = await createTestFile(t);
  const handle = await openSyncHandle(t, file);
  handle.write(utf8('ab'));
  assert_equals(handle.write(utf8('cd'), { at: 5 }), 2, 'write({at: 5}) on a 2-byte file');
  assert_equals(handle.getSize(), 7, 'getSize()');
  assertBytes(readAll(handle), concatBytes(utf8('ab'), [0, 0, 0], utf8('cd')), 'NUL-filled gap');
}, 'write() past the end fills the gap with zero bytes');

promise_test(async t => {
  const file = await createTestFile(t);
  const handle = await openSyncHandle(t, file);
  handle.write(utf8('0123456789'));          // cursor 10
  assert_equals(handle.truncate(4), undefined, 'truncate() returns undefined');
  assert_equals(handle.getSize(), 4, 'shrunk');
  handle.write(utf8('X'));                    // the cursor was moved to 4
  assert_equals(decode(readAll(handle)), '0123X', 'a write after shrinking below the cursor');
  handle.truncate(8);                         // the cursor (5, after readAll) stays
  assert_equals(handle.getSize(), 8, 'grown');
  assertBytes(readAll(handle), concatBytes(utf8('0123X'), [0, 0, 0]), 'grown with NUL bytes');
  handle.write(utf8('Y'), { at: 0 });         // cursor 1
  handle.truncate(6);                         // cursor 1 < 6: stays
  handle.write(utf8('Z'));
  assertBytes(readAll(handle), concatBytes(utf8('YZ23X'), [0]), 'the cursor stayed at 1');
  handle.truncate(0);
  assert_equals(handle.getSize(), 0, 'truncate(0)');
}, 'truncate() resizes the file and moves the cursor only when it was beyond the new size');

promise_test(async t => {
  const file = await createTestFile(t);
  const handle = await openSyncHandle(t, file);
  const source = patternBytes(64, 'buffers');
  assert_equals(handle.write(source.slice(0, 16).buffer), 16, 'an ArrayBuffer');
  assert_equals(handle.write(new DataView(source.buffer, 16, 16)), 16, 'a DataView');
  const words = new Uint16Array(source.slice(32, 64).buffer);
  assert_equals(handle.write(words), 32, 'a Uint16Array: its byte length');
  assertBytes(readAll(handle), source, 'all 64 bytes in order');
  const backing = new Uint8Array(40).fill(0xee);
  const view = new DataView(backing.buffer, 4, 32);
  assert_equals(handle.read(view, { at: 8 }), 32, 'read into a DataView');
  assertBytes(backing.subarray(4, 36), source.subarray(8, 40), 'the DataView\'s bytes');
  assertBytes(backing.subarray(0, 4), [0xee, 0xee, 0xee, 0xee], 'before the view: untouched');
  assertBytes(backing.subarray(36), [0xee, 0xee, 0xee, 0xee], 'after the view: untouched');
  const into = new Uint32Array(4);
  assert_equals(handle.read(into, { at: 48 }), 16, 'read into a Uint32Array');
  assertBytes(new Uint8Array(into.buffer), source.subarray(48), 'its bytes');
  const arrayBuffer = new ArrayBuffer(8);
  assert_equals(handle.read(arrayBuffer, { at: 0 }), 8, 'read into an ArrayBuffer');
  assertBytes(arrayBuffer, source.subarray(0, 8), 'its bytes');
}, 'read() and write() take ArrayBuffers, DataViews and TypedArrays');

promise_test(async t => {
  const file = await createTestFile(t);
  const handle = await openSyncHandle(t, file);
  const bytes = patternBytes(1024 * 1024 + 3, 'large');
  for (let offset = 0; offset < bytes.length; offset += 65536) {
    const chunk = bytes.subarray(offset, Math.min(bytes.length, offset + 65536));
    assert_equals(handle.write(chunk), chunk.length, `write() at ${offset}`);
  }
  assert_equals(handle.getSize(), bytes.length, 'getSize()');
  assertBytes(readAll(handle), bytes, 'one read of the whole file');
  handle.close();
  assertBytes(await readFileBytes(file), bytes, 'getFile() after close()');
}, 'a 1 MiB file written in 64 KiB pieces reads back byte-exact');

promise_test(async t => {
  const file = await createTestFile(t, 'old');
  const handle = await openSyncHandle(t, file);
  handle.write(utf8('flushed'), { at: 0 });
  assert_equals(handle.flush(), undefined, 'flush() returns undefined');
  assert_equals(await readFileText(file), 'flushed', 'getFile() after flush(), handle open');
  handle.write(utf8(' and closed'));
  handle.close();
  assert_equals(await readFileText(file), 'flushed and closed', 'getFile() after close()');
}, 'writes through an access handle are visible to getFile() after flush() and after close()');

promise_test(async t => {
  const file = await createTestFile(t, 'old contents');
  const handle = await openSyncHandle(t, file);
  handle.truncate(0);
  handle.write(utf8('new'));
  handle.close();
  const read = await file.getFile();
  assert_equals(read.size, 3, 'size');
  assert_equals(await read.text(), 'new', 'contents');
}, 'truncate() and write() through an access handle are visible to getFile() after close()');

promise_test(async t => {
  // Several pages, so that a File sharing the file's pages would show the writes below.
  const bytes = patternBytes(3 * 65536 + 100, 11);
  const file = await createTestFile(t, bytes);
  const handle = await openSyncHandle(t, file);
  const during = await file.getFile();
  handle.write(utf8('written in place'), { at: 70000 });
  handle.truncate(1000);
  handle.flush();
  assert_equals(during.size, bytes.length, 'the File keeps its size');
  // As for writable streams: the File reads the bytes it was taken with or fails, never others.
  for (const [what, read] of [['arrayBuffer()', () => during.arrayBuffer()],
                              ['a slice', () => during.slice(65536).arrayBuffer()]]) {
    let buffer;
    try {
      buffer = await read();
    } catch (e) {
      assert_equals(e.name, 'NotReadableError', `${what}: a read that fails fails so`);
      continue;
    }
    const expected = what === 'a slice' ? bytes.subarray(65536) : bytes;
    assertBytes(new Uint8Array(buffer), expected, `${what} of a File taken with the handle open`);
  }
  handle.close();
  assert_equals((await file.getFile()).size, 1000, 'a new getFile() sees the truncation');
}, 'a File taken while an access handle is open never shows the bytes written after it');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const file = await createFileWithContents(dir, 'locked-file', 'locked');
  const otherHandle = await dir.getFileHandle('locked-file');
  const first = await openSyncHandle(t, file);
  await promise_rejects_dom(t, 'NoModificationAllowedError', file.createSyncAccessHandle(),
                            'a second access handle');
  await promise_rejects_dom(t, 'NoModificationAllowedError', otherHandle.createSyncAccessHandle(),
                            'through another FileSystemFileHandle for the same file');
  await promise_rejects_dom(t, 'NoModificationAllowedError', file.createWritable(),
                            'createWritable()');
  await promise_rejects_dom(t, 'NoModificationAllowedError',
                            file.createWritable({ keepExistingData: true }),
                            'createWritable({keepExistingData: true})');
  // The failed attempts did not disturb the open handle.
  assert_equals(decode(readAll(first)), 'locked', 'the first handle still works');
  first.close();
  const second = await openSyncHandle(t, file);
  assert_equals(second.getSize(), 6, 'a new access handle after close()');
  second.close();
  const writable = await file.createWritable();
  await writable.write('unlocked');
  await writable.close();
  assert_equals(await readFileText(file), 'unlocked', 'a writable stream after close()');
}, 'while an access handle is open, createSyncAccessHandle() and createWritable() reject ' +
   'with NoModificationAllowedError; after close() both work');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const fileA = await dir.getFileHandle('a', { create: true });
  const fileB = await dir.getFileHandle('b', { create: true });
  const handleA = await openSyncHandle(t, fileA);
  const handleB = await openSyncHandle(t, fileB);
  handleA.write(utf8('A'));
  handleB.write(utf8('BB'));
  const writable = await (await dir.getFileHandle('c', { create: true })).createWritable();
  await writable.write('C');
  await writable.close();
  assert_equals(handleA.getSize(), 1, 'a');
  assert_equals(handleB.getSize(), 2, 'b');
}, 'the lock is per file: access handles on two files, and a writable on a third, coexist');

promise_test(async t => {
  const file = await createTestFile(t, 'contents');
  const handle = await openSyncHandle(t, file);
  assert_equals(handle.close(), undefined, 'close() returns undefined');
  const buffer = new Uint8Array(4);
  assert_throws_dom('InvalidStateError', () => handle.read(buffer), 'read()');
  assert_throws_dom('InvalidStateError', () => handle.read(buffer, { at: 0 }), 'read({at})');
  assert_throws_dom('InvalidStateError', () => handle.write(buffer), 'write()');
  assert_throws_dom('InvalidStateError', () => handle.write(buffer, { at: 0 }), 'write({at})');
  assert_throws_dom('InvalidStateError', () => handle.truncate(0), 'truncate()');
  assert_throws_dom('InvalidStateError', () => handle.getSize(), 'getSize()');
  assert_throws_dom('InvalidStateError', () => handle.flush(), 'flush()');
  assert_equals(handle.close(), undefined, 'a second close() is a no-op');
  assert_equals(await readFileText(file), 'contents', 'the failed calls changed nothing');
}, 'after close(), read(), write(), truncate(), getSize() and flush() throw InvalidStateError');

done();
