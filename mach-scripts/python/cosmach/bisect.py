# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""`patches check --bisect`: every prefix of the series builds.

The tree is moved through the series one commit at a time (a checkout rewrites only the files
that commit changed, so cargo rebuilds only what depends on them), and at each prefix:
- `cargo build` of the fork's runner, as `mach build` runs it, which covers every patched Servo
  crate it depends on (a build, not a check: `cargo check` would build SpiderMonkey again for
  its own build-script settings, and a build shares everything with `mach build`);
- `cargo check` of each new crate the commit touched, inside the tree's own workspace, since
  the runner only reaches the new crates once a Servo crate depends on them;
- the warnings the runner build reports in files the series has changed by then, listed but not
  failed on (a patch may add what only a later patch uses).
It takes hours (script is rebuilt at most prefixes), so it runs on demand, never in CI, and
`--prefixes` picks some.
"""

import os
import subprocess
import time

from . import build as fork
from . import layout, tree
from .layout import log


def _cargo(cmd, cwd, warnings_in=(), tree_dir=None):
    """Runs a cargo command; (whether it succeeded, its first error lines, the warnings located
    in the files `warnings_in` of `tree_dir`, as "path:line: message")."""
    result = subprocess.run(cmd, cwd=cwd, env=layout.build_env(), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines = result.stdout.splitlines()
    errors = [line for line in lines if line.startswith("error")]
    found = _warnings(lines, set(warnings_in), cwd, tree_dir or cwd)
    return result.returncode == 0, errors[:5], found


def _warnings(lines, paths, cwd, tree_dir):
    """The rustc warnings (cargo replays those of crates it does not rebuild) whose primary
    location is in `paths`, relative to `tree_dir`. Cargo writes a location relative to the
    workspace it runs in (`cwd`) or, for a crate outside it, absolute."""
    found = set()
    for index, line in enumerate(lines[:-1]):
        if not line.startswith("warning:"):
            continue
        location = lines[index + 1].strip()
        if not location.startswith("--> "):
            continue
        path, _, rest = location[4:].partition(":")
        path = os.path.relpath(os.path.normpath(os.path.join(cwd, path)), tree_dir)
        if path in paths:
            found.add(f"{path}:{rest.split(':')[0]}: {line[len('warning: '):]}")
    return found


def _check_new_crate(package, path):
    """Checks a new crate, its tests included, against the tree's patched Servo crates."""
    with fork.tree_workspace([path]) as root:
        ok, errors, _ = _cargo(["cargo", "check", "--all-targets", "-p", package], root)
        return ok, errors


def run(only=None):
    """`only`: the patch numbers whose prefixes to check; all when None."""
    tree.apply()
    fork.generate_workspace()
    tree_dir = layout.tree_dir()
    head = tree.git(tree_dir, "rev-parse", "HEAD", capture=True)
    commits = tree.git(tree_dir, "rev-list", "--reverse", "base..HEAD", capture=True).splitlines()
    passed = failed = 0
    try:
        for number, commit in enumerate(commits, 1):
            if only is not None and number not in only:
                continue
            subject = tree.git(tree_dir, "log", "-1", "--format=%s", commit, capture=True)
            tree.git(tree_dir, "checkout", "-q", "--detach", commit)
            changed = tree.git(tree_dir, "diff-tree", "--no-commit-id", "--name-only", "-r",
                               commit, capture=True).splitlines()
            series_files = tree.git(tree_dir, "diff", "--name-only", "base", commit,
                                    capture=True).splitlines()
            start = time.monotonic()
            ok, errors, warnings = _cargo(fork.runner_build_command(), layout.fork_dir(),
                                          series_files, tree_dir)
            for package, path in layout.NEW_CRATES.items():
                if ok and any(p.startswith(path + "/") for p in changed) and os.path.exists(
                        os.path.join(tree_dir, path, "Cargo.toml")):
                    ok, errors = _check_new_crate(package, path)
            status = "ok" if ok else "FAILED"
            log(f"bisect {number:04}/{len(commits)} {status} in {time.monotonic() - start:.0f} s: {subject}")
            for line in errors:
                log(f"    {line}")
            # Warnings are reported, not failed on: a patch may add what only a later one uses.
            if warnings:
                log(f"    {len(warnings)} warning(s) in the series' files:")
                for line in sorted(warnings)[:8]:
                    log(f"    {line}")
            passed += ok
            failed += not ok
    finally:
        tree.git(tree_dir, "checkout", "-q", "-B", "cos", head)
    print(f"patches check --bisect: {passed} passed, {failed} failed")
    return 1 if failed else 0
