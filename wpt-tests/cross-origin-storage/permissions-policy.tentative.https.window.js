// META: title=Cross-Origin Storage: the cross-origin-storage Permissions Policy feature
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 8-13 (spec.md §8): default allowlist 'self'; cross-origin frames need
// allow="cross-origin-storage"; Permissions-Policy: cross-origin-storage=() disables it, and
// the policy check comes before argument validation.
"use strict";

const O = cosOrigins();
// "ok" or the error name of a frame's reply.
const outcome = reply => reply.ok ? "ok" : reply.name;
const BLOCKED = { headers: [["Permissions-Policy", "cross-origin-storage=()"]] };

promise_test(async t => {
  await promise_rejects_dom(t, "NotFoundError", cosRequest(cosMissingHash()));
  const frame = await cosOpenFrame(t, O.self, { allow: null });
  assert_equals(outcome(await frame.read(cosMissingHash())), "NotFoundError");
}, "same-origin documents are allowed by default");

promise_test(async t => {
  const frame = await cosOpenFrame(t, O.crossSite, { allow: null });
  assert_equals(outcome(await frame.read(cosMissingHash())), "NotAllowedError");
}, "a cross-origin frame without allow= is NotAllowedError");

promise_test(async t => {
  const frame = await cosOpenFrame(t, O.crossSite);
  assert_equals(outcome(await frame.read(cosMissingHash())), "NotFoundError");
}, "a cross-origin frame with allow=\"cross-origin-storage\" may call");

for (const [allow, expected] of [
  ["camera", "NotAllowedError"],
  ["cross-origin-storage 'none'", "NotAllowedError"],
  ["cross-origin-storage 'self'", "NotAllowedError"],
  ["cross-origin-storage *", "NotFoundError"],
  [`camera; cross-origin-storage ${O.crossSite}`, "NotFoundError"],
  [`cross-origin-storage ${O.crossSite2}`, "NotAllowedError"],
]) {
  promise_test(async t => {
    const frame = await cosOpenFrame(t, O.crossSite, { allow });
    assert_equals(outcome(await frame.read(cosMissingHash())), expected);
  }, `a cross-origin frame with allow="${allow}": ${expected}`);
}

promise_test(async t => {
  const frame = await cosOpenFrame(t, O.self, { allow: "cross-origin-storage 'none'" });
  assert_equals(outcome(await frame.read(cosMissingHash())), "NotAllowedError");
}, "allow=\"cross-origin-storage 'none'\" blocks a same-origin frame too");

promise_test(async t => {
  const frame = await cosOpenFrame(t, O.self, BLOCKED);
  assert_equals(outcome(await frame.read(cosMissingHash())), "NotAllowedError");
}, "Permissions-Policy: cross-origin-storage=() blocks a same-origin document");

promise_test(async t => {
  const frame = await cosOpenFrame(t, O.self, BLOCKED);
  const reply = await frame.read(cosHash("not hex", "md5"));
  assert_equals(outcome(reply), "NotAllowedError", "the policy check comes before validation");
}, "a blocked document gets NotAllowedError even for invalid arguments");

promise_test(async t => {
  const { bytes, hash } = await cosEntry();
  const frame = await cosOpenFrame(t, O.self, BLOCKED);
  assert_equals(outcome(await frame.store(hash, bytes)), "NotAllowedError");
  await promise_rejects_dom(t, "NotFoundError", cosRequest(hash), "nothing was registered");
}, "a blocked document cannot create");

// A worker has no policy of its own: it takes its creator's.
async function workerOutcome(frame, { blob = false, hash = cosMissingHash() } = {}) {
  const reply = await frame.call("inWorker", { op: "read", args: { hash }, blob });
  assert_true(reply.ok, `the frame ran a worker (${reply.name}: ${reply.message})`);
  return outcome(reply.value);
}

promise_test(async t => {
  const frame = await cosOpenFrame(t, O.crossSite, { allow: null });
  assert_equals(await workerOutcome(frame), "NotAllowedError");
}, "a dedicated worker of a cross-origin frame without allow= is NotAllowedError");

promise_test(async t => {
  const frame = await cosOpenFrame(t, O.crossSite);
  assert_equals(await workerOutcome(frame), "NotFoundError");
}, "a dedicated worker of a cross-origin frame with allow= may call");

promise_test(async t => {
  const frame = await cosOpenFrame(t, O.self, BLOCKED);
  assert_equals(await workerOutcome(frame), "NotAllowedError");
}, "a dedicated worker of a blocked document is NotAllowedError");

// Checklist 14-16: a blob: worker has its creator's policy too, and the policy is checked before
// the arguments.
promise_test(async t => {
  const frame = await cosOpenFrame(t, O.self, BLOCKED);
  assert_equals(await workerOutcome(frame, { blob: true }), "NotAllowedError");
  assert_equals(await workerOutcome(frame, { blob: true, hash: cosHash("not hex") }),
                "NotAllowedError", "even for an invalid hash");
}, "a blob: worker of a blocked document is NotAllowedError");

promise_test(async t => {
  const frame = await cosOpenFrame(t, O.crossSite);
  assert_equals(await workerOutcome(frame, { blob: true }), "NotFoundError");
  assert_equals(await workerOutcome(frame, { blob: true, hash: cosHash("not hex") }),
                "TypeError", "an allowed worker validates the hash");
}, "a blob: worker of a cross-origin frame with allow= may call");
