# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""Servo's formatting, patch by patch: found where a patch gets it wrong, and put right at every
patch without touching what the patches say."""

import os
import subprocess
import sys
import tempfile
import unittest
from unittest import mock

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from cosmach import layout, style  # noqa: E402

GOOD = b"use std::collections::HashMap;\nuse std::fs;\n\nfn main() {}\n"
# Imports out of order, and a one-line function body spread out.
BAD = b"use std::fs;\nuse std::collections::HashMap;\n\nfn main() {\n}\n"


def git(repo, *args, data=None):
    env = dict(os.environ, GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@example.invalid",
               GIT_COMMITTER_NAME="a", GIT_COMMITTER_EMAIL="a@example.invalid",
               GIT_AUTHOR_DATE="2025-01-01T00:00:00+00:00",
               GIT_COMMITTER_DATE="2025-01-01T00:00:00+00:00")
    return subprocess.run(["git", "-C", repo, *args], input=data, capture_output=True, env=env,
                          check=True).stdout


@unittest.skipUnless(style.available(), "needs a nightly rustfmt")
class StyleTest(unittest.TestCase):
    def setUp(self):
        scratch = tempfile.TemporaryDirectory()
        self.addCleanup(scratch.cleanup)
        patcher = mock.patch.dict(os.environ, {"COS_BUILD_DIR": os.path.join(scratch.name, "b")})
        patcher.start()
        self.addCleanup(patcher.stop)
        os.makedirs(layout.build_dir())
        self.repo = os.path.join(scratch.name, "repo")
        os.makedirs(self.repo)
        git(self.repo, "init", "-q")
        self.commit({"servo.rs": GOOD}, "Servo")
        git(self.repo, "tag", "base")
        self.commit({"new.rs": BAD, "notes.txt": b"fn   kept as is\n"}, "Add new.rs\n\nWhy.\n")
        self.commit({"new.rs": BAD + b"fn other() {}\n", "servo.rs": GOOD + b"fn b() {}\n"},
                    "Extend new.rs\n")

    def commit(self, files, message):
        for name, data in files.items():
            with open(os.path.join(self.repo, name), "wb") as f:
                f.write(data)
        git(self.repo, "add", "-A")
        git(self.repo, "commit", "-q", "-F", "-", data=message.encode())

    def commits(self):
        return git(self.repo, "rev-list", "--reverse", "base..HEAD").decode().split()

    def test_a_patch_that_leaves_a_file_unformatted_is_named(self):
        found = style.unformatted(self.repo, self.commits())
        self.assertEqual(found, [("Add new.rs", "new.rs"), ("Extend new.rs", "new.rs")])

    def test_formatting_the_series_fixes_every_patch_and_keeps_its_message(self):
        head = style.format_series(self.repo)
        git(self.repo, "reset", "-q", "--hard", head)
        self.assertEqual(style.unformatted(self.repo, self.commits()), [])
        first, second = self.commits()
        self.assertEqual(git(self.repo, "show", f"{first}:new.rs"), GOOD)
        self.assertEqual(git(self.repo, "show", f"{first}:notes.txt"), b"fn   kept as is\n")
        self.assertEqual(git(self.repo, "log", "-1", "--format=%B", first), b"Add new.rs\n\nWhy.\n\n")
        # The second patch now changes only what it added.
        diff = git(self.repo, "diff", first, second, "--", "new.rs").decode()
        self.assertIn("+fn other() {}", diff)
        self.assertNotIn("-use", diff)


class TidyTest(unittest.TestCase):
    PATCH = """\
diff --git a/components/new/lib.rs b/components/new/lib.rs
new file mode 100644
--- /dev/null
+++ b/components/new/lib.rs
@@ -0,0 +1,3 @@
+/* This Source Code Form is subject to the terms of the Mozilla Public
+ * License, v. 2.0. If a copy of the MPL was not distributed with this
+ * file, You can obtain one at https://mozilla.org/MPL/2.0/. */
diff --git a/components/new/other.rs b/components/new/other.rs
new file mode 100644
--- /dev/null
+++ b/components/new/other.rs
@@ -0,0 +1,2 @@
+fn f() {}\x20
+\tfn g() {}
\\ No newline at end of file
diff --git a/components/old/notes.md b/components/old/notes.md
--- a/components/old/notes.md
+++ b/components/old/notes.md
@@ -1 +1,2 @@
 kept
+added
"""

    def test_what_tidy_would_refuse_is_named_and_nothing_else(self):
        self.assertEqual(style.tidy_problems(self.PATCH), [
            "components/new/other.rs: trailing whitespace: 'fn f() {}'",
            "components/new/other.rs: a tab: 'fn g() {}'",
            "components/new/other.rs: no newline at the end of the file",
            "components/new/other.rs: a new file without the MPL-2.0 header",
        ])


if __name__ == "__main__":
    unittest.main()
