# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""bootstrap, fetch, patches, build, run, test and bench."""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

from . import build as fork
from . import layout, tree
from .layout import log

DEBIAN_PACKAGES = [
    "clang-19", "libclang-19-dev", "lld-19", "llvm-19", "m4", "pkg-config", "python3",
    "libfontconfig1-dev", "libfreetype-dev", "libegl1-mesa-dev", "libgl1-mesa-dri",
    "libgles2-mesa-dev", "libx11-dev", "libxkbcommon-dev", "libudev-dev", "libdbus-1-dev",
    "git", "python3-venv",
]
# Commands that may come from elsewhere than Debian (e.g. Node.js from its own packages).
COMMANDS = {"npm": "npm", "node": "nodejs"}
PYTHON_PACKAGES = ["wptserve==4.0.3"]


def _missing_debian(packages):
    if not shutil.which("dpkg-query"):
        return []
    missing = []
    for package in packages:
        result = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if "install ok installed" not in result.stdout:
            missing.append(package)
    return missing


def _missing_python(requirements):
    if not os.path.exists(layout.venv_python()):
        return list(requirements)
    missing = []
    for req in requirements:
        name, _, version = req.partition("==")
        result = subprocess.run([layout.venv_python(), "-m", "pip", "show", name],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        if f"Version: {version}" not in result.stdout:
            missing.append(req)
    return missing


def _step(description, cmd, log_path, fix, env=None):
    """Runs one external step with its output in the bootstrap log and one line on the terminal;
    a failure ends mach with one line that says what to do."""
    log(f"bootstrap: {description}")
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    with open(log_path, "a") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        try:
            code = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, env=env).returncode
        except OSError as e:
            out.write(f"{e}\n")
            code = None
    if code != 0:
        layout.die(f"bootstrap: {description} failed: {fix} (its output is in {log_path})")


def bootstrap(args):
    debs = _missing_debian(DEBIAN_PACKAGES)
    debs += [pkg for cmd, pkg in COMMANDS.items() if not shutil.which(cmd) and pkg not in debs]
    pips = _missing_python(PYTHON_PACKAGES)
    if not debs and not pips:
        log("bootstrap: everything is installed")
        return 0
    log_path = os.path.join(layout.build_dir(), "bootstrap.log")
    if debs:
        log(f"bootstrap: Debian packages to install: {' '.join(debs)}")
        if not args.dry_run:
            sudo = [] if os.geteuid() == 0 else ["sudo"]
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            by_hand = f"install them yourself (`sudo apt-get install {' '.join(debs)}`)"
            _step("apt-get update", [*sudo, "apt-get", "update", "-q"], log_path,
                  "check that the Debian mirrors are reachable, or " + by_hand, env=env)
            _step(f"apt-get install ({len(debs)} packages)",
                  [*sudo, "apt-get", "install", "-y", "-q", "--no-install-recommends", *debs],
                  log_path, by_hand, env=env)
    if pips:
        log(f"bootstrap: Python packages to install in {layout.venv_dir()}: {' '.join(pips)}")
        if not args.dry_run:
            if not os.path.exists(layout.venv_python()):
                _step("creating the Python virtual environment",
                      [sys.executable, "-m", "venv", layout.venv_dir()], log_path,
                      "install Python's venv module (`sudo apt-get install python3-venv` on "
                      f"Debian) or remove a broken {layout.venv_dir()}")
            _step(f"pip install {' '.join(pips)}",
                  [layout.venv_python(), "-m", "pip", "install", "-q", *pips], log_path,
                  "check that PyPI is reachable")
            layout.use_venv()
    return 0


def ensure_bootstrapped():
    return bootstrap(argparse.Namespace(dry_run=False))


def fetch(_args):
    tree.fetch_sources()
    return 0


def patches(args):
    if args.action == "apply":
        return tree.apply(into=args.into)
    if args.action == "export":
        return tree.export()
    if args.action == "format":
        return tree.format_series()
    if args.bisect:
        from . import bisect
        ensure_bootstrapped()
        only = {int(n) for n in args.prefixes.split(",")} if args.prefixes else None
        return bisect.run(only)
    if args.clippy:
        from . import clippy
        ensure_bootstrapped()
        return clippy.run()
    return tree.check()


def build(args):
    ensure_bootstrapped()
    return fork.build(release=args.release, apply_patches=not args.no_apply)


def run(args):
    profile = args.config_dir or tempfile.mkdtemp(prefix="cos-profile-")
    cmd = fork.runner_command(args.url, timeout=args.timeout, config_dir=profile,
                              prefs=args.pref, done=args.done)
    return subprocess.run(cmd, env=layout.build_env()).returncode


def bench(args):
    if args.js:
        from . import jsbench
        return jsbench.main(args)
    cmd = ["cargo", "bench", "-p", "cross-origin-storage"]
    if args.filter:
        cmd += ["--", args.filter]
    return subprocess.run(cmd, cwd=layout.REPO).returncode


def _crate_test(test, env, filter_):
    """Runs one integration test of the storage thread's crate, showing its output, and ends
    with the tier's summary line. The test profile builds the crate optimized (Cargo.toml)."""
    cmd = ["cargo", "test", "-p", "cross-origin-storage", "--test", test, "--",
           "--nocapture", filter_]
    result = subprocess.run(cmd, cwd=layout.REPO, env=dict(os.environ, **env), text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    print(result.stdout)
    passed, failed = _cargo_test_counts(result.stdout)
    if result.returncode and not failed:
        failed = 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def fuzz(args):
    env = {"COS_FUZZ_MESSAGES": str(args.messages)}
    if args.seed is not None:
        env["COS_FUZZ_SEED"] = str(args.seed)
    return _crate_test("fuzz", env, "arbitrary_request_sequences")


def crash_test(args):
    return _crate_test("crash", {"COS_CRASH_POINTS": str(args.points)}, "sigkill_at_many_points")


# The tests of Servo's crates that the series touches: (package, extra cargo test arguments).
CRATE_TESTS = [
    ("servo-storage", []),
    ("servo-net", ["--features", "test-util", "--test", "main", "filemanager"]),
]


def test_crates(_args):
    """Runs CRATE_TESTS in a workspace rooted at the tree (cargo tests only workspace members,
    and members must sit below the root), with the fork's lock file and patch table."""
    ensure_bootstrapped()
    passed = failed = 0
    with fork.tree_workspace([layout.PATCHED_CRATES[package] for package, _ in CRATE_TESTS]) as root:
        for package, extra in CRATE_TESTS:
            result = subprocess.run(["cargo", "test", "-p", package, *extra], cwd=root,
                                    env=layout.build_env(), text=True, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT)
            print(result.stdout)
            counts = _cargo_test_counts(result.stdout)
            passed += counts[0]
            failed += counts[1] + (1 if result.returncode and not counts[1] else 0)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


TOTALS = re.compile(r"^(?:[\w -]+: )?(\d+) passed, (\d+) failed")


def _cargo_test_counts(output):
    passed = failed = 0
    for m in re.finditer(r"test result: \w+\. (\d+) passed; (\d+) failed", output):
        passed += int(m.group(1))
        failed += int(m.group(2))
    return passed, failed


def _unittest_counts(output, code):
    ran = re.search(r"^Ran (\d+) tests?", output, re.M)
    total = int(ran.group(1)) if ran else 0
    failed = 0
    summary = re.search(r"^FAILED \(([^)]*)\)", output, re.M)
    if summary:
        failed = sum(int(n) for n in re.findall(r"(?:failures|errors)=(\d+)", summary.group(1)))
    return total - failed, failed


def _tier(name, cmd, counter, **kwargs):
    """Runs one tier, echoing its output; returns (passed, failed)."""
    log(f"tier {name}: {' '.join(cmd)}")
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
    out = []
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        out.append(line)
    code = proc.wait()
    passed, failed = counter("".join(out), code)
    if code != 0 and failed == 0:
        failed = 1
    log(f"tier {name}: {passed} passed, {failed} failed")
    return passed, failed


def _last_totals(output, code):
    for line in reversed(output.splitlines()):
        m = TOTALS.match(line.strip())
        if m:
            return int(m.group(1)), int(m.group(2))
    return (1, 0) if code == 0 else (0, 1)


def test(args):
    tiers = args.tier or ["unit", "mach", "patches", "build", "crates", "wpt", "clients"]
    mach = os.path.join(layout.REPO, "mach-scripts", "mach")
    results = {}
    if "build" in tiers or "crates" in tiers or "wpt" in tiers or "clients" in tiers:
        ensure_bootstrapped()
    if "unit" in tiers:
        results["unit"] = _tier(
            "unit", ["cargo", "test", "--workspace", "--no-fail-fast"],
            lambda out, code: _cargo_test_counts(out), cwd=layout.REPO)
        # Clippy on the new crates, warnings denied: they go into the series as they are.
        results["clippy"] = _tier(
            "clippy", ["cargo", "clippy", "--workspace", "--all-targets", "--", "-D", "warnings"],
            lambda out, code: (1, 0) if code == 0 else (0, 1), cwd=layout.REPO)
    if "mach" in tiers:
        tests = os.path.join(layout.REPO, "mach-scripts", "python", "tests")
        results["mach"] = _tier(
            "mach", [sys.executable, "-m", "unittest", "discover", "-s", tests, "-v"],
            _unittest_counts)
    if "patches" in tiers:
        results["patches"] = _tier("patches", [sys.executable, mach, "patches", "check"], _last_totals)
    built = True
    if "build" in tiers:
        results["build"] = _tier("build", [sys.executable, mach, "build"], _last_totals)
        built = results["build"][1] == 0
    # The tiers that run the built fork; a fork that did not build fails each of them.
    selftest = os.path.join(layout.REPO, "mach-scripts", "wpt", "selftest")
    runs = {
        # The unit tests of Servo's crates that the series touches, in the tree.
        "crates": [("crates", [sys.executable, mach, "test-crates"])],
        # The harness checks itself first (pass, fail, timeout, error, restart reporting), so a
        # broken harness cannot pass the suite by reporting nothing.
        "wpt": [("harness", [sys.executable, mach, "test-wpt", "--root", selftest]),
                ("wpt", [sys.executable, mach, "test-wpt"])],
        "clients": [("clients", [sys.executable, mach, "test-clients"])],
    }
    for tier, commands in runs.items():
        if tier not in tiers:
            continue
        if not built:
            log(f"tier {tier}: skipped because the fork did not build")
            results[tier] = (0, 1)
            continue
        for name, cmd in commands:
            results[name] = _tier(name, cmd, _last_totals)
    passed = sum(p for p, _ in results.values())
    failed = sum(f for _, f in results.values())
    for name, (p, f) in results.items():
        print(f"  {name:8} {p} passed, {f} failed")
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 else 1
