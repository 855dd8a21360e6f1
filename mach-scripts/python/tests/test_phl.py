# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""`mach phl install`, run as a user runs it: the real command, local files and a local server."""

import functools
import hashlib
import http.server
import os
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from cosmach import phl  # noqa: E402

MACH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "mach")
A = hashlib.sha256(b"a").hexdigest()
B = hashlib.sha256(b"b").hexdigest()
LIST = (
    "// A test list in the WICG format\n"
    "// VERSION: 2026-11-30T00:00:00Z\n"
    "// ===BEGIN SHA-256===\n"
    f"{A}\n"
    "// ===END SHA-256===\n"
    "// ===BEGIN SHA-256 HUGGING-FACE===\n"
    f"{B}\n"
    "// ===END SHA-256 HUGGING-FACE===\n"
).encode()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def with_sidecar(path, data, digest=None):
    write(path, data)
    digest = digest or hashlib.sha256(data).hexdigest()
    write(path + ".sha256", f"{digest}  {os.path.basename(path)}\n".encode())


class PhlInstall(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.data_home = os.path.join(self.tmp.name, "data")
        self.installed = os.path.join(
            self.data_home, "servo", "cross-origin-storage", "public-hash-list.dat")

    def tearDown(self):
        self.tmp.cleanup()

    def mach(self, *args):
        env = dict(os.environ, XDG_DATA_HOME=self.data_home)
        return subprocess.run([sys.executable, MACH, "phl", "install", *args], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def source(self, data=LIST, digest=None, name="public-hash-list.dat"):
        path = os.path.join(self.tmp.name, name)
        with_sidecar(path, data, digest)
        return path

    def test_a_checked_file_is_installed_with_its_sidecar(self):
        result = self.mach(self.source())
        self.assertEqual(result.returncode, 0, result.stdout)
        self.assertIn("installed 2 digests", result.stdout)
        with open(self.installed, "rb") as f:
            self.assertEqual(f.read(), LIST)
        with open(self.installed + ".sha256") as f:
            self.assertEqual(f.read().split()[0], hashlib.sha256(LIST).hexdigest())

    def test_the_default_path_follows_the_data_directory(self):
        self.assertEqual(phl.default_path({"XDG_DATA_HOME": self.data_home, "HOME": "/h"}),
                         self.installed)
        self.assertEqual(phl.default_path({"HOME": "/h"}),
                         "/h/.local/share/servo/cross-origin-storage/public-hash-list.dat")
        with self.assertRaises(phl.PhlError):
            phl.default_path({})

    def test_a_checksum_mismatch_installs_nothing_and_keeps_the_old_list(self):
        self.assertEqual(self.mach(self.source()).returncode, 0)
        other = LIST.replace(A.encode(), hashlib.sha256(b"c").hexdigest().encode())
        bad = self.source(other, digest=hashlib.sha256(b"something else").hexdigest(), name="new.dat")
        result = self.mach(bad)
        self.assertEqual(result.returncode, 1)
        self.assertIn("nothing was installed", result.stdout)
        self.assertIn("its checksum says", result.stdout)
        with open(self.installed, "rb") as f:
            self.assertEqual(f.read(), LIST)

    def test_a_missing_checksum_installs_nothing(self):
        path = os.path.join(self.tmp.name, "bare.dat")
        write(path, LIST)
        result = self.mach(path)
        self.assertEqual(result.returncode, 1)
        self.assertIn("bare.dat.sha256: no such file", result.stdout)
        self.assertFalse(os.path.exists(self.installed))

    def test_an_explicit_checksum_replaces_the_sidecar(self):
        path = os.path.join(self.tmp.name, "bare.dat")
        write(path, LIST)
        self.assertEqual(self.mach(path, "--sha256", hashlib.sha256(LIST).hexdigest()).returncode, 0)
        self.assertEqual(self.mach(path, "--sha256", "not-hex").returncode, 1)

    def test_files_that_are_not_wicg_lists_are_refused(self):
        cases = {
            b"not a list at all\n": "data outside",
            b"// ===BEGIN SHA-256===\nABCDEF\n": "not a lowercase SHA-256 digest",
            f"// ===BEGIN SHA-256 MANUAL===\n{A}\n".encode(): "no ===BEGIN SHA-256=== section",
            b"\xff\xfe\x00": "not UTF-8",
        }
        for data, message in cases.items():
            result = self.mach(self.source(data, name="weird.dat"))
            self.assertEqual(result.returncode, 1, data)
            self.assertIn(message, result.stdout)
            self.assertFalse(os.path.exists(self.installed))

    def test_a_url_is_downloaded_from_a_local_server(self):
        served = os.path.join(self.tmp.name, "served")
        os.mkdir(served)
        with_sidecar(os.path.join(served, "list.dat"), LIST)
        handler = functools.partial(QuietHandler, directory=served)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            base = f"http://127.0.0.1:{server.server_address[1]}"
            result = self.mach(f"{base}/list.dat")
            self.assertEqual(result.returncode, 0, result.stdout)
            with open(self.installed, "rb") as f:
                self.assertEqual(f.read(), LIST)
            missing = self.mach(f"{base}/missing.dat")
            self.assertEqual(missing.returncode, 1)
            self.assertIn("the server answered 404", missing.stdout)
        finally:
            server.shutdown()
            server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


if __name__ == "__main__":
    unittest.main()
