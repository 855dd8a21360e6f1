// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Shared helpers for the Origin Private File System tests (windows and dedicated workers).
// Spec: https://fs.spec.whatwg.org/ (File System Standard). Every helper that creates something
// in the bucket file system registers its removal with the test that owns it.
'use strict';

// Strings that are not a valid file name (https://fs.spec.whatwg.org/#valid-file-name): the
// empty string, "." and "..", and anything containing "/".
const INVALID_NAMES = ['', '.', '..', '/', 'a/b', 'a/', '/a', '../a'];

// Names containing "\". The spec forbids "any other character used as path separator on the
// underlying platform", which makes "\" invalid on Windows only; this implementation rejects it
// everywhere, and these names are kept apart so that choice is tested on its own.
const BACKSLASH_NAMES = ['\\', 'a\\b', 'a\\'];

// Valid file names that a careless implementation might mangle or refuse.
const UNUSUAL_VALID_NAMES = ['.a', 'a.', '...', 'a b', ' a', 'x.y.z', '\u00e9\u4e2d\u{1f600}'];

// A name no other test uses: `prefix`, a dash and a random UUID (no dots, so no extension).
function uniqueName(prefix = 'opfs') {
  return `${prefix}-${crypto.randomUUID()}`;
}

// A new, empty directory directly under the bucket file system's root, removed with everything in
// it when test `t` ends (only promise_test: the cleanup returns a promise). The cleanup is
// registered first, so it also runs if creation fails. testharness.js calls a test's cleanups
// one after the other in the order they were added; waiting one microtask lets those added later
// (closing sync access handles on files in here) run before the removal starts.
async function createTestDirectory(t, prefix = 'opfs-test') {
  const root = await navigator.storage.getDirectory();
  const name = uniqueName(prefix);
  t.add_cleanup(async () => {
    await Promise.resolve();
    await root.removeEntry(name, { recursive: true }).catch(() => {});
  });
  return root.getDirectoryHandle(name, { create: true });
}

// Creates file `name` in `dir` (or reuses it) and replaces its contents with `data`, written
// through a FileSystemWritableFileStream and committed by close().
async function createFileWithContents(dir, name, data) {
  const handle = await dir.getFileHandle(name, { create: true });
  const writable = await handle.createWritable();
  await writable.write(data);
  await writable.close();
  return handle;
}

// A fresh file (empty, or holding `contents`, written through a writable stream).
async function createTestFile(t, contents) {
  const dir = await createTestDirectory(t);
  const name = uniqueName('file');
  if (contents === undefined) {
    return dir.getFileHandle(name, { create: true });
  }
  return createFileWithContents(dir, name, contents);
}

async function readFileText(fileHandle) {
  return (await fileHandle.getFile()).text();
}

async function readFileBytes(fileHandle) {
  return new Uint8Array(await (await fileHandle.getFile()).arrayBuffer());
}

function utf8(text) {
  return new TextEncoder().encode(text);
}

// "name (kind)" for each [name, kind] pair, sorted: iteration order is unspecified
// (https://fs.spec.whatwg.org/#api-filesystemdirectoryhandle-asynciterable), so tests compare
// sorted lists.
function describeEntries(pairs) {
  return pairs.map(([name, kind]) => `${name} (${kind})`).sort();
}

// Every child of `dir` as sorted "name (kind)" strings, through entries(). Also checks that the
// name each step yields is the name of the handle it yields.
async function listDirectory(dir) {
  const pairs = [];
  for await (const [name, handle] of dir.entries()) {
    assert_equals(handle.name, name, 'entries(): the key is the handle\'s name');
    pairs.push([name, handle.kind]);
  }
  return describeEntries(pairs);
}

// `length` deterministic pseudo-random bytes (xorshift32) from a numeric or string seed.
function patternBytes(length, seed = 1) {
  let x = typeof seed === 'string' ? hashString(seed) : (seed >>> 0);
  if (x === 0) {
    x = 0x9e3779b9;
  }
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

// FNV-1a over the UTF-16 code units of `text`.
function hashString(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

// Byte-exact comparison that reports the first differing offset instead of asserting per byte.
function assertBytes(actual, expected, what) {
  const a = actual instanceof Uint8Array ? actual : new Uint8Array(actual);
  const e = expected instanceof Uint8Array ? expected : new Uint8Array(expected);
  assert_equals(a.length, e.length, `${what}: length`);
  for (let i = 0; i < e.length; i++) {
    if (a[i] !== e[i]) {
      assert_unreached(`${what}: byte ${i} is ${a[i]}, expected ${e[i]}`);
    }
  }
}

// The concatenation of byte arrays (or arrays of numbers).
function concatBytes(...parts) {
  const arrays = parts.map(p => (p instanceof Uint8Array ? p : new Uint8Array(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}
