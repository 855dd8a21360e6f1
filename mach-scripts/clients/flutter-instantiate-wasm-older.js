/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

// The COS path of the Flutter web engine's Wasm loader (lib/web_ui/flutter_js/src/
// instantiate_wasm.js), OLDER revision, reproduced by its call pattern, not copied: the loader
// ships inside Flutter's engine build, not on npm.
//
//   'requestFileHandles' in navigator.crossOriginStorage
//     -> const [handle] = await requestFileHandles([hash]) -> getFile() -> instantiate
//   miss (NotFoundError silent, other errors warned):
//     fetch -> blob -> instantiate; then requestFileHandles([hash], {create: true}),
//     createWritable(), write(blob), close(). No `origins`: the entry is same-site only.
//   no requestFileHandles: the plain network path.
//
// `loader` is the caller's record of what happened: where the bytes came from and, for the
// test only, the store's promise (the engine does not wait for it).

export async function instantiateWasm(url, hash, imports, loader = {}) {
  const cos = navigator.crossOriginStorage;
  if (cos && 'requestFileHandles' in cos) {
    try {
      const [handle] = await cos.requestFileHandles([hash]);
      const file = await handle.getFile();
      const result = await WebAssembly.instantiate(await file.arrayBuffer(), imports);
      loader.source = 'cross-origin-storage';
      return result;
    } catch (e) {
      if (e?.name !== 'NotFoundError') {
        console.warn(`Failed to load ${url} from cross-origin storage: ${e?.name}: ${e?.message}`);
      }
    }
    const response = await fetch(url);
    const blob = await response.blob();
    const result = await WebAssembly.instantiate(await blob.arrayBuffer(), imports);
    loader.source = 'network';
    loader.stored = (async () => {
      const [handle] = await cos.requestFileHandles([hash], { create: true });
      const writable = await handle.createWritable();
      await writable.write(blob);
      await writable.close();
    })().catch((e) => {
      console.warn(`Failed to store ${url} in cross-origin storage: ${e?.name}: ${e?.message}`);
    });
    return result;
  }
  loader.source = 'network (no requestFileHandles)';
  return WebAssembly.instantiateStreaming(fetch(url), imports);
}
