/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

// The Wasm loading that `emcc -sCROSS_ORIGIN_STORAGE=1` generates into its JS loader (from
// src/preamble.js), reproduced by its call pattern, not copied: Emscripten is not on npm, and
// its output is a build product, so the tier writes what that output does.
//
//   'crossOriginStorage' in navigator
//     -> requestFileHandle({algorithm: 'SHA-256', value}) -> getFile() -> arrayBuffer()
//     -> WebAssembly.instantiate
//   NotFoundError (or any other error, which is reported):
//     fetch -> arrayBuffer -> WebAssembly.instantiate, then a fire-and-forget store with
//     `origins` from -sCROSS_ORIGIN_STORAGE_ORIGINS (default '*')
//   no COS: the standard streaming path.
//
// The hash is baked into the generated loader at link time; here it comes in `Module`.

function storeInCrossOriginStorage(Module, binary) {
  const hash = { algorithm: 'SHA-256', value: Module.wasmBinarySha256 };
  return navigator.crossOriginStorage
    .requestFileHandle(hash, { create: true, origins: Module.crossOriginStorageOrigins ?? '*' })
    .then((handle) => handle.createWritable())
    .then(async (writable) => {
      await writable.write(binary);
      await writable.close();
    });
}

export async function instantiateAsync(Module, imports) {
  const binaryFile = Module.wasmBinaryFile;
  if ('crossOriginStorage' in navigator) {
    try {
      const handle = await navigator.crossOriginStorage.requestFileHandle(
        { algorithm: 'SHA-256', value: Module.wasmBinarySha256 });
      const file = await handle.getFile();
      const binary = await file.arrayBuffer();
      const result = await WebAssembly.instantiate(binary, imports);
      Module.wasmSource = 'cross-origin-storage';
      return result;
    } catch (e) {
      if (e?.name !== 'NotFoundError') {
        Module.printErr(`cross-origin storage: ${e?.name}: ${e?.message}; falling back to the network`);
      }
    }
    const response = await fetch(binaryFile, { credentials: 'same-origin' });
    if (!response.ok) {
      throw new Error(`failed to load wasm binary file at '${binaryFile}'`);
    }
    const binary = await response.arrayBuffer();
    const result = await WebAssembly.instantiate(binary, imports);
    Module.wasmSource = 'network';
    // Fire and forget: startup does not wait for the copy. The promise is kept on Module only
    // so that the test can wait for it before the page ends; the generated code drops it.
    Module.crossOriginStorageWrite = storeInCrossOriginStorage(Module, binary).catch((e) => {
      Module.printErr(`cross-origin storage: cannot store ${binaryFile}: ${e?.name}: ${e?.message}`);
    });
    return result;
  }
  Module.wasmSource = 'network';
  return WebAssembly.instantiateStreaming(fetch(binaryFile, { credentials: 'same-origin' }), imports);
}
