// META: title=Cross-Origin Storage: visibility upgrades only widen
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// META: script=resources/phl-fixtures.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 90-95, 97 (spec.md §5.2): grants are additive and never narrowed.
"use strict";

const O = cosOrigins();

async function reads(t, origin, hash, bytes) {
  const reply = await (await cosOpenFrame(t, origin)).read(hash);
  if (reply.ok && bytes) {
    cosAssertBytes(reply.value, bytes, origin);
  }
  return reply.ok ? "ok" : reply.name;
}

promise_test(async t => {
  const { bytes, hash } = await cosEntry();
  await cosStore(hash, bytes, { origins: [O.crossSite] });
  await cosStore(hash, bytes, { origins: [O.crossSite2] });
  assert_equals(await reads(t, O.crossSite2, hash, bytes), "ok", "the newly listed origin");
  assert_equals(await reads(t, O.crossSite, hash, bytes), "ok", "the first listed origin");
}, "a second list adds origins and keeps the first");

promise_test(async t => {
  const { bytes, hash } = await cosEntry();
  await cosStore(hash, bytes, { origins: [O.crossSite] });
  await cosStore(hash, bytes, { origins: "*" });
  for (let i = 0; i < 3; i++) {
    assert_equals(await reads(t, O.crossSite, hash, bytes), "ok", `listed origin, read ${i}`);
  }
  assert_equals(await reads(t, O.crossSite2, hash), "NotFoundError",
                "'*' for a hash not on the PHL discloses nothing more");
}, "'*' after a list keeps the list (hash not on the PHL)");

promise_test(async t => {
  const { bytes, hash } = await cosEntry();
  await cosStore(hash, bytes, { origins: [O.crossSite] });
  const other = await cosOpenFrame(t, O.sameSite);
  assert_true((await other.store(hash, bytes, { origins: "*" })).ok, "another origin writes '*'");
  assert_equals(await reads(t, O.crossSite, hash, bytes), "ok");
}, "'*' written by a different origin keeps the list");

promise_test(async t => {
  const { bytes, hash } = await cosEntry();
  await cosStore(hash, bytes, { origins: [O.crossSite] });
  await cosStore(hash, bytes);
  await cosStore(hash, bytes, { origins: [] });
  await cosStore(hash, bytes, { origins: [O.sameSite] });
  assert_equals(await reads(t, O.crossSite, hash, bytes), "ok");
}, "rewrites with a narrower scope do not narrow");

promise_test(async t => {
  const { bytes, hash } = await cosPhlFixture("e");
  await cosStore(hash, bytes, { origins: "*" });
  await cosStore(hash, bytes, { origins: [O.sameSite] });
  assert_equals(await reads(t, O.sameSite, hash, bytes), "ok", "the listed origin");
  assert_equals(await reads(t, O.crossSite2, hash, bytes), "ok",
                "still global for an unlisted cross-site origin");
}, "a list after '*' keeps the global grant (hash on the PHL)");

promise_test(async t => {
  const { bytes, hash } = await cosPhlFixture("f");
  await cosStore(hash, bytes, { origins: "*" });
  await cosStore(hash, bytes);
  assert_equals(await reads(t, O.crossSite, hash, bytes), "ok");
}, "a same-site rewrite after '*' keeps the global grant (hash on the PHL)");

promise_test(async t => {
  const { bytes, hash } = await cosEntry();
  await cosStore(hash, bytes, { origins: [O.crossSite] });
  // B (cross-site, not a storer) supplies the bytes and lists C; B's ceiling names C.
  const b = await cosOpenFrame(t, O.crossSite);
  assert_true((await b.store(hash, bytes, { origins: [O.sameSite] })).ok, "B writes");
  assert_equals(await reads(t, O.sameSite, hash, bytes), "ok", "C reads");
}, "a non-storer that supplies the bytes can widen the entry");

promise_test(async t => {
  const { bytes, hash } = await cosEntry();
  for (const origins of [[O.crossSite], "*"]) {
    const handle = await cosRequest(hash, { create: true, origins });
    const writable = await handle.createWritable();
    await writable.write(cosRandomBytes(bytes.length));
    await promise_rejects_dom(t, "DataError", writable.close());
  }
  await cosStore(hash, bytes);  // the real bytes, same-site scope
  assert_equals(await reads(t, O.crossSite, hash), "NotFoundError");
}, "failed writes change no visibility");
