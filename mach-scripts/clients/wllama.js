/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

// Scenario "wllama": wllama's CacheManager, with its default storage backend (COSBackend: data
// in COS by the hub's LFS hash, metadata in OPFS), downloads a GGUF model and opens it.
// esm/index.js is the package's whole ESM build; esm/wasm/wllama.wasm is only for inference.

const { diagnostics, importPackage, platform, run, sha256, step } = window.cosClients;

run(async (config) => {
  diagnostics.platform = platform();
  const { CacheManager } = await importPackage(config, 'esm/index.js');
  const gguf = config.files[config.expect.gguf];
  step('new CacheManager');
  const cache = new CacheManager();
  step('download', { url: gguf.url });
  await cache.download(gguf.url);
  step('open');
  const blob = await cache.open(gguf.url);
  if (!blob) {
    throw new Error('CacheManager.open() found nothing after download()');
  }
  const digest = await sha256(blob);
  if (digest !== gguf.sha256) {
    throw new Error(`CacheManager.open() gave ${digest}, expected ${gguf.sha256}`);
  }
  return {};
});
