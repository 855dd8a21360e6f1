/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

// The COS path of the Flutter web engine's Wasm loader (lib/web_ui/flutter_js/src/
// instantiate_wasm.js), NEWER revision, reproduced by its call pattern, not copied: the loader
// ships inside Flutter's engine build, not on npm.
//
//   'requestFileHandle' in navigator.crossOriginStorage
//     hit:  requestFileHandle(hash) -> getFile()
//           -> new Response(file.stream(), {headers: {'Content-Type': 'application/wasm'}})
//           -> WebAssembly.compileStreaming
//     miss (NotFoundError silent, other errors warned): fetch, then response.body.tee():
//           one branch pipeTo() the writable of requestFileHandle(hash, {create: true,
//           origins: '*'}), the other into compileStreaming(new Response(branch, wasm headers)).
//   no requestFileHandle: compileStreaming(fetch(url)).
//
// `loader` is the caller's record of what happened: where the bytes came from and, for the
// test only, the store's promise (the engine does not wait for it).

const WASM_HEADERS = { 'Content-Type': 'application/wasm' };

async function compileAndInstantiate(response, imports) {
  const module = await WebAssembly.compileStreaming(response);
  return { module, instance: await WebAssembly.instantiate(module, imports) };
}

export async function instantiateWasm(url, hash, imports, loader = {}) {
  const cos = navigator.crossOriginStorage;
  if (cos && 'requestFileHandle' in cos) {
    try {
      const handle = await cos.requestFileHandle(hash);
      const file = await handle.getFile();
      const result = await compileAndInstantiate(
        new Response(file.stream(), { headers: WASM_HEADERS }), imports);
      loader.source = 'cross-origin-storage';
      return result;
    } catch (e) {
      if (e?.name !== 'NotFoundError') {
        console.warn(`Failed to load ${url} from cross-origin storage: ${e?.name}: ${e?.message}`);
      }
    }
    const response = await fetch(url);
    const [toStorage, toCompiler] = response.body.tee();
    loader.stored = (async () => {
      const handle = await cos.requestFileHandle(hash, { create: true, origins: '*' });
      await toStorage.pipeTo(await handle.createWritable());
    })().catch((e) => {
      console.warn(`Failed to store ${url} in cross-origin storage: ${e?.name}: ${e?.message}`);
    });
    const result = await compileAndInstantiate(
      new Response(toCompiler, { headers: WASM_HEADERS }), imports);
    loader.source = 'network';
    return result;
  }
  loader.source = 'network (no requestFileHandle)';
  return compileAndInstantiate(await fetch(url), imports);
}
