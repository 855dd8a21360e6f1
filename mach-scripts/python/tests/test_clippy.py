# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""`patches check --clippy` counts only what clippy finds on lines the series adds: Servo's own
findings are not the series' to fix."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from cosmach import clippy  # noqa: E402

DIFF = """\
diff --git a/components/net/cookie.rs b/components/net/cookie.rs
--- a/components/net/cookie.rs
+++ b/components/net/cookie.rs
@@ -10,0 +11,3 @@ fn a() {
+    let x = 1;
+    let y = 2;
+    let z = 3;
@@ -40 +43 @@ fn b() {
-    old();
+    new();
diff --git a/components/script/gone.rs b/components/script/gone.rs
--- a/components/script/gone.rs
+++ /dev/null
@@ -1,2 +0,0 @@
-fn gone() {}
-
"""

OUTPUT = """\
    Checking servo-net v0.7.0 (/tree/components/net)
components/net/cookie.rs:12:9: warning: unused variable: `y`
components/net/cookie.rs:253:39: warning: this boolean expression can be simplified
components/net/cookie.rs:43:5: error: cannot find function `new` in this scope
components/net/cookie.rs:12:9: warning: unused variable: `y`
warning: `servo-net` (lib) generated 2 warnings
"""


class Clippy(unittest.TestCase):
    def test_added_lines_follow_each_hunk(self):
        added = clippy.added_lines(DIFF)
        self.assertEqual(added, {"components/net/cookie.rs": {11, 12, 13, 43}})

    def test_only_findings_on_added_lines_count_once_each(self):
        found = clippy.series_findings(OUTPUT, clippy.added_lines(DIFF))
        self.assertEqual(found, [
            "components/net/cookie.rs:12:9: warning: unused variable: `y`",
            "components/net/cookie.rs:43:5: error: cannot find function `new` in this scope",
        ])

    def test_nothing_found_where_the_series_adds_nothing(self):
        self.assertEqual(clippy.series_findings(OUTPUT, {}), [])


if __name__ == "__main__":
    unittest.main()
