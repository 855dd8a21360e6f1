// META: title=Cross-Origin Storage: handles are serializable
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// FileSystemHandle is [Serializable] (File System spec). A COS handle posted to a context of
// its own origin arrives working, with the readability it had when it was posted: a create
// handle posted before its write stays unreadable, and nothing is disclosed again on arrival.
// A context of another origin gets a messageerror.
"use strict";

const O = cosOrigins();
const uniqueKey = () => "held-" + Math.random().toString(16).slice(2);

promise_test(async t => {
  const { bytes, hash } = await cosEntry();
  await cosStore(hash, bytes);
  const handle = await cosRequest(hash);
  const worker = await cosOpenWorker(t);
  const key = uniqueKey();
  const held = await worker.call("hold", { key, handle });
  assert_true(held.ok, `the worker received the handle (${held.name}: ${held.message})`);
  assert_equals(held.value.kind, "file");
  assert_equals(held.value.name, handle.name, "the same entry");
  const read = await worker.call("readHeld", { key });
  assert_true(read.ok, `the worker's handle reads (${read.name}: ${read.message})`);
  cosAssertBytes(read.value, bytes, "the worker's copy");
  cosAssertBytes(await cosFileBytes(handle), bytes, "the page's handle still reads");
}, "a readable handle posted to a dedicated worker reads there");

promise_test(async t => {
  const { bytes, hash } = await cosEntry();
  await cosStore(hash, bytes);
  const frame = await cosOpenFrame(t, O.self);
  const key = uniqueKey();
  assert_true((await frame.call("hold", { key, handle: await cosRequest(hash) })).ok);
  const read = await frame.call("readHeld", { key });
  assert_true(read.ok, `the frame's handle reads (${read.name})`);
  cosAssertBytes(read.value, bytes, "the frame's copy");
}, "a handle posted to a same-origin frame reads there");

promise_test(async t => {
  const { bytes, hash } = await cosEntry();
  const create = await cosRequest(hash, { create: true });
  const worker = await cosOpenWorker(t);
  const before = uniqueKey();
  assert_true((await worker.call("hold", { key: before, handle: create })).ok);

  const writable = await create.createWritable();
  await writable.write(bytes);
  await writable.close();
  cosAssertBytes(await cosFileBytes(create), bytes, "the page's create handle reads after close");

  const stale = await worker.call("readHeld", { key: before });
  assert_false(stale.ok, "a create handle posted before its write does not read on arrival");
  assert_equals(stale.name, "NotAllowedError");

  const after = uniqueKey();
  assert_true((await worker.call("hold", { key: after, handle: create })).ok);
  const fresh = await worker.call("readHeld", { key: after });
  assert_true(fresh.ok, `posted after the close, it reads (${fresh.name})`);
  cosAssertBytes(fresh.value, bytes);
}, "readability is the handle's at serialization, never re-evaluated");

promise_test(async t => {
  const { bytes, hash } = await cosEntry();
  const create = await cosRequest(hash, { create: true });
  const worker = await cosOpenWorker(t);
  const key = uniqueKey();
  assert_true((await worker.call("hold", { key, handle: create })).ok);
  const wrote = await worker.call("writeHeld", { key, bytes });
  assert_true(wrote.ok, `the worker stores through the posted create handle (${wrote.name})`);
  cosAssertBytes(await cosRead(hash), bytes, "the page reads what the worker stored");
}, "a create handle posted to a worker can store there");

for (const [label, origin] of [["same-site", O.sameSite], ["cross-site", O.crossSite]]) {
  promise_test(async t => {
    const { bytes, hash } = await cosEntry();
    await cosStore(hash, bytes);
    const handle = await cosRequest(hash);
    const frame = await cosOpenFrame(t, origin);
    const failed = new Promise(resolve => {
      window.addEventListener("message", function listener(e) {
        if (e.data && e.data.messageerror) {
          window.removeEventListener("message", listener);
          resolve(true);
        }
      });
    });
    frame.call("hold", { key: uniqueKey(), handle });  // never answered: it cannot arrive
    assert_true(await failed, "the frame got a messageerror");
    cosAssertBytes(await cosFileBytes(handle), bytes, "the page's handle still reads");
  }, `a handle posted to a ${label} frame of another origin is a messageerror there`);
}
