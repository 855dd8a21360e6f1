// META: title=OPFS: navigator.storage.estimate() counts it, and each origin has a quota
// META: script=resources/opfs-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// The bucket file system is a storage bottle of the origin's shelf
// (https://storage.spec.whatwg.org/#usage-and-quota), so estimate() counts its files; writes past
// the quota fail with a QuotaExceededError and store nothing. prefs.json gives this file a quota
// of 1,000,000 bytes.
'use strict';

const QUOTA = 1000000;

// QuotaExceededError is its own interface now (https://webidl.spec.whatwg.org/#quotaexceedederror),
// which assert_throws_dom() does not know yet.
async function assertQuotaExceeded(promise, what) {
  const error = await promise.then(() => null, error => error);
  assert_true(error instanceof DOMException, `${what}: a DOMException`);
  assert_equals(error.name, 'QuotaExceededError', what);
  assert_equals(error.quota, QUOTA, `${what}: quota`);
}

async function writeBytes(fileHandle, bytes) {
  const writable = await fileHandle.createWritable();
  await writable.write(bytes);
  await writable.close();
}

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const before = (await navigator.storage.estimate()).usage;
  const file = await dir.getFileHandle('counted', { create: true });
  await writeBytes(file, new Uint8Array(300000));
  const after = (await navigator.storage.estimate()).usage;
  assert_greater_than_equal(after - before, 300000, 'the written bytes count');
  await dir.removeEntry('counted');
  const removed = (await navigator.storage.estimate()).usage;
  assert_less_than_equal(removed, after - 300000, 'removed bytes stop counting');
}, 'navigator.storage.estimate() counts the files of the origin private file system');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const file = await dir.getFileHandle('too-big', { create: true });
  await writeBytes(file, new Uint8Array([1, 2, 3]));
  const writable = await file.createWritable();
  await assertQuotaExceeded(writable.write(new Uint8Array(QUOTA + 1)), 'write()');
  assert_array_equals(await readFileBytes(file), [1, 2, 3], 'the file keeps its bytes');
}, 'a write past the quota fails with a QuotaExceededError');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const file = await dir.getFileHandle('sparse', { create: true });
  const writable = await file.createWritable();
  await assertQuotaExceeded(writable.truncate(QUOTA * 10), 'truncate()');
}, 'a truncation past the quota fails with a QuotaExceededError, sparse or not');

promise_test(async t => {
  const dir = await createTestDirectory(t);
  const first = await dir.getFileHandle('first', { create: true });
  await writeBytes(first, new Uint8Array(QUOTA * 0.6));
  const second = await dir.getFileHandle('second', { create: true });
  const writable = await second.createWritable();
  await assertQuotaExceeded(writable.write(new Uint8Array(QUOTA * 0.6)), 'write()');
  await dir.removeEntry('first');
  await writeBytes(second, new Uint8Array(QUOTA * 0.6));
  assert_equals((await second.getFile()).size, QUOTA * 0.6, 'the freed room is usable again');
}, 'the quota is shared by the origin\'s files, and removing a file gives its room back');
