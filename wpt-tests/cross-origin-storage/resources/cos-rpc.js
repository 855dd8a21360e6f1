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
  // Runs `op` in a dedicated worker this context creates, and answers with its reply: what a
  // worker inherits from its creator.
  async inWorker({ op, args }) {
    const worker = new Worker(new URL("cos-worker.js", COS_RESOURCES));
    try {
      const client = cosRpcClient(msg => worker.postMessage(msg), worker, () => true);
      return await client.call(op, args);
    } finally {
      worker.terminate();
    }
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

function cosServe(events, reply) {
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
