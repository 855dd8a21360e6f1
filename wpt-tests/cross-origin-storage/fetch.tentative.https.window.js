// META: title=Cross-Origin Storage: fetch() with crossOriginStorage
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 125-128 and 130 (spec.md §14), whatwg/fetch#1954: fetch(url, {integrity,
// crossOriginStorage}) reads the entry the integrity names when the caller may, with no
// request to the network, and otherwise stores what the network gives once its integrity
// checks out, with the declared scope. Entries are shared with the imperative API both ways.
// A hit is told from a network response by fetching a URL that does not exist: only COS can
// answer it with the right bytes.
"use strict";

const O = cosOrigins();
async function fetchBytes(url, init) {
  const response = await fetch(url, init);
  return { response, bytes: new Uint8Array(await response.arrayBuffer()) };
}

// --- Reading ------------------------------------------------------------------------------

promise_test(async () => {
  const { bytes, hash } = await cosEntry(4096);
  await cosStore(hash, bytes);
  const { response, bytes: body } = await fetchBytes(cosMissingUrl(), {
    integrity: cosIntegrity(hash),
    crossOriginStorage: "",
  });
  assert_true(response.ok, "ok");
  assert_equals(response.status, 200, "status");
  cosAssertBytes(body, bytes, "the body");
  for (const name of ["etag", "last-modified", "age", "server", "content-type"]) {
    assert_equals(response.headers.get(name), null, `no ${name} header`);
  }
}, "an entry stored imperatively answers the fetch, with no request to the network");

promise_test(async () => {
  const { bytes, hash } = await cosEntry(512);
  await cosStore(hash, bytes);
  const response = await fetch(cosMissingUrl(), {
    integrity: cosIntegrity(hash),
    crossOriginStorage: { contentType: "application/wasm" },
  });
  assert_equals(response.headers.get("content-type"), "application/wasm");
  assert_true(response.body instanceof ReadableStream, "the body is a stream");
  cosAssertBytes(new Uint8Array(await response.arrayBuffer()), bytes, "the body");
}, "contentType gives a response from Cross-Origin Storage its Content-Type");

promise_test(async t => {
  const { bytes, hash } = await cosEntry(2048);
  await cosStore(hash, bytes);
  await promise_rejects_js(t, TypeError,
                           fetch(cosMissingUrl(), { integrity: cosIntegrity(hash) }));
}, "integrity without crossOriginStorage does not read Cross-Origin Storage");

// --- Storing ------------------------------------------------------------------------------

promise_test(async t => {
  const { bytes, hash } = await cosEntry(3000);
  const { response, bytes: body } = await fetchBytes(cosBytesUrl(bytes), {
    integrity: cosIntegrity(hash),
    crossOriginStorage: "",
  });
  assert_true(response.ok, "the network response");
  assert_equals(response.headers.get("etag"), "\"cos-bytes\"", "came from the network");
  cosAssertBytes(body, bytes, "the network body");
  await cosStoredEventually(t, hash, bytes, "the fetched resource");
  const again = await fetchBytes(cosMissingUrl(), {
    integrity: cosIntegrity(hash),
    crossOriginStorage: "",
  });
  assert_true(again.response.ok, "a later fetch is answered from Cross-Origin Storage");
  cosAssertBytes(again.bytes, bytes, "the stored body");
}, "a miss fetches from the network and stores the resource for the imperative API and fetch");

promise_test(async t => {
  // 2 MiB and a little, sent as 4099 bytes repeated: a URL cannot carry it all.
  const unit = cosRandomBytes(4099);
  const repeat = 512;
  const bytes = new Uint8Array(unit.length * repeat);
  for (let i = 0; i < repeat; i++) {
    bytes.set(unit, i * unit.length);
  }
  const hash = cosHash(await cosSha256Hex(bytes));
  const { bytes: body } = await fetchBytes(cosBytesUrl(unit, { repeat }), {
    integrity: cosIntegrity(hash),
    crossOriginStorage: "",
  });
  cosAssertBytes(body, bytes, "the network body");
  await cosStoredEventually(t, hash, bytes, "a body of several chunks");
}, "a body larger than one chunk is stored whole");

promise_test(async t => {
  const { bytes, hash } = await cosEntry(1500);
  const declared = await cosEntry(1500);
  await promise_rejects_js(t, TypeError, fetch(cosBytesUrl(bytes), {
    integrity: cosIntegrity(declared.hash),
    crossOriginStorage: "",
  }));
  await cosStoresSettled(t);
  await cosExpectAbsent(declared.hash, "the declared hash");
  await cosExpectAbsent(hash, "the hash of what the server sent");
}, "an integrity mismatch rejects with TypeError and stores nothing");

promise_test(async t => {
  const { bytes, hash } = await cosEntry(1500);
  const response = await fetch(cosBytesUrl(bytes), { integrity: cosIntegrity(hash) });
  assert_true(response.ok, "the fetch itself succeeds");
  await response.arrayBuffer();
  await cosStoresSettled(t);
  await cosExpectAbsent(hash, "a resource fetched with integrity alone");
}, "integrity without crossOriginStorage stores nothing");

promise_test(async t => {
  const { bytes, hash } = await cosEntry(700);
  const url = new URL(cosBytesUrl(bytes));
  url.searchParams.set("status", "404");
  const response = await fetch(url.href, { integrity: cosIntegrity(hash), crossOriginStorage: "" });
  assert_equals(response.status, 404, "the server's answer");
  await response.arrayBuffer();
  await cosStoresSettled(t);
  await cosExpectAbsent(hash, "a 404 response");
}, "a response that is not ok is not stored, even with matching bytes");

// --- Bad input ----------------------------------------------------------------------------

promise_test(async t => {
  const { bytes } = await cosEntry(100);
  await promise_rejects_js(t, TypeError, fetch(cosBytesUrl(bytes), { crossOriginStorage: "" }));
}, "crossOriginStorage without integrity is a TypeError");

for (const [label, init] of [
  ["integrity that is not base64", hash => ({ integrity: "sha256-!!!", crossOriginStorage: "" })],
  ["integrity with a digest of the wrong length",
   hash => ({ integrity: "sha256-" + btoa("short"), crossOriginStorage: "" })],
  ["integrity with only a SHA-384 digest",
   hash => ({ integrity: "sha384-" + btoa("x".repeat(48)), crossOriginStorage: "" })],
  ["an origins list with something that is not a URL",
   hash => ({ integrity: cosIntegrity(hash), crossOriginStorage: ["not a url"] })],
  ["origins in the dictionary form that are not a URL",
   hash => ({ integrity: cosIntegrity(hash), crossOriginStorage: { origins: "not a url" } })],
  ["a contentType that is not a header value",
   hash => ({
     integrity: cosIntegrity(hash),
     crossOriginStorage: { contentType: "text/plain\nX: y" },
   })],
]) {
  promise_test(async t => {
    const { bytes, hash } = await cosEntry(300);
    await promise_rejects_js(t, TypeError, fetch(cosBytesUrl(bytes), init(hash)));
    await cosStoresSettled(t);
    await cosExpectAbsent(hash, "the resource");
  }, `${label} is a TypeError, and nothing is stored`);
}

// --- Scopes -------------------------------------------------------------------------------

// crossOriginStorage value, the fetched resource's allow-origin header, who may read.
const SCOPES = [
  ["'' (same-site)", "", undefined, { sameSite: true, crossSite: false, crossSite2: false }],
  ["a list naming the cross-site origin, allowed by the resource", [O.crossSite], O.crossSite,
   { sameSite: true, crossSite: true, crossSite2: false }],
  ["a list naming the cross-site origin, without the resource's allow-origin header",
   [O.crossSite], undefined, { sameSite: true, crossSite: false, crossSite2: false }],
  ["the dictionary form with a list", { origins: [O.crossSite] }, O.crossSite,
   { sameSite: true, crossSite: true, crossSite2: false }],
  ["'*' for a hash not on the Public Hash List", "*", undefined,
   { sameSite: true, crossSite: false, crossSite2: false }],
];

for (const [label, scope, allow, expected] of SCOPES) {
  promise_test(async t => {
    const { bytes, hash } = await cosEntry(1024);
    const response = await fetch(cosBytesUrl(bytes, { allow }), {
      integrity: cosIntegrity(hash),
      crossOriginStorage: scope,
    });
    await response.arrayBuffer();
    await cosStoredEventually(t, hash, bytes, "the storer");
    for (const who of ["sameSite", "crossSite", "crossSite2"]) {
      const reader = await cosOpenFrame(t, O[who]);
      const read = await reader.read(hash);
      const fetched = await reader.call("fetch", {
        url: cosMissingUrl(O[who]),
        init: { integrity: cosIntegrity(hash), crossOriginStorage: "" },
      });
      if (expected[who]) {
        assert_true(read.ok, `${who} reads it imperatively (got ${read.name})`);
        cosAssertBytes(read.value, bytes, who);
        assert_true(fetched.ok, `${who} fetches it from Cross-Origin Storage`);
        cosAssertBytes(fetched.value.bytes, bytes, `${who}'s fetch`);
      } else {
        assert_equals(read.name, "NotFoundError", `${who} cannot read it`);
        assert_equals(fetched.name, "TypeError", `${who}'s fetch goes to the network, a 404`);
      }
    }
  }, `a resource stored by fetch() with ${label}`);
}

// --- Permissions Policy ---------------------------------------------------------------------

promise_test(async t => {
  const { bytes, hash } = await cosEntry(900);
  await cosStore(hash, bytes);
  const frame = await cosOpenFrame(t, O.self, { allow: "cross-origin-storage 'none'" });
  const fromStorage = await frame.call("fetch", {
    url: cosMissingUrl(),
    init: { integrity: cosIntegrity(hash), crossOriginStorage: "" },
  });
  assert_equals(fromStorage.name, "TypeError", "a blocked context never reads COS");

  const other = await cosEntry(900);
  const fromNetwork = await frame.call("fetch", {
    url: cosBytesUrl(other.bytes),
    init: { integrity: cosIntegrity(other.hash), crossOriginStorage: "" },
  });
  assert_true(fromNetwork.ok, "the network still answers");
  cosAssertBytes(fromNetwork.value.bytes, other.bytes, "the network body");
  await cosStoresSettled(t);
  await cosExpectAbsent(other.hash, "what a blocked context fetched");
}, "where Permissions Policy blocks Cross-Origin Storage, fetch() behaves as without the member");

// --- Checks a network fetch makes before it sends anything ----------------------------------

promise_test(async t => {
  const { bytes, hash } = await cosEntry(800);
  await cosStore(hash, bytes);
  const frame = await cosOpenFrame(t, O.self, {
    headers: [["Content-Security-Policy", "connect-src 'self'"]],
  });
  const init = { integrity: cosIntegrity(hash), crossOriginStorage: "" };
  const blocked = await frame.call("fetch", { url: cosMissingUrl(O.crossSite), init });
  assert_equals(blocked.name, "TypeError", "a URL the policy blocks is not answered from COS");
  const allowed = await frame.call("fetch", { url: cosMissingUrl(), init });
  assert_true(allowed.ok, "a URL the policy allows is");
  cosAssertBytes(allowed.value.bytes, bytes, "the body");
}, "Content Security Policy applies to a fetch Cross-Origin Storage would answer");

promise_test(async t => {
  const { bytes, hash } = await cosEntry(800);
  await cosStore(hash, bytes);
  const init = { integrity: cosIntegrity(hash), crossOriginStorage: "", mode: "no-cors" };
  await promise_rejects_js(t, TypeError, fetch(cosMissingUrl(O.crossSite), init),
                           "a cross-origin no-cors fetch is the network's: its 404 fails SRI");
  const sameOrigin = await fetch(cosMissingUrl(), init);
  assert_true(sameOrigin.ok, "a same-origin no-cors fetch is answered from COS");
  cosAssertBytes(new Uint8Array(await sameOrigin.arrayBuffer()), bytes, "the body");
}, "a cross-origin no-cors fetch is left to the network");

promise_test(async t => {
  const { bytes, hash } = await cosEntry(600);
  await cosStore(hash, bytes);
  const init = { integrity: cosIntegrity(hash), crossOriginStorage: "" };
  await promise_rejects_js(t, TypeError, fetch(cosMissingUrl(), { ...init, method: "POST",
                                                                  body: "x" }),
                           "a POST is the server's to answer: a 404");
  await promise_rejects_js(t, TypeError,
                           fetch(cosMissingUrl(O.crossSite), { ...init, mode: "same-origin" }),
                           "a cross-origin URL in same-origin mode is a network error");
  await promise_rejects_js(t, TypeError, fetch(cosMissingUrl(), {
    integrity: `sha384-${btoa("x".repeat(48))} ${cosIntegrity(hash)}`,
    crossOriginStorage: "",
  }), "integrity that also lists a stronger digest, which SRI would check instead");
}, "Cross-Origin Storage answers only a GET, in a mode the URL allows, with SHA-256 as the " +
   "strongest digest");

promise_test(async () => {
  const { bytes, hash } = await cosEntry(600);
  await cosStore(hash, bytes);
  const init = { integrity: cosIntegrity(hash), crossOriginStorage: "" };
  const same = await fetch(cosMissingUrl(), init);
  assert_equals(same.type, "basic", "a same-origin answer");
  const url = cosMissingUrl(O.crossSite);
  const cross = await fetch(url, init);
  assert_equals(cross.type, "cors", "a cross-origin answer to a CORS request");
  assert_equals(cross.url, url, "its URL");
  cosAssertBytes(new Uint8Array(await cross.arrayBuffer()), bytes, "its body");
}, "a response from Cross-Origin Storage is typed as the network's would be");

promise_test(async () => {
  // (module (func (export "f") (result i32) (i32.const 7)))
  const hex = "0061736d01000000" + "0105016000017f" + "03020100" + "07050101660000" +
              "0a0601040041070b";
  const wasm = Uint8Array.from(hex.match(/../g), pair => parseInt(pair, 16));
  const hash = cosHash(await cosSha256Hex(wasm));
  await cosStore(hash, wasm);
  const { instance } = await WebAssembly.instantiateStreaming(fetch(cosMissingUrl(), {
    integrity: cosIntegrity(hash),
    crossOriginStorage: { contentType: "application/wasm" },
  }));
  assert_equals(instance.exports.f(), 7, "the module from Cross-Origin Storage runs");
}, "WebAssembly.instantiateStreaming() takes a response from Cross-Origin Storage");
