/* This Source Code Form is subject to the terms of the Mozilla Public
 * License, v. 2.0. If a copy of the MPL was not distributed with this
 * file, You can obtain one at https://mozilla.org/MPL/2.0/. */

// https://fs.spec.whatwg.org/#api-filesystemwritablefilestream

enum WriteCommandType { "write", "seek", "truncate" };

dictionary WriteParams {
  required WriteCommandType type;
  unsigned long long? size;
  unsigned long long? position;
  // The spec's (BufferSource or Blob or USVString)?; the sink converts it.
  any data;
};

[Exposed=(Window,Worker), SecureContext, Func="FileSystemHandle::is_exposed"]
interface FileSystemWritableFileStream : WritableStream {
  // The spec's FileSystemWriteChunkType; the sink converts it.
  Promise<undefined> write(any data);
  Promise<undefined> seek(unsigned long long position);
  Promise<undefined> truncate(unsigned long long size);
};
