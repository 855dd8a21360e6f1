/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

// What every client page of the clients tier shares (mach-scripts/python/cosmach/clients.py).
//
// A page reports on the console, which cos-runner prints as `CONSOLE <level> <message>`:
//   COS-CLIENTS {"step": NAME, "ms": N, ...}     progress, for the log and the watchdog
//   COS-CLIENTS-DONE {"ok": BOOL, "ms": N, "error"?: TEXT, "readback": {PATH: {...}},
//                     "diagnostics"?: {...}, ...what the driver returned}
// DONE is printed once and ends the runner. `readback` is what COS gives this site for each
// hub file of the scenario once the client is done: {"size", "sha256"} or {"error"}.

'use strict';

(() => {
  const STEP = 'COS-CLIENTS ';
  const DONE = 'COS-CLIENTS-DONE ';
  const params = new URLSearchParams(location.search);
  const scenario = params.get('scenario');
  const start = performance.now();
  const diagnostics = {};
  let lastStep = 'load';
  let finished = false;

  const elapsed = () => Math.round(performance.now() - start);

  function describe(e) {
    if (e && typeof e === 'object' && 'message' in e) {
      return `${e.name || 'Error'}: ${e.message}`;
    }
    return String(e);
  }

  function step(name, data = {}) {
    lastStep = name;
    console.log(STEP + JSON.stringify({ step: name, ms: elapsed(), ...data }));
  }

  function finish(result) {
    if (finished) {
      return;
    }
    finished = true;
    if (Object.keys(diagnostics).length && !('diagnostics' in result)) {
      result = { ...result, diagnostics };
    }
    console.log(DONE + JSON.stringify({ ms: elapsed(), ...result }));
  }

  // A library's stray exception is worth seeing in the log, but only the driver decides
  // whether the client worked: some clients fire and forget on purpose.
  addEventListener('error', (event) => step('uncaught-error', {
    error: event.error ? describe(event.error) : event.message,
    where: `${event.filename}:${event.lineno}`,
  }));
  addEventListener('unhandledrejection', (event) => step('unhandled-rejection', {
    error: describe(event.reason),
  }));

  async function sha256(data) {
    const buffer = data instanceof Blob ? await data.arrayBuffer() : data;
    const digest = await crypto.subtle.digest('SHA-256', buffer);
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  // What COS holds for `hex`, read once the client is done. On site A this checks that the
  // client stored the file; on site B that the file A stored is the one B can read.
  async function readBack(hex) {
    try {
      const handle = await navigator.crossOriginStorage.requestFileHandle(
        { algorithm: 'SHA-256', value: hex });
      const file = await handle.getFile();
      return { size: file.size, sha256: await sha256(file) };
    } catch (e) {
      return { error: describe(e) };
    }
  }

  // The platform pieces the clients lean on besides COS, for the failure reports.
  function platform() {
    const cos = navigator.crossOriginStorage;
    return {
      crossOriginStorage: typeof cos,
      requestFileHandles: !!cos && 'requestFileHandles' in cos,
      getFileHandle: typeof cos?.getFileHandle,
      caches: typeof globalThis.caches,
      readableStreamAsyncIterator: typeof ReadableStream.prototype[Symbol.asyncIterator],
      storage: typeof navigator.storage,
      storageGetDirectory: typeof navigator.storage?.getDirectory,
      compileStreaming: typeof WebAssembly.compileStreaming,
    };
  }

  // Runs a driver: `body(config)` runs the client and returns what to report (`source`, if it
  // knows where its bytes came from; `settleMs`, if the client stores in the background without
  // a promise to wait on). Then every hub file of the scenario is read back.
  async function run(body) {
    let config;
    try {
      config = await (await fetch(`/config/${scenario}.json`)).json();
    } catch (e) {
      finish({ ok: false, error: `cannot load the scenario's configuration: ${describe(e)}` });
      return;
    }
    setTimeout(() => finish({
      ok: false, error: `page watchdog: still in step "${lastStep}" after ${config.watchdog_ms} ms`,
    }), config.watchdog_ms);
    step('start', { role: params.get('role'), origin: location.origin });
    try {
      if (!('crossOriginStorage' in navigator)) {
        throw new Error('navigator.crossOriginStorage is missing');
      }
      const { settleMs = 0, ...out } = (await body(config)) || {};
      step('read back', { settleMs });
      // A client that stores in the background gets `settleMs` to finish before its files
      // count as not stored.
      const deadline = performance.now() + settleMs;
      const readback = {};
      for (const [path, file] of Object.entries(config.files)) {
        readback[path] = await readBack(file.sha256);
        while (readback[path].error && performance.now() < deadline) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          readback[path] = await readBack(file.sha256);
        }
      }
      finish({ ok: true, ...out, readback });
    } catch (e) {
      finish({ ok: false, error: describe(e), stack: String(e?.stack || '').split('\n', 4) });
    }
  }

  // Imports a pinned npm package's module, saying so when the package itself cannot load.
  async function importPackage(config, path) {
    const url = new URL(config.package + path, location.href).href;
    step('import', { url });
    try {
      return await import(url);
    } catch (e) {
      throw new Error(`the package cannot be loaded (${url}): ${describe(e)}`);
    }
  }

  window.cosClients = {
    describe, diagnostics, finish, importPackage, platform, readBack, run, sha256, step,
  };
})();
