# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""The stand-in root manifest: derived from published manifests, and checked against them."""

import os
import sys
import tomllib
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from cosmach import standin  # noqa: E402

ORIG_A = """
[package]
name = "a"
version.workspace = true
edition.workspace = true

[dependencies]
serde = { workspace = true, features = ["rc"] }
webgl = { workspace = true, default-features = false, optional = true }

[target.'cfg(unix)'.dependencies]
libc = { workspace = true }

[lints]
workspace = true
"""

NORM_A = """
[package]
name = "a"
version = "0.7.0"
edition = "2024"

[dependencies.serde]
version = "1.0.228"
features = ["derive", "rc"]

[dependencies.webgl]
version = "=0.7.0"
package = "servo-webgl"
default-features = false
optional = true

[target."cfg(unix)".dependencies.libc]
version = "0.2"

[lints.rust.unexpected_cfgs]
level = "warn"
check-cfg = ["cfg(crown)"]
"""

ORIG_B = """
[package]
name = "b"
version.workspace = true

[dependencies]
serde = { workspace = true }
"""

NORM_B = """
[package]
name = "b"
version = "0.7.0"

[dependencies.serde]
version = "1.0.228"
features = ["derive"]
"""


class StandInTest(unittest.TestCase):
    def test_members_inherit_what_they_were_published_with(self):
        text = standin.root_manifest(["components/a", "components/b"],
                                     {"a": (ORIG_A, NORM_A), "b": (ORIG_B, NORM_B)},
                                     [("servo-base", {"version": "=0.7.0"})])
        root = tomllib.loads(text)["workspace"]
        self.assertEqual(root["package"], {"version": "0.7.0", "edition": "2024"})
        deps = root["dependencies"]
        # `derive` is in every member's result, so the workspace gives it; `rc` is a's own.
        self.assertEqual(deps["serde"], {"version": "1.0.228", "features": ["derive"]})
        self.assertEqual(deps["webgl"], {"version": "=0.7.0", "package": "servo-webgl",
                                         "default-features": False})
        self.assertEqual(deps["libc"], {"version": "0.2"})
        self.assertEqual(deps["servo-base"], {"version": "=0.7.0"})
        self.assertEqual(root["lints"]["rust"]["unexpected_cfgs"]["check-cfg"], ["cfg(crown)"])

    def test_members_that_disagree_stop_the_derivation(self):
        norm_b = NORM_B.replace('version = "1.0.228"', 'version = "1.0.100"')
        with self.assertRaisesRegex(standin.StandInError, "serde"):
            standin.derive({"a": (ORIG_A, NORM_A), "b": (ORIG_B, norm_b)})

    def test_a_result_inheritance_cannot_give_is_refused(self):
        # b turns default features off, which cargo ignores unless the workspace does too;
        # then a, published with them on, could not have inherited its entry.
        orig_b = ORIG_B.replace("serde = { workspace = true }",
                                "serde = { workspace = true, default-features = false }")
        norm_b = NORM_B + "default-features = false\n"
        with self.assertRaisesRegex(standin.StandInError, "a: dependencies.serde"):
            standin.derive({"a": (ORIG_A, NORM_A), "b": (orig_b, norm_b)})


if __name__ == "__main__":
    unittest.main()
