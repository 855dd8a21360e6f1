// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Shared helpers for the Cross-Origin Storage tests (Window and workers).
// Spec: WICG/cross-origin-storage index.bs 0a03d54d plus the newer register-nothing model
// (implementation notes a11c7666); see spec.md in the project docs.
//
// Each test makes fresh random bytes, so tests never depend on one another's entries.
// The method under test (getFileHandle or requestFileHandle) comes from ?method= (META variant).

"use strict";

const COS_METHOD = new URLSearchParams(self.location.search).get("method") || "getFileHandle";
const COS_EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// This directory's URL: from the script element in a window, from the location in a worker
// (a test in the parent directory or a worker script in here), preset in blob: workers.
const COS_RESOURCES = (() => {
  if (self.COS_RESOURCES_BASE) {
    return self.COS_RESOURCES_BASE;
  }
  if (self.document && document.currentScript) {
    return new URL(".", document.currentScript.src).href;
  }
  const inHere = /\/resources\/[^/]*$/.test(self.location.pathname);
  return new URL(inHere ? "./" : "resources/", self.location.href).href;
})();

function cosRequest(hash, options, method = COS_METHOD) {
  return navigator.crossOriginStorage[method](hash, options);
}

function cosRandomBytes(length) {
  const bytes = new Uint8Array(length);
  // getRandomValues fills at most 65536 bytes per call.
  for (let i = 0; i < length; i += 65536) {
    crypto.getRandomValues(bytes.subarray(i, Math.min(length, i + 65536)));
  }
  return bytes;
}

function cosHex(buffer) {
  return Array.from(new Uint8Array(buffer), b => b.toString(16).padStart(2, "0")).join("");
}

async function cosSha256Hex(data) {
  if (typeof data === "string") {
    data = new TextEncoder().encode(data);
  } else if (data instanceof Blob) {
    data = await data.arrayBuffer();
  }
  return cosHex(await crypto.subtle.digest("SHA-256", data));
}

function cosHash(value, algorithm = "SHA-256") {
  return { algorithm, value };
}

// Fresh random content and its hash: {bytes, hash}.
async function cosEntry(length = 1024) {
  const bytes = cosRandomBytes(length);
  return { bytes, hash: cosHash(await cosSha256Hex(bytes)) };
}

// The Subresource Integrity metadata that names a COS hash: SRI writes the digest in base64.
function cosIntegrity(hash) {
  let binary = "";
  for (let i = 0; i < hash.value.length; i += 2) {
    binary += String.fromCharCode(parseInt(hash.value.slice(i, i + 2), 16));
  }
  return "sha256-" + btoa(binary);
}

// A URL at `origin` that the server does not have (a 404): only COS can answer a fetch of it
// with the bytes of an entry.
function cosMissingUrl(origin = self.location.origin) {
  return new URL(new URL(COS_RESOURCES).pathname + "not-here-" + cosHex(cosRandomBytes(8)),
                 origin).href;
}

// A URL at `origin` that serves `bytes` (resources/cos-bytes.py), `repeat` times over; `allow`
// becomes its Cross-Origin-Storage-Allow-Origin header and `type` its Content-Type.
function cosBytesUrl(bytes, { origin = self.location.origin, allow, repeat, type } = {}) {
  const url = new URL(new URL(COS_RESOURCES).pathname + "cos-bytes.py", origin);
  url.searchParams.set("hex", cosHex(bytes));
  for (const [name, value] of Object.entries({ allow, repeat, type })) {
    if (value !== undefined) {
      url.searchParams.set(name, value);
    }
  }
  return url.href;
}

// A well-formed SHA-256 hash of fresh random bytes that nobody stores.
function cosMissingHash() {
  return cosHash(cosHex(cosRandomBytes(32)));
}

// `count` fresh entries, each stored with `options`: [{bytes, hash}].
async function cosStoreEntries(count, options = {}) {
  const entries = [];
  for (let i = 0; i < count; i++) {
    const entry = await cosEntry();
    await cosStore(entry.hash, entry.bytes, options);
    entries.push(entry);
  }
  return entries;
}

// create -> createWritable -> write each chunk -> close. Resolves with the create handle.
async function cosStore(hash, chunks, options = {}, method = COS_METHOD) {
  const handle = await cosRequest(hash, { ...options, create: true }, method);
  const writable = await handle.createWritable();
  for (const chunk of Array.isArray(chunks) ? chunks : [chunks]) {
    await writable.write(chunk);
  }
  await writable.close();
  return handle;
}

async function cosFileBytes(handle) {
  const file = await handle.getFile();
  return new Uint8Array(await file.arrayBuffer());
}

// A read request and the bytes of its file.
async function cosRead(hash, options = {}, method = COS_METHOD) {
  return cosFileBytes(await cosRequest(hash, options, method));
}

// Compares byte arrays without building a huge message (64 MiB payloads).
// Stores `bytes` (or the UTF-8 of a string) and returns a File of the entry from getFile():
// {bytes, hash, file}.
async function cosStoredBytes(bytes) {
  if (typeof bytes === "string") {
    bytes = new TextEncoder().encode(bytes);
  }
  const hash = cosHash(await cosSha256Hex(bytes));
  await cosStore(hash, bytes);
  return { bytes, hash, file: await (await cosRequest(hash)).getFile() };
}

// A stored entry of `length` fresh random bytes, as `cosStoredBytes`.
function cosStoredFile(length) {
  return cosStoredBytes(cosRandomBytes(length));
}

// The concatenation of byte arrays.
function cosConcat(parts) {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function cosAssertBytes(actual, expected, description = "bytes") {
  actual = new Uint8Array(actual);
  expected = new Uint8Array(expected);
  assert_equals(actual.length, expected.length, `${description}: length`);
  let first = -1;
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) {
      first = i;
      break;
    }
  }
  assert_equals(first, -1, `${description}: index of the first differing byte`);
}

// Runs `op` and returns its error's name, or "ok" when it resolves.
async function cosOutcome(promise) {
  try {
    await promise;
    return "ok";
  } catch (e) {
    return e && e.name;
  }
}

// --- What the declarative opt-ins store ----------------------------------------------------

// Resolves once the imperative API reads `bytes` under `hash`: a declarative store completes
// after the load that made it.
async function cosStoredEventually(t, hash, bytes, description) {
  for (let attempt = 0; attempt < 200; attempt++) {
    let read;
    try {
      read = await cosRead(hash);
    } catch (e) {
      assert_equals(e.name, "NotFoundError", `${description}: only absent until stored`);
      await new Promise(resolve => t.step_timeout(resolve, 50));
      continue;
    }
    cosAssertBytes(read, bytes, description);
    return;
  }
  assert_unreached(`${description}: never stored`);
}

// Waits until every store started before it has been handled: the storage thread answers in
// order, so once a later fetch's entry is stored, an earlier one that was to be stored is too.
// Needs fetch()'s crossOriginStorage member.
async function cosStoresSettled(t) {
  const { bytes, hash } = await cosEntry(64);
  await fetch(cosBytesUrl(bytes), { integrity: cosIntegrity(hash), crossOriginStorage: "" });
  await cosStoredEventually(t, hash, bytes, "the barrier entry");
}

async function cosExpectAbsent(hash, description) {
  assert_equals(await cosOutcome(cosRead(hash)), "NotFoundError", `${description} is not stored`);
}

// The bytes of a resource of `kind` ("script", "module", "stylesheet" or "modulepreload")
// whose effect is marked by a fresh token, with their hash: a script records the token in
// self.cosRan when it runs, a style sheet gives elements of class token a 37px left margin.
// `padding` bytes of comment make it as large as a test needs.
async function cosDeclarativeEntry(kind, padding = 0) {
  const token = "t" + cosHex(cosRandomBytes(8));
  const comment = padding ? `/*${"x".repeat(padding)}*/\n` : "";
  const text = comment + (kind === "stylesheet"
    ? `.${token} { margin-left: 37px; }\n`
    : `(self.cosRan ??= []).push(${JSON.stringify(token)});\n`);
  const bytes = new TextEncoder().encode(text);
  return { token, bytes, hash: cosHash(await cosSha256Hex(bytes)) };
}

// The Content-Type a server gives a resource of `kind`.
function cosDeclarativeType(kind) {
  return kind === "stylesheet" ? "text/css" : "text/javascript";
}

// Adds the element that loads a resource of `kind` from `url`, with the other `attributes`,
// and resolves with the event it fired ("load" or "error") and whether the resource took
// effect: the script ran (a module preload never runs) or the style sheet applies.
async function cosLoadElement(kind, url, attributes, token) {
  const isScript = kind === "script" || kind === "module";
  const element = document.createElement(isScript ? "script" : "link");
  if (kind === "module") {
    element.type = "module";
  }
  if (!isScript) {
    element.rel = kind;
  }
  for (const [name, value] of Object.entries(attributes)) {
    element.setAttribute(name, value);
  }
  element.setAttribute(isScript ? "src" : "href", url);
  const event = await new Promise(resolve => {
    element.onload = () => resolve("load");
    element.onerror = () => resolve("error");
    document.head.append(element);
  });
  let effect = (self.cosRan || []).includes(token);
  if (kind === "stylesheet") {
    const probe = document.createElement("div");
    probe.className = token;
    document.body.append(probe);
    effect = getComputedStyle(probe).marginLeft === "37px";
    probe.remove();
  }
  element.remove();
  return { event, effect };
}

// --- Other origins: frames and workers speaking the cos-rpc.js protocol ---------------------

function cosRpcClient(post, events, accept) {
  let next = 0;
  const pending = new Map();
  events.addEventListener("message", e => {
    if (!accept(e) || !e.data || !pending.has(e.data.id)) {
      return;
    }
    pending.get(e.data.id)(e.data);
    pending.delete(e.data.id);
  });
  return {
    // Resolves with {ok, name, message, value}; never rejects, so tests assert on the reply.
    call(op, args = {}) {
      const id = ++next;
      return new Promise(resolve => {
        pending.set(id, resolve);
        post({ id, op, args: { method: COS_METHOD, ...args } });
      });
    },
    store(hash, bytes, options = {}) { return this.call("store", { hash, bytes, options }); },
    read(hash, options = {}) { return this.call("read", { hash, options }); },
  };
}

// An iframe at `origin` running resources/cos-frame.html. Options:
//   ceiling: replaces the frame's Cross-Origin-Storage-Allow-Origin header (null: no value);
//   headers: more [name, value] response headers (wptserve's header() pipe);
//   allow: the iframe's allow attribute (default "cross-origin-storage"; null: none);
//   sandbox: a sandbox attribute value (the frame's origin is then opaque, "null").
async function cosOpenFrame(t, origin, { ceiling, headers = [], allow = "cross-origin-storage",
                                         sandbox } = {}) {
  let url = origin + new URL("cos-frame.html", COS_RESOURCES).pathname;
  const pipes = [];
  if (ceiling !== undefined) {
    pipes.push(["Cross-Origin-Storage-Allow-Origin", ceiling === null ? "" : ceiling]);
  }
  pipes.push(...headers);
  if (pipes.length) {
    // Commas inside a pipe argument need a backslash.
    const esc = v => v.replace(/\\/g, "\\\\").replace(/,/g, "\\,").replace(/\)/g, "\\)");
    url += "?pipe=" + encodeURIComponent(
        pipes.map(([name, value]) => `header(${esc(name)},${esc(value)})`).join("|"));
  }
  const frame = document.createElement("iframe");
  if (allow !== null) {
    frame.setAttribute("allow", allow);
  }
  if (sandbox !== undefined) {
    frame.setAttribute("sandbox", sandbox);
  }
  const ready = new Promise((resolve, reject) => {
    const timer = t.step_timeout(() => reject(new Error(`${url} did not load`)), 15000);
    window.addEventListener("message", function listener(e) {
      if (e.source === frame.contentWindow && e.data && e.data.ready) {
        clearTimeout(timer);
        window.removeEventListener("message", listener);
        resolve(e.data);
      }
    });
  });
  frame.src = url;
  document.body.append(frame);
  t.add_cleanup(() => frame.remove());
  const hello = await ready;
  assert_equals(hello.origin, sandbox === undefined ? origin : "null",
                "the frame runs at the expected origin");
  return cosRpcClient(msg => frame.contentWindow.postMessage(msg, "*"), window,
                      e => e.source === frame.contentWindow);
}

// A top-level window at `origin` running resources/cos-frame.html, opened with window.open():
// a page that is its own top level, where a frame's top level is this test's.
async function cosOpenWindow(t, origin) {
  const url = origin + new URL("cos-frame.html", COS_RESOURCES).pathname;
  let opened = null;
  const ready = new Promise((resolve, reject) => {
    const timer = t.step_timeout(() => reject(new Error(`${url} did not open`)), 15000);
    window.addEventListener("message", function listener(e) {
      if (opened && e.source === opened && e.data && e.data.ready) {
        clearTimeout(timer);
        window.removeEventListener("message", listener);
        resolve(e.data);
      }
    });
  });
  opened = window.open(url, "_blank");
  assert_not_equals(opened, null, "window.open() opened a window");
  t.add_cleanup(() => opened.close());
  const hello = await ready;
  assert_equals(hello.origin, origin, "the window runs at the expected origin");
  return cosRpcClient(msg => opened.postMessage(msg, "*"), window, e => e.source === opened);
}

// A dedicated worker running resources/cos-worker.js (or `url`).
async function cosOpenWorker(t, url = new URL("cos-worker.js", COS_RESOURCES).href) {
  const worker = new Worker(url);
  t.add_cleanup(() => worker.terminate());
  const client = cosRpcClient(msg => worker.postMessage(msg), worker, () => true);
  const hello = await client.call("hello");
  assert_true(hello.ok, "the worker answers");
  return client;
}

// The shared worker `name` running resources/cos-shared-worker.js: every context of one origin
// (under one top level) that opens the same name joins the same worker as one of its owners.
function cosOpenSharedWorker(name) {
  const worker = new SharedWorker(new URL("cos-shared-worker.js", COS_RESOURCES).href, name);
  worker.port.start();
  return { worker, client: cosRpcClient(msg => worker.port.postMessage(msg), worker.port,
                                        () => true) };
}

// The four vantage points the disclosure tests use (get-host-info.sub.js must be loaded).
function cosOrigins() {
  const info = get_host_info();
  return {
    self: info.HTTPS_ORIGIN,                       // the storer (this document)
    sameSite: info.HTTPS_REMOTE_ORIGIN,            // www1.web-platform.test: same site
    crossSite: info.HTTPS_NOTSAMESITE_ORIGIN,      // not-web-platform.test: cross site
    crossSite2: "https://www1." + info.NOTSAMESITE_HOST + ":" + info.HTTPS_PORT,  // unlisted
  };
}
