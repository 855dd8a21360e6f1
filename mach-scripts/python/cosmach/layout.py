# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""Where things live: the repo, the build directory, and the Servo crates we patch."""

import glob
import os
import shutil
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
SERVO_VERSION = "0.7.0"
SERVO_COMMIT = "aac43a3f31a259f04a574f5ec4e959c943ad7cc7"

# crates.io package -> monorepo path. These are the Servo crates the series edits.
PATCHED_CRATES = {
    "servo-config": "components/config",
    "servo-constellation": "components/constellation",
    "servo-constellation-traits": "components/shared/constellation",
    "servo-net-traits": "components/shared/net",
    "servo-net": "components/net",
    "servo-storage-traits": "components/shared/storage",
    "servo-storage": "components/storage",
    "servo-script-bindings": "components/script_bindings",
    "servo-script": "components/script",
    "servo": "components/servo",
}

# This repo's crates, at the paths the series gives them in a Servo checkout.
NEW_CRATES = {
    "cross-origin-storage-traits": "components/shared/cross_origin_storage",
    "cross-origin-storage": "components/cross_origin_storage",
}
WEBIDL_DEST = "components/script_bindings/webidls"

def build_dir():
    return os.path.abspath(
        os.path.expanduser(os.environ.get("COS_BUILD_DIR", "~/.cache/servo-cos"))
    )


def tree_dir():
    return os.path.join(build_dir(), "servo")


def fork_dir():
    return os.path.join(build_dir(), "fork")


def target_dir():
    return os.path.join(build_dir(), "target")


def runner_binary(profile="debug"):
    return os.path.join(target_dir(), profile, "cos-runner")


def patches_dir():
    return os.path.join(REPO, "patches")


def cargo_home():
    return os.environ.get("CARGO_HOME", os.path.expanduser("~/.cargo"))


def venv_dir():
    """The build's Python virtual environment: the harness's packages live there, not in the
    system's Python (which Debian marks externally managed)."""
    return os.path.join(build_dir(), "venv")


def venv_python():
    return os.path.join(venv_dir(), "bin", "python3")


def use_venv():
    """Makes the virtual environment's packages importable in this process, whichever Python
    runs mach (the environment is made from the same one)."""
    import glob
    import site
    for packages in glob.glob(os.path.join(venv_dir(), "lib", "python*", "site-packages")):
        site.addsitedir(packages)


def log(message):
    print(f"mach: {message}", flush=True)


def die(message, code=1):
    print(f"mach: error: {message}", file=sys.stderr, flush=True)
    sys.exit(code)


def run(cmd, **kwargs):
    """Runs a command, echoing it; raises on failure."""
    printable = " ".join(str(c) for c in cmd)
    log(f"$ {printable}")
    return subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def build_env():
    """The environment the fork build needs (clang-19 for mozjs and bindgen)."""
    env = dict(os.environ)
    llvm_bin = "/usr/lib/llvm-19/bin"
    if os.path.isdir(llvm_bin):
        env["PATH"] = llvm_bin + os.pathsep + env.get("PATH", "")
    if shutil.which("clang-19"):
        env.setdefault("CC", "clang-19")
        env.setdefault("CXX", "clang++-19")
    if os.path.isdir("/usr/lib/llvm-19/lib"):
        env.setdefault("LIBCLANG_PATH", "/usr/lib/llvm-19/lib")
    env.setdefault("MOZJS_FROM_SOURCE", "1")
    env["CARGO_TARGET_DIR"] = target_dir()
    env.setdefault("XDG_RUNTIME_DIR", _runtime_dir())
    return env


def _runtime_dir():
    path = os.path.join(build_dir(), "xdg-runtime")
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def registry_crate_files(package, version=SERVO_VERSION):
    """Paths of `<package>-<version>.crate` in cargo's registry cache."""
    pattern = os.path.join(cargo_home(), "registry", "cache", "*", f"{package}-{version}.crate")
    return sorted(glob.glob(pattern))


def write_if_changed(path, data):
    """Writes bytes only when they differ, so cargo's mtime checks stay quiet."""
    if isinstance(data, str):
        data = data.encode()
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return False
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return True


IGNORED_DIRS = ("target", "__pycache__")


def files_below(src, ignore=IGNORED_DIRS):
    """Paths (relative to src) of the files below src, in a stable order, leaving out build
    output and hidden folders."""
    for root, dirs, files in os.walk(src):
        dirs[:] = sorted(d for d in dirs if d not in ignore and not d.startswith("."))
        rel = os.path.relpath(root, src)
        for name in sorted(files):
            yield os.path.normpath(os.path.join(rel, name))


def sync_tree(src, dst, ignore=IGNORED_DIRS):
    """Mirrors src into dst, touching only files whose bytes differ; removes stale files."""
    changed = 0
    wanted = set()
    for relpath in files_below(src, ignore):
        wanted.add(relpath)
        with open(os.path.join(src, relpath), "rb") as f:
            changed += write_if_changed(os.path.join(dst, relpath), f.read())
    if os.path.isdir(dst):
        for root, dirs, files in os.walk(dst):
            dirs[:] = [d for d in dirs if d not in ignore]
            rel = os.path.relpath(root, dst)
            for name in files:
                relpath = os.path.normpath(os.path.join(rel, name))
                if relpath not in wanted:
                    os.remove(os.path.join(root, name))
                    changed += 1
    return changed
