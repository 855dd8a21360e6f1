/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

// Scenario "emscripten": an app built with -sCROSS_ORIGIN_STORAGE=1 starts up.

import { instantiateAsync } from './emscripten-loader.js';

const { run, step } = window.cosClients;

run(async (config) => {
  const wasm = config.files[config.expect.wasm];
  const Module = {
    wasmBinaryFile: wasm.url,
    wasmBinarySha256: wasm.sha256,
    printErr: (text) => console.warn(text),
  };
  step('instantiate', { url: wasm.url });
  const { instance } = await instantiateAsync(Module, { env: { twice: (x) => 2 * x } });
  const answer = instance.exports.answer();
  if (answer !== config.expect.answer) {
    throw new Error(`answer() returned ${answer}, expected ${config.expect.answer}`);
  }
  if (Module.crossOriginStorageWrite) {
    step('wait for the fire-and-forget store');
    await Module.crossOriginStorageWrite;
  }
  return { source: Module.wasmSource, answer };
});
