# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""A tiny WebAssembly module exporting `answer()`, which returns 42."""

MODULE = bytes([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,  # magic, version 1
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f,        # type section: () -> i32
    0x03, 0x02, 0x01, 0x00,                          # function section: one function of type 0
    0x07, 0x0a, 0x01, 0x06, 0x61, 0x6e, 0x73, 0x77,  # export section: "answer" ...
    0x65, 0x72, 0x00, 0x00,                          # ... is function 0
    0x0a, 0x06, 0x01, 0x04, 0x00, 0x41, 0x2a, 0x0b,  # code section: i32.const 42
])


def main(request, response):
    headers = [(b"Content-Type", b"application/wasm"), (b"Cache-Control", b"no-store")]
    return 200, headers, MODULE
