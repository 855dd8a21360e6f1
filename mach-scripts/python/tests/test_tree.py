# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""The tree's pristine `base`: made from published crates, and extended in place when the series
comes to patch more crates, without touching what cargo already built."""

import io
import os
import sys
import tarfile
import tempfile
import unittest
from unittest import mock

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from cosmach import layout, tree  # noqa: E402


def fake_crate(registry, package, files):
    """Writes `<package>-0.7.0.crate` (a gzipped tar, as crates.io serves them) into `registry`."""
    path = os.path.join(registry, f"{package}-{layout.SERVO_VERSION}.crate")
    with tarfile.open(path, "w:gz") as tar:
        for name, text in {"Cargo.toml": f'[package]\nname = "{package}"\n', **files}.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{package}-{layout.SERVO_VERSION}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


class BaseTest(unittest.TestCase):
    def setUp(self):
        scratch = tempfile.TemporaryDirectory()
        self.addCleanup(scratch.cleanup)
        registry = os.path.join(scratch.name, "cargo", "registry", "cache", "index.crates.io")
        os.makedirs(registry)
        for package in ("servo", "servo-a", "servo-b"):
            fake_crate(registry, package, {"lib.rs": f"// {package}\n"})
        env = {"CARGO_HOME": os.path.join(scratch.name, "cargo"),
               "COS_BUILD_DIR": os.path.join(scratch.name, "build")}
        patcher = mock.patch.dict(os.environ, env)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.tree = layout.tree_dir()

    def crates(self, crates):
        return mock.patch.object(layout, "PATCHED_CRATES", crates)

    def base_files(self):
        listing = tree.git(self.tree, "ls-tree", "-r", "--name-only", "base", capture=True)
        return sorted(listing.splitlines())

    def test_a_new_tree_gets_every_crate(self):
        with self.crates({"servo-a": "components/a", "servo-b": "components/shared/b"}):
            tree.ensure_base(self.tree)
        self.assertEqual(self.base_files(), [
            "components/a/Cargo.toml", "components/a/lib.rs",
            "components/shared/b/Cargo.toml", "components/shared/b/lib.rs",
        ])

    def test_an_old_base_gets_the_crates_it_lacks_and_keeps_the_others_untouched(self):
        with self.crates({"servo-a": "components/a"}):
            tree.ensure_base(self.tree)
        lib = os.path.join(self.tree, "components", "a", "lib.rs")
        os.utime(lib, (1_000_000_000, 1_000_000_000))
        old_base = tree.git(self.tree, "rev-parse", "base", capture=True)

        with self.crates({"servo-a": "components/a", "servo-b": "components/shared/b"}):
            tree.ensure_base(self.tree)
        self.assertNotEqual(tree.git(self.tree, "rev-parse", "base", capture=True), old_base)
        self.assertIn("components/shared/b/lib.rs", self.base_files())
        self.assertIn("components/a/lib.rs", self.base_files())
        # The base stays one pristine root commit, and no scratch worktree is left behind.
        self.assertEqual(tree.git(self.tree, "rev-list", "--count", "base", capture=True), "1")
        self.assertEqual(len(tree.git(self.tree, "worktree", "list", capture=True).splitlines()), 1)

        # What `patches apply` does next: a checkout that adds b and rewrites nothing else.
        tree.git(self.tree, "checkout", "-q", "-B", "cos", "base")
        self.assertTrue(os.path.exists(os.path.join(self.tree, "components", "shared", "b", "lib.rs")))
        self.assertEqual(os.stat(lib).st_mtime, 1_000_000_000)

    def test_a_complete_base_is_left_alone(self):
        with self.crates({"servo-a": "components/a"}):
            tree.ensure_base(self.tree)
            before = tree.git(self.tree, "rev-parse", "base", capture=True)
            tree.ensure_base(self.tree)
            self.assertEqual(tree.git(self.tree, "rev-parse", "base", capture=True), before)


if __name__ == "__main__":
    unittest.main()
