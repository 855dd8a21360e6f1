# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""Answers a request with its own body, byte for byte."""


def main(request, response):
    headers = [(b"Content-Type", b"application/octet-stream"), (b"Cache-Control", b"no-store")]
    return 200, headers, request.body
