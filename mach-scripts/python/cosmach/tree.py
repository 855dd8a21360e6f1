# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""The monorepo-layout Servo tree: pristine 0.7.0 sources and the patch series.

History of the tree's `cos` branch:
    base         Servo 0.7.0 published crate sources at their monorepo paths, each with the
                 manifest a Servo checkout has, and a stand-in root manifest (tag `base`)
    series       one commit per patches/*.patch, applied with `git am`

The series carries the whole change, the new crates and WebIDL files included, so that
`git am patches/*.patch` on a Servo checkout gives the fork. The content of those files has
one source of truth, this repo's components/ and webidl/: when they differ from what the
series produces, `patches apply` folds the difference into the patch that last touched each
file and rewrites patches/.

A new history is built in a scratch worktree and the tree is then moved to it with
`git checkout`, which rewrites only files whose content changed. Cargo's mtime-based
fingerprints therefore see no change for untouched files, across re-applies and clones.
"""

import contextlib
import glob
import os
import shutil
import subprocess
import tarfile
import tempfile
import tomllib

from . import layout, standin, style, upstream
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


def has_base(tree):
    """Whether `tree` is a git tree with its `base` tag."""
    return os.path.isdir(os.path.join(tree, ".git")) and bool(
        git(tree, "rev-parse", "-q", "--verify", "refs/tags/base", capture=True, check=False))


@contextlib.contextmanager
def scratch_worktree(tree, name, rev="base"):
    """A worktree of `tree` at `rev` in the build directory, removed afterwards, so that
    histories are built and patches tried without touching the tree cargo builds."""
    scratch = os.path.join(layout.build_dir(), name)
    git(tree, "worktree", "prune")
    if os.path.exists(scratch):
        git(tree, "worktree", "remove", "--force", scratch, check=False, capture=True)
        shutil.rmtree(scratch, ignore_errors=True)
    git(tree, "worktree", "add", "-q", "--detach", scratch, rev)
    try:
        yield scratch
    finally:
        git(tree, "worktree", "remove", "--force", scratch, check=False, capture=True)


def require_clean(tree):
    dirty = git(tree, "status", "--porcelain", capture=True)
    if dirty:
        layout.die(f"{tree} has uncommitted edits; commit them in the tree first:\n{dirty}")


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


def crate_manifests(package):
    """(original, normalized) manifest texts of a published crate. A crate published without
    an original manifest has one manifest, used as both."""
    crate = layout.registry_crate_files(package)[-1]
    prefix = f"{package}-{layout.SERVO_VERSION}/"
    with tarfile.open(crate) as tar:
        names = set(tar.getnames())
        normalized = tar.extractfile(prefix + "Cargo.toml").read().decode()
        original = normalized
        if prefix + "Cargo.toml.orig" in names:
            original = tar.extractfile(prefix + "Cargo.toml.orig").read().decode()
    return original, normalized


def unpack_crate(package, dest):
    """Extracts a published crate into dest as a Servo checkout has it: with its original,
    workspace-style manifest and without the packaging artefacts."""
    crate = layout.registry_crate_files(package)[-1]
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(crate) as tar:
            tar.extractall(tmp, filter="data")
        (root,) = os.listdir(tmp)
        src = os.path.join(tmp, root)
        original = os.path.join(src, "Cargo.toml.orig")
        if os.path.exists(original):
            os.replace(original, os.path.join(src, "Cargo.toml"))
        for junk in (".cargo_vcs_info.json", ".cargo-ok", "Cargo.lock"):
            path = os.path.join(src, junk)
            if os.path.exists(path):
                os.remove(path)
        shutil.copytree(src, dest, dirs_exist_ok=True)


def new_crate_dependencies():
    """Servo crates our crates depend on, as workspace entries: a Servo checkout's root
    manifest has them all, the stand-in only those the patched crates use."""
    entries = []
    for path in layout.NEW_CRATES.values():
        manifest = os.path.join(layout.REPO, path, "Cargo.toml")
        if not os.path.exists(manifest):
            continue
        with open(manifest, "rb") as f:
            parsed = tomllib.load(f)
        for kind in standin.DEPENDENCY_TABLES:
            for key, entry in parsed.get(kind, {}).items():
                if isinstance(entry, dict) and entry.get("version") == f"={layout.SERVO_VERSION}":
                    table = {"version": entry["version"]}
                    if "package" in entry:
                        table["package"] = entry["package"]
                    entries.append((key, table))
    return entries


def root_manifest():
    crates = {package: crate_manifests(package) for package in layout.PATCHED_CRATES}
    try:
        return standin.root_manifest(
            layout.PATCHED_CRATES.values(), crates, new_crate_dependencies())
    except standin.StandInError as e:
        layout.die(f"cannot derive the stand-in root manifest: {e}")


def base_is_current(tree, root):
    """Whether the tree's `base` holds every patched crate and this stand-in root manifest."""
    if not has_base(tree):
        return False
    for path in layout.PATCHED_CRATES.values():
        if not git(tree, "ls-tree", "-d", "--name-only", "base", path, capture=True):
            return False
    return git(tree, "show", "base:Cargo.toml", capture=True, check=False) == root.strip()


def ensure_base(tree):
    """Creates the tree with its `base` commit, or rewrites that commit when the patched crates
    or the stand-in root manifest changed. Files keep their bytes wherever they can, so that
    the next apply rewrites only what changed and cargo keeps everything else it built."""
    fetch_sources()
    root = root_manifest()
    if base_is_current(tree, root):
        return
    if not has_base(tree):
        log(f"laying out pristine Servo {layout.SERVO_VERSION} sources in {tree}")
        if os.path.exists(tree):
            shutil.rmtree(tree)
        os.makedirs(tree)
        git(tree, "init", "-q", "-b", "cos")
        lay_out_base(tree, root)
        git(tree, "add", "-A")
        git(tree, "commit", "-q", "-m", BASE_SUBJECT)
        git(tree, "tag", "base")
        return
    log(f"laying out the pristine sources in {tree} again (patched crates or root manifest changed)")
    with scratch_worktree(tree, "servo-base") as scratch:
        git(scratch, "rm", "-q", "-r", "--cached", ".")
        for entry in os.listdir(scratch):
            if entry != ".git":
                path = os.path.join(scratch, entry)
                shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
        lay_out_base(scratch, root)
        git(scratch, "add", "-A")
        git(scratch, "commit", "-q", "--amend", "-m", BASE_SUBJECT)
        git(tree, "tag", "-f", "base", git(scratch, "rev-parse", "HEAD", capture=True), capture=True)


BASE_SUBJECT = (f"Servo {layout.SERVO_VERSION} (servo/servo@{layout.SERVO_COMMIT}): published crate "
                "sources with their original manifests, and a stand-in root manifest")


def lay_out_base(tree, root):
    for package, path in layout.PATCHED_CRATES.items():
        unpack_crate(package, os.path.join(tree, path))
    with open(os.path.join(tree, "Cargo.toml"), "w") as f:
        f.write(root)


def checkout_manifest(text):
    """A new crate's manifest as it sits in a Servo checkout: the Servo crates it names
    (`name = { version = "=0.7.0", ... }` on one line, with the keys of Servo's
    `[workspace.dependencies]`) come from the workspace. The repo's own workspace builds
    the crates with the published versions instead."""
    out = []
    for line in text.splitlines():
        key, sep, rest = line.partition("=")
        if sep and f'"={layout.SERVO_VERSION}"' in rest and not key.strip().startswith("["):
            features = ""
            if "features" in rest:
                features = ", features = " + rest.split("features", 1)[1].split("=", 1)[1].strip().rstrip("}").strip()
            line = f"{key.strip()} = {{ workspace = true{features} }}"
        out.append(line)
    return "\n".join(out) + "\n"


def owned_files():
    """The files whose content this repo owns, at their tree paths, with the bytes the series
    must give them."""
    files = {}
    for path in layout.NEW_CRATES.values():
        src = os.path.join(layout.REPO, path)
        for rel in layout.files_below(src):
            with open(os.path.join(src, rel), "rb") as f:
                data = f.read()
            if rel == "Cargo.toml":
                data = checkout_manifest(data.decode()).encode()
            files[os.path.join(path, rel)] = data
    for idl in sorted(glob.glob(os.path.join(layout.REPO, "webidl", "*.webidl"))):
        with open(idl, "rb") as f:
            files[f"{layout.WEBIDL_DEST}/{os.path.basename(idl)}"] = f.read()
    return files


def owned_differences(worktree, wanted):
    """Paths where the worktree's files differ from `wanted` (`owned_files()`): changed or
    missing in the worktree, or tracked there in a new crate though the repo has no such file."""
    differ = []
    for path, data in wanted.items():
        try:
            with open(os.path.join(worktree, path), "rb") as f:
                if f.read() == data:
                    continue
        except FileNotFoundError:
            pass
        differ.append(path)
    for crate in layout.NEW_CRATES.values():
        listing = git(worktree, "ls-files", "--", crate, capture=True)
        differ += [p for p in listing.splitlines() if p and p not in wanted]
    return sorted(differ)


def fold_in_repo_sources(worktree):
    """Makes the worktree's series carry the repo's files: each changed file goes into the
    last commit of the series that touched it (a new file into the last one that touched its
    crate), so every patch keeps its own part. Returns the paths that changed."""
    wanted = owned_files()
    paths = owned_differences(worktree, wanted)
    if not paths:
        return []
    targets = {}
    for path in paths:
        commit = git(worktree, "log", "-1", "--format=%H", "base..HEAD", "--", path, capture=True)
        if not commit:
            crate = next((c for c in layout.NEW_CRATES.values() if path.startswith(c + "/")), None)
            if crate is None:
                layout.die(f"{path} is new: add it in the tree to the patch that implements it, "
                           "then `mach patches export`")
            commit = git(worktree, "log", "-1", "--format=%H", "base..HEAD", "--", crate, capture=True)
            if not commit:
                layout.die(f"no patch adds {crate}: the series must carry the crate")
        targets.setdefault(commit, []).append(path)
    for commit, commit_paths in targets.items():
        for path in commit_paths:
            if path in wanted:
                full = os.path.join(worktree, path)
                os.makedirs(os.path.dirname(full), exist_ok=True)
                with open(full, "wb") as f:
                    f.write(wanted[path])
                git(worktree, "add", "--", path)
            else:
                git(worktree, "rm", "-q", "--", path)
        git(worktree, "commit", "-q", f"--fixup={commit}")
    env = {"GIT_SEQUENCE_EDITOR": ":", "GIT_EDITOR": ":"}
    git(worktree, "rebase", "-q", "-i", "--autosquash", "--committer-date-is-author-date", "base",
        env=env)
    return paths


def build_history(tree, patches, fold=False):
    """Builds base + series in a scratch worktree; returns (head commit, paths where the
    series' files differ from the repo's). With `fold`, those are folded into the series
    first, and the paths returned are the ones that were folded in."""
    with scratch_worktree(tree, "servo-am") as scratch:
        if patches:
            result = subprocess.run(
                ["git", *GIT_ID, "-C", scratch, "am", "-q", "--keep-cr", "--committer-date-is-author-date",
                 *patches],
                text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            )
            if result.returncode != 0:
                git(scratch, "am", "--abort", check=False, capture=True)
                raise RuntimeError(f"git am failed:\n{result.stdout}")
        if fold:
            paths = fold_in_repo_sources(scratch)
        else:
            paths = owned_differences(scratch, owned_files())
        return git(scratch, "rev-parse", "HEAD", capture=True), paths


def apply(into=None):
    """`patches apply`: brings the build tree (or a Servo checkout) to base + series, after
    folding the repo's crates and WebIDL files into the series."""
    if into:
        return apply_into_checkout(os.path.abspath(into))
    tree = layout.tree_dir()
    ensure_base(tree)
    require_clean(tree)
    head, folded = build_history(tree, series(), fold=True)
    if folded:
        write_series(tree, head)
        log(f"patches/ now carries the repo's {', '.join(folded)}")
    old = git(tree, "rev-parse", "HEAD", capture=True)
    changed = git(tree, "diff", "--name-only", old, head, capture=True).splitlines()
    git(tree, "checkout", "-q", "-B", "cos", head)
    log(f"tree at {tree}: {len(series())} patches applied, {len(changed)} files changed")
    return 0


def write_series(tree, head):
    """Writes base..head to patches/ as `git format-patch` output, replacing the old series."""
    outdir = layout.patches_dir()
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        git(tree, "format-patch", "-q", "-N", "--no-signature", "--zero-commit", "--no-stat",
            "-o", tmp, f"base..{head}")
        new = sorted(os.listdir(tmp))
        for old in series():
            if os.path.basename(old) not in new:
                os.remove(old)
        changed = 0
        for name in new:
            with open(os.path.join(tmp, name), "rb") as f:
                changed += layout.write_if_changed(os.path.join(outdir, name), f.read())
    return len(new), changed


def export():
    """`patches export`: writes the tree's commits back to patches/."""
    tree = layout.tree_dir()
    require_clean(tree)
    differ = owned_differences(tree, owned_files())
    if differ:
        layout.die("the tree's copies of these files differ from the repo's, which are the ones "
                   f"that count: {', '.join(differ)}. Make the change in the repo "
                   "(components/, webidl/) and run `mach patches apply`")
    count, changed = write_series(tree, "HEAD")
    log(f"exported {count} patches to {layout.patches_dir()} ({changed} changed)")
    return 0


def format_series():
    """`patches format`: every patch's Rust files as Servo's rustfmt leaves them, at that patch;
    then `export`."""
    tree = layout.tree_dir()
    require_clean(tree)
    if not style.available():
        layout.die("`rustfmt +nightly` is missing: Servo's rustfmt.toml needs a nightly rustfmt")
    head = style.format_series(tree)
    git(tree, "checkout", "-q", "-B", "cos", head)
    return export()


# What a Servo reviewer takes in one patch (issue 12); reported by `patches check`.
MAX_PATCH_LINES = 700


def review_notes(patches):
    """Patches a reviewer would send back for their form: too long, or without a message body."""
    notes = []
    for path in patches:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        lines = text.count("\n")
        name = os.path.basename(path)
        if lines > MAX_PATCH_LINES:
            notes.append(f"{name}: {lines} lines (over {MAX_PATCH_LINES})")
        header = text.split("\n---\n", 1)[0]
        body = header.split("\n\n", 1)[1] if "\n\n" in header else ""
        if not body.strip():
            notes.append(f"{name}: no message body")
    return notes


def check():
    """`patches check`: the series alone gives the fork. It applies with `git am` onto the
    pristine tree, carries exactly the repo's crates and WebIDL files, and applies with
    nothing but `git am` to a tree laid out like a Servo checkout."""
    tree = layout.tree_dir()
    ensure_base(tree)
    patches = series()
    if not patches:
        layout.die("patches/ holds no *.patch files")
    passed = failed = 0
    try:
        head, differ = build_history(tree, patches)
    except RuntimeError as e:
        print(e)
        print("patches check: 0 passed, 6 failed")
        return 1
    print(f"patches check: {len(patches)} patches apply cleanly onto Servo {layout.SERVO_VERSION}")
    passed += 1
    if differ:
        print("patches check: the series does not carry the repo's version of "
              f"{', '.join(differ)}; run `mach-scripts/mach patches apply` and commit patches/")
        failed += 1
    else:
        print("patches check: the series carries the repo's crates and WebIDL files, byte for byte")
        passed += 1
    # A Servo checkout: the crates' original manifests, no stand-in root, no mach.
    with tempfile.TemporaryDirectory(prefix="servo-checkout-") as checkout:
        git(checkout, "init", "-q", "-b", "main")
        for package, path in layout.PATCHED_CRATES.items():
            unpack_crate(package, os.path.join(checkout, path))
        git(checkout, "add", "-A")
        git(checkout, "commit", "-q", "-m", "Servo checkout stand-in")
        result = subprocess.run(["git", *GIT_ID, "-C", checkout, "am", "-q", "--keep-cr", *patches],
                                text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        missing = [p for p in layout.NEW_CRATES.values()
                   if not os.path.exists(os.path.join(checkout, p, "Cargo.toml"))]
        if result.returncode != 0:
            print(f"patches check: `git am` failed on a checkout-style tree:\n{result.stdout}")
            failed += 1
        elif missing:
            print(f"patches check: `git am` on a checkout-style tree left out {', '.join(missing)}")
            failed += 1
        else:
            print("patches check: `git am patches/*.patch` alone turns a checkout-style tree into the fork")
            passed += 1
    with scratch_worktree(tree, "servo-upstream") as scratch:
        up_passed, up_failed, messages = upstream.check(git, scratch)
    for message in messages:
        print(f"patches check: {message}")
    if up_failed:
        failed += 1
    else:
        print(f"patches check: the {up_passed} patch groups offered upstream apply onto Servo "
              f"{layout.SERVO_VERSION} after only their listed prerequisites")
        passed += 1
    tidy = []
    for path in patches:
        with open(path, encoding="utf-8", errors="replace") as f:
            tidy += [f"{os.path.basename(path)}: {p}" for p in style.tidy_problems(f.read())]
    for problem in tidy:
        print(f"patches check: tidy: {problem}")
    if tidy:
        failed += 1
    else:
        print("patches check: tidy: no trailing whitespace, tabs or missing MPL headers in what "
              "the patches add")
        passed += 1
    if style.available():
        commits = git(tree, "rev-list", "--reverse", f"base..{head}", capture=True).split()
        unformatted = style.unformatted(tree, commits)
        for subject, path in unformatted:
            print(f"patches check: not as Servo's rustfmt leaves it: {path} in \"{subject}\"")
        if unformatted:
            print("patches check: run `mach-scripts/mach patches format` and commit patches/")
            failed += 1
        else:
            print("patches check: every Rust file each patch touches is as Servo's rustfmt leaves it")
            passed += 1
    else:
        print("patches check: note: no nightly rustfmt, so formatting was not checked")
    for note in review_notes(patches):
        print(f"patches check: note: {note}")
    print(f"patches check: {passed} passed, {failed} failed")
    return 1 if failed else 0


def apply_into_checkout(checkout, quiet=False):
    """Turns a real Servo checkout at SERVO_COMMIT into the complete fork: the series is all
    it takes, so this is `git am` with a check of where it applies."""
    if not os.path.isdir(os.path.join(checkout, ".git")):
        layout.die(f"{checkout} is not a git checkout")
    if not os.path.isfile(os.path.join(checkout, "components", "script", "lib.rs")):
        layout.die(f"{checkout} does not look like a Servo checkout")
    head = git(checkout, "rev-parse", "HEAD", capture=True)
    if head != layout.SERVO_COMMIT and not quiet:
        log(f"warning: {checkout} is at {head}, the series targets {layout.SERVO_COMMIT}")
    subprocess.run(["git", *GIT_ID, "-C", checkout, "am", "-q", "--keep-cr", *series()], check=True)
    if not quiet:
        log(f"{checkout} is now the COS fork")
    return 0
