# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""Serves the bytes a test names, so that a fetch's integrity can be computed beforehand.

Query: `hex` the body, hex-encoded, sent `repeat` times over (once); `allow` a
Cross-Origin-Storage-Allow-Origin value (the ceiling of a list scope, which for a fetched resource
comes from its own response); `status` the status code (200); `type` the Content-Type
(application/octet-stream). Every response allows any origin to read it (CORS) and says it must
not be cached, so a second fetch reaches the server again.
"""


def main(request, response):
    body = bytes.fromhex(request.GET.first(b"hex", b"").decode("ascii"))
    body *= int(request.GET.first(b"repeat", b"1"))
    status = int(request.GET.first(b"status", b"200"))
    content_type = request.GET.first(b"type", b"application/octet-stream")
    headers = [
        (b"Content-Type", content_type),
        (b"Cache-Control", b"no-store"),
        (b"Access-Control-Allow-Origin", b"*"),
        (b"ETag", b"\"cos-bytes\""),
    ]
    allow = request.GET.first(b"allow", None)
    if allow is not None:
        headers.append((b"Cross-Origin-Storage-Allow-Origin", allow))
    return status, headers, body
