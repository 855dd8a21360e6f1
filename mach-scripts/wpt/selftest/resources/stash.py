# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""Puts a value in wptserve's stash or takes it out: `?key=UUID&put=VALUE` or `?key=UUID`."""


def main(request, response):
    key = request.GET.first(b"key").decode()
    if b"put" in request.GET:
        request.server.stash.put(key, request.GET.first(b"put").decode())
        return "stored"
    value = request.server.stash.take(key)
    return "none" if value is None else value
