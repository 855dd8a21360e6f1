/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

// Scenario "webllm": WebLLM's engine loads a model with `cacheBackend: "cross-origin"`.
//
// `MLCEngine.reload()` is the package's real entry point, and the shortest one that fetches
// model artifacts through the COS-backed artifact cache (tvmjs's ArtifactCrossOriginStorageCache,
// which the package does not export): it fetches mlc-chat-config.json and the model library
// through `createArtifactCache("webllm/config" | "webllm/wasm", {cacheType: "cross-origin"})`,
// instantiates the library with tvmjs, and only then asks for WebGPU. The weights and the
// tokenizer come after WebGPU, so the run stops in tvmjs right after instantiation: the mock
// library is a real Wasm module but not a TVM runtime (tvmjs's Emscripten glue finds no memory
// export: "TypeError: can't access property "buffer", wasmMemory is undefined"). The driver
// watches WebAssembly.instantiate (a platform global; the package is not touched) to check
// that the engine got the library's exact bytes. lib/index.js is the whole package: tvmjs,
// loglevel and the tokenizers binding are bundled in it.

const { describe, diagnostics, importPackage, platform, run, sha256, step } = window.cosClients;

run(async (config) => {
  diagnostics.platform = platform();
  const instantiated = [];
  const instantiate = WebAssembly.instantiate;
  WebAssembly.instantiate = function (source, ...rest) {
    if (source instanceof ArrayBuffer) {
      instantiated.push(source.slice(0));
    } else if (ArrayBuffer.isView(source)) {
      instantiated.push(new Uint8Array(source.buffer, source.byteOffset, source.byteLength).slice());
    }
    return instantiate.call(this, source, ...rest);
  };

  const webllm = await importPackage(config, 'lib/index.js');
  const lib = config.files[config.expect.model_lib];
  const record = {
    model: `${config.hub}/${config.repo}`,
    model_id: config.expect.model_id,
    model_lib: lib.url,
  };
  const appConfig = { model_list: [record], cacheBackend: 'cross-origin' };
  const engine = new webllm.MLCEngine({ appConfig, logLevel: 'WARN' });
  step('reload', { model: record.model });
  let stoppedAt = null;
  try {
    await engine.reload(record.model_id);
  } catch (e) {
    stoppedAt = describe(e);
  }
  step('reload returned', { stoppedAt });
  if (instantiated.length === 0) {
    throw new Error(`reload() did not get to instantiate the model library: ${stoppedAt}`);
  }
  const digest = await sha256(instantiated[0]);
  if (digest !== lib.sha256) {
    throw new Error(`the engine instantiated ${digest}, not the model library ${lib.sha256}`);
  }
  return { stoppedAt };
});
