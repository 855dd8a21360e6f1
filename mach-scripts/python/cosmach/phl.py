# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""`mach phl install FILE|URL`: put a Public Hash List where the fork looks for one.

Without a list, an entry stored with `origins: '*'` is never disclosed to another site (the
global grant covers only listed hashes), so a user who wants the published COS clients to share
files across sites installs the WICG list. The browser reads it from the user's data directory
when the `dom_cross_origin_storage_phl_path` pref is empty; the pref still overrides it. The
path here must stay the one `default_path()` computes in components/cross_origin_storage/phl.rs.
"""

import hashlib
import os
import re
import sys
import tempfile
import urllib.error
import urllib.request

from .layout import log

DIGEST = re.compile(r"^[0-9a-f]{64}$")
MARKER = re.compile(r"^//\s*===(BEGIN|END) (.+)===\s*$")
# A published list is ~30 MB; anything far larger is not one.
MAX_BYTES = 512 * 1024 * 1024


class PhlError(Exception):
    """A list that must not be installed, with a message for the user."""


def default_path(environ=None):
    """`servo/cross-origin-storage/public-hash-list.dat` in the user's data directory."""
    environ = os.environ if environ is None else environ
    if os.name == "nt":
        base = environ.get("APPDATA")
    else:
        base = environ.get("XDG_DATA_HOME") or (
            os.path.join(environ["HOME"], ".local", "share") if environ.get("HOME") else None)
    if not base:
        raise PhlError("no data directory: set XDG_DATA_HOME or HOME (APPDATA on Windows)")
    return os.path.join(base, "servo", "cross-origin-storage", "public-hash-list.dat")


def _read(source):
    """The bytes at a local path, or at an http(s) URL."""
    if re.match(r"^https?://", source):
        try:
            with urllib.request.urlopen(source, timeout=60) as response:
                data = response.read(MAX_BYTES + 1)
        except urllib.error.HTTPError as e:
            raise PhlError(f"{source}: the server answered {e.code}") from None
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "reason", e)
            raise PhlError(f"{source}: cannot be downloaded ({reason})") from None
    else:
        if not os.path.isfile(source):
            raise PhlError(f"{source}: no such file")
        with open(source, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PhlError(f"{source}: larger than {MAX_BYTES} bytes, not a Public Hash List")
    return data


def expected_digest(sidecar_bytes, source):
    """The digest a `sha256sum`-format `.sha256` file names."""
    words = sidecar_bytes.decode("ascii", "replace").split()
    if not words or not DIGEST.match(words[0].lower()):
        raise PhlError(f"{source}: not a SHA-256 checksum file")
    return words[0].lower()


def count_digests(data):
    """Checks the WICG text format the browser parses; returns how many digests it lists.

    Every non-comment line must be a lowercase SHA-256 digest inside a `===BEGIN X===` section,
    and the core `SHA-256` section must be there, or the browser would refuse the whole list.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PhlError("the list is not UTF-8 text") from None
    section = None
    saw_core = False
    digests = set()
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("//"):
            marker = MARKER.match(line)
            if marker and marker.group(1) == "BEGIN":
                section = marker.group(2)
                saw_core |= section == "SHA-256"
            elif marker:
                section = None
            continue
        if section is None:
            raise PhlError(f"line {number}: data outside a ===BEGIN …=== section")
        if not DIGEST.match(line):
            raise PhlError(f"line {number}: not a lowercase SHA-256 digest")
        digests.add(line)
    if not saw_core:
        raise PhlError("no ===BEGIN SHA-256=== section: not a WICG Public Hash List")
    return len(digests)


def _write_atomically(path, data):
    directory = os.path.dirname(path)
    fd, temp = tempfile.mkstemp(prefix=".phl-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temp, path)
    except BaseException:
        if os.path.exists(temp):
            os.remove(temp)
        raise


def install(source, sha256=None, dest=None):
    """Checks `source` against its checksum and format, then installs it; returns the path.

    The checksum is `sha256` when given, else the `.sha256` file next to the source. Nothing is
    written unless every check passes, and an installed list is replaced in one rename.
    """
    data = _read(source)
    if sha256:
        expected = expected_digest(sha256.encode(), "--sha256")
    else:
        expected = expected_digest(_read(source + ".sha256"), source + ".sha256")
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise PhlError(f"{source}: its SHA-256 is {actual}, but its checksum says {expected}")
    count = count_digests(data)
    path = dest or default_path()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    # The browser checks the list against this sidecar at every start, so a list damaged on disk
    # later fails closed instead of disclosing the wrong entries. The old sidecar goes first:
    # between the two renames the browser then sees no sidecar, never a mismatching one.
    sidecar = path + ".sha256"
    if os.path.exists(sidecar):
        os.remove(sidecar)
    _write_atomically(path, data)
    _write_atomically(sidecar, f"{actual}  {os.path.basename(path)}\n".encode())
    return path, count


def install_private(work, digests, version):
    """Installs a list naming `digests` into a data directory of its own under `work`, with this
    module's own checks, as a user's `mach phl install` would; returns that directory, for the
    browser's XDG_DATA_HOME. The demo and the test tiers use it so that no pref names the list."""
    listing = f"// VERSION: {version}\n// ===BEGIN SHA-256===\n"
    listing += "".join(digest + "\n" for digest in sorted(set(digests)))
    listing += "// ===END SHA-256===\n"
    source = os.path.join(work, "public-hash-list.dat")
    with open(source, "w") as f:
        f.write(listing)
    data_home = os.path.join(work, "data")
    install(source, sha256=hashlib.sha256(listing.encode()).hexdigest(),
            dest=default_path({"XDG_DATA_HOME": data_home}))
    return data_home


def main(args):
    if args.action != "install":
        log(f"phl: unknown action {args.action}")
        return 2
    try:
        path, count = install(args.source, sha256=args.sha256, dest=args.dest)
    except PhlError as e:
        print(f"mach phl install: {e}; nothing was installed", file=sys.stderr)
        return 1
    log(f"phl: installed {count} digests at {path}")
    if not args.dest:
        log("phl: the fork reads it at startup unless dom_cross_origin_storage_phl_path names another")
    return 0
