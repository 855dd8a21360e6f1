// META: title=Cross-Origin Storage: who can read, for each origins form
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 34, 36-42, 44-47 (spec.md §3.2, §5). This document's
// Cross-Origin-Storage-Allow-Origin header (the .sub.headers file) authorizes the test
// origins, so lists naming them take effect. Readers: this origin (the storer), a same-site
// origin (www1.web-platform.test), the listed cross-site origin (not-web-platform.test) and an
// unlisted cross-site one (www1.not-web-platform.test). GREASE is off (prefs.json), so every
// disclosed read must succeed every time and every refused one must be NotFoundError.
"use strict";

const READS = 3;

async function expectRead(reader, hash, bytes, description) {
  for (let i = 0; i < READS; i++) {
    const reply = await reader.read(hash);
    assert_true(reply.ok, `${description}: read ${i} succeeds (got ${reply.name})`);
    cosAssertBytes(reply.value, bytes, description);
  }
}

async function expectRefused(reader, hash, description) {
  for (let i = 0; i < READS; i++) {
    const reply = await reader.read(hash);
    assert_false(reply.ok, `${description}: read ${i} is refused`);
    assert_equals(reply.name, "NotFoundError", `${description}: read ${i}`);
  }
}

// origins value -> which readers see the entry.
const O = cosOrigins();
const CASES = [
  ["omitted", undefined, { sameSite: true, crossSite: false, crossSite2: false }],
  ["[] (same as omitted)", [], { sameSite: true, crossSite: false, crossSite2: false }],
  ["a list naming the cross-site origin", [O.crossSite],
   { sameSite: true, crossSite: true, crossSite2: false }],
  ["a bare string naming the cross-site origin", O.crossSite,
   { sameSite: true, crossSite: true, crossSite2: false }],
  ["a list naming only the same-site origin", [O.sameSite],
   { sameSite: true, crossSite: false, crossSite2: false }],
  ["'*' for a hash not on the Public Hash List", "*",
   { sameSite: true, crossSite: false, crossSite2: false }],
];

for (const [label, origins, expected] of CASES) {
  promise_test(async t => {
    const { bytes, hash } = await cosEntry(2048);
    const options = origins === undefined ? {} : { origins };
    await cosStore(hash, bytes, options);
    cosAssertBytes(await cosRead(hash), bytes, "the storer");
    for (const who of ["sameSite", "crossSite", "crossSite2"]) {
      const reader = await cosOpenFrame(t, O[who]);
      if (expected[who]) {
        await expectRead(reader, hash, bytes, `${who} (${O[who]})`);
      } else {
        await expectRefused(reader, hash, `${who} (${O[who]})`);
      }
    }
  }, `origins: ${label}`);
}

promise_test(async t => {
  const { bytes, hash } = await cosEntry(2048);
  // The storer lists only another origin and still reads its own entry.
  await cosStore(hash, bytes, { origins: [O.crossSite] });
  for (let i = 0; i < READS; i++) {
    cosAssertBytes(await cosRead(hash), bytes, `storer read ${i}`);
  }
}, "the original storer always reads, even when it is not in its own list");

promise_test(async t => {
  const { bytes, hash } = await cosEntry(2048);
  // A cross-site origin stores with a list naming this origin.
  const storer = await cosOpenFrame(t, O.crossSite);
  const stored = await storer.store(hash, bytes, { origins: [O.self] });
  assert_true(stored.ok, `the frame stores (${stored.name})`);
  cosAssertBytes(await cosRead(hash), bytes, "the listed origin reads");
  const sibling = await cosOpenFrame(t, O.crossSite2);
  await expectRead(sibling, hash, bytes, "a same-site sibling of the storer");
  const sameSite = await cosOpenFrame(t, O.sameSite);
  await expectRefused(sameSite, hash, "an unlisted origin of another site");
}, "a cross-site storer can list this origin");

promise_test(async t => {
  const { bytes, hash } = await cosEntry(2048);
  await cosStore(hash, bytes, { origins: "*" });
  // A second, cross-site origin supplies the same bytes: it becomes a storer and reads.
  const other = await cosOpenFrame(t, O.crossSite);
  const before = await other.read(hash);
  assert_equals(before.name, "NotFoundError", "not disclosed before it stored (not on the PHL)");
  const stored = await other.store(hash, bytes, { origins: "*" });
  assert_true(stored.ok, `the frame stores (${stored.name})`);
  await expectRead(other, hash, bytes, "the second storer");
}, "a second origin that wrote the same bytes reads them");

promise_test(async t => {
  const { hash } = await cosEntry(2048);
  const reader = await cosOpenFrame(t, O.crossSite);
  await expectRefused(reader, hash, "cross-site");
  const sameSite = await cosOpenFrame(t, O.sameSite);
  await expectRefused(sameSite, hash, "same-site");
}, "a never-stored hash is NotFoundError everywhere");
