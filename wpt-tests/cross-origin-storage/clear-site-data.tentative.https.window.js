// META: title=Cross-Origin Storage: Clear-Site-Data on a document's response
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// A document whose response carries `Clear-Site-Data: "storage"` (or "*") clears its origin's
// Cross-Origin Storage: the origin's grants and usage go, and so do the entries no other origin
// stores. Entries other origins also store stay theirs. The header comes from wptserve's
// header() pipe on a frame of the origin to clear; the frame's document is created before it
// reports ready, so the clearing precedes every later request.
"use strict";

const O = cosOrigins();

async function clearWith(t, origin, value) {
  await cosOpenFrame(t, origin, { headers: [["Clear-Site-Data", value]] });
}

async function readOutcome(hash) {
  return cosOutcome(cosRead(hash));
}

promise_test(async t => {
  const own = await cosEntry(512);
  const shared = await cosEntry(512);
  await cosStore(own.hash, own.bytes);
  await cosStore(shared.hash, shared.bytes);
  const other = await cosOpenFrame(t, O.crossSite);
  assert_true((await other.store(shared.hash, shared.bytes)).ok, "the other site stores too");

  await clearWith(t, O.self, '"storage"');
  assert_equals(await readOutcome(own.hash), "NotFoundError", "this origin's own entry is gone");
  assert_equals(await readOutcome(shared.hash), "NotFoundError",
                "this origin no longer has a grant on the shared entry");
  const reply = await (await cosOpenFrame(t, O.crossSite)).read(shared.hash);
  assert_true(reply.ok, `the other site still reads the entry it stored (${reply.name})`);
  cosAssertBytes(reply.value, shared.bytes);
}, '"storage" clears the responding origin\'s grants, not other sites\' entries');

promise_test(async t => {
  const entry = await cosEntry(256);
  await cosStore(entry.hash, entry.bytes);
  await clearWith(t, O.self, '"*"');
  assert_equals(await readOutcome(entry.hash), "NotFoundError");
}, '"*" clears as "storage" does');

promise_test(async t => {
  const entry = await cosEntry(256);
  await cosStore(entry.hash, entry.bytes);
  await clearWith(t, O.self, '"cache", "cookies"');
  cosAssertBytes(await cosRead(entry.hash), entry.bytes, "the entry stays");
  await clearWith(t, O.self, "storage");
  cosAssertBytes(await cosRead(entry.hash), entry.bytes, "an unquoted type is not the header's");
}, "other types, and malformed values, clear nothing");

promise_test(async t => {
  const ours = await cosEntry(256);
  await cosStore(ours.hash, ours.bytes);
  const theirs = await cosEntry(256);
  const other = await cosOpenFrame(t, O.crossSite);
  assert_true((await other.store(theirs.hash, theirs.bytes)).ok);

  await clearWith(t, O.sameSite, '"storage"');
  cosAssertBytes(await cosRead(ours.hash), ours.bytes,
                 "a same-site origin's header does not clear this origin");
  await clearWith(t, O.crossSite, '"storage"');
  const reply = await (await cosOpenFrame(t, O.crossSite)).read(theirs.hash);
  assert_equals(reply.ok ? "ok" : reply.name, "NotFoundError",
                "the cross-site origin's header cleared its own entry");
  cosAssertBytes(await cosRead(ours.hash), ours.bytes, "and not this origin's");
}, "a header clears only the origin whose response carried it");
