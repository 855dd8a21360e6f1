/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

// Scenario "transformers": Transformers.js loads a tokenizer from the hub with
// `env.experimental_useCrossOriginStorage = true` (its CrossOriginStorageCache), then encodes
// a sentence with it. dist/transformers.js is the package's self-contained browser bundle
// (what the CDNs serve, minified): the `exports` entry, dist/transformers.web.js, imports
// onnxruntime-web and onnxruntime-common by bare name and needs a bundler or an import map.

const { describe, diagnostics, importPackage, platform, run, step } = window.cosClients;

run(async (config) => {
  const { env, AutoTokenizer } = await importPackage(config, 'dist/transformers.js');
  env.allowLocalModels = false;
  env.remoteHost = `${config.hub}/`;
  env.experimental_useCrossOriginStorage = true;
  step('from_pretrained', { repo: config.repo });
  const tokenizer = await AutoTokenizer.from_pretrained(config.repo);
  const ids = Array.from(tokenizer.encode(config.expect.text));
  if (JSON.stringify(ids) !== JSON.stringify(config.expect.ids)) {
    throw new Error(`encode() gave ${JSON.stringify(ids)}, expected ${JSON.stringify(config.expect.ids)}`);
  }
  // After the client, not before: what its cache would have hit first. CrossOriginStorageCache
  // catches these errors itself, so a failure report needs them spelled out.
  diagnostics.platform = platform();
  try {
    await caches.open('experimental_transformers-hash-cache');
    diagnostics.cachesOpen = 'ok';
  } catch (e) {
    diagnostics.cachesOpen = describe(e);
  }
  try {
    for await (const chunk of new Response('x').body) {
      void chunk;
    }
    diagnostics.forAwaitBody = 'ok';
  } catch (e) {
    diagnostics.forAwaitBody = describe(e);
  }
  // The store of a file whose hash came from no LFS pointer runs in the background
  // (_processAndStore), and the client keeps no promise of it.
  return { ids, settleMs: 5000 };
});
