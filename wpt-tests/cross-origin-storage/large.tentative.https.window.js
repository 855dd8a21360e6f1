// META: timeout=long
// META: title=Cross-Origin Storage: a 64 MiB round trip
// META: script=resources/cos-helpers.js
// META: variant=?method=getFileHandle
// META: variant=?method=requestFileHandle
// This Source Code Form is subject to the terms of the Mozilla Public
// License, v. 2.0. If a copy of the MPL was not distributed with this
// file, You can obtain one at https://mozilla.org/MPL/2.0/.

// Checklist 57 at model-file scale: the writable streams to disk in chunks.
"use strict";

promise_test(async () => {
  const size = 64 * 1024 * 1024;
  const chunk = 4 * 1024 * 1024;
  const bytes = cosRandomBytes(size);
  const hash = cosHash(await cosSha256Hex(bytes));
  const handle = await cosRequest(hash, { create: true });
  const writable = await handle.createWritable();
  for (let offset = 0; offset < size; offset += chunk) {
    await writable.write(bytes.subarray(offset, offset + chunk));
  }
  await writable.close();
  const file = await (await cosRequest(hash)).getFile();
  assert_equals(file.size, size, "File.size");
  const read = new Uint8Array(await file.arrayBuffer());
  assert_equals(await cosSha256Hex(read), hash.value, "digest of the bytes read back");
  cosAssertBytes(read, bytes);
}, "64 MiB written in 4 MiB chunks reads back identically");
