# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""Servo's formatting, patch by patch.

Servo's tidy runs rustfmt with Servo's rustfmt.toml, two of whose options are unstable, so it
needs a nightly rustfmt. A series passes when every Rust file each patch adds or modifies is,
at that patch, as rustfmt leaves it: a reviewer then never sees a fix-up of formatting that an
earlier patch got wrong.
"""

import functools
import os
import re
import subprocess

from . import layout
from .layout import log

# Servo's rustfmt.toml (the repo's own is the same).
SERVO_RUSTFMT = """\
match_block_trailing_comma = true
reorder_imports = true
style_edition = "2024"
imports_granularity = "Module"
group_imports = "StdExternalCrate"
binop_separator = "Back"
"""


def _config():
    return _config_in(layout.build_dir())


@functools.cache
def _config_in(build_dir):
    """Servo's rustfmt.toml, written once per build directory for rustfmt's --config-path."""
    path = os.path.join(build_dir, "servo-rustfmt.toml")
    layout.write_if_changed(path, SERVO_RUSTFMT)
    return path


def available():
    """Whether a nightly rustfmt is installed (it is on this project's machines)."""
    try:
        result = subprocess.run(["rustfmt", "+nightly", "--version"], capture_output=True)
    except FileNotFoundError:
        return False
    return result.returncode == 0


def formatted(source):
    """What Servo's rustfmt makes of `source` (bytes); None if rustfmt cannot parse it."""
    result = subprocess.run(
        ["rustfmt", "+nightly", "--edition", "2024", "--unstable-features",
         "--config-path", _config(), "--emit", "stdout"],
        input=source, capture_output=True,
    )
    return result.stdout if result.returncode == 0 else None


def _git(repo, *args, data=None, env=None):
    full_env = dict(os.environ)
    full_env.update(env or {})
    result = subprocess.run(["git", "-C", repo, *args], input=data, capture_output=True,
                            env=full_env, check=True)
    return result.stdout


def _changes(repo, commit):
    """(status, path) of what `commit` changed against its parent."""
    out = _git(repo, "diff-tree", "--no-commit-id", "--no-renames", "--name-status", "-r",
               commit).decode()
    return [tuple(line.split("\t", 1)) for line in out.splitlines() if line]


def unformatted(repo, commits):
    """(commit subject, path) for every Rust file a commit added or modified that Servo's
    rustfmt would change at that commit."""
    found = []
    for commit in commits:
        for status, path in _changes(repo, commit):
            if status == "D" or not path.endswith(".rs"):
                continue
            source = _git(repo, "show", f"{commit}:{path}")
            result = formatted(source)
            if result is not None and result != source:
                subject = _git(repo, "log", "-1", "--format=%s", commit).decode().strip()
                found.append((subject, path))
    return found


def format_series(repo, base="base"):
    """Rewrites base..HEAD of `repo` so that at every commit, each Rust file the series touched
    so far is as rustfmt leaves it. Returns the new head."""

    def format_rust(path, source):
        if not path.endswith(".rs"):
            return source
        result = formatted(source)
        return source if result is None else result

    return rewrite_series(repo, format_rust, base)


def rewrite_series(repo, transform, base="base"):
    """Rewrites base..HEAD of `repo`, passing every file version a commit adds or changes
    through `transform(path, bytes) -> bytes`. Snapshots are rewritten, not diffs, so nothing
    conflicts: a commit's new tree is its parent's new tree with the files the commit changed
    replaced by their transformed versions (a transform must give the same result for the same
    input, so that files a commit leaves alone stay as its parent has them). Messages, authors
    and dates stay. Returns the new head."""
    commits = _git(repo, "rev-list", "--reverse", f"{base}..HEAD").decode().split()
    index = os.path.join(layout.build_dir(), "format-index")
    env = {"GIT_INDEX_FILE": index}
    parent = _git(repo, "rev-parse", base).decode().strip()
    rewritten = 0
    for commit in commits:
        _git(repo, "read-tree", parent, env=env)
        for status, path in _changes(repo, commit):
            if status == "D":
                _git(repo, "update-index", "--force-remove", "--", path, env=env)
                continue
            mode, _, blob = _git(repo, "ls-tree", commit, "--", path).decode().split()[:3]
            source = _git(repo, "cat-file", "blob", blob)
            result = transform(path, source)
            if result != source:
                blob = _git(repo, "hash-object", "-w", "--stdin", data=result).decode().strip()
                rewritten += 1
            _git(repo, "update-index", "--add", "--cacheinfo", f"{mode},{blob},{path}", env=env)
        tree = _git(repo, "write-tree", env=env).decode().strip()
        fields = _git(repo, "log", "-1", "--format=%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI",
                      commit).decode().strip().split("\x00")
        an, ae, ad, cn, ce, cd = fields
        # The raw message, byte for byte: after the headers of the commit object.
        message = _git(repo, "cat-file", "commit", commit).split(b"\n\n", 1)[1]
        parent = _git(repo, "commit-tree", tree, "-p", parent, data=message, env={
            "GIT_AUTHOR_NAME": an, "GIT_AUTHOR_EMAIL": ae, "GIT_AUTHOR_DATE": ad,
            "GIT_COMMITTER_NAME": cn, "GIT_COMMITTER_EMAIL": ce, "GIT_COMMITTER_DATE": cd,
        }).decode().strip()
    if os.path.exists(index):
        os.remove(index)
    log(f"rewrote {rewritten} file versions across {len(commits)} commits")
    return parent


# The header Servo's tidy asks of every new source file, in the comment syntax of its kind.
MPL_LINES = ("This Source Code Form is subject to the terms of the Mozilla Public",
             "License, v. 2.0. If a copy of the MPL was not distributed with this",
             "file, You can obtain one at https://mozilla.org/MPL/2.0/.")
HEADED = (".rs", ".webidl", ".py", ".js", ".toml")


def tidy_problems(patch_text):
    """What Servo's tidy would say about the lines a patch adds: trailing whitespace, tabs,
    a new source file without the MPL header, a file left without a final newline."""
    problems = []
    path, new_file, head = None, False, []
    for line in patch_text.splitlines():
        if line.startswith("diff --git "):
            problems += _header_problem(path, new_file, head)
            path, new_file, head = line.split(" b/", 1)[1], False, []
        elif line.startswith("new file mode"):
            new_file = True
        elif line.startswith("+++ ") or line.startswith("--- "):
            continue
        elif line.startswith("+") and path:
            added = line[1:]
            if new_file and len(head) < 6:
                head.append(added)
            if added != added.rstrip():
                problems.append(f"{path}: trailing whitespace: {added.strip()[:60]!r}")
            if "\t" in added and not path.endswith(("Makefile", ".patch")):
                problems.append(f"{path}: a tab: {added.strip()[:60]!r}")
        elif line == "\\ No newline at end of file" and path:
            problems.append(f"{path}: no newline at the end of the file")
    problems += _header_problem(path, new_file, head)
    return problems


def _header_problem(path, new_file, head):
    if not (path and new_file and path.endswith(HEADED)) or path.endswith("Cargo.toml"):
        return []
    text = " ".join(re.sub(r"^\W+", "", line) for line in head)
    if all(part in text for part in MPL_LINES):
        return []
    return [f"{path}: a new file without the MPL-2.0 header"]
