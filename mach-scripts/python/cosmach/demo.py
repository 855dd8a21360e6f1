# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""`mach demo`: two sites, one download.

Site A and site B live on different registrable domains (`site-a.localhost` and
`site-b.localhost`: `localhost` is not a public suffix, so each is its own site, and both are
secure contexts over plain http). Each page needs the same two files, a "model" of at least
100 MB and a ~4.7 MB "Wasm runtime", identified by SHA-256. It asks Cross-Origin Storage first
and falls back to fetch on a miss, storing what it fetched with `origins: '*'`.

The files are listed in a Public Hash List the demo generates, because the spec discloses `'*'`
entries across sites only for listed hashes. The server counts the bytes it serves per site.
Site A runs first, then site B in a new browser process on the same profile, which also shows
that the store survives a restart.
"""

import glob
import hashlib
import http.server
import json
import os
import random
import re
import socketserver
import subprocess
import tempfile
import threading
import time

from . import build as fork
from . import phl
from . import layout
from .layout import log

PAGE = """<!doctype html>
<meta charset="utf-8">
<title>COS demo: {site}</title>
<script>
const SITE = {site_json};
const FILES = {files_json};
const cos = navigator.crossOriginStorage;

async function load(file) {{
  const hash = {{ algorithm: 'SHA-256', value: file.sha256 }};
  const start = performance.now();
  try {{
    const handle = await cos.requestFileHandle(hash);
    const blob = await handle.getFile();
    if (blob.size !== file.size) throw new Error('size mismatch ' + blob.size);
    return {{ name: file.name, source: 'cos', bytes: blob.size, ms: performance.now() - start }};
  }} catch (e) {{
    if (e.name !== 'NotFoundError') throw e;
  }}
  const response = await fetch(file.url);
  const blob = await response.blob();
  const fetched = performance.now();
  const handle = await cos.requestFileHandle(hash, {{ create: true, origins: '*' }});
  const writable = await handle.createWritable();
  await writable.write(blob);
  await writable.close();
  return {{ name: file.name, source: 'network', bytes: blob.size,
           ms: performance.now() - start, fetch_ms: fetched - start }};
}}

(async () => {{
  if (!cos) throw new Error('navigator.crossOriginStorage is missing');
  for (const file of FILES) {{
    const step = await load(file);
    console.log('COS-DEMO-STEP ' + JSON.stringify(Object.assign({{ site: SITE }}, step)));
  }}
  console.log('COS-DEMO-DONE ' + SITE);
}})().catch(e => console.log('COS-DEMO-FAIL ' + SITE + ' ' + e.name + ': ' + e.message));
</script>
"""


def make_file(path, size, seed):
    """Writes `size` deterministic pseudo-random bytes (made here; nothing is downloaded)."""
    if os.path.exists(path) and os.path.getsize(path) == size:
        return
    rng = random.Random(seed)
    with open(path + ".tmp", "wb") as f:
        remaining = size
        while remaining:
            n = min(remaining, 1 << 20)
            f.write(rng.randbytes(n))
            remaining -= n
    os.replace(path + ".tmp", path)


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def send_page(handler, html):
    """Answers `handler`'s request with the HTML document `html` (bytes)."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header("Content-Length", str(len(html)))
    handler.end_headers()
    handler.wfile.write(html)


def send_file(handler, file, sent=None):
    """Answers `handler`'s request with the bytes of `file` ({path, size}) in 1 MiB blocks,
    calling `sent(n)` after each."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/octet-stream")
    handler.send_header("Content-Length", str(file["size"]))
    handler.end_headers()
    with open(file["path"], "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            handler.wfile.write(block)
            if sent:
                sent(len(block))


class Counter:
    def __init__(self):
        self.lock = threading.Lock()
        self.bytes = {}

    def add(self, site, n):
        with self.lock:
            self.bytes[site] = self.bytes.get(site, 0) + n


def make_server(port, files, counter):
    by_path = {f"/{f['name']}": f for f in files}

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            host = (self.headers.get("Host") or "").split(":")[0]
            site = host.split(".")[0]
            if self.path == "/":
                body = PAGE.format(site=site, site_json=json.dumps(site), files_json=json.dumps([
                    {"name": f["name"], "sha256": f["sha256"], "size": f["size"], "url": f"/{f['name']}"}
                    for f in files
                ])).encode()
                send_page(self, body)
                return
            file = by_path.get(self.path)
            if not file:
                self.send_error(404)
                return
            send_file(self, file, lambda n: counter.add(site, n))

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True
        allow_reuse_address = True

    return Server(("127.0.0.1", port), Handler)


def run_site(site, port, profile, hosts, data_home, multiprocess):
    url = f"http://{site}.localhost:{port}/"
    cmd = fork.runner_command(
        url, timeout=900, config_dir=profile, host_file=hosts,
        done=["COS-DEMO-DONE", "COS-DEMO-FAIL"], multiprocess=multiprocess,
    )
    # The browser finds the installed Public Hash List in this data directory, as it finds a
    # user's `mach phl install`ed list in theirs: no pref names it.
    env = dict(layout.build_env(), XDG_DATA_HOME=data_home)
    start = time.monotonic()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    elapsed = time.monotonic() - start
    steps = []
    failure = None
    for line in proc.stdout.splitlines():
        m = re.search(r"COS-DEMO-STEP (\{.*\})", line)
        if m:
            steps.append(json.loads(m.group(1)))
        if "COS-DEMO-FAIL" in line:
            failure = line.split("COS-DEMO-FAIL", 1)[1].strip()
    if proc.returncode != 0 and not failure:
        failure = f"runner exited with {proc.returncode}: {proc.stderr.strip()[-500:]}"
    return steps, elapsed, failure


def main(args):
    if not args.no_build:
        from .commands import ensure_bootstrapped
        ensure_bootstrapped()
        if fork.build() != 0:
            return 1
    data = os.path.join(layout.build_dir(), "demo-data")
    os.makedirs(data, exist_ok=True)
    files = []
    for name, size, seed in [("model.bin", args.model_mb * 1000 * 1000, 1), ("runtime.wasm", 4_700_000, 2)]:
        path = os.path.join(data, name)
        make_file(path, size, seed)
        files.append({"name": name, "path": path, "size": size, "sha256": sha256_file(path)})

    work = tempfile.mkdtemp(prefix="cos-demo-")
    profile = os.path.join(work, "profile")
    hosts = os.path.join(work, "hosts")
    with open(hosts, "w") as f:
        f.write("127.0.0.1 site-a.localhost\n127.0.0.1 site-b.localhost\n")
    # A Public Hash List naming the demo's two files, installed as `mach phl install` would.
    data_home = phl.install_private(work, [x["sha256"] for x in files], "generated by mach demo")

    counter = Counter()
    server = make_server(0, files, counter)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()

    results = {}
    ok = True
    for site in ("site-a", "site-b"):
        log(f"demo: loading http://{site}.localhost:{port}/ in the headless fork")
        steps, elapsed, failure = run_site(site, port, profile, hosts, data_home, args.multiprocess)
        results[site] = (steps, elapsed)
        if failure or len(steps) != len(files):
            log(f"demo: {site} failed: {failure or 'incomplete'}")
            ok = False
            break
    server.shutdown()

    blobs = [p for p in glob.glob(os.path.join(profile, "crossoriginstorage", "**", "blobs", "**", "*"),
                                  recursive=True) if os.path.isfile(p)]
    total = sum(f["size"] for f in files)
    print()
    print("Cross-Origin Storage demo report")
    print("=" * 33)
    for site, (steps, elapsed) in results.items():
        served = counter.bytes.get(site, 0)
        print(f"{site}: downloaded {served:,} bytes, page run {elapsed:.1f} s")
        for step in steps:
            print(f"    {step['name']:13} {step['bytes']:>12,} bytes from {step['source']:7} in {step['ms'] / 1000:.2f} s" + (f" (fetch {step['fetch_ms'] / 1000:.2f} s)" if "fetch_ms" in step else ""))
    if "site-b" in results:
        saved = total - counter.bytes.get("site-b", 0)
        print(f"bytes saved for site-b: {saved:,} of {total:,}")
    print(f"copies in the store: {len(blobs)} blob files for {len(files)} files")
    print(f"profile: {profile}")

    site_b_bytes = counter.bytes.get("site-b", None)
    checks = [
        ("site-a downloaded both files", counter.bytes.get("site-a", 0) == total),
        ("site-b downloaded 0 bytes", ok and site_b_bytes in (0, None) and "site-b" in results),
        ("one copy of each file on disk", len(blobs) == len(files)),
    ]
    for name, passed in checks:
        print(f"  [{'ok' if passed else 'FAIL'}] {name}")
    passed = sum(1 for _, p in checks if p)
    print(f"{passed} passed, {len(checks) - passed} failed")
    return 0 if passed == len(checks) else 1
