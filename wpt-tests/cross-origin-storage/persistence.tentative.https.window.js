// META: phases=2
// META: title=Cross-Origin Storage: entries and grants survive a browser restart
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// META: script=resources/phl-fixtures.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 121. `// META: phases=2` is a `mach test-wpt` convention (WPT ignores unknown META
// keys): the runner loads this page twice, in two browser processes sharing one profile, with
// ?phase=1 then ?phase=2 and one random &token= per run. Phase 1 stores; phase 2, after the
// restart, checks everything reads back the same. The content derives from the token, so each
// run stores fresh bytes and phase 2 knows what to expect.
"use strict";

const PARAMS = new URLSearchParams(location.search);
const PHASE = PARAMS.get("phase");
const TOKEN = PARAMS.get("token");
const O = cosOrigins();

// Deterministic bytes from (token, label): SHA-256 in counter mode.
async function tokenBytes(label, length) {
  const out = new Uint8Array(length);
  for (let i = 0; i * 32 < length; i++) {
    const block = new Uint8Array(await crypto.subtle.digest(
        "SHA-256", new TextEncoder().encode(`${TOKEN}/${label}/${i}`)));
    out.set(block.subarray(0, Math.min(32, length - i * 32)), i * 32);
  }
  return { bytes: out, hash: cosHash(await cosSha256Hex(out)) };
}

test(() => {
  assert_in_array(PHASE, ["1", "2"], "run by mach test-wpt with ?phase=");
  assert_regexp_match(TOKEN || "", /^[0-9a-f]{32}$/, "and a token");
}, "the runner gives the phase and token");

if (PHASE === "1") {
  promise_test(async t => {
    const plain = await tokenBytes("plain", 100000);
    const listed = await tokenBytes("listed", 5000);
    const fixture = await cosPhlFixture("a");
    await cosStore(plain.hash, plain.bytes);
    await cosStore(listed.hash, listed.bytes, { origins: [O.crossSite] });
    await cosStore(fixture.hash, fixture.bytes, { origins: "*" });
    // Something that must NOT survive: an unclosed write.
    const pending = await tokenBytes("pending", 100);
    const writable = await (await cosRequest(pending.hash, { create: true })).createWritable();
    await writable.write(pending.bytes);
    cosAssertBytes(await cosRead(plain.hash), plain.bytes, "readable before the restart");
  }, "phase 1: store entries with same-site, list and '*' scope");
}

if (PHASE === "2") {
  promise_test(async t => {
    const plain = await tokenBytes("plain", 100000);
    cosAssertBytes(await cosRead(plain.hash), plain.bytes);
  }, "phase 2: the storer reads its entry after the restart");

  promise_test(async t => {
    const listed = await tokenBytes("listed", 5000);
    const reply = await (await cosOpenFrame(t, O.crossSite)).read(listed.hash);
    assert_true(reply.ok, `the listed origin reads (${reply.name})`);
    cosAssertBytes(reply.value, listed.bytes);
    const other = await (await cosOpenFrame(t, O.crossSite2)).read(listed.hash);
    assert_equals(other.name, "NotFoundError", "an unlisted cross-site origin does not");
  }, "phase 2: the origins list survives");

  promise_test(async t => {
    const fixture = await cosPhlFixture("a");
    const reply = await (await cosOpenFrame(t, O.crossSite2)).read(fixture.hash);
    assert_true(reply.ok, `a cross-site origin reads (${reply.name})`);
    cosAssertBytes(reply.value, fixture.bytes);
  }, "phase 2: the global grant survives");

  promise_test(async t => {
    const plain = await tokenBytes("plain", 100000);
    const reply = await (await cosOpenFrame(t, O.sameSite)).read(plain.hash);
    assert_true(reply.ok, `same-site reads (${reply.name})`);
    const cross = await (await cosOpenFrame(t, O.crossSite)).read(plain.hash);
    assert_equals(cross.name, "NotFoundError", "cross-site does not");
  }, "phase 2: the storing origin (same-site scope) survives");

  promise_test(async t => {
    const pending = await tokenBytes("pending", 100);
    await promise_rejects_dom(t, "NotFoundError", cosRequest(pending.hash));
  }, "phase 2: an unclosed write from before the restart left nothing");
}
