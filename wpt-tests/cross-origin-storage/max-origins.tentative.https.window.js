// META: title=Cross-Origin Storage: the maximum origins list length
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 28, 96 (spec.md §5.3, Q5, Q6). wpt-tests/prefs.json sets
// dom_cross_origin_storage_max_origins=3 for this file; the merge policy is the default
// (drop-new): a merge past the limit keeps the existing origins and drops the new ones.
"use strict";

const info = get_host_info();
const A = info.HTTPS_NOTSAMESITE_ORIGIN;
const B = `https://www1.${info.NOTSAMESITE_HOST}:${info.HTTPS_PORT}`;
const C = `https://www2.${info.NOTSAMESITE_HOST}:${info.HTTPS_PORT}`;
const D = `https://www.${info.NOTSAMESITE_HOST}:${info.HTTPS_PORT}`;

async function reads(t, origin, hash) {
  const reply = await (await cosOpenFrame(t, origin)).read(hash);
  return reply.ok ? "ok" : reply.name;
}

promise_test(async t => {
  const { hash } = await cosEntry();
  await promise_rejects_js(t, TypeError, cosRequest(hash, { create: true, origins: [A, B, C, D] }));
}, "one call with more origins than the maximum is a TypeError");

promise_test(async t => {
  const { bytes, hash } = await cosEntry();
  await cosStore(hash, bytes, { origins: [A, B, C] });
  await cosStore(hash, bytes, { origins: [D] });  // past the limit: still succeeds
  cosAssertBytes(await cosRead(hash), bytes);
  assert_equals(await reads(t, A, hash), "ok", "an existing origin keeps access");
  assert_equals(await reads(t, C, hash), "ok", "so does the last one");
  assert_equals(await reads(t, D, hash), "NotFoundError", "the new origin was dropped");
}, "a merge past the maximum succeeds and drops the new origin");
