// META: global=window,dedicatedworker
// META: title=OPFS: getFile() and createWritable() (FileSystemWritableFileStream)
// META: timeout=long
// META: script=resources/opfs-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Reading and writing files. File System Standard §2.3.1 getFile(), §2.3.2 createWritable() and
// §2.5 FileSystemWritableFileStream ("write a chunk": string, BufferSource, Blob and WriteParams
// writes, seek, truncate, the NUL-filled gap; [[buffer]] committed to the file only by the close
// algorithm; the abort algorithm discards it). Each test works on files in a fresh directory
// (resources/opfs-helpers.js), removed at the end. File names have no extension, so the
// implementation-defined File.type has nothing to derive a type from.
'use strict';

// Replaces the contents of the file behind `handle` with `data`.
async function replaceContents(handle, data) {
  const writable = await handle.createWritable();
  await writable.write(data);
  await writable.close();
}

// Opens a writable on `handle`, lets `steps` drive it, closes it and returns the file's bytes.
async function writeAndRead(handle, steps, options) {
  const writable = await handle.createWritable(options);
  await steps(writable);
  await writable.close();
  return readFileBytes(handle);
}

// --- getFile() --------------------------------------------------------------------------------

promise_test(async t => {
  const handle = await createTestFile(t);
  const file = await handle.getFile();
  assert_true(file instanceof File, 'a File');
  assert_equals(file.name, handle.name, 'name: the entry\'s name');
  assert_equals(file.size, 0, 'size');
  assert_equals(file.type, '', 'type');
  assert_equals(await file.text(), '', 'text()');
  assert_equals((await file.arrayBuffer()).byteLength, 0, 'arrayBuffer()');
}, 'getFile() of a new file is an empty File named like the entry');

promise_test(async t => {
  const before = Date.now();
  const handle = await createTestFile(t);
  const file = await handle.getFile();
  assert_equals(typeof file.lastModified, 'number', 'a number');
  assert_true(Number.isInteger(file.lastModified), 'of milliseconds (an integer)');
  // The modification timestamp is "the current time" at creation; allow for coarse file system
  // timestamps and slow runs, but not for a zero, a seconds value or a far-off date.
  const day = 24 * 60 * 60 * 1000;
  assert_greater_than(file.lastModified, before - day, 'not long before the test started');
  assert_less_than(file.lastModified, Date.now() + day, 'not in the future');
}, 'getFile().lastModified is the entry\'s modification time in milliseconds');

promise_test(async t => {
  const bytes = concatBytes(utf8('text, then binary: '), patternBytes(5000, 'getFile'));
  const handle = await createTestFile(t, bytes);
  const file = await handle.getFile();
  assert_equals(file.name, handle.name, 'name');
  assert_equals(file.size, bytes.length, 'size');
  assert_equals(file.type, '', 'type');
  assertBytes(await file.arrayBuffer(), bytes, 'arrayBuffer()');
  assertBytes(await file.slice(19, 1019).arrayBuffer(), bytes.subarray(19, 1019), 'a slice');
  // Each call makes a new File.
  const again = await handle.getFile();
  assert_not_equals(again, file, 'a new File object per call');
  assertBytes(await again.arrayBuffer(), bytes, 'the second File');
}, 'getFile() gives the written size and bytes');

promise_test(async t => {
  const oldText = 'the old contents, longer than the new ones';
  const handle = await createTestFile(t, oldText);
  const snapshot = await handle.getFile();
  const writable = await handle.createWritable();
  await writable.write('NEW');
  await writable.close();
  assert_equals(await readFileText(handle), 'NEW', 'a new getFile() sees the new contents');
  assert_equals(snapshot.size, utf8(oldText).length, 'the earlier File keeps its size');
  // getFile() sets the File's "underlying byte sequence to a copy of entry's binary data", and
  // File API says every read of a Blob "should either return the exact same byte sequence, or
  // throw an exception". So the earlier File reads the old bytes or fails; it never shows the
  // new ones.
  let text;
  try {
    text = await snapshot.text();
  } catch (e) {
    assert_equals(e.name, 'NotReadableError', 'a read that fails fails with NotReadableError');
    return;
  }
  assert_equals(text, oldText, 'the earlier File still reads the old contents');
}, 'a File from getFile() never shows bytes written after it was taken');

// --- createWritable(): the stream -------------------------------------------------------------

promise_test(async t => {
  const handle = await createTestFile(t);
  const writable = await handle.createWritable();
  assert_true(writable instanceof FileSystemWritableFileStream, 'a FileSystemWritableFileStream');
  assert_true(writable instanceof WritableStream, 'which is a WritableStream');
  assert_false(writable.locked, 'not locked');
  for (const method of ['write', 'seek', 'truncate', 'close', 'abort', 'getWriter']) {
    assert_equals(typeof writable[method], 'function', method);
  }
  await writable.close();
}, 'createWritable() resolves with an unlocked FileSystemWritableFileStream');

promise_test(async t => {
  const handle = await createTestFile(t);
  const text = 'h\u00e9llo \u4e2d\u6587 \u{1f600}\n';
  const bytes = await writeAndRead(handle, w => w.write(text));
  assertBytes(bytes, utf8(text), 'the UTF-8 encoding');
  assert_equals(await readFileText(handle), text, 'text()');
}, 'write() of a string writes its UTF-8 encoding');

promise_test(async t => {
  const handle = await createTestFile(t);
  // WriteParams.data and the chunk are USVString: a lone surrogate becomes U+FFFD.
  const bytes = await writeAndRead(handle, w => w.write('a\ud800b'));
  assertBytes(bytes, [0x61, 0xef, 0xbf, 0xbd, 0x62], 'U+FFFD in UTF-8');
}, 'write() of a string with a lone surrogate writes U+FFFD');

promise_test(async t => {
  const handle = await createTestFile(t);
  const bytes = patternBytes(1000, 'arraybuffer');
  assertBytes(await writeAndRead(handle, w => w.write(bytes.slice().buffer)), bytes, 'bytes');
}, 'write() of an ArrayBuffer');

promise_test(async t => {
  const handle = await createTestFile(t);
  const whole = patternBytes(64, 'view');
  const view = whole.subarray(8, 40);
  assertBytes(await writeAndRead(handle, w => w.write(view)), whole.slice(8, 40),
              'only the view\'s 32 bytes');
}, 'write() of a Uint8Array view writes only the bytes it covers');

promise_test(async t => {
  const handle = await createTestFile(t);
  const words = new Uint16Array([0x0102, 0xa0b0, 0xffff, 0x0000, 0x7f80]);
  const bytes = await writeAndRead(handle, w => w.write(words));
  assertBytes(bytes, new Uint8Array(words.buffer), 'the array\'s bytes in memory order');
  const floats = new Float64Array([Math.PI, -0, Infinity]);
  const handle2 = await createTestFile(t);
  assertBytes(await writeAndRead(handle2, w => w.write(floats)), new Uint8Array(floats.buffer),
              'a Float64Array');
}, 'write() of other TypedArrays writes their underlying bytes');

promise_test(async t => {
  const handle = await createTestFile(t);
  const whole = patternBytes(50, 'dataview');
  const view = new DataView(whole.buffer, 5, 20);
  assertBytes(await writeAndRead(handle, w => w.write(view)), whole.slice(5, 25),
              'only the DataView\'s 20 bytes');
}, 'write() of a DataView writes only the bytes it covers');

promise_test(async t => {
  const handle = await createTestFile(t);
  const binary = patternBytes(70000, 'blob');
  const blob = new Blob(['blob text \u00e9 ', binary], { type: 'application/x-ignored' });
  assertBytes(await writeAndRead(handle, w => w.write(blob)),
              concatBytes(utf8('blob text \u00e9 '), binary), 'the Blob\'s bytes');
  assert_equals((await handle.getFile()).type, '', 'the Blob\'s type is not the file\'s');
}, 'write() of a Blob writes its bytes');

promise_test(async t => {
  const handle = await createTestFile(t);
  const bytes = await writeAndRead(handle, async w => {
    await w.write('abc');
    await w.write(new Uint8Array([1, 2]));
    await w.write(new Uint8Array([9, 8, 7]).buffer);
    await w.write(new Blob(['xyz']));
    await w.write({ type: 'write', data: '!' });
  });
  assertBytes(bytes, concatBytes(utf8('abc'), [1, 2], [9, 8, 7], utf8('xyz!')), 'in order');
}, 'successive writes of every data type append at the cursor');

promise_test(async t => {
  const handle = await createTestFile(t);
  const writable = await handle.createWritable();
  // Not awaited one by one: the stream queues them and runs them in order.
  const writes = [writable.write('one '), writable.write('two '), writable.write('three')];
  await Promise.all(writes);
  await writable.close();
  assert_equals(await readFileText(handle), 'one two three', 'contents');
}, 'writes issued without waiting are applied in order');

promise_test(async t => {
  const handle = await createTestFile(t);
  const bytes = await writeAndRead(handle, async w => {
    await w.write('0123456789');
    await w.write({ type: 'write', position: 2, data: 'ab' });
    // The cursor is now at the end of the written data, 4.
    await w.write('Z');
    await w.write({ type: 'write', data: new Uint8Array([0x21]) });
  });
  assert_equals(new TextDecoder().decode(bytes), '01abZ!6789', 'contents');
}, 'write({type: "write", position, data}) writes at position and moves the cursor after it');

promise_test(async t => {
  const handle = await createTestFile(t);
  const bytes = await writeAndRead(handle, async w => {
    await w.write('0123456789');
    await w.write({ type: 'seek', position: 3 });
    await w.write('X');
    await w.seek(0);
    await w.write('Y');
    await w.seek(10);
    await w.write('end');
  });
  assert_equals(new TextDecoder().decode(bytes), 'Y12X456789end', 'contents');
}, 'seek() and write({type: "seek", position}) move the cursor');

promise_test(async t => {
  const handle = await createTestFile(t);
  const bytes = await writeAndRead(handle, async w => {
    await w.write('abc');
    await w.seek(6);
    await w.write('xyz');
    await w.write({ type: 'write', position: 12, data: '!' });
  });
  assertBytes(bytes, concatBytes(utf8('abc'), [0, 0, 0], utf8('xyz'), [0, 0, 0], utf8('!')),
              'NUL bytes in both gaps');
  assert_equals((await handle.getFile()).size, 13, 'size');
}, 'writing past the end fills the gap with zero bytes');

promise_test(async t => {
  const handle = await createTestFile(t);
  const bytes = await writeAndRead(handle, async w => {
    await w.seek(4);
    await w.write('x');
  });
  assertBytes(bytes, [0, 0, 0, 0, 0x78], 'four NUL bytes, then the data');
}, 'a seek past the end of an empty file, then a write, zero-fills from the start');

promise_test(async t => {
  const handle = await createTestFile(t);
  let bytes = await writeAndRead(handle, async w => {
    await w.write('0123456789');
    await w.truncate(4);
  });
  assert_equals(new TextDecoder().decode(bytes), '0123', 'truncate() shrinks');
  bytes = await writeAndRead(handle, async w => {
    await w.truncate(6);
  }, { keepExistingData: true });
  assertBytes(bytes, concatBytes(utf8('0123'), [0, 0]), 'truncate() grows with NUL bytes');
  bytes = await writeAndRead(handle, async w => {
    await w.write({ type: 'truncate', size: 2 });
  }, { keepExistingData: true });
  assert_equals(new TextDecoder().decode(bytes), '01', 'write({type: "truncate", size})');
  bytes = await writeAndRead(handle, async w => {
    await w.write({ type: 'truncate', size: 0 });
  }, { keepExistingData: true });
  assert_equals(bytes.length, 0, 'truncate to 0');
}, 'truncate() and write({type: "truncate", size}) resize the file');

promise_test(async t => {
  const handle = await createTestFile(t);
  const bytes = await writeAndRead(handle, async w => {
    await w.write('abcdef');      // cursor 6
    await w.truncate(3);          // cursor beyond the new size: moved to 3
    await w.write('XY');          // 'abcXY', cursor 5
    await w.seek(1);
    await w.truncate(10);         // cursor below the new size: stays at 1
    await w.write('Z');
    await w.write({ type: 'truncate', size: 1 });  // cursor 2 -> 1
    await w.write('!');
  });
  assert_equals(new TextDecoder().decode(bytes), 'a!', 'contents');
}, 'truncate() moves the cursor to the new size only when it was beyond it');

promise_test(async t => {
  const handle = await createTestFile(t, 'original');
  const writable = await handle.createWritable();
  await writable.write('replacement contents');
  await writable.truncate(11);
  assert_equals(await readFileText(handle), 'original', 'getFile() before close()');
  assert_equals((await handle.getFile()).size, 8, 'the size before close()');
  await writable.close();
  assert_equals(await readFileText(handle), 'replacement', 'getFile() after close()');
}, 'writes become visible only when the stream is closed');

promise_test(async t => {
  const handle = await createTestFile(t, 'original');
  const writable = await handle.createWritable({ keepExistingData: true });
  await writable.write('garbage that must not land');
  await writable.abort();
  assert_equals(await readFileText(handle), 'original', 'after abort()');
  // The file is usable again.
  const bytes = await writeAndRead(handle, w => w.write('after abort'));
  assert_equals(new TextDecoder().decode(bytes), 'after abort', 'a new writable');
}, 'abort() discards the writes');

promise_test(async t => {
  const handle = await createTestFile(t, 'hello world');
  let bytes = await writeAndRead(handle, w => w.write('ab'));
  assert_equals(new TextDecoder().decode(bytes), 'ab', 'default options');
  await replaceContents(handle, 'hello world');
  bytes = await writeAndRead(handle, w => w.write('cd'), { keepExistingData: false });
  assert_equals(new TextDecoder().decode(bytes), 'cd', 'keepExistingData: false');
}, 'createWritable() without keepExistingData starts from an empty file');

promise_test(async t => {
  const handle = await createTestFile(t, 'hello world');
  const bytes = await writeAndRead(handle, async w => {});
  assert_equals(bytes.length, 0, 'closing an untouched default writable empties the file');
}, 'createWritable() then close() with no writes leaves an empty file');

promise_test(async t => {
  const handle = await createTestFile(t, 'hello world');
  let bytes = await writeAndRead(handle, async w => {
    await w.write('J');
    await w.seek(11);
    await w.write('!');
  }, { keepExistingData: true });
  assert_equals(new TextDecoder().decode(bytes), 'Jello world!', 'overwrite and append');
  bytes = await writeAndRead(handle, async w => {}, { keepExistingData: true });
  assert_equals(new TextDecoder().decode(bytes), 'Jello world!', 'closing with no writes');
}, 'createWritable({keepExistingData: true}) starts from the current contents');

promise_test(async t => {
  const handle = await createTestFile(t, 'unchanged');
  for (const chunk of [{ type: 'write' }, { type: 'write', position: 0 }]) {
    const writable = await handle.createWritable({ keepExistingData: true });
    await promise_rejects_js(t, TypeError, writable.write(chunk), JSON.stringify(chunk));
    // The rejected write errored the stream; nothing can be committed any more.
    await writable.close().catch(() => {});
  }
  assert_equals(await readFileText(handle), 'unchanged', 'the file');
}, 'write({type: "write"}) without data rejects with TypeError');

promise_test(async t => {
  const handle = await createTestFile(t, 'unchanged');
  const writable = await handle.createWritable({ keepExistingData: true });
  await promise_rejects_js(t, TypeError, writable.write({ type: 'seek' }), '{type: "seek"}');
  await writable.close().catch(() => {});
  assert_equals(await readFileText(handle), 'unchanged', 'the file');
}, 'write({type: "seek"}) without position rejects with TypeError');

promise_test(async t => {
  const handle = await createTestFile(t, 'unchanged');
  const writable = await handle.createWritable({ keepExistingData: true });
  await promise_rejects_js(t, TypeError, writable.write({ type: 'truncate' }),
                           '{type: "truncate"}');
  await writable.close().catch(() => {});
  assert_equals(await readFileText(handle), 'unchanged', 'the file');
}, 'write({type: "truncate"}) without size rejects with TypeError');

promise_test(async t => {
  const handle = await createTestFile(t, 'replaced by the pipe');
  const bytes = patternBytes(300 * 1024 + 5, 'pipe');
  const writable = await handle.createWritable();
  await new Blob([bytes]).stream().pipeTo(writable);
  assertBytes(await readFileBytes(handle), bytes, 'the piped bytes');
  // pipeTo() closed the destination.
  const writer = writable.getWriter();
  await writer.closed;
}, 'piping a Blob\'s stream into the writable writes every chunk and closes it');

promise_test(async t => {
  const handle = await createTestFile(t);
  const source = new ReadableStream({
    start(controller) {
      controller.enqueue('text ');
      controller.enqueue(new Uint8Array([0x41, 0x42]));
      controller.enqueue({ type: 'write', data: ' params' });
      controller.enqueue({ type: 'seek', position: 0 });
      controller.enqueue('T');
      controller.close();
    },
  });
  await source.pipeTo(await handle.createWritable());
  assert_equals(await readFileText(handle), 'Text AB params', 'contents');
}, 'piped chunks may be strings, buffers and WriteParams');

promise_test(async t => {
  const handle = await createTestFile(t);
  const writable = await handle.createWritable();
  const writer = writable.getWriter();
  assert_true(writable.locked, 'getWriter() locks the stream');
  await writer.write('abc');
  await writer.write({ type: 'seek', position: 1 });
  await writer.write(new Uint8Array([0x58]));
  await writer.write({ type: 'write', position: 3, data: new Blob(['d']) });
  await writer.close();
  assert_equals(await readFileText(handle), 'aXcd', 'contents');
}, 'a WritableStreamDefaultWriter takes the same chunks as write()');
