# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""The platform patches the README offers upstream on their own, and what each needs first.

Patches are named by their file name without the number, which survives renumbering.
`patches check` applies each group with `git am` onto the pristine tree after exactly the
patches listed as its prerequisites, so the README's table stays true.
"""

import os
import subprocess

from . import layout

# Async iteration of ReadableStream: the bindings' runtime, return(), code generation, then the
# stream's steps.
_ASYNC_ITERATION = [
    "script_bindings-Add-the-runtime-of-async-iterable-de",
    "script_bindings-Add-return-to-async-iterators-that-d",
    "script_bindings-Generate-bindings-for-async-iterable",
    "script-Implement-async-iteration-of-ReadableStream",
]

# The Cache API in SQLite: the stored entries and their matching, the store, the thread on it,
# the private profile's caches in memory, and the thread's answers to the Cache methods.
_CACHE_STORE = [
    "storage-Add-the-Cache-API-s-stored-entries-and-reque",
    "storage-Add-a-SQLite-store-for-CacheStorage-caches",
    "storage-Keep-CacheStorage-caches-in-SQLite",
    "storage-Keep-a-private-profile-s-caches-in-memory",
    "storage-Answer-the-Cache-API-s-match-batch-and-cache",
]

# What the read-all-bytes change (ArrayBuffers adopting the collected bytes) applies on; the
# mapped-read changes build on it.
_ADOPTED_BYTES_ON = [
    "script-Do-not-trace-the-bytes-a-stream-read-loop-col",
    "script-Copy-Uint8Array-stream-chunks-in-one-slice-wh",
] + _ASYNC_ITERATION + _CACHE_STORE + [
    "script-Implement-Cache-match-matchAll-and-keys",
    "script-Implement-Cache-put-and-delete",
    "script-Implement-CacheStorage-match-and-keys",
    "script-Implement-Cache.add-and-Cache.addAll",
    "net-Read-only-a-slice-s-range-of-a-file-backed-Blob-",
    "script-Read-Blob.text-from-the-blob-s-stream",
]
_MAPPED_READS_ON = _ADOPTED_BYTES_ON + [
    "script-Let-ArrayBuffers-take-over-the-bytes-that-rea",
    "net-Let-another-part-of-the-browser-back-Files-with-",
]

# (the group, the patches it applies on). Prerequisites are the fewest that let `git am`
# apply the group; most are other platform patches of this list.
GROUPS = [
    (["script_bindings-Escape-Rust-keywords-when-a-promise-"], []),
    (["script-Do-not-trace-the-bytes-a-stream-read-loop-col"], []),
    (["script-Copy-Uint8Array-stream-chunks-in-one-slice-wh"], []),
    (["script-Compile-streamed-WebAssembly-from-the-Respons"], []),
    (_ASYNC_ITERATION, []),
    (["script_bindings-Support-pair-async-iterable-declarat"], _ASYNC_ITERATION),
    (["net-Read-only-a-slice-s-range-of-a-file-backed-Blob-"], []),
    (["net-Let-another-part-of-the-browser-back-Files-with-"],
     ["net-Read-only-a-slice-s-range-of-a-file-backed-Blob-"]),
    (["script-Read-Blob.text-from-the-blob-s-stream"],
     ["net-Read-only-a-slice-s-range-of-a-file-backed-Blob-"]),
    (["script-Settle-a-waiting-BYOB-read-when-a-native-byte"], []),
    (["net-Send-a-request-body-stream-s-chunks-in-the-order"], []),
    (_CACHE_STORE + [
      "script-Implement-Cache-match-matchAll-and-keys",
      "script-Implement-Cache-put-and-delete",
      "script-Implement-CacheStorage-match-and-keys",
      "config-Expose-the-Cache-API-without-service-workers",
      "script-Implement-Cache.add-and-Cache.addAll"], []),
    (["script-Let-ArrayBuffers-take-over-the-bytes-that-rea"], _ADOPTED_BYTES_ON),
    (["net-Tell-a-reader-in-the-browser-s-process-where-a-s",
      "script-Read-all-of-a-snapshot-backed-Blob-from-a-map"], _MAPPED_READS_ON),
    (["script-Read-a-file-backed-Blob-s-stream-from-its-fir"], _MAPPED_READS_ON + [
        "net-Tell-a-reader-in-the-browser-s-process-where-a-s",
        "script-Read-all-of-a-snapshot-backed-Blob-from-a-map",
        "script-Settle-a-waiting-BYOB-read-when-a-native-byte"]),
]


def _by_slug():
    found = {}
    for path in sorted(os.listdir(layout.patches_dir())):
        if path.endswith(".patch"):
            found[path[5:-len(".patch")]] = os.path.join(layout.patches_dir(), path)
    return found


def check(git, scratch):
    """(passed, failed, messages) for every group of GROUPS, tried one after the other in
    `scratch`, a worktree of the tree at `base`."""
    patches = _by_slug()
    passed = failed = 0
    messages = []
    for group, prerequisites in GROUPS:
        missing = [slug for slug in group + prerequisites if slug not in patches]
        name = " + ".join(group)
        if missing:
            messages.append(f"{name}: no patch named {', '.join(missing)} in patches/")
            failed += 1
            continue
        git(scratch, "reset", "-q", "--hard", "base")
        ordered = sorted(patches[slug] for slug in group + prerequisites)
        result = subprocess.run(["git", "-C", scratch, "-c", "user.name=mach",
                                 "-c", "user.email=mach@servo-cos.invalid", "am", "-q", *ordered],
                                capture_output=True, text=True)
        if result.returncode == 0:
            passed += 1
        else:
            git(scratch, "am", "--abort", check=False, capture=True)
            messages.append(f"{name} does not apply on its listed prerequisites")
            failed += 1
    return passed, failed, messages
