# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""`mach test-wpt`: runs WPT-style testharness.js tests in the headless fork.

One process:
  * serves the test tree with wptserve 4.0.3 on loopback (web-platform.test, its www/www1/www2
    subdomains and not-web-platform.test; http and https, two ports each) with a CA generated for
    this run, plus our routes: testharness.js from the pinned npm package, our
    testharnessreport.js and /common/ files from mach-scripts/wpt/, and the .window.js/.any.js
    wrappers WPT's own `wpt serve` would generate;
  * runs one cos-runner per test URL with a fresh profile, collects the result lines our
    testharnessreport.js prints (see RESULT_PREFIX/DONE_PREFIX), compares them with
    expectations.json and prints one line per test URL and a closing `N passed, M failed`.

Design notes are in mach-scripts/wpt/README.md.
"""

import fnmatch
import hashlib
import html
import json
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tarfile
import tempfile
import threading
import time

from . import build, layout

HARNESS_DIR = os.path.join(layout.REPO, "mach-scripts", "wpt")
TESTS_DIR = os.path.join(layout.REPO, "wpt-tests")

# testharness.js is not vendored: it comes from this npm package and must have this digest.
TESTHARNESS_PACKAGE = "wpt-runner@7.0.0"
TESTHARNESS_TARBALL = "wpt-runner-7.0.0.tgz"
TESTHARNESS_MEMBER = "package/testharness/testharness.js"
TESTHARNESS_SHA256 = "d2399236c2a09c429804ff2299ad6629e17e2b53f17a74dd341e936adb11ae3e"

# Console prefixes printed by mach-scripts/wpt/testharnessreport.js. The JSON after each is
# documented there. DONE ends the runner (cos-runner --done).
RESULT_PREFIX = "WPT-RESULT "
DONE_PREFIX = "WPT-DONE "

BROWSER_HOST = "web-platform.test"
ALT_HOST = "not-web-platform.test"
SUBDOMAINS = {"www", "www1", "www2"}
PREFERRED_PORTS = {"http": [8000, 8001], "https": [8443, 8444]}

# testharness.js's own timeouts (normal, long) and what we add for process start and teardown.
TEST_TIMEOUTS = {"normal": 10, "long": 60}
PROCESS_MARGIN = 30
SUBTEST_STATUSES = ["PASS", "FAIL", "TIMEOUT", "NOTRUN", "PRECONDITION_FAILED"]
HARNESS_STATUSES = ["OK", "ERROR", "TIMEOUT", "PRECONDITION_FAILED"]

# Directories that hold support files, never tests (as in WPT's manifest).
SUPPORT_DIRS = {"resources", "support", "common", "tools", "harness-support"}


def log(message):
    print(message, flush=True)


# --- testharness.js from npm -------------------------------------------------------------------

def testharness_path():
    """The verified testharness.js, fetched with `npm pack` into the build cache on first use."""
    cache = os.path.join(layout.build_dir(), "npm")
    target = os.path.join(cache, "testharness-" + TESTHARNESS_SHA256[:16] + ".js")
    if os.path.exists(target) and _sha256_file(target) == TESTHARNESS_SHA256:
        return target
    os.makedirs(cache, exist_ok=True)
    tarball = os.path.join(cache, TESTHARNESS_TARBALL)
    if not os.path.exists(tarball):
        if not shutil.which("npm"):
            layout.die("npm is needed to fetch testharness.js: run `mach-scripts/mach bootstrap`")
        result = subprocess.run(["npm", "pack", TESTHARNESS_PACKAGE, "--silent"], cwd=cache,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if result.returncode != 0 or not os.path.exists(tarball):
            last = (result.stderr.strip().splitlines() or ["no output"])[-1]
            layout.die(f"`npm pack {TESTHARNESS_PACKAGE}` failed ({last}): check that the npm "
                       "registry is reachable, then run the command again")
    with tarfile.open(tarball) as tar:
        data = tar.extractfile(tar.getmember(TESTHARNESS_MEMBER)).read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != TESTHARNESS_SHA256:
        # A different testharness.js changes what every assertion means: refuse it.
        os.remove(tarball)
        layout.die(f"{TESTHARNESS_PACKAGE} {TESTHARNESS_MEMBER} has sha256 {digest}, "
                   f"expected {TESTHARNESS_SHA256}")
    with open(target + ".tmp", "wb") as f:
        f.write(data)
    os.replace(target + ".tmp", target)
    return target


def _sha256_file(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# --- META and test discovery -------------------------------------------------------------------

def read_meta(path):
    """The `// META: key=value` lines that open a .js test, in order. Like WPT's manifest,
    reading stops at the first other line, so META must come before any header comment."""
    meta = []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"//\s*META:\s*([\w-]+)\s*=\s*(.*?)\s*$", line)
            if not m:
                break
            meta.append((m.group(1), m.group(2)))
    return meta


def any_globals(meta):
    """Which wrappers an .any.js file gets: WPT's default is window + dedicated worker."""
    wanted = set()
    specified = [v for k, v in meta if k == "global"]
    items = ",".join(specified).split(",") if specified else ["window", "dedicatedworker"]
    expand = {"worker": ["dedicatedworker", "sharedworker", "serviceworker"]}
    for item in (i.strip() for i in items):
        if not item:
            continue
        negate = item.startswith("!")
        for name in expand.get(item.lstrip("!"), [item.lstrip("!")]):
            (wanted.discard if negate else wanted.add)(name)
    return wanted


class Test:
    """One test URL. A file with variants, several globals or phases gives several Tests."""

    def __init__(self, root, source, url_path, query="", long=False, phase=None, group=None):
        self.root = root
        self.source = source            # file on disk (the .js for generated wrappers)
        self.url_path = url_path        # "/dir/x.any.html"
        self.query = query              # "?method=..." or ""
        self.long = long
        self.phase = phase              # (n, total) for multi-phase (restart) tests
        self.group = group              # phases of one test share a profile through this key
        name = os.path.basename(url_path)
        self.https = ".https." in name or ".h2." in name

    @property
    def id(self):
        return self.url_path + self.query

    @property
    def rel_source(self):
        return os.path.relpath(self.source, self.root).replace(os.sep, "/")


def _with_query(query, extra):
    if not extra:
        return query
    return (query + "&" if query else "?") + extra


def tests_for_file(root, path):
    rel = "/" + os.path.relpath(path, root).replace(os.sep, "/")
    name = os.path.basename(path)
    if name.endswith(".js"):
        meta = read_meta(path)
    elif name.endswith((".html", ".htm", ".xhtml")):
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read()
        if "/resources/testharness.js" not in text:
            return []
        meta = [("variant", m) for m in re.findall(r'<meta\s+name="?variant"?\s+content="([^"]*)"', text)]
        meta += [("timeout", "long")] if re.search(r'<meta\s+name="?timeout"?\s+content="?long', text) else []
    else:
        return []
    long = ("timeout", "long") in meta
    variants = [v for k, v in meta if k == "variant"] or [""]
    phases = int(dict(meta).get("phases", "1"))
    urls = []
    if name.endswith(".any.js"):
        globals_ = any_globals(meta)
        base = rel[:-len(".js")]
        if "window" in globals_:
            urls.append(base + ".html")
        if "dedicatedworker" in globals_:
            urls.append(base + ".worker.html")
        if "sharedworker" in globals_:
            urls.append(base + ".sharedworker.html")
        # serviceworker and shadowrealm globals are not run: Servo has neither enabled.
    elif name.endswith(".window.js"):
        urls.append(rel[:-len(".js")] + ".html")
    elif name.endswith(".worker.js"):
        urls.append(rel[:-len(".js")] + ".html")
    elif name.endswith(".js"):
        return []
    else:
        urls.append(rel)
    tests = []
    for url in urls:
        for variant in variants:
            variant = variant if variant.startswith("?") or not variant else "?" + variant
            if phases <= 1:
                tests.append(Test(root, path, url, variant, long))
                continue
            # Restart tests: the same URL loaded `phases` times in successive processes on one
            # profile, told its phase and a per-run token (to derive fresh content) in the query.
            token = secrets.token_hex(16)
            group = url + variant
            for n in range(1, phases + 1):
                q = _with_query(variant, f"phase={n}&token={token}")
                tests.append(Test(root, path, url, q, long, phase=(n, phases), group=group))
    return tests


def discover(root, paths):
    files = []
    for path in paths:
        if os.path.isdir(path):
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(d for d in dirnames
                                     if d not in SUPPORT_DIRS and not d.startswith("."))
                files += [os.path.join(dirpath, f) for f in sorted(filenames)]
        elif os.path.isfile(path):
            files.append(path)
        else:
            layout.die(f"no such test file or directory: {path}")
    tests = []
    for f in files:
        if f.endswith((".headers", ".json", ".dat", ".py", ".md")) or "-ref." in f:
            continue
        tests += tests_for_file(root, f)
    return tests


def resolve_paths(root, paths):
    if not paths:
        return [root]
    out = []
    for p in paths:
        candidates = [p, os.path.join(root, p.lstrip("/"))]
        found = next((os.path.abspath(c) for c in candidates if os.path.exists(c)), None)
        if found is None:
            layout.die(f"no such test file or directory: {p}")
        if not (found + os.sep).startswith(os.path.abspath(root) + os.sep) and found != root:
            layout.die(f"{p} is not under the served root {root}")
        out.append(found)
    return out


# --- prefs and expectations --------------------------------------------------------------------

def load_prefs(path):
    """Rules from prefs.json: [{"match": GLOB, "prefs": ["NAME=VALUE", "?NAME=VALUE"]}]."""
    if not path or not os.path.exists(path):
        return []
    with open(path) as f:
        return json.load(f).get("rules", [])


def prefs_for(test, rules, root):
    """The prefs for a test: every matching rule in order, later values winning per name."""
    chosen = {}
    for rule in rules:
        pattern = rule["match"]
        rel = test.rel_source
        hit = rel.startswith(pattern) if pattern.endswith("/") else fnmatch.fnmatch(rel, pattern)
        if not hit:
            continue
        for pref in rule["prefs"]:
            optional = pref.startswith("?")
            name, _, value = pref.lstrip("?").partition("=")
            value = value.replace("{root}", root).replace("{repo}", layout.REPO)
            chosen[name] = (value, optional)
    return chosen


def load_expectations(path):
    if not path or not os.path.exists(path):
        return {}
    with open(path) as f:
        text = f.read()
    try:
        data = json.loads(text) if text.strip() else {}
    except ValueError as e:
        layout.die(f"{path}: {e}")
    return {k: v for k, v in data.items() if not k.startswith("_")}


def expected_for(expectations, test):
    """Expectations by exact id, else by path (all variants); phase/token never take part."""
    query = re.sub(r"[?&]token=[0-9a-f]+", "", test.query)
    query = "?" + query.lstrip("?&") if query.strip("?&") else ""
    return expectations.get(test.url_path + query) or expectations.get(test.url_path) or {}


# --- the server --------------------------------------------------------------------------------

def _free_port(preferred, taken):
    for port in (preferred, 0):
        s = socket.socket()
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port))
            port = s.getsockname()[1]
            if port not in taken:
                return port
        except OSError:
            continue
        finally:
            s.close()
    raise RuntimeError("no free port")


class Server:
    def __init__(self, root, work, timeout_multiplier, verbose=False):
        try:
            from wptserve import config as wconfig, routes as wroutes, server as wserver
            from wptserve import stash as wstash
        except ImportError:
            layout.die("wptserve is missing: run `mach-scripts/mach bootstrap` (wptserve==4.0.3)")
        self.root = root
        taken = set()
        ports = {}
        for scheme, wanted in PREFERRED_PORTS.items():
            ports[scheme] = []
            for p in wanted:
                port = _free_port(p, taken)
                taken.add(port)
                ports[scheme].append(port)
        certs = os.path.join(work, "certs")
        os.makedirs(certs)
        logger = logging.getLogger("cosmach.wpt")
        logging.getLogger().setLevel(logging.DEBUG if verbose else logging.WARNING)
        self.builder = wconfig.ConfigBuilder(
            logger,
            browser_host=BROWSER_HOST,
            alternate_hosts={"alt": ALT_HOST},
            subdomains=SUBDOMAINS,
            ports=ports,
            doc_root=root,
            ssl={"type": "openssl", "openssl": {"base_path": certs, "force_regenerate": True}},
            logging={"level": "DEBUG" if verbose else "WARNING", "suppress_handler_traceback": False},
        )
        self.config = self.builder.__enter__()
        ssl = self.config.ssl_config
        self.ca_cert = ssl["ca_cert_path"]
        self.ports = self.config.ports
        self.hosts_file = os.path.join(work, "hosts")
        with open(self.hosts_file, "w") as f:
            for name in sorted(self.config.all_domains_set):
                f.write(f"127.0.0.1 {name}\n")
        # `request.server.stash`, which WPT's own handlers use (/common/dispatcher/ among
        # them), needs a stash server; it tells the handlers where it is through the process's
        # environment, as wpt serve does.
        self.stash = wstash.StashServer(("127.0.0.1", 0), authkey=os.urandom(16).hex())
        self.stash.__enter__()
        routes = _routes(root, timeout_multiplier) + list(wroutes.routes)
        self.servers = []
        for scheme, plist in self.ports.items():
            for port in plist:
                httpd = wserver.WebTestHttpd(
                    host="127.0.0.1", port=port, doc_root=root, routes=routes, config=self.config,
                    use_ssl=scheme == "https", key_file=ssl["key_path"] if scheme == "https" else None,
                    certificate=ssl["cert_path"] if scheme == "https" else None)
                httpd.start()
                self.servers.append(httpd)

    def url(self, test):
        scheme = "https" if test.https else "http"
        return f"{scheme}://{BROWSER_HOST}:{self.ports[scheme][0]}{test.id}"

    def stop(self):
        for httpd in self.servers:
            httpd.stop()
        self.stash.__exit__(None, None, None)
        self.builder.__exit__(None, None, None)


def _routes(root, timeout_multiplier):
    from wptserve import handlers

    def local(url_path):
        return os.path.join(root, url_path.lstrip("/"))

    def overlay(ours):
        """Serves the tree's own copy of a support file when it has one, else ours."""
        def handler(request, response):
            path = request.url_parts.path
            if os.path.isfile(local(path)):
                # The tree's own file, handled as wptserve's default routes would: a .py runs.
                if path.endswith(".py"):
                    return handlers.python_script_handler(request, response)
                if path.endswith(".asis"):
                    return handlers.as_is_handler(request, response)
                return handlers.file_handler(request, response)
            mine = ours(path)
            if not mine or not os.path.isfile(mine):
                raise handlers.HTTPException(404)
            with open(mine, "rb") as f:
                response.content = f.read()
            response.headers.set("Content-Type", handlers.guess_content_type(mine))
            for name, value in handlers.load_headers(request, mine):
                response.headers.set(name, value)
            # The URL decides .sub. processing, as for any other file.
            return handlers.wrap_pipeline(path, request, response)
        return handler

    def report_js(request, response):
        # Always ours, even under --root: it is the runner's reporting hook (wptrunner likewise
        # replaces a checkout's stub testharnessreport.js with its own).
        with open(os.path.join(HARNESS_DIR, "testharnessreport.js"), encoding="utf-8") as f:
            text = f.read()
        # Slow debug builds: scale testharness.js's timeouts like wptrunner's --timeout-multiplier.
        text = text.replace("/*TIMEOUT_MULTIPLIER*/1", str(timeout_multiplier))
        response.headers.set("Content-Type", "text/javascript; charset=utf-8")
        response.headers.set("Cache-Control", "no-store")
        response.content = text

    def wrapper(suffix, kind):
        def handler(request, response):
            path = request.url_parts.path
            js = local(path[:-len(suffix)] + ".js")
            if not os.path.isfile(js):
                return handlers.file_handler(request, response)
            meta = read_meta(js)
            script = os.path.basename(js)
            body = WRAPPERS[kind](meta, script, request.url_parts.query)
            # X.js.headers / __dir__.headers apply to the generated document, as in WPT.
            for name, value in handlers.load_headers(request, js):
                response.headers.append(name, value)
            ctype = "text/javascript" if kind == "anyworkerjs" else "text/html"
            response.headers.set("Content-Type", ctype + "; charset=utf-8")
            response.content = body
        return handler

    th = testharness_path()
    return [
        ("GET", "/resources/testharness.js",
         overlay(lambda p: th)),
        ("GET", "/resources/testharnessreport.js", report_js),
        ("GET", "/common/*", overlay(lambda p: os.path.join(HARNESS_DIR, p.lstrip("/")))),
        ("GET", "*.any.worker.js", wrapper(".worker.js", "anyworkerjs")),
        ("GET", "*.any.sharedworker.js", wrapper(".sharedworker.js", "anyworkerjs")),
        ("GET", "*.any.worker.html", wrapper(".worker.html", "anyworker")),
        ("GET", "*.any.sharedworker.html", wrapper(".sharedworker.html", "anysharedworker")),
        ("GET", "*.any.html", wrapper(".html", "anywindow")),
        ("GET", "*.window.html", wrapper(".html", "window")),
        ("GET", "*.worker.html", wrapper(".html", "worker")),
    ]


# --- wrappers ----------------------------------------------------------------------------------

def _attr(value):
    return html.escape(value, quote=True)


def _head(meta):
    out = ['<!doctype html>', '<meta charset="utf-8">']
    for key, value in meta:
        if key == "title":
            out.append(f"<title>{html.escape(value)}</title>")
        elif key == "timeout" and value == "long":
            out.append('<meta name="timeout" content="long">')
    out.append('<script src="/resources/testharness.js"></script>')
    out.append('<script src="/resources/testharnessreport.js"></script>')
    return out


def _window(meta, script, query, any_global=False):
    out = _head(meta)
    if any_global:
        out.append("<script>self.GLOBAL = {isWindow: () => true, isWorker: () => false, "
                   "isShadowRealm: () => false};</script>")
    out += [f'<script src="{_attr(v)}"></script>' for k, v in meta if k == "script"]
    out.append('<div id="log"></div>')
    out.append(f'<script src="{_attr(script)}"></script>')
    return "\n".join(out) + "\n"


def _worker_html(meta, script, query, ctor="Worker"):
    # x.any.js -> x.any.worker.js (generated); x.worker.js is itself the worker.
    src = script[:-len(".js")] + (".worker.js" if script.endswith(".any.js") else ".js")
    if ctor == "SharedWorker":
        src = script[:-len(".js")] + ".sharedworker.js"
    src += ("?" + query) if query else ""
    out = _head(meta) + ['<div id="log"></div>', "<script>",
                         f"fetch_tests_from_worker(new {ctor}({json.dumps(src)}));", "</script>"]
    return "\n".join(out) + "\n"


def _any_worker_js(meta, script, query):
    out = ['importScripts("/resources/testharness.js");',
           "self.GLOBAL = {isWindow: () => false, isWorker: () => true, isShadowRealm: () => false};"]
    out += [f"importScripts({json.dumps(v)});" for k, v in meta if k == "script"]
    out += [f"importScripts({json.dumps(script)});", "done();"]
    return "\n".join(out) + "\n"


WRAPPERS = {
    "window": lambda m, s, q: _window(m, s, q),
    "anywindow": lambda m, s, q: _window(m, s, q, any_global=True),
    "anyworker": lambda m, s, q: _worker_html(m, s, q),
    "anysharedworker": lambda m, s, q: _worker_html(m, s, q, "SharedWorker"),
    "worker": lambda m, s, q: _worker_html(m, s, q),
    "anyworkerjs": _any_worker_js,
}


# --- running one test --------------------------------------------------------------------------

class Result:
    def __init__(self, status, message="", subtests=None, output=""):
        self.status = status          # harness: OK ERROR TIMEOUT PRECONDITION_FAILED CRASH
        self.message = message or ""
        self.subtests = subtests or []   # [(name, status, message)]
        self.output = output


def parse_output(lines):
    """(done, partial) from console messages: the DONE record, and per-subtest records."""
    done, partial = None, []
    for message in lines:
        if message.startswith(DONE_PREFIX):
            try:
                done = json.loads(message[len(DONE_PREFIX):])
            except ValueError:
                pass
        elif message.startswith(RESULT_PREFIX):
            try:
                partial.append(json.loads(message[len(RESULT_PREFIX):]))
            except ValueError:
                pass
    return done, partial


def _subtests(records):
    return [(r["name"], r["status"], r.get("message") or "") for r in records]


class Runner:
    def __init__(self, server, work, args, rules, root):
        self.server = server
        self.work = work
        self.args = args
        self.rules = rules
        self.root = root
        self.unknown_prefs = set()
        self.profiles = {}
        self.browser = os.environ.get("COS_WPT_BROWSER", "servo")
        self.env = layout.build_env()
        # A private runtime dir for this run (Servo wants one; mode 700 as XDG requires).
        xdg = os.path.join(work, "xdg-runtime")
        os.makedirs(xdg, mode=0o700)
        self.env["XDG_RUNTIME_DIR"] = xdg
        self.env.setdefault("RUST_BACKTRACE", "1")

    def timeout_for(self, test):
        if self.args.timeout:
            return self.args.timeout
        base = TEST_TIMEOUTS["long" if test.long else "normal"]
        return base * self.args.timeout_multiplier + PROCESS_MARGIN

    def profile_for(self, test):
        if test.group is None:
            return tempfile.mkdtemp(prefix="profile-", dir=self.work)
        if test.group not in self.profiles:
            self.profiles[test.group] = tempfile.mkdtemp(prefix="profile-", dir=self.work)
        return self.profiles[test.group]

    def command(self, test, profile, prefs):
        url = self.server.url(test)
        timeout = self.timeout_for(test)
        if self.browser == "chromium":
            # Plumbing check only (no COS): hosts via resolver rules, our CA not needed.
            rules = f"MAP *.{BROWSER_HOST} 127.0.0.1, MAP {BROWSER_HOST} 127.0.0.1, " \
                    f"MAP *{ALT_HOST} 127.0.0.1"
            return [shutil.which("chromium") or "chromium", "--headless", "--no-sandbox",
                    "--disable-gpu", f"--host-resolver-rules={rules}", "--ignore-certificate-errors",
                    "--enable-logging=stderr", "--v=0", f"--user-data-dir={profile}", url]
        return build.runner_command(url, timeout=timeout, config_dir=profile, prefs=prefs,
                                    done=[DONE_PREFIX], certificate=self.server.ca_cert,
                                    host_file=self.server.hosts_file)

    def run(self, test):
        profile = self.profile_for(test)
        wanted = prefs_for(test, self.rules, self.root)
        while True:
            prefs = [f"{n}={v}" for n, (v, opt) in wanted.items()
                     if not (opt and n in self.unknown_prefs)]
            result, stderr = self._run_once(test, profile, prefs)
            m = re.search(r"unknown preference (\S+)", stderr)
            if result.status == "CRASH" and m and m.group(1) in wanted and wanted[m.group(1)][1] \
                    and m.group(1) not in self.unknown_prefs:
                # An optional ("?") pref this binary does not have: its feature is absent, so
                # there is nothing to switch off. Retry without it.
                self.unknown_prefs.add(m.group(1))
                if self.args.verbose:
                    log(f"  note: this binary has no pref {m.group(1)}; running without it")
                continue
            return result

    def _run_once(self, test, profile, prefs):
        cmd = self.command(test, profile, prefs)
        if self.args.verbose:
            log("  $ " + " ".join(cmd))
        timeout = self.timeout_for(test)
        chromium = self.browser == "chromium"
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                errors="replace", env=self.env, start_new_session=True)
        messages, raw = [], []
        stream = proc.stderr if chromium else proc.stdout
        other = proc.stdout if chromium else proc.stderr
        deadline = time.monotonic() + timeout + 15
        err_lines = []
        t = threading.Thread(target=lambda: err_lines.extend(other), daemon=True)
        t.start()
        timer = threading.Timer(timeout + 15, lambda: _kill(proc))
        timer.start()
        try:
            for line in stream:
                raw.append(line)
                msg = _console_message(line, chromium)
                if msg is None:
                    continue
                messages.append(msg)
                if self.args.verbose and not msg.startswith((RESULT_PREFIX, DONE_PREFIX)):
                    log(f"  console: {msg[:500]}")
                if msg.startswith(DONE_PREFIX) and chromium:
                    _kill(proc)
            code = proc.wait()
        finally:
            timer.cancel()
            if proc.poll() is None:
                _kill(proc)
                proc.wait()
        t.join(5)
        stderr = "".join(err_lines)
        output = "".join(raw) + stderr
        done, partial = parse_output(messages)
        if done is not None:
            return Result(done["status"], done.get("message"), _subtests(done["tests"]), output), stderr
        # cos-runner exits 2 on its own timeout; past the deadline our timer killed it.
        if code == 2 or time.monotonic() >= deadline:
            status, message = "TIMEOUT", f"no {DONE_PREFIX.strip()} line within {timeout:.0f} s"
        else:
            tail = stderr.strip().splitlines()[-1:] or [""]
            status, message = "CRASH", f"runner exited with status {code}: {tail[0][:300]}"
        return Result(status, message, _subtests(partial), output), stderr


def _kill(proc):
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


_CHROMIUM_CONSOLE = re.compile(r':CONSOLE(?:\(\d+\)|:\d+)\] "(.*)", source: ')


def _console_message(line, chromium):
    line = line.rstrip("\n")
    if chromium:
        m = _CHROMIUM_CONSOLE.search(line)
        return m.group(1) if m else None
    if line.startswith("CONSOLE "):
        parts = line.split(" ", 2)
        return parts[2] if len(parts) == 3 else ""
    return None


# --- main --------------------------------------------------------------------------------------

def compare(test, result, expectations):
    """[(name, status, allowed, message, reason, unexpected)]: the harness first, then subtests."""
    exp = expected_for(expectations, test)
    allowed = _as_list(exp.get("status", "OK"))
    rows = [(None, result.status, allowed, result.message, exp.get("reason", ""),
             result.status not in allowed)]
    subexp = exp.get("subtests", {})
    for name, status, message in result.subtests:
        entry = subexp.get(name, {})
        allowed = _as_list(entry.get("expected", "PASS"))
        rows.append((name, status, allowed, message, entry.get("reason", ""), status not in allowed))
    return rows


def _as_list(value):
    return value if isinstance(value, list) else [value]


def main(args):
    root = os.path.abspath(args.root) if args.root else TESTS_DIR
    if not os.path.isdir(root):
        layout.die(f"--root {root} is not a directory")
    args.timeout_multiplier = float(os.environ.get("COS_WPT_TIMEOUT_MULTIPLIER", "2"))
    exp_path = args.expectations or (os.path.join(TESTS_DIR, "expectations.json")
                                     if not args.root else os.path.join(root, "expectations.json"))
    expectations = load_expectations(exp_path)
    prefs_path = os.path.join(root, "prefs.json")
    rules = load_prefs(prefs_path if os.path.exists(prefs_path)
                       else os.path.join(TESTS_DIR, "prefs.json"))
    tests = discover(root, resolve_paths(root, args.paths))
    if not tests:
        log("no tests found")
        log("0 passed, 1 failed")
        return 1
    if os.environ.get("COS_WPT_BROWSER", "servo") == "servo" and \
            not os.path.exists(layout.runner_binary()):
        log(f"error: {layout.runner_binary()} is missing: run `mach-scripts/mach build` first")
        log("0 passed, 1 failed")
        return 1

    work = tempfile.mkdtemp(prefix="cos-wpt-")
    server = Server(root, work, args.timeout_multiplier, args.verbose)
    log(f"serving {root} on http {server.ports['http']} https {server.ports['https']}; "
        f"{len(tests)} test URLs")
    passed = failed = known = 0
    unexpected_ids = []
    try:
        runner = Runner(server, work, args, rules, root)
        for test in tests:
            start = time.monotonic()
            result = runner.run(test)
            rows = compare(test, result, expectations)
            bad = [r for r in rows if r[5]]
            n_pass = sum(1 for r in rows[1:] if r[1] == "PASS" and not r[5])
            n_known = sum(1 for r in rows[1:] if r[1] != "PASS" and not r[5])
            n_sub = len(rows) - 1
            passed += n_pass
            known += n_known
            failed += len(bad)
            took = time.monotonic() - start
            label = "OK  " if not bad else "FAIL"
            extra = f", {n_known} expected failures" if n_known else ""
            status = "" if result.status == "OK" else f" [{result.status}]"
            log(f"{label} {test.id}{status}: {n_pass}/{n_sub} subtests passed{extra} ({took:.1f} s)")
            for name, status_, allowed, message, reason, unexpected in rows:
                if unexpected or args.verbose:
                    what = "harness" if name is None else f"subtest {json.dumps(name)}"
                    mark = "UNEXPECTED " if unexpected else ""
                    log(f"     {mark}{what}: {status_} (expected {'/'.join(allowed)})"
                        + (f": {message.strip()[:400]}" if message and status_ != "PASS" else "")
                        + (f" [{reason}]" if reason and not unexpected else ""))
            ran = {r[0] for r in rows[1:]}
            for name in expected_for(expectations, test).get("subtests", {}):
                if name not in ran and result.status == "OK" and test.phase is None:
                    log(f"     note: expectations name subtest {json.dumps(name)}, which did not run")
            if bad:
                unexpected_ids.append(test.id)
                if result.status in ("CRASH", "TIMEOUT") and not args.verbose:
                    tail = result.output.strip().splitlines()[-8:]
                    for line in tail:
                        log(f"     | {line[:300]}")
    finally:
        server.stop()
        if os.environ.get("COS_WPT_KEEP") != "1":
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"kept {work}")
    log(f"{len(tests)} test URLs, {len(unexpected_ids)} with unexpected results; "
        f"{known} expected failures (from {os.path.relpath(exp_path, layout.REPO)}) not counted")
    log(f"{passed} passed, {failed} failed")
    return 1 if failed else 0
