// META: title=Cross-Origin Storage: a shared worker and its owners' policy
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// spec.md §15: a worker has no Permissions Policy of its own. A shared worker may use COS only
// if every owner may: one owner blocked by policy blocks it for all, since its answers reach
// every owner.
"use strict";

const O = cosOrigins();
const uniqueName = () => "cos-owners-" + Math.random().toString(16).slice(2);

promise_test(async t => {
  const name = uniqueName();
  const { worker, client } = cosOpenSharedWorker(name);
  t.add_cleanup(() => worker.port.close());
  const hello = await client.call("hello");
  assert_true(hello.ok && hello.value.exposed, "a secure shared worker has the attribute");
  const { bytes, hash } = await cosEntry();
  const stored = await client.store(hash, bytes);
  assert_true(stored.ok, `a shared worker of an allowing owner stores (${stored.name})`);
  assert_true((await client.read(hash)).ok, "and reads");

  const blocked = await cosOpenFrame(t, O.self, {
    headers: [["Permissions-Policy", "cross-origin-storage=()"]] });
  assert_equals((await blocked.read(hash)).name, "NotAllowedError",
                "the frame whose policy blocks COS is refused itself");
  const joined = await blocked.call("inSharedWorker", { name, op: "hello" });
  assert_true(joined.ok && joined.value.ok, "the blocked frame reaches the shared worker");
  assert_equals((await client.call("connections")).value, 2,
                "the page and the frame are owners of one worker");

  assert_equals((await client.read(hash)).name, "NotAllowedError",
                "with a blocked owner, the shared worker may not read");
  const other = await cosEntry();
  assert_equals((await client.store(other.hash, other.bytes)).name, "NotAllowedError",
                "nor store");
  cosAssertBytes(await cosRead(hash), bytes, "the page itself still reads");
}, "a shared worker may not use COS once an owner that may not joins it");

promise_test(async t => {
  const { bytes, hash } = await cosEntry();
  await cosStore(hash, bytes, { origins: [O.crossSite] });
  const frame = await cosOpenFrame(t, O.crossSite, { allow: null });
  const reply = await frame.call("inSharedWorker", {
    name: uniqueName(), op: "read", args: { hash, options: {} } });
  assert_true(reply.ok, "the RPC reached the frame's shared worker");
  assert_equals(reply.value.name, "NotAllowedError",
                "a shared worker started by a frame without allow= is refused");

  const allowed = await cosOpenFrame(t, O.crossSite);
  const served = await allowed.call("inSharedWorker", {
    name: uniqueName(), op: "read", args: { hash, options: {} } });
  assert_true(served.ok && served.value.ok,
              "one started by a frame with allow= reads what it lists");
}, "a shared worker takes the policy of the frame that starts it");
