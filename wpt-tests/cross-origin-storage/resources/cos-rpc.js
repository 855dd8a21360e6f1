// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// The serving side of the cos-helpers.js RPC, for frames and workers at other origins:
// {id, op, args} -> {id, ok, name, message, value}. Plain postMessage: no server state needed.

"use strict";

const cosOps = {
  async hello() {
    return { origin: self.origin, exposed: "crossOriginStorage" in navigator };
  },
  async store({ hash, bytes, options, method }) {
    await cosStore(hash, bytes, options, method);
    return true;
  },
  async read({ hash, options, method }) {
    return cosRead(hash, options, method);
  },
  // fetch(url, init) here: the status and the body's bytes, or the fetch's error.
  async fetch({ url, init }) {
    const response = await fetch(url, init);
    return { status: response.status, bytes: new Uint8Array(await response.arrayBuffer()) };
  },
  // Puts `policy` in force here with a <meta http-equiv=Content-Security-Policy>, after this
  // document's own scripts ran.
  async csp({ policy }) {
    const meta = document.createElement("meta");
    meta.httpEquiv = "Content-Security-Policy";
    meta.content = policy;
    document.head.append(meta);
    return true;
  },
  // Loads a resource with an element here (cos-helpers.js cosLoadElement()).
  async element({ kind, url, attributes, token }) {
    return cosLoadElement(kind, url, attributes, token);
  },
  // Runs `op` in a dedicated worker this context creates (from a blob: URL when `blob`), and
  // answers with its reply: what a worker inherits from its creator.
  async inWorker({ op, args, blob = false }) {
    const worker = new Worker(blob ? cosBlobWorkerUrl() : new URL("cos-worker.js", COS_RESOURCES));
    try {
      const client = cosRpcClient(msg => worker.postMessage(msg), worker, () => true);
      return await client.call(op, args);
    } finally {
      worker.terminate();
    }
  },
  // Keeps a handle that arrived in a message under `key`, for later ops.
  async hold({ key, handle }) {
    cosHeld.set(key, handle);
    return { kind: handle.kind, name: handle.name };
  },
  // The bytes of the file of the handle held under `key`.
  async readHeld({ key }) {
    return cosFileBytes(cosHeld.get(key));
  },
  // Writes `bytes` through the handle held under `key` (a create handle).
  async writeHeld({ key, bytes }) {
    const writable = await cosHeld.get(key).createWritable();
    await writable.write(bytes);
    await writable.close();
    return true;
  },
  // Runs `op` in the shared worker `name` (cos-shared-worker.js), which this context joins as
  // an owner (starting it if none of that name runs), and answers with its reply.
  async inSharedWorker({ name, op, args }) {
    const { worker, client } = cosOpenSharedWorker(name);
    cosSharedWorkers.push(worker);  // this context stays an owner while it lives
    return client.call(op, args);
  },
};

const cosSharedWorkers = [];

// A blob: URL of a worker that serves this protocol. A blob: worker's location cannot resolve
// relative URLs, so it is told where the resources are.
function cosBlobWorkerUrl() {
  const base = COS_RESOURCES;
  const source = `self.COS_RESOURCES_BASE = ${JSON.stringify(base)};\n` +
                 `importScripts(${JSON.stringify(base + "cos-helpers.js")}, ` +
                 `${JSON.stringify(base + "cos-rpc.js")});\n` +
                 "cosServe(self, data => self.postMessage(data));\n";
  return URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
}
const cosHeld = new Map();

function cosServe(events, reply) {
  // A message this context could not deserialize (a handle of another origin, say) has no id
  // to answer; it is reported as such.
  events.addEventListener("messageerror", () => reply({ messageerror: true }));
  events.addEventListener("message", async e => {
    const { id, op, args } = e.data || {};
    if (!id || !(op in cosOps)) {
      return;
    }
    try {
      reply({ id, ok: true, value: await cosOps[op](args) });
    } catch (err) {
      reply({ id, ok: false, name: err && err.name, message: String(err && err.message) });
    }
  });
}
