# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""The tree's pristine `base` (published crates with their original manifests and a stand-in
root manifest), and a series that carries the repo's own crates and WebIDL files by itself."""

import io
import os
import subprocess
import sys
import tarfile
import tempfile
import tomllib
import unittest
from unittest import mock

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from cosmach import layout, tree, upstream  # noqa: E402


def fake_crate(registry, package, files):
    """Writes `<package>-0.7.0.crate` (a gzipped tar, as crates.io serves them) into `registry`."""
    path = os.path.join(registry, f"{package}-{layout.SERVO_VERSION}.crate")
    manifest = f'[package]\nname = "{package}"\nversion = "0.7.0"\n'
    with tarfile.open(path, "w:gz") as tar:
        for name, text in {"Cargo.toml": manifest, **files}.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{package}-{layout.SERVO_VERSION}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


MPL = ("/* This Source Code Form is subject to the terms of the Mozilla Public\n"
       " * License, v. 2.0. If a copy of the MPL was not distributed with this\n"
       " * file, You can obtain one at https://mozilla.org/MPL/2.0/. */\n\n")


def write(path, text):
    """Writes a fixture; source files get the header Servo's tidy asks for."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write((MPL if path.endswith((".rs", ".webidl")) else "") + text)


class TreeTest(unittest.TestCase):
    def setUp(self):
        scratch = tempfile.TemporaryDirectory()
        self.addCleanup(scratch.cleanup)
        registry = os.path.join(scratch.name, "cargo", "registry", "cache", "index.crates.io")
        os.makedirs(registry)
        for package in ("servo", "servo-a", "servo-b"):
            fake_crate(registry, package, {"lib.rs": f"// {package}\n"})
        # Published as Servo's crates are: the original manifest inherits from the workspace.
        fake_crate(registry, "servo-c", {
            "lib.rs": "// servo-c\n",
            "Cargo.toml": '[package]\nname = "servo-c"\nversion = "0.7.0"\n\n'
                          '[dependencies.log]\nversion = "0.4.1"\n',
            "Cargo.toml.orig": '[package]\nname = "servo-c"\nversion.workspace = true\n\n'
                               '[dependencies]\nlog = { workspace = true }\n',
        })
        self.repo = os.path.join(scratch.name, "repo")
        os.makedirs(os.path.join(self.repo, "patches"))
        env = {"CARGO_HOME": os.path.join(scratch.name, "cargo"),
               "COS_BUILD_DIR": os.path.join(scratch.name, "build")}
        for patcher in (mock.patch.dict(os.environ, env),
                        mock.patch.object(layout, "REPO", self.repo),
                        mock.patch.object(layout, "NEW_CRATES", {"new": "components/new"}),
                        mock.patch.object(layout, "WEBIDL_DEST", "components/a/webidls")):
            patcher.start()
            self.addCleanup(patcher.stop)
        self.tree = layout.tree_dir()

    def crates(self, crates):
        return mock.patch.object(layout, "PATCHED_CRATES", crates)

    def base_files(self):
        listing = tree.git(self.tree, "ls-tree", "-r", "--name-only", "base", capture=True)
        return sorted(listing.splitlines())


class BaseTest(TreeTest):
    def test_a_new_tree_gets_every_crate_and_a_root_manifest(self):
        with self.crates({"servo-a": "components/a", "servo-b": "components/shared/b"}):
            tree.ensure_base(self.tree)
        self.assertEqual(self.base_files(), [
            "Cargo.toml",
            "components/a/Cargo.toml", "components/a/lib.rs",
            "components/shared/b/Cargo.toml", "components/shared/b/lib.rs",
        ])

    def test_crates_keep_their_original_manifests_and_the_root_gives_what_they_inherit(self):
        with self.crates({"servo-c": "components/c"}):
            tree.ensure_base(self.tree)
        with open(os.path.join(self.tree, "components", "c", "Cargo.toml")) as f:
            self.assertIn("log = { workspace = true }", f.read())
        with open(os.path.join(self.tree, "Cargo.toml"), "rb") as f:
            root = tomllib.load(f)
        self.assertEqual(root["workspace"]["members"], ["components/c"])
        self.assertEqual(root["workspace"]["package"], {"version": "0.7.0"})
        self.assertEqual(root["workspace"]["dependencies"]["log"], {"version": "0.4.1"})

    def test_an_old_base_gets_the_crates_it_lacks_and_keeps_the_others_untouched(self):
        with self.crates({"servo-a": "components/a"}):
            tree.ensure_base(self.tree)
        tree.git(self.tree, "checkout", "-q", "-B", "cos", "base")
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


class SeriesTest(TreeTest):
    """A series of three patches: the new crate, a Servo change, and a change to both the new
    crate and a WebIDL file."""

    def setUp(self):
        super().setUp()
        # The real series' upstream groups name patches this one lacks.
        for patcher in (self.crates({"servo-a": "components/a"}),
                        mock.patch.object(upstream, "GROUPS", [])):
            patcher.start()
            self.addCleanup(patcher.stop)
        self.repo_file("components/new/Cargo.toml",
                       '[package]\nname = "new"\n\n[dependencies]\n'
                       'servo-a = { version = "=0.7.0" }\n')
        self.repo_file("components/new/lib.rs", "pub mod one;\n")
        self.repo_file("components/new/one.rs", "// one\n")
        tree.ensure_base(self.tree)
        tree.git(self.tree, "checkout", "-q", "-B", "cos", "base")
        self.commit("new: Add the crate", {
            "components/new/Cargo.toml": tree.owned_files()["components/new/Cargo.toml"].decode(),
            "components/new/lib.rs": "pub mod one;\n",
            "components/new/one.rs": "// one\n"})
        self.commit("a: Use the crate", {"components/a/lib.rs": "// servo-a uses new\n"})
        self.repo_file("components/new/lib.rs", "pub mod one;\npub mod two;\n")
        self.repo_file("components/new/two.rs", "// two\n")
        self.repo_file("webidl/Thing.webidl", "interface Thing {};\n")
        self.commit("new, a: Add two and the Thing interface", {
            "components/new/lib.rs": "pub mod one;\npub mod two;\n",
            "components/new/two.rs": "// two\n",
            "components/a/webidls/Thing.webidl": "interface Thing {};\n"})
        tree.export()

    def repo_file(self, path, text):
        write(os.path.join(self.repo, path), text)

    def commit(self, subject, files):
        for path, text in files.items():
            write(os.path.join(self.tree, path), text)
        tree.git(self.tree, "add", "-A")
        tree.git(self.tree, "commit", "-q", "-m", subject, "-m", "Why it is needed.")

    def patch_texts(self):
        texts = []
        for path in tree.series():
            with open(path) as f:
                texts.append(f.read())
        return texts

    def test_the_series_carries_the_new_crate_with_a_checkout_manifest(self):
        first = self.patch_texts()[0]
        self.assertIn("+++ b/components/new/one.rs", first)
        self.assertIn("+servo-a = { workspace = true }", first)
        self.assertEqual(tree.check(), 0)

    def test_git_am_alone_gives_the_fork_on_a_checkout(self):
        with tempfile.TemporaryDirectory() as checkout:
            tree.git(checkout, "init", "-q")
            tree.unpack_crate("servo-a", os.path.join(checkout, "components", "a"))
            tree.git(checkout, "add", "-A")
            tree.git(checkout, "commit", "-q", "-m", "checkout")
            subprocess.run(["git", *tree.GIT_ID, "-C", checkout, "am", "-q", *tree.series()],
                           check=True)
            with open(os.path.join(checkout, "components", "new", "two.rs")) as f:
                self.assertEqual(f.read(), MPL + "// two\n")
            self.assertTrue(os.path.exists(os.path.join(checkout, "components", "a", "webidls",
                                                        "Thing.webidl")))

    def test_a_stale_series_fails_the_check(self):
        self.repo_file("components/new/one.rs", "// one, changed\n")
        with mock.patch("sys.stdout", new=io.StringIO()) as out:
            self.assertEqual(tree.check(), 1)
        self.assertIn("components/new/one.rs", out.getvalue())

    def test_an_edit_in_the_repo_goes_into_the_patch_that_last_touched_the_file(self):
        self.repo_file("components/new/one.rs", "// one, changed\n")
        self.repo_file("components/new/lib.rs", "pub mod one;\npub mod three;\npub mod two;\n")
        self.repo_file("components/new/three.rs", "// three\n")
        self.repo_file("webidl/Thing.webidl", "interface Thing { attribute long x; };\n")
        tree.apply()
        first, second, third = self.patch_texts()
        self.assertIn("+// one, changed", first)
        self.assertNotIn("three", first + second)
        self.assertIn("+pub mod three;", third)
        self.assertIn("+// three", third)
        self.assertIn("attribute long x", third)
        self.assertIn("Subject: [PATCH] a: Use the crate", second)
        with open(os.path.join(self.tree, "components", "new", "one.rs")) as f:
            self.assertEqual(f.read(), MPL + "// one, changed\n")
        self.assertEqual(tree.check(), 0)

    def test_a_file_removed_from_the_repo_leaves_the_series(self):
        os.remove(os.path.join(self.repo, "components", "new", "two.rs"))
        self.repo_file("components/new/lib.rs", "pub mod one;\n")
        tree.apply()
        self.assertNotIn("two.rs", "".join(self.patch_texts()))
        self.assertFalse(os.path.exists(os.path.join(self.tree, "components", "new", "two.rs")))

    def test_a_group_offered_upstream_must_apply_after_only_its_prerequisites(self):
        slugs = [os.path.basename(p)[5:-len(".patch")] for p in tree.series()]
        self.assertEqual(slugs[1], "a-Use-the-crate")
        alone = [([slugs[1]], [])]
        on_the_crate = [([slugs[2]], [slugs[0]])]
        without_the_crate = [([slugs[2]], [])]
        for groups, result in ((alone, (1, 0)), (on_the_crate, (1, 0)), (without_the_crate, (0, 1)),
                               ([(["no-such-patch"], [])], (0, 1))):
            with mock.patch.object(upstream, "GROUPS", groups), \
                    tree.scratch_worktree(self.tree, "servo-upstream") as scratch:
                passed, failed, _ = upstream.check(tree.git, scratch)
            self.assertEqual((passed, failed), result, groups)

    def test_export_refuses_edits_to_the_repo_s_files_made_in_the_tree(self):
        self.commit("new: Edit in the tree", {"components/new/one.rs": "// edited in the tree\n"})
        with mock.patch("sys.stderr", new=io.StringIO()), self.assertRaises(SystemExit):
            tree.export()


if __name__ == "__main__":
    unittest.main()
