# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""Command-line dispatch for mach-scripts/mach."""

import argparse
import importlib


def _lazy(module, func):
    def call(args):
        return getattr(importlib.import_module(f"cosmach.{module}"), func)(args)
    return call


def main(argv):
    parser = argparse.ArgumentParser(prog="mach", description="Build, run and test the servo-cos fork.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("bootstrap", help="install the Debian packages and tools the fork build needs")
    p.add_argument("--dry-run", action="store_true", help="print what would be installed")
    p.set_defaults(func=_lazy("commands", "bootstrap"))

    p = sub.add_parser("fetch", help="download the Servo 0.7.0 crates into cargo's registry")
    p.set_defaults(func=_lazy("commands", "fetch"))

    p = sub.add_parser("patches", help="apply, export, check or format the patch series")
    p.add_argument("action", choices=["apply", "export", "check", "format"])
    p.add_argument("--into", metavar="DIR", help="apply to a real Servo checkout at the target commit")
    p.add_argument("--bisect", action="store_true",
                   help="with check: build at every prefix of the series (hours; not in CI)")
    p.add_argument("--prefixes", metavar="N,M,...",
                   help="with --bisect: only the prefixes ending at these patch numbers")
    p.add_argument("--clippy", action="store_true",
                   help="with check: clippy on the patched Servo crates, counting what it finds "
                        "on lines the series adds (a check build of SpiderMonkey; not in CI)")
    p.set_defaults(func=_lazy("commands", "patches"))

    p = sub.add_parser("phl", help="install a Public Hash List where the fork finds it")
    p.add_argument("action", choices=["install"])
    p.add_argument("source", metavar="FILE|URL", help="a WICG public-hash-list.dat, local or http(s)")
    p.add_argument("--sha256", metavar="HEX",
                   help="the list's expected SHA-256 (default: read FILE|URL.sha256)")
    p.add_argument("--dest", metavar="PATH",
                   help="install here instead of the default location (then name it with the "
                        "dom_cross_origin_storage_phl_path pref)")
    p.set_defaults(func=_lazy("phl", "main"))

    p = sub.add_parser("build", help="build the fork's headless runner")
    p.add_argument("--release", action="store_true")
    p.add_argument("--no-apply", action="store_true",
                   help="build the tree as it is (while editing it), without re-applying patches/")
    p.set_defaults(func=_lazy("commands", "build"))

    p = sub.add_parser("run", help="load a page in the headless fork and print its console")
    p.add_argument("url")
    p.add_argument("--timeout", type=float, default=60)
    p.add_argument("--config-dir", help="profile directory (a fresh temporary one by default)")
    p.add_argument("--pref", action="append", default=[], metavar="NAME=VALUE")
    p.add_argument("--done", action="append", default=["COS-DONE"], metavar="PREFIX",
                   help="exit when a console message starts with PREFIX (default COS-DONE)")
    p.set_defaults(func=_lazy("commands", "run"))

    p = sub.add_parser("demo", help="the two-site demo: site B downloads nothing site A already stored")
    p.add_argument("--model-mb", type=int, default=100, help="size of the model file in MB")
    p.add_argument("--no-build", action="store_true", help="use the runner as built")
    p.add_argument("--multiprocess", action="store_true",
                   help="run content in separate processes (COS traffic crosses real IPC)")
    p.set_defaults(func=_lazy("demo", "main"))

    p = sub.add_parser("test", help="run every tier: unit tests, mach, patches check, fork build, WPT, clients")
    p.add_argument("--tier", action="append", choices=["unit", "mach", "patches", "build", "crates", "wpt", "clients"],
                   help="run only these tiers")
    p.set_defaults(func=_lazy("commands", "test"))

    p = sub.add_parser("test-wpt", help="run WPT-style tests in the built fork")
    p.add_argument("paths", nargs="*", help="files or directories (default: wpt-tests/)")
    p.add_argument("--root", help="serve this tree as the document root (a WPT checkout)")
    p.add_argument("--expectations", help="expectations file (default: wpt-tests/expectations.json)")
    p.add_argument("--timeout", type=float, default=None, help="per-file timeout in seconds")
    p.add_argument("--verbose", "-v", action="store_true")
    p.set_defaults(func=_lazy("wpt", "main"))

    p = sub.add_parser("test-clients",
                       help="run the published COS client libraries, unchanged, in the built fork")
    p.add_argument("scenario", nargs="*", help="scenario names (default: all)")
    p.add_argument("--verbose", "-v", action="store_true", help="echo the pages' consoles")
    p.add_argument("--keep", action="store_true", help="keep the profiles and logs")
    p.set_defaults(func=_lazy("clients", "main"))

    p = sub.add_parser("test-crates",
                       help="run the Rust tests the series adds to Servo's crates (on demand: "
                            "a first run builds their dev-dependencies, about 15 minutes)")
    p.set_defaults(func=_lazy("commands", "test_crates"))

    p = sub.add_parser("bench", help="run the storage benchmarks (criterion), or with --js the "
                                      "page-level ones in the built fork")
    p.add_argument("filter", nargs="?", default=None)
    p.add_argument("--js", action="store_true",
                   help="time network against COS reads and writes from a page in the fork "
                        "(release build when there is one)")
    p.add_argument("--large", action="store_true", help="with --js, add the 1 GiB case")
    p.set_defaults(func=_lazy("commands", "bench"))

    p = sub.add_parser("fuzz", help="drive the storage thread with a long pseudo-random request "
                                     "sequence, checking its invariants after every message "
                                     "(optimized test build)")
    p.add_argument("--messages", type=int, default=1_000_000)
    p.add_argument("--seed", type=lambda s: int(s, 0), default=None,
                   help="replay a run (default: the test's fixed seed)")
    p.set_defaults(func=_lazy("commands", "fuzz"))

    p = sub.add_parser("crash-test", help="SIGKILL a storing child process at many points and "
                                           "check the store after each restart")
    p.add_argument("--points", type=int, default=1000)
    p.set_defaults(func=_lazy("commands", "crash_test"))

    args = parser.parse_args(argv)
    return args.func(args) or 0
