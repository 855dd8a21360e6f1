// META: title=Cross-Origin Storage: the Cross-Origin-Storage-Allow-Origin ceiling
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 98-103 (spec.md §16). This document has no ceiling header; the storing frames
// (same origin as this document) get theirs from wptserve's header() pipe.
"use strict";

const O = cosOrigins();

async function storeIn(t, ceiling, origins) {
  const { bytes, hash } = await cosEntry(1024);
  const storer = await cosOpenFrame(t, O.self, { ceiling });
  const stored = await storer.store(hash, bytes, { origins });
  assert_true(stored.ok, `the write succeeds (${stored.name})`);
  return { bytes, hash };
}

// "ok" or the error name, so a wrong disclosure reads as `got "ok"` in the failure message.
async function readAs(t, origin, hash) {
  const reply = await (await cosOpenFrame(t, origin)).read(hash);
  return reply.ok ? "ok" : reply.name;
}

promise_test(async t => {
  const { bytes, hash } = await cosEntry(1024);
  await cosStore(hash, bytes, { origins: [O.crossSite] });
  assert_equals(await readAs(t, O.crossSite, hash), "NotFoundError",
                "the list was dropped: no ceiling");
  cosAssertBytes(await cosRead(hash), bytes, "the storer still reads");
  assert_equals(await readAs(t, O.sameSite, hash), "ok", "it fell back to same-site scope");
}, "no header: a list naming a cross-site origin grants nothing");

promise_test(async t => {
  const { bytes, hash } = await storeIn(t, O.crossSite, [O.crossSite]);
  const reply = await (await cosOpenFrame(t, O.crossSite)).read(hash);
  assert_true(reply.ok, `X reads (${reply.name})`);
  cosAssertBytes(reply.value, bytes);
}, "a header naming X and a list naming X: X reads");

promise_test(async t => {
  const { bytes, hash } = await storeIn(t, O.crossSite, [O.crossSite, O.crossSite2]);
  assert_equals(await readAs(t, O.crossSite, hash), "ok", "X reads");
  assert_equals(await readAs(t, O.crossSite2, hash), "NotFoundError",
                "Y, not in the header, does not");
}, "a header naming X and a list naming X and Y: only X reads");

promise_test(async t => {
  const { hash } = await storeIn(t, `${O.crossSite}, ${O.crossSite2}`, [O.crossSite]);
  assert_equals(await readAs(t, O.crossSite, hash), "ok", "X reads");
  assert_equals(await readAs(t, O.crossSite2, hash), "NotFoundError",
                "Z, named only in the header, does not: the header is a bound, not a grant");
}, "a header naming X and Z and a list naming X: Z does not read");

promise_test(async t => {
  const { bytes, hash } = await cosEntry(1024);
  const storer = await cosOpenFrame(t, O.self, { ceiling: O.crossSite });
  const stored = await storer.call("inWorker", {
    op: "store", args: { hash, bytes, options: { origins: [O.crossSite] } },
  });
  assert_true(stored.ok && stored.value.ok, `the worker stores (${stored.value && stored.value.name})`);
  assert_equals(await readAs(t, O.crossSite, hash), "ok", "X reads: the worker had the ceiling");
}, "a dedicated worker's list-form store is bounded by its creator's ceiling");

for (const [label, ceiling] of [["*", "*"], ["a malformed token", `${O.crossSite}, ::bad::`]]) {
  promise_test(async t => {
    const { hash } = await storeIn(t, ceiling, [O.crossSite]);
    assert_equals(await readAs(t, O.crossSite, hash), "NotFoundError");
  }, `a header with ${label} fails closed: the list grants nothing`);
}

promise_test(async t => {
  const { bytes, hash } = await cosEntry(1024);
  await cosStore(hash, bytes, { origins: "*" });
  cosAssertBytes(await cosRead(hash), bytes);
}, "'*' needs no header");
