// META: global=window,dedicatedworker
// META: title=Cross-Origin Storage: request validation (TypeError)
// META: script=resources/cos-helpers.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 6, 7, 19-31 and the error table rows 1, 4-6 (spec.md §4, §18).
"use strict";

const VALID = "a".repeat(64);

function rejectsTypeError(t, hash, options, description) {
  const promise = cosRequest(hash, options);
  assert_true(promise instanceof Promise, "a promise, not a synchronous throw");
  return promise_rejects_js(t, TypeError, promise, description);
}

promise_test(t => rejectsTypeError(t, { algorithm: "SHA-256" }),
             "WebIDL: a hash without value");
promise_test(t => rejectsTypeError(t, { value: VALID }),
             "WebIDL: a hash without algorithm");
promise_test(t => rejectsTypeError(t, undefined), "WebIDL: no hash at all");

for (const create of [false, true]) {
  const suffix = create ? " (create)" : " (read)";
  promise_test(t => rejectsTypeError(t, cosHash(VALID, "md5"), { create }),
               "algorithm md5" + suffix);
  promise_test(t => rejectsTypeError(t, cosHash(VALID, "SHA-257"), { create }),
               "an unknown algorithm" + suffix);
  promise_test(t => rejectsTypeError(t, cosHash("a".repeat(63)), { create }),
               "a 63-character SHA-256 value" + suffix);
  promise_test(t => rejectsTypeError(t, cosHash("a".repeat(65)), { create }),
               "a 65-character SHA-256 value" + suffix);
  promise_test(t => rejectsTypeError(t, cosHash("A".repeat(64)), { create }),
               "uppercase hex" + suffix);
  promise_test(t => rejectsTypeError(t, cosHash("g" + "a".repeat(63)), { create }),
               "a non-hex character" + suffix);
  promise_test(t => rejectsTypeError(t, cosHash(""), { create }), "an empty value" + suffix);
  promise_test(t => rejectsTypeError(t, cosHash(VALID), { create, origins: "not a url" }),
               "origins: an unparseable string" + suffix);
  promise_test(t => rejectsTypeError(
      t, cosHash(VALID), { create, origins: [location.origin, "https://"] }),
      "origins: a list with one unparseable entry" + suffix);
  promise_test(t => rejectsTypeError(t, cosHash(VALID), { create, origins: ["data:text/plain,hi"] }),
               "origins: an opaque origin" + suffix);
  promise_test(t => {
    const origins = Array.from({ length: 1000 }, (_, i) => `https://o${i}.example`);
    return rejectsTypeError(t, cosHash(VALID), { create, origins });
  }, "origins: 1000 entries, above the maximum" + suffix);
  // Our stricter rule (Q15): every algorithm's length is checked, since value becomes a path.
  promise_test(t => rejectsTypeError(t, cosHash(VALID, "SHA-384"), { create }),
               "SHA-384 with a 64-character value" + suffix);
  promise_test(t => rejectsTypeError(t, cosHash("../../x", "SHA-1"), { create }),
               "SHA-1 with a path-like value" + suffix);
}

promise_test(async t => {
  // Validation runs in spec order but every failure is a TypeError: a bad algorithm together
  // with a bad value and bad origins must still be a TypeError, not a NotFoundError.
  await rejectsTypeError(t, cosHash("XYZ", "md5"), { origins: "::" });
}, "several invalid members at once");

promise_test(async t => {
  const { bytes, hash } = await cosEntry();
  await rejectsTypeError(t, hash, { create: true, origins: ["data:text/plain,hi"] });
  await promise_rejects_dom(t, "NotFoundError", cosRequest(hash));
  // A later valid create and write of the same hash works.
  await cosStore(hash, bytes);
  cosAssertBytes(await cosRead(hash), bytes);
}, "a create that fails validation registers nothing");

for (const [algorithm, length] of [["SHA-1", 40], ["SHA-384", 96], ["SHA-512", 128]]) {
  promise_test(async t => {
    const value = cosHex(cosRandomBytes(length / 2));
    await promise_rejects_dom(t, "NotFoundError", cosRequest(cosHash(value, algorithm)));
  }, `a well-formed ${algorithm} hash is valid (a miss is NotFoundError)`);
}

promise_test(async t => {
  await promise_rejects_dom(t, "NotFoundError", cosRequest(cosMissingHash(), { origins: "*" }));
  await promise_rejects_dom(t, "NotFoundError",
                            cosRequest(cosMissingHash(), { origins: [location.origin] }));
  await promise_rejects_dom(t, "NotFoundError", cosRequest(cosMissingHash(), { origins: [] }));
}, "valid origins on a read are accepted (a miss is NotFoundError)");
