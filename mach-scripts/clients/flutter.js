/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

// Scenarios "flutter-older" and "flutter-newer": a Flutter web app's engine loads its Wasm
// renderer through that revision of instantiate_wasm.js.

const revision = new URLSearchParams(location.search).get('scenario').replace(/^flutter-/, '');
const { instantiateWasm } = await import(`./flutter-instantiate-wasm-${revision}.js`);

const { diagnostics, platform, run, step } = window.cosClients;

run(async (config) => {
  const wasm = config.files[config.expect.wasm];
  diagnostics.platform = platform();
  const loader = {};
  step('instantiate', { url: wasm.url });
  const { instance } = await instantiateWasm(
    wasm.url, { algorithm: 'SHA-256', value: wasm.sha256 }, { env: { twice: (x) => 2 * x } }, loader);
  const answer = instance.exports.answer();
  if (answer !== config.expect.answer) {
    throw new Error(`answer() returned ${answer}, expected ${config.expect.answer}`);
  }
  if (loader.stored) {
    step('wait for the store');
    await loader.stored;
  }
  return { source: loader.source, answer };
});
