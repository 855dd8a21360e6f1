// META: title=Cross-Origin Storage: the per-origin quota
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 63, 75, 76 (spec.md §11, Q20). wpt-tests/prefs.json sets
// dom_cross_origin_storage_quota_per_origin_bytes=100000 for this file.
"use strict";

const QUOTA = 100000;

// Writes and closes; the refusal may come from a write (growth past the quota is refused
// before it reaches the disk) or from close(). Returns the error, or null when stored.
async function tryStore(hash, bytes) {
  const handle = await cosRequest(hash, { create: true });
  const writable = await handle.createWritable();
  try {
    await writable.write(bytes);
    await writable.close();
    return null;
  } catch (e) {
    return e;
  }
}

promise_test(async t => {
  const { bytes, hash } = await cosEntry(QUOTA + 1);
  const error = await tryStore(hash, bytes);
  assert_not_equals(error, null, "refused");
  assert_equals(error.name, "QuotaExceededError");
  await promise_rejects_dom(t, "NotFoundError", cosRequest(hash), "nothing stored");
}, "one file over the quota is QuotaExceededError and is not stored");

promise_test(async t => {
  const { bytes, hash } = await cosEntry(QUOTA + 1);
  const error = await tryStore(hash, bytes);
  assert_equals(error && error.name, "QuotaExceededError");
  assert_equals(error.quota, QUOTA, "quota is the nominal per-origin budget");
}, "QuotaExceededError.quota is the nominal budget");

promise_test(async t => {
  const first = await cosEntry(60000);
  const second = await cosEntry(60000);
  assert_equals(await tryStore(first.hash, first.bytes), null, "the first file fits");
  assert_equals(await tryStore(second.hash, second.bytes), null,
                "the second one fits after evicting the first");
  await promise_rejects_dom(t, "NotFoundError", cosRequest(first.hash), "the first was evicted");
  cosAssertBytes(await cosRead(second.hash), second.bytes);
}, "over its share, an origin's own sole-owned entries are evicted to make room");

promise_test(async t => {
  const first = await cosEntry(60000);
  const second = await cosEntry(60000);
  assert_equals(await tryStore(first.hash, first.bytes), null, "the first file fits");
  // Another site stores the same bytes: the entry is shared, so it cannot be evicted. (An
  // origin of this site would not do: quota is counted per site, so the site alone would still
  // own the entry and could evict it.)
  const other = await cosOpenFrame(t, get_host_info().HTTPS_NOTSAMESITE_ORIGIN);
  assert_true((await other.store(first.hash, first.bytes)).ok, "the other origin stores");
  const error = await tryStore(second.hash, second.bytes);
  assert_equals(error && error.name, "QuotaExceededError", "the second file does not fit");
  await promise_rejects_dom(t, "NotFoundError", cosRequest(second.hash));
  for (let i = 0; i < 5; i++) {
    assert_equals(await tryStore(first.hash, first.bytes), null,
                  `identical rewrite ${i} costs no extra quota`);
  }
  cosAssertBytes(await cosRead(first.hash), first.bytes);
}, "shared entries are not evicted: a write past the quota is refused; rewrites are free");
