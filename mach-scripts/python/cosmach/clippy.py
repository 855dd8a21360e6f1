# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""`patches check --clippy`: clippy on the Servo crates the series patches, with the lint
configuration they inherit from the tree's root manifest, as Servo's `./mach clippy` runs it.

Servo 0.7.0 has clippy findings of its own, so only those on a line the series adds count: they
are the series' to fix. It runs in a workspace rooted at the tree, where the patched crates are
members (clippy lints members only), and it is a check build, so its first run compiles
SpiderMonkey once more for check mode (about 35 minutes here): on demand, never in CI.
"""

import re
import subprocess

from . import build as fork
from . import layout, tree
from .layout import log

FINDING = re.compile(r"(?P<path>[^\s:]+):(?P<line>\d+):\d+: (?P<kind>warning|error): (?P<what>.*)")
HUNK = re.compile(r"@@ -\S+ \+(?P<start>\d+)(?:,(?P<count>\d+))? @@")


def added_lines(diff):
    """{path: the line numbers a `git diff -U0` adds to that path}."""
    added, path = {}, None
    for line in diff.splitlines():
        if line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else None
            continue
        match = HUNK.match(line)
        if match and path:
            start, count = int(match["start"]), int(match["count"] or 1)
            added.setdefault(path, set()).update(range(start, start + count))
    return added


def series_findings(output, added):
    """The findings of clippy's short output that sit on a line the series adds, in order."""
    found = []
    for line in output.splitlines():
        match = FINDING.match(line)
        if match and int(match["line"]) in added.get(match["path"], ()):
            if line not in found:
                found.append(line)
    return found


def run():
    tree.apply()
    tree_dir = layout.tree_dir()
    diff = tree.git(tree_dir, "diff", "-U0", "base", "HEAD", capture=True)
    packages = list(layout.PATCHED_CRATES)
    with fork.tree_workspace([layout.PATCHED_CRATES[p] for p in packages]) as root:
        command = ["cargo", "clippy", "--keep-going", "--message-format=short"]
        for package in packages:
            command += ["-p", package]
        log(f"running {' '.join(command)} in {root}")
        result = subprocess.run(command, cwd=root, env=layout.build_env(), text=True,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    findings = series_findings(result.stdout, added_lines(diff))
    for finding in findings:
        log(f"    {finding}")
    compiled = result.returncode == 0
    if not compiled:
        errors = [line for line in result.stdout.splitlines() if ": error" in line]
        log(f"clippy did not finish: {len(errors)} error(s), the first: "
            f"{errors[0] if errors else 'none reported'}")
    print(f"patches check --clippy: {len(findings)} finding(s) on lines the series adds")
    return 0 if compiled and not findings else 1
