# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""`mach bench --js`: what a page pays to get a model's bytes, network against COS, in the fork.

Each size runs in a fresh browser process and profile. The page times, in one run: a fetch()
over loopback read with a reader loop and with arrayBuffer(); a COS store with write(blob) and
with pipeTo(); getFile(); getFile() then arrayBuffer(), alone and then reading a byte of every
page (a buffer may get its pages when first touched, as a mapped file does); getFile() read as
`new Response(file).arrayBuffer()` (Transformers.js's cache path); getFile() then a stream()
reader loop.
The browser's peak RSS comes from the kernel (wait4), and the RSS growth during the stream()
loop from sampling /proc while it runs. Figures are measurements, not assertions: the build
they came from (release when built, else debug) is printed with them.
"""

import hashlib
import http.server
import json
import os
import re
import socketserver
import subprocess
import tempfile
import threading
import time

from . import build as fork
from . import layout
from .demo import make_file, send_file, send_page, sha256_file
from .layout import log

MB = 1000 * 1000
SIZES = [("1 MiB", 1 << 20), ("177 MB", 177 * MB)]
LARGE = [("1 GiB", 1 << 30)]

PAGE = """<!doctype html>
<meta charset="utf-8">
<script>
const FILE = %(file)s;
const HASH = { algorithm: 'SHA-256', value: FILE.sha256 };
const cos = navigator.crossOriginStorage;
const report = (step, ms) => console.log('JSBENCH ' + JSON.stringify({ step, ms }));
const pause = ms => new Promise(resolve => setTimeout(resolve, ms));

async function time(step, body) {
  const start = performance.now();
  const bytes = await body();
  if (bytes !== undefined && bytes !== FILE.size) {
    throw new Error(step + ' produced ' + bytes + ' bytes, expected ' + FILE.size);
  }
  report(step, performance.now() - start);
}

// Reads one byte of every 4 KiB page, as a parser's first pass over a buffer would.
function touchPages(buffer) {
  const view = new Uint8Array(buffer);
  let sum = 0;
  for (let i = 0; i < view.length; i += 4096) sum += view[i];
  return sum;
}

async function readAll(stream) {
  const reader = stream.getReader();
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return total;
    total += value.byteLength;
  }
}

async function store(write) {
  const handle = await cos.getFileHandle(HASH, { create: true });
  const writable = await handle.createWritable();
  await write(writable);
}

(async () => {
  await time('fetch + reader loop', async () => readAll((await fetch(FILE.url)).body));
  let blob;
  await time('fetch + arrayBuffer()', async () => {
    const buffer = await (await fetch(FILE.url)).arrayBuffer();
    blob = new Blob([buffer]);
    return buffer.byteLength;
  });
  await time('COS store, write(blob)', () => store(async writable => {
    await writable.write(blob);
    await writable.close();
  }));
  blob = null;
  await time('COS store, fetch body pipeTo()', () => store(async writable => {
    await (await fetch(FILE.url)).body.pipeTo(writable);
  }));
  let file;
  await time('getFile()', async () => {
    file = await (await cos.getFileHandle(HASH)).getFile();
    return file.size;
  });
  await time('getFile() + arrayBuffer()', async () => {
    const f = await (await cos.getFileHandle(HASH)).getFile();
    return (await f.arrayBuffer()).byteLength;
  });
  await time('getFile() + arrayBuffer() + every page', async () => {
    const f = await (await cos.getFileHandle(HASH)).getFile();
    const buffer = await f.arrayBuffer();
    touchPages(buffer);
    return buffer.byteLength;
  });
  await time('getFile() + Response(file).arrayBuffer()', async () => {
    const f = await (await cos.getFileHandle(HASH)).getFile();
    return (await new Response(f).arrayBuffer()).byteLength;
  });
  // The harness samples the RSS from here to the end of the loop.
  console.log('JSBENCH-RSS-START');
  await pause(200);
  await time('getFile() + stream() loop', async () => {
    const f = await (await cos.getFileHandle(HASH)).getFile();
    return readAll(f.stream());
  });
  console.log('JSBENCH-RSS-END');
  console.log('JSBENCH-DONE');
})().catch(e => console.log('JSBENCH-FAIL ' + e.name + ': ' + e.message));
</script>
"""

# Every timed step of the page; a run that reports fewer ended early.
STEP_COUNT = PAGE.count("await time('")


def make_server(file):
    page = (PAGE % {"file": json.dumps({
        "url": "/model.bin", "size": file["size"], "sha256": file["sha256"]})}).encode()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path == "/":
                send_page(self, page)
                return
            if self.path != "/model.bin":
                self.send_error(404)
                return
            send_file(self, file)

    class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
        daemon_threads = True

    return Server(("127.0.0.1", 0), Handler)


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def run_size(label, file, profile):
    server = make_server(file)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://localhost:{server.server_address[1]}/"
    cmd = fork.runner_command(url, timeout=1200, config_dir=profile,
                              done=["JSBENCH-DONE", "JSBENCH-FAIL"])
    cmd[0] = BINARY
    proc = subprocess.Popen(cmd, env=layout.build_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    steps, failure = [], None
    sampling = threading.Event()
    rss = {"start": None, "peak": 0}

    def sample():
        while sampling.is_set():
            value = rss_kib(proc.pid)
            if value:
                rss["peak"] = max(rss["peak"], value)
            time.sleep(0.005)

    for line in proc.stdout:
        if "JSBENCH-RSS-START" in line:
            rss["start"] = rss_kib(proc.pid)
            sampling.set()
            threading.Thread(target=sample, daemon=True).start()
        elif "JSBENCH-RSS-END" in line:
            sampling.clear()
        elif "JSBENCH-FAIL" in line:
            failure = line.split("JSBENCH-FAIL", 1)[1].strip()
        m = re.search(r"JSBENCH (\{.*\})", line)
        if m:
            steps.append(json.loads(m.group(1)))
    sampling.clear()
    _, status, usage = os.wait4(proc.pid, 0)
    server.shutdown()
    if status != 0 and not failure and len(steps) < STEP_COUNT:
        failure = f"the runner exited with status {status}"
    growth = None
    if rss["start"] is not None:
        growth = max(0, rss["peak"] - rss["start"]) / 1024
    return steps, usage.ru_maxrss / 1024, growth, failure


def main(args):
    global BINARY
    release = layout.runner_binary("release")
    BINARY = release if os.path.exists(release) else layout.runner_binary("debug")
    build = "release" if BINARY == release else "debug"
    if not os.path.exists(BINARY):
        layout.die(f"{BINARY} is missing: run `mach-scripts/mach build` first")
    data = os.path.join(layout.build_dir(), "bench-data")
    os.makedirs(data, exist_ok=True)
    sizes = SIZES + (LARGE if args.large else [])
    log(f"bench --js: the {build} build ({BINARY})")
    rows = []
    for index, (label, size) in enumerate(sizes):
        path = os.path.join(data, f"model-{size}.bin")
        make_file(path, size, 1000 + index)
        file = {"path": path, "size": size, "sha256": sha256_file(path)}
        with tempfile.TemporaryDirectory(prefix="cos-jsbench-") as profile:
            log(f"bench --js: {label}")
            steps, peak, growth, failure = run_size(label, file, profile)
        if failure:
            log(f"bench --js: {label} failed: {failure}")
            return 1
        rows.append((label, size, steps, peak, growth))

    print()
    print(f"JS-level benchmark, {build} build, one run per size (ms; MB/s = 10^6 bytes/s)")
    for label, size, steps, peak, growth in rows:
        print(f"\n{label}: browser peak RSS {peak:.0f} MiB; RSS growth during the stream() loop "
              f"{growth:.1f} MiB")
        for step in steps:
            rate = size / MB / (step["ms"] / 1000) if step["ms"] > 0 else float("inf")
            print(f"  {step['step']:34} {step['ms']:10.1f} ms {rate:10.0f} MB/s")
    return 0
