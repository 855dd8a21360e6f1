// META: phases=2
// META: title=OPFS: directories and files survive a browser restart
// META: timeout=long
// META: script=resources/opfs-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// `// META: phases=2` is a `mach test-wpt` convention (WPT ignores unknown META keys): the
// runner loads this page twice, in two browser processes sharing one profile, with ?phase=1
// then ?phase=2 and one random &token= per run. Phase 1 builds a tree in the bucket file system;
// phase 2, after the restart, checks that it reads back the same, then removes it. Names and
// contents derive from the token, so each run stores fresh data and phase 2 knows what to
// expect. The bucket file system is a storage endpoint of the origin's local storage bottle
// (File System Standard §3 "Accessing the Bucket File System"), kept in the profile.
//
// The tree phase 1 leaves (a file was also created in the top directory, then removed):
//   persist-<token>/
//     notes-<token>.txt   UTF-8 text
//     nested/
//       data.bin          200 KiB + 7 bytes of a token-seeded pattern
//       empty/            an empty directory
'use strict';

const PARAMS = new URLSearchParams(location.search);
const PHASE = PARAMS.get('phase');
const TOKEN = PARAMS.get('token');

const TOP_NAME = `persist-${TOKEN}`;
const TEXT_NAME = `notes-${TOKEN}.txt`;
const NESTED_NAME = 'nested';
const BINARY_NAME = 'data.bin';
const EMPTY_NAME = 'empty';
const REMOVED_NAME = `removed-${TOKEN}.txt`;
const BINARY_LENGTH = 200 * 1024 + 7;

function tokenText() {
  return `Token ${TOKEN}: text with non-ASCII \u00e9\u4e2d\u{1f600}.\n`.repeat(50);
}

function tokenBytes() {
  return patternBytes(BINARY_LENGTH, `binary/${TOKEN}`);
}

const EXPECTED_TOP = describeEntries([[TEXT_NAME, 'file'], [NESTED_NAME, 'directory']]);
const EXPECTED_NESTED = describeEntries([[BINARY_NAME, 'file'], [EMPTY_NAME, 'directory']]);

test(() => {
  assert_in_array(PHASE, ['1', '2'], 'run by mach test-wpt with ?phase=');
  assert_regexp_match(TOKEN || '', /^[0-9a-f]{32}$/, 'and a token');
}, 'the runner gives the phase and token');

if (PHASE === '1') {
  promise_test(async t => {
    const root = await navigator.storage.getDirectory();
    await promise_rejects_dom(t, 'NotFoundError', root.getDirectoryHandle(TOP_NAME),
                              'precondition: a fresh profile');
    const top = await root.getDirectoryHandle(TOP_NAME, { create: true });
    await createFileWithContents(top, TEXT_NAME, tokenText());
    const nested = await top.getDirectoryHandle(NESTED_NAME, { create: true });
    await createFileWithContents(nested, BINARY_NAME, tokenBytes());
    await nested.getDirectoryHandle(EMPTY_NAME, { create: true });
    await createFileWithContents(top, REMOVED_NAME, 'removed before the restart');
    await top.removeEntry(REMOVED_NAME);
    assert_array_equals(await listDirectory(top), EXPECTED_TOP, 'the top directory');
    assert_array_equals(await listDirectory(nested), EXPECTED_NESTED, 'the nested directory');
    assertBytes(await readFileBytes(await nested.getFileHandle(BINARY_NAME)), tokenBytes(),
                'the binary file before the restart');
  }, 'phase 1: create a directory tree with a text file, a binary file and an empty ' +
     'directory, and remove another file');
}

if (PHASE === '2') {
  async function topDirectory() {
    return (await navigator.storage.getDirectory()).getDirectoryHandle(TOP_NAME);
  }

  promise_test(async t => {
    const root = await navigator.storage.getDirectory();
    assert_equals(root.name, '', 'the root');
    assert_true((await listDirectory(root)).includes(`${TOP_NAME} (directory)`),
                'the root lists the directory');
    const top = await root.getDirectoryHandle(TOP_NAME);
    assert_array_equals(await listDirectory(top), EXPECTED_TOP, 'its children, by iteration');
    await promise_rejects_dom(t, 'NotFoundError', top.getFileHandle(REMOVED_NAME),
                              'the file removed in phase 1');
  }, 'phase 2: the top directory and its children are there, and the removed file is not');

  promise_test(async t => {
    const top = await topDirectory();
    const file = await (await top.getFileHandle(TEXT_NAME)).getFile();
    assert_equals(file.name, TEXT_NAME, 'name');
    assert_equals(file.size, utf8(tokenText()).length, 'size');
    assert_equals(await file.text(), tokenText(), 'contents');
  }, 'phase 2: the text file reads back the same');

  promise_test(async t => {
    const nested = await (await topDirectory()).getDirectoryHandle(NESTED_NAME);
    assert_array_equals(await listDirectory(nested), EXPECTED_NESTED, 'nested children');
    const file = await (await nested.getFileHandle(BINARY_NAME)).getFile();
    assert_equals(file.size, BINARY_LENGTH, 'size');
    assertBytes(await file.arrayBuffer(), tokenBytes(), 'bytes');
    const empty = await nested.getDirectoryHandle(EMPTY_NAME);
    assert_array_equals(await listDirectory(empty), [], 'the empty directory is still empty');
  }, 'phase 2: the nested directory, its binary file and its empty directory read back the same');

  promise_test(async t => {
    const top = await topDirectory();
    const text = await top.getFileHandle(TEXT_NAME);
    // The restored files can be written and read like any other.
    const writable = await text.createWritable({ keepExistingData: true });
    await writable.seek((await text.getFile()).size);
    await writable.write('appended after the restart');
    await writable.close();
    assert_equals(await readFileText(text), tokenText() + 'appended after the restart',
                  'appended');
  }, 'phase 2: a restored file can be written again');

  // Runs last (promise_test runs tests in order), whatever the results above.
  promise_test(async t => {
    const root = await navigator.storage.getDirectory();
    await root.removeEntry(TOP_NAME, { recursive: true });
    await promise_rejects_dom(t, 'NotFoundError', root.getDirectoryHandle(TOP_NAME),
                              'after removeEntry()');
  }, 'phase 2: the tree can then be removed');
}
