# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""The monorepo-layout Servo tree: pristine 0.7.0 sources, our crates, and the patch series.

History of the tree's `cos` branch:
    base         Servo 0.7.0 published crate sources at their monorepo paths (tag `base`)
    generated    this repo's components/ crates, webidl/ files and manifest dependencies
                 (not part of the series: it is derived from the repo)
    series       one commit per patches/*.patch, applied with `git am`

A new history is built in a scratch worktree and the tree is then moved to it with
`git checkout`, which rewrites only files whose content changed. Cargo's mtime-based
fingerprints therefore see no change for untouched files, across re-applies and clones.
"""

import glob
import os
import shutil
import subprocess
import tarfile
import tempfile

from . import layout
from .layout import log, run

GIT_ID = [
    "-c", "user.name=servo-cos mach", "-c", "user.email=mach@servo-cos.invalid",
    "-c", "commit.gpgsign=false", "-c", "core.autocrlf=false",
]
# A fixed date keeps the generated commits reproducible.
FIXED_DATE = "2025-01-01T00:00:00+00:00"


def git(repo, *args, capture=False, env=None, check=True):
    cmd = ["git", *GIT_ID, "-C", repo, *args]
    full_env = dict(os.environ)
    full_env.update({"GIT_AUTHOR_DATE": FIXED_DATE, "GIT_COMMITTER_DATE": FIXED_DATE})
    if env:
        full_env.update(env)
    result = subprocess.run(
        cmd, check=check, env=full_env, text=True,
        stdout=subprocess.PIPE if capture else None,
        stderr=subprocess.PIPE if capture else None,
    )
    return result.stdout.strip() if capture else result


def series():
    return sorted(glob.glob(os.path.join(layout.patches_dir(), "*.patch")))


def fetch_sources():
    """Makes sure cargo's registry cache holds the 0.7.0 crates (and the whole dependency set)."""
    missing = [p for p in ["servo", *layout.PATCHED_CRATES] if not layout.registry_crate_files(p)]
    if not missing:
        return
    log(f"fetching Servo {layout.SERVO_VERSION} crates from crates.io ({', '.join(missing)} missing)")
    scratch = os.path.join(layout.build_dir(), "fetch")
    os.makedirs(os.path.join(scratch, "src"), exist_ok=True)
    layout.write_if_changed(
        os.path.join(scratch, "Cargo.toml"),
        '[package]\nname = "servo-cos-fetch"\nversion = "0.0.0"\nedition = "2021"\npublish = false\n\n'
        f'[dependencies]\nservo = "={layout.SERVO_VERSION}"\n',
    )
    layout.write_if_changed(os.path.join(scratch, "src", "main.rs"), "fn main() {}\n")
    run(["cargo", "generate-lockfile"], cwd=scratch)
    run(["cargo", "fetch"], cwd=scratch)


def unpack_crate(package, dest, monorepo_manifest=False):
    """Extracts a published crate into dest, minus the packaging artefacts. With
    `monorepo_manifest`, the manifest is the original one from the Servo checkout
    (`Cargo.toml.orig`, workspace-style) instead of the normalized one."""
    crate = layout.registry_crate_files(package)[-1]
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(crate) as tar:
            tar.extractall(tmp, filter="data")
        (root,) = os.listdir(tmp)
        src = os.path.join(tmp, root)
        if monorepo_manifest:
            os.replace(os.path.join(src, "Cargo.toml.orig"), os.path.join(src, "Cargo.toml"))
        for junk in (".cargo_vcs_info.json", ".cargo-ok", "Cargo.lock", "Cargo.toml.orig"):
            path = os.path.join(src, junk)
            if os.path.exists(path):
                os.remove(path)
        shutil.copytree(src, dest, dirs_exist_ok=True)


def ensure_base(tree):
    """Creates the tree with its `base` commit unless it already has one. A base laid out when
    the series patched fewer crates gets the others added, so that the next apply only adds
    their files and cargo keeps everything it built."""
    if os.path.isdir(os.path.join(tree, ".git")) and git(
        tree, "rev-parse", "-q", "--verify", "refs/tags/base", capture=True, check=False
    ):
        missing = {
            package: path for package, path in layout.PATCHED_CRATES.items()
            if not git(tree, "ls-tree", "-d", "--name-only", "base", path, capture=True)
        }
        if missing:
            extend_base(tree, missing)
        return
    fetch_sources()
    log(f"laying out pristine Servo {layout.SERVO_VERSION} sources in {tree}")
    if os.path.exists(tree):
        shutil.rmtree(tree)
    os.makedirs(tree)
    git(tree, "init", "-q", "-b", "cos")
    for package, path in layout.PATCHED_CRATES.items():
        unpack_crate(package, os.path.join(tree, path))
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m",
        f"Servo {layout.SERVO_VERSION} (servo/servo@{layout.SERVO_COMMIT}): published crate sources")
    git(tree, "tag", "base")


def extend_base(tree, crates):
    """Rewrites the `base` commit with `crates` (package -> path) unpacked beside the others."""
    fetch_sources()
    log(f"adding {', '.join(crates)} to the pristine sources in {tree}")
    scratch = os.path.join(layout.build_dir(), "servo-base")
    git(tree, "worktree", "prune")
    if os.path.exists(scratch):
        git(tree, "worktree", "remove", "--force", scratch, check=False, capture=True)
        shutil.rmtree(scratch, ignore_errors=True)
    git(tree, "worktree", "add", "-q", "--detach", scratch, "base")
    try:
        for package, path in crates.items():
            unpack_crate(package, os.path.join(scratch, path))
        git(scratch, "add", "-A")
        git(scratch, "commit", "-q", "--amend", "--no-edit")
        git(tree, "tag", "-f", "base", git(scratch, "rev-parse", "HEAD", capture=True), capture=True)
    finally:
        git(tree, "worktree", "remove", "--force", scratch, check=False, capture=True)


def add_manifest_dependencies(tree):
    """Appends the dependency tables the series needs; valid TOML in either manifest style."""
    for path, deps in layout.MANIFEST_DEPS.items():
        manifest = os.path.join(tree, path, "Cargo.toml")
        with open(manifest) as f:
            text = f.read()
        for package, rel in deps:
            if not os.path.isdir(os.path.join(tree, path, rel)):
                continue
            header = f"[dependencies.{package}]"
            if header in text:
                continue
            text = text.rstrip("\n") + f'\n\n{header}\npath = "{rel}"\n'
        with open(manifest, "w") as f:
            f.write(text)


def copy_repo_sources(tree):
    """Copies this repo's crates and WebIDL files to their Servo paths."""
    for path in layout.NEW_CRATES.values():
        src = os.path.join(layout.REPO, path)
        if os.path.isdir(src):
            layout.sync_tree(src, os.path.join(tree, path))
    for idl in sorted(glob.glob(os.path.join(layout.REPO, "webidl", "*.webidl"))):
        shutil.copyfile(idl, os.path.join(tree, layout.WEBIDL_DEST, os.path.basename(idl)))


def owned_pathspecs():
    """Paths whose source of truth is this repo, never the patch series."""
    specs = [f":(exclude){p}" for p in layout.NEW_CRATES.values()]
    for idl in glob.glob(os.path.join(layout.REPO, "webidl", "*.webidl")):
        specs.append(f":(exclude){layout.WEBIDL_DEST}/{os.path.basename(idl)}")
    specs += [f":(exclude){p}/Cargo.toml" for p in layout.MANIFEST_DEPS]
    return specs


GENERATED_SUBJECT = "cos: add the COS crates, WebIDL and manifest dependencies (generated by mach)"


def generated_commit(tree):
    """The generated commit in the tree's own history: the series starts after it. Looked up
    from HEAD rather than through a ref, so `patches check` (which builds other histories in a
    scratch worktree of the same repository) cannot move it."""
    commit = git(tree, "log", "-1", "--format=%H", "--fixed-strings", f"--grep={GENERATED_SUBJECT}",
                 "HEAD", capture=True)
    if not commit:
        layout.die(f"{tree} has no generated commit: run `mach patches apply` first")
    return commit


def build_history(tree, patches):
    """Builds base + generated + series in a scratch worktree; returns the new head commit."""
    scratch = os.path.join(layout.build_dir(), "servo-am")
    git(tree, "worktree", "prune")
    if os.path.exists(scratch):
        git(tree, "worktree", "remove", "--force", scratch, check=False)
        shutil.rmtree(scratch, ignore_errors=True)
    git(tree, "worktree", "add", "-q", "--detach", scratch, "base")
    try:
        copy_repo_sources(scratch)
        add_manifest_dependencies(scratch)
        git(scratch, "add", "-A")
        git(scratch, "commit", "-q", "--allow-empty", "-m", GENERATED_SUBJECT)
        if patches:
            result = subprocess.run(
                ["git", *GIT_ID, "-C", scratch, "am", "-q", "--keep-cr", "--committer-date-is-author-date",
                 *patches],
                text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            )
            if result.returncode != 0:
                git(scratch, "am", "--abort", check=False, capture=True)
                raise RuntimeError(f"git am failed:\n{result.stdout}")
        return git(scratch, "rev-parse", "HEAD", capture=True)
    finally:
        git(tree, "worktree", "remove", "--force", scratch, check=False, capture=True)


def apply(into=None):
    """`patches apply`: brings the build tree (or a Servo checkout) to base + generated + series."""
    if into:
        return apply_into_checkout(os.path.abspath(into))
    tree = layout.tree_dir()
    ensure_base(tree)
    dirty = git(tree, "status", "--porcelain", capture=True)
    if dirty:
        layout.die(f"{tree} has uncommitted edits; commit them and run `mach patches export` first:\n{dirty}")
    head = build_history(tree, series())
    old = git(tree, "rev-parse", "HEAD", capture=True)
    changed = git(tree, "diff", "--name-only", old, head, capture=True).splitlines()
    git(tree, "checkout", "-q", "-B", "cos", head)
    log(f"tree at {tree}: {len(series())} patches applied, {len(changed)} files changed")
    return 0


def export():
    """`patches export`: writes the tree's series commits back to patches/."""
    tree = layout.tree_dir()
    if git(tree, "status", "--porcelain", capture=True):
        layout.die(f"{tree} has uncommitted edits: commit them in the tree first")
    outdir = layout.patches_dir()
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        git(tree, "format-patch", "-q", "-N", "--no-signature", "--zero-commit", "--no-stat",
            "-o", tmp, f"{generated_commit(tree)}..HEAD", "--", ".", *owned_pathspecs())
        new = sorted(os.listdir(tmp))
        for old in series():
            if os.path.basename(old) not in new:
                os.remove(old)
        changed = 0
        for name in new:
            with open(os.path.join(tmp, name), "rb") as f:
                changed += layout.write_if_changed(os.path.join(outdir, name), f.read())
    log(f"exported {len(new)} patches to {outdir} ({changed} changed)")
    return 0


def check():
    """`patches check`: the series applies with `git am` onto a pristine monorepo-layout tree."""
    tree = layout.tree_dir()
    ensure_base(tree)
    patches = series()
    if not patches:
        layout.die("patches/ holds no *.patch files")
    try:
        build_history(tree, patches)
    except RuntimeError as e:
        print(e)
        print("patches check: 0 passed, 1 failed")
        return 1
    print(f"patches check: {len(patches)} patches apply cleanly onto Servo {layout.SERVO_VERSION}")
    # The same series through `patches apply --into`, on a tree laid out like a Servo checkout:
    # the original workspace-style manifests instead of the published, normalized ones.
    with tempfile.TemporaryDirectory(prefix="servo-checkout-") as checkout:
        git(checkout, "init", "-q", "-b", "main")
        for package, path in layout.PATCHED_CRATES.items():
            unpack_crate(package, os.path.join(checkout, path), monorepo_manifest=True)
        git(checkout, "add", "-A")
        git(checkout, "commit", "-q", "-m", "Servo checkout stand-in")
        try:
            apply_into_checkout(checkout, quiet=True)
        except subprocess.CalledProcessError as e:
            print(f"patches check: `patches apply --into` failed on a checkout-style tree: {e}")
            print("patches check: 1 passed, 1 failed")
            return 1
        for path in layout.MANIFEST_DEPS:
            with open(os.path.join(checkout, path, "Cargo.toml")) as f:
                if "cross-origin-storage" not in f.read():
                    print(f"patches check: {path}/Cargo.toml did not get its dependency")
                    print("patches check: 1 passed, 1 failed")
                    return 1
    print("patches check: `patches apply --into` turns a checkout-style tree into the fork")
    print("patches check: 2 passed, 0 failed")
    return 0


def apply_into_checkout(checkout, quiet=False):
    """Turns a real Servo checkout at SERVO_COMMIT into the complete fork."""
    if not os.path.isdir(os.path.join(checkout, ".git")):
        layout.die(f"{checkout} is not a git checkout")
    if not os.path.isfile(os.path.join(checkout, "components", "script", "lib.rs")):
        layout.die(f"{checkout} does not look like a Servo checkout")
    head = git(checkout, "rev-parse", "HEAD", capture=True)
    if head != layout.SERVO_COMMIT and not quiet:
        log(f"warning: {checkout} is at {head}, the series targets {layout.SERVO_COMMIT}")
    copy_repo_sources(checkout)
    use_workspace_deps(checkout)
    add_manifest_dependencies(checkout)
    git(checkout, "add", "-A")
    git(checkout, "commit", "-q", "-m", "cos: add the COS crates, WebIDL and manifest dependencies")
    subprocess.run(["git", *GIT_ID, "-C", checkout, "am", "-q", "--keep-cr", *series()], check=True)
    if not quiet:
        log(f"{checkout} is now the COS fork")
    return 0


def use_workspace_deps(checkout):
    """Inside a Servo checkout the new crates must use the workspace's own Servo crates.

    Our manifests name Servo crates with the same keys as Servo's `[workspace.dependencies]`
    (`servo-base`, `malloc_size_of`, ...), pinned to `=0.7.0` on one line each.
    """
    for path in layout.NEW_CRATES.values():
        manifest = os.path.join(checkout, path, "Cargo.toml")
        with open(manifest) as f:
            lines = f.read().splitlines()
        out = []
        for line in lines:
            key, sep, rest = line.partition("=")
            if sep and f'"={layout.SERVO_VERSION}"' in rest and not key.strip().startswith("["):
                features = ""
                if "features" in rest:
                    features = ", features = " + rest.split("features", 1)[1].split("=", 1)[1].strip().rstrip("}").strip()
                line = f"{key.strip()} = {{ workspace = true{features} }}"
            out.append(line)
        with open(manifest, "w") as f:
            f.write("\n".join(out) + "\n")
