# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""`patches check --bisect` lists the warnings a prefix leaves in the series' files, and only
those: Servo's own warnings elsewhere are not the series' business."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from cosmach import bisect  # noqa: E402

# The shape of cargo's output: each warning's primary location on the line after it.
OUTPUT = """\
   Compiling script v0.0.1 (/tree/components/script)
warning: unused import: `VecDeque`
 --> components/script/dom/filesystem/filesystemdirectoryhandle.rs:5:5
  |
5 | use std::collections::VecDeque;
  |     ^^^^^^^^^^^^^^^^^^^^^^^^^^
warning: function `read_body` is never used
   --> components/storage/cache_storage/sqlite.rs:305:4
warning: unused variable: `x`
  --> components/net/fetch/methods.rs:12:9
warning: `script` (lib) generated 1 warning
    Finished `dev` profile [unoptimized + debuginfo] target(s) in 2m 01s
"""

SERIES = {
    "components/script/dom/filesystem/filesystemdirectoryhandle.rs",
    "components/storage/cache_storage/sqlite.rs",
}


class Warnings(unittest.TestCase):
    def test_lists_the_warnings_in_the_series_files_with_their_line(self):
        found = bisect._warnings(OUTPUT.splitlines(), SERIES, "/tree", "/tree")
        self.assertEqual(found, {
            "components/script/dom/filesystem/filesystemdirectoryhandle.rs:5: "
            "unused import: `VecDeque`",
            "components/storage/cache_storage/sqlite.rs:305: function `read_body` is never used",
        })

    def test_ignores_warnings_elsewhere_and_summaries_without_a_location(self):
        self.assertEqual(
            bisect._warnings(OUTPUT.splitlines(), {"components/other.rs"}, "/tree", "/tree"),
            set())

    def test_a_clean_build_has_none(self):
        clean = "   Compiling script v0.0.1\n    Finished `dev` profile\n"
        self.assertEqual(bisect._warnings(clean.splitlines(), SERIES, "/tree", "/tree"), set())

    def test_finds_the_tree_s_files_from_another_workspace(self):
        # The runner's workspace is beside the tree: cargo names the tree's files absolutely
        # or by a relative path out of the workspace.
        output = ("warning: unused import: `A`\n"
                  " --> /build/servo/components/storage/cache_storage/sqlite.rs:3:5\n"
                  "warning: unused import: `B`\n"
                  " --> ../servo/components/script/dom/filesystem/filesystemdirectoryhandle.rs:4:5\n")
        found = bisect._warnings(output.splitlines(), SERIES, "/build/fork", "/build/servo")
        self.assertEqual(found, {
            "components/storage/cache_storage/sqlite.rs:3: unused import: `A`",
            "components/script/dom/filesystem/filesystemdirectoryhandle.rs:4: unused import: `B`",
        })


if __name__ == "__main__":
    unittest.main()
