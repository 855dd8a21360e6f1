# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""Answers a request with its own body, byte for byte.

A ReadableStream request body is sent with `Transfer-Encoding: chunked`, which wptserve does
not decode (its body is Content-Length bytes), so the chunks are read here from the connection.
"""


def read_chunked(rfile):
    body = bytearray()
    while True:
        size = int(rfile.readline().split(b";")[0].strip(), 16)
        if size == 0:
            # Trailer fields, if any, end with an empty line.
            while rfile.readline().strip():
                pass
            return bytes(body)
        body += rfile.read(size)
        rfile.readline()


def main(request, response):
    chunked = b"chunked" in request.headers.get(b"Transfer-Encoding", b"").lower()
    body = read_chunked(request.raw_input._file) if chunked else request.body
    headers = [(b"Content-Type", b"application/octet-stream"), (b"Cache-Control", b"no-store")]
    return 200, headers, body
