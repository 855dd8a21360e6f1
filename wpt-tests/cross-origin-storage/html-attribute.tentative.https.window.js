// META: title=Cross-Origin Storage: the crossoriginstorage attribute of <script> and <link>
// META: script=/common/get-host-info.sub.js
// META: script=resources/cos-helpers.js
// META: timeout=long
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 129 (spec.md §14), whatwg/html#12770: a <script> or <link> with integrity and a
// crossoriginstorage attribute (valueless or "" same-site, "*", or space-separated origins)
// loads the entry its integrity names from Cross-Origin Storage when the page may read it,
// with no request to the network, and otherwise loads from the network and stores what passes
// the integrity check. A hit is told from a network load by a URL the server does not have:
// only COS can answer it with the right bytes. wpt-tests/prefs.json turns the HTML and fetch()
// integrations on for this file.
"use strict";

const O = cosOrigins();
const KINDS = ["script", "module", "stylesheet"];

// Loads `entry` as `kind` from `url` here, with `attributes`.
function load(kind, entry, url, attributes) {
  return cosLoadElement(kind, url, attributes, entry.token);
}

// The attributes of an element that opts in with `scope` (a string; null: no attribute).
function optIn(entry, scope = "", more = {}) {
  const attributes = { integrity: cosIntegrity(entry.hash), ...more };
  if (scope !== null) {
    attributes.crossoriginstorage = scope;
  }
  return attributes;
}

function assertLoaded(result, description) {
  assert_equals(result.event, "load", `${description}: the load event`);
  assert_true(result.effect, `${description}: the resource took effect`);
}

function assertFailed(result, description) {
  assert_equals(result.event, "error", `${description}: the error event`);
  assert_false(result.effect, `${description}: the resource did not take effect`);
}

// --- Reading -------------------------------------------------------------------------------

for (const kind of KINDS) {
  promise_test(async () => {
    const entry = await cosDeclarativeEntry(kind);
    await cosStore(entry.hash, entry.bytes);
    assertLoaded(await load(kind, entry, cosMissingUrl(), optIn(entry)), "from COS");
  }, `${kind}: an entry stored imperatively is loaded, with no request to the network`);

  promise_test(async () => {
    const entry = await cosDeclarativeEntry(kind);
    await cosStore(entry.hash, entry.bytes);
    assertFailed(await load(kind, entry, cosMissingUrl(), optIn(entry, null)),
                 "integrity alone");
  }, `${kind}: without the attribute, Cross-Origin Storage is not read`);
}

promise_test(async () => {
  const entry = await cosDeclarativeEntry("script");
  await cosStore(entry.hash, entry.bytes);
  const element = document.createElement("script");
  element.setAttribute("integrity", cosIntegrity(entry.hash));
  element.crossOriginStorage = "*";
  assert_equals(element.getAttribute("crossoriginstorage"), "*", "the IDL attribute reflects");
  const result = await new Promise(resolve => {
    element.onload = () => resolve("load");
    element.onerror = () => resolve("error");
    element.src = cosMissingUrl();
    document.head.append(element);
  });
  assert_equals(result, "load", "set through the IDL attribute, it opts in");
  assert_true(self.cosRan.includes(entry.token), "the script ran");
  element.remove();
}, "script.crossOriginStorage reflects the content attribute");

promise_test(async () => {
  const entry = await cosDeclarativeEntry("module");
  await cosStore(entry.hash, entry.bytes);
  const result = await load("modulepreload", entry, cosMissingUrl(), optIn(entry));
  assert_equals(result.event, "load", "the preload is answered from COS");
}, "modulepreload: an entry stored imperatively is preloaded, with no request to the network");

promise_test(async t => {
  const entry = await cosDeclarativeEntry("script");
  await cosStore(entry.hash, entry.bytes);
  const hit = await load("preload", entry, cosMissingUrl(), optIn(entry, "", { as: "script" }));
  assert_equals(hit.event, "load", "a preload answered from COS");
  const plain = await load("preload", entry, cosMissingUrl(), optIn(entry, null, { as: "script" }));
  assert_equals(plain.event, "error", "without the attribute the server answers, with a 404");

  const other = await cosDeclarativeEntry("script");
  const url = cosBytesUrl(other.bytes, { type: "text/javascript" });
  const miss = await load("preload", other, url, optIn(other, "", { as: "script" }));
  assert_equals(miss.event, "load", "a miss preloads from the network");
  await cosStoredEventually(t, other.hash, other.bytes, "the preloaded resource");
  assertLoaded(await load("script", other, cosMissingUrl(), optIn(other)),
               "its consumer, answered from COS");
}, "preload: an entry is preloaded from Cross-Origin Storage, and a miss stores the resource");

promise_test(async () => {
  const entry = await cosDeclarativeEntry("script");
  await cosStore(entry.hash, entry.bytes);
  const url = cosMissingUrl(O.crossSite);
  assertLoaded(await load("script", entry, url, optIn(entry, "", { crossorigin: "anonymous" })),
               "a CORS request");
  const again = await cosDeclarativeEntry("script");
  await cosStore(again.hash, again.bytes);
  assertFailed(await load("script", again, url, optIn(again)), "a no-cors request");
}, "a cross-origin URL is answered for a CORS request, and left to the network for no-cors");

// --- Storing -------------------------------------------------------------------------------

for (const kind of KINDS) {
  promise_test(async t => {
    const entry = await cosDeclarativeEntry(kind);
    const url = cosBytesUrl(entry.bytes, { type: cosDeclarativeType(kind) });
    assertLoaded(await load(kind, entry, url, optIn(entry)), "from the network");
    await cosStoredEventually(t, entry.hash, entry.bytes, "the loaded resource");
    const response = await fetch(cosMissingUrl(), {
      integrity: cosIntegrity(entry.hash),
      crossOriginStorage: "",
    });
    assert_true(response.ok, "fetch() reads what the element stored");
    cosAssertBytes(new Uint8Array(await response.arrayBuffer()), entry.bytes, "fetch()'s body");
  }, `${kind}: a miss loads from the network and stores the resource for the other mechanisms`);

  promise_test(async t => {
    const entry = await cosDeclarativeEntry(kind);
    const response = await fetch(cosBytesUrl(entry.bytes), {
      integrity: cosIntegrity(entry.hash),
      crossOriginStorage: "",
    });
    await response.arrayBuffer();
    await cosStoredEventually(t, entry.hash, entry.bytes, "what fetch() stored");
    assertLoaded(await load(kind, entry, cosMissingUrl(), optIn(entry)), "from COS");
  }, `${kind}: an entry fetch() stored is loaded from Cross-Origin Storage`);
}

promise_test(async t => {
  const entry = await cosDeclarativeEntry("script");
  const declared = await cosDeclarativeEntry("script");
  const url = cosBytesUrl(entry.bytes, { type: "text/javascript" });
  const result = await load("script", entry, url, optIn(declared));
  assert_equals(result.event, "error", "an ordinary SRI failure");
  assert_false(result.effect, "the script did not run");
  await cosStoresSettled(t);
  await cosExpectAbsent(declared.hash, "the declared hash");
  await cosExpectAbsent(entry.hash, "the hash of what the server sent");
}, "an integrity mismatch fails the load and stores nothing");

promise_test(async t => {
  const entry = await cosDeclarativeEntry("stylesheet");
  const url = cosBytesUrl(entry.bytes, { type: "text/css" });
  assertLoaded(await load("stylesheet", entry, url, optIn(entry, null)), "integrity alone");
  await cosStoresSettled(t);
  await cosExpectAbsent(entry.hash, "a resource loaded with integrity alone");
}, "without the attribute, nothing is stored");

promise_test(async t => {
  const entry = await cosDeclarativeEntry("script");
  const url = cosBytesUrl(entry.bytes, { type: "text/javascript" });
  assertLoaded(await load("script", entry, url, { crossoriginstorage: "" }), "no integrity");
  await cosStoresSettled(t);
  await cosExpectAbsent(entry.hash, "a resource without integrity");
}, "without integrity the attribute does nothing: the load is an ordinary one");

// --- Bad input -----------------------------------------------------------------------------

for (const [label, attributes] of [
  ["integrity that is not base64", () => ({ integrity: "sha256-!!!" })],
  ["integrity with a digest of the wrong length", () => ({ integrity: "sha256-" + btoa("short") })],
  ["integrity with only a SHA-384 digest",
   () => ({ integrity: "sha384-" + btoa("x".repeat(48)) })],
]) {
  promise_test(async t => {
    const entry = await cosDeclarativeEntry("script");
    const url = cosBytesUrl(entry.bytes, { type: "text/javascript" });
    assertFailed(await load("script", entry, url, { ...attributes(), crossoriginstorage: "" }),
                 label);
    await cosStoresSettled(t);
    await cosExpectAbsent(entry.hash, "the resource");
  }, `${label} with the attribute fails the load, and nothing is stored`);
}

for (const scope of ["not-a-url", "https://a.test data:,x", "* https://a.test"]) {
  promise_test(async t => {
    const entry = await cosDeclarativeEntry("stylesheet");
    const url = cosBytesUrl(entry.bytes, { type: "text/css" });
    assertFailed(await load("stylesheet", entry, url, optIn(entry, scope)), scope);
    await cosStoresSettled(t);
    await cosExpectAbsent(entry.hash, "the resource");
  }, `the scope ${JSON.stringify(scope)} fails the load, and nothing is stored`);
}

// --- Scopes --------------------------------------------------------------------------------

// Attribute value, the resource's allow-origin header, who may read.
const SCOPES = [
  ["valueless (same-site)", "", undefined, { sameSite: true, crossSite: false, crossSite2: false }],
  ["a list naming the cross-site origin, allowed by the resource", O.crossSite, O.crossSite,
   { sameSite: true, crossSite: true, crossSite2: false }],
  ["a two-origin list, allowed by the resource", `${O.crossSite} ${O.crossSite2}`,
   `${O.crossSite}, ${O.crossSite2}`, { sameSite: true, crossSite: true, crossSite2: true }],
  ["a list naming the cross-site origin, without the resource's allow-origin header",
   O.crossSite, undefined, { sameSite: true, crossSite: false, crossSite2: false }],
  ["'*' for a hash not on the Public Hash List", "*", undefined,
   { sameSite: true, crossSite: false, crossSite2: false }],
];

for (const [label, scope, allow, expected] of SCOPES) {
  promise_test(async t => {
    const entry = await cosDeclarativeEntry("script");
    const url = cosBytesUrl(entry.bytes, { allow, type: "text/javascript" });
    assertLoaded(await load("script", entry, url, optIn(entry, scope)), "the storer");
    await cosStoredEventually(t, entry.hash, entry.bytes, "the storer's script");
    for (const who of ["sameSite", "crossSite", "crossSite2"]) {
      const reader = await cosOpenFrame(t, O[who]);
      const result = await reader.call("element", {
        kind: "script",
        url: cosMissingUrl(O[who]),
        attributes: optIn(entry),
        token: entry.token,
      });
      assert_true(result.ok, `${who} answered`);
      if (expected[who]) {
        assertLoaded(result.value, `${who} loads it from COS`);
      } else {
        assertFailed(result.value, `${who} goes to the network, a 404`);
      }
    }
  }, `a script stored with ${label}`);
}

// --- Policies ------------------------------------------------------------------------------

promise_test(async t => {
  const entry = await cosDeclarativeEntry("script");
  await cosStore(entry.hash, entry.bytes);
  const frame = await cosOpenFrame(t, O.self, { allow: "cross-origin-storage 'none'" });
  const fromStorage = await frame.call("element", {
    kind: "script", url: cosMissingUrl(), attributes: optIn(entry), token: entry.token,
  });
  assertFailed(fromStorage.value, "a blocked context never reads COS");

  const other = await cosDeclarativeEntry("script");
  const fromNetwork = await frame.call("element", {
    kind: "script",
    url: cosBytesUrl(other.bytes, { type: "text/javascript" }),
    attributes: optIn(other),
    token: other.token,
  });
  assertLoaded(fromNetwork.value, "the network still answers");
  await cosStoresSettled(t);
  await cosExpectAbsent(other.hash, "what a blocked context loaded");
}, "where Permissions Policy blocks Cross-Origin Storage, the attribute is as if absent");

// A frame at this origin with `policy` in force.
async function frameWithPolicy(t, policy) {
  const frame = await cosOpenFrame(t, O.self);
  assert_true((await frame.call("csp", { policy })).ok, "the policy is set");
  return frame;
}

promise_test(async t => {
  const entry = await cosDeclarativeEntry("script");
  await cosStore(entry.hash, entry.bytes);
  const style = await cosDeclarativeEntry("stylesheet");
  await cosStore(style.hash, style.bytes);
  const frame = await frameWithPolicy(t, "script-src 'self'; style-src 'self'");
  const load = (kind, resource, url, more) => frame.call("element", {
    kind, url, attributes: optIn(resource, "", more), token: resource.token,
  });
  assertFailed((await load("script", entry, cosMissingUrl())).value,
               "a script allowed by host: COS does not answer, the server has no such file");
  assertFailed((await load("stylesheet", style, cosMissingUrl())).value,
               "a style sheet allowed by host");
  assertFailed((await load("script", entry, cosMissingUrl(O.crossSite),
                           { crossorigin: "anonymous" })).value,
               "a script the policy blocks");
  const other = await cosDeclarativeEntry("script");
  assertLoaded((await load("script", other,
                           cosBytesUrl(other.bytes, { type: "text/javascript" }))).value,
               "the network still serves what the policy allows");
}, "under a policy that allows scripts and styles by host, Cross-Origin Storage does not " +
   "answer them");

promise_test(async t => {
  const entry = await cosDeclarativeEntry("script");
  await cosStore(entry.hash, entry.bytes);
  const frame = await frameWithPolicy(t, `script-src '${cosIntegrity(entry.hash)}'`);
  const result = await frame.call("element", {
    kind: "script", url: cosMissingUrl(), attributes: optIn(entry), token: entry.token,
  });
  assertLoaded(result.value, "a script the policy allows by its hash");
}, "under a policy that allows a script by its hash, Cross-Origin Storage answers it");

// --- What SRI and the fetch check --------------------------------------------------------

promise_test(async () => {
  const entry = await cosDeclarativeEntry("script");
  await cosStore(entry.hash, entry.bytes);
  const integrity = `sha384-${btoa("x".repeat(48))} ${cosIntegrity(entry.hash)}`;
  assertFailed(await load("script", entry, cosMissingUrl(), { integrity, crossoriginstorage: "" }),
               "SRI would check the SHA-384 digest, which no entry has");
}, "integrity that also lists a stronger digest is not answered from the SHA-256 entry");

promise_test(async () => {
  // Over 2 MiB: the file manager reads it in several chunks.
  const entry = await cosDeclarativeEntry("script", 2.5 * 1024 * 1024);
  await cosStore(entry.hash, entry.bytes);
  assertLoaded(await load("script", entry, cosMissingUrl(), optIn(entry)), "from COS");
}, "a script larger than one read chunk is loaded whole from Cross-Origin Storage");
