# This Source Code Form is subject to the terms of the Mozilla Public
# License, v. 2.0. If a copy of the MPL was not distributed with this
# file, You can obtain one at https://mozilla.org/MPL/2.0/.

"""The `clients` tier: published Cross-Origin Storage clients, unchanged, in the built fork.

COS exists for a handful of JS libraries (see docs/clients.md in the shared docs). Each scenario
here loads one of them in the headless fork on site A, which misses, downloads a model file from
a mock model hub and stores it through the client's own code; then on site B, in a new browser
process on the same profile (so every scenario is also a restart test), where the client must
find the file in COS: the hub counts zero bytes served to B, and the bytes B reads back are
the ones A stored.

  * Third-party client code comes from npm at a pinned version whose `npm pack` tarball must
    have a pinned SHA-256. It is served from the verified tarball, byte for byte.
  * Code that is not on npm (Emscripten's generated loader, Flutter's `instantiate_wasm.js`) is
    reproduced in mach-scripts/clients/ following its call pattern, not copied.
  * The mock hub has Hugging Face's URL shapes: `/<org>/<repo>/resolve/<rev>/<file>` for the
    bytes and `/<org>/<repo>/raw/<rev>/<file>` for the Git LFS pointer the clients read the
    SHA-256 from. It lives on 127.0.0.1, a potentially trustworthy origin, so the pages' fetches
    are not mixed content, and WebLLM caches its model library (it never caches a URL containing
    "localhost").
  * Every served file is on a Public Hash List installed for the run: `origins: '*'` entries are
    disclosed across sites only for listed hashes.

Clients that need platform pieces the fork does not have yet are listed in EXPECTED_FAILURES
with the reason; they run anyway, count neither as passed nor failed, and an unexpected pass
fails the tier so that the list is updated when the platform lands.
"""

import hashlib
import http.server
import json
import os
import random
import re
import shutil
import socketserver
import struct
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.parse

from . import build as fork
from . import layout, phl
from .demo import sha256_file

FIXTURES = os.path.join(layout.REPO, "mach-scripts", "clients")

# Console prefixes printed by mach-scripts/clients/common.js (the JSON after each is documented
# there). DONE ends the runner (cos-runner --done).
STEP_PREFIX = "COS-CLIENTS "
DONE_PREFIX = "COS-CLIENTS-DONE "

# One page load in the debug fork: process start, a 7 MB bundle to parse, a few hundred KB to
# fetch, hash and store. The page's own watchdog fires a little earlier, naming the last step.
SITE_TIMEOUT = 90
PAGE_WATCHDOG = SITE_TIMEOUT - 15


class ClientsError(Exception):
    """A problem that stops the whole tier (a package that fails its pin, a missing runner)."""


# --- Packages from npm -------------------------------------------------------------------------

class NpmPackage:
    """A published package, pinned by version and by the SHA-256 of its `npm pack` tarball."""

    def __init__(self, name, version, sha256):
        self.name = name
        self.version = version
        self.sha256 = sha256

    @property
    def spec(self):
        return f"{self.name}@{self.version}"

    @property
    def tarball(self):
        # What `npm pack` names it: "@scope/name" becomes "scope-name".
        return f"{self.name.lstrip('@').replace('/', '-')}-{self.version}.tgz"

    @property
    def url_prefix(self):
        return f"/npm/{self.spec}/"


PACKAGES = {
    "web-llm": NpmPackage(
        "@mlc-ai/web-llm", "0.2.86",
        "b104049691e1926c689109831887a3e7b2443df48ecb1e0f1a697e53564b5d4e"),
    "transformers": NpmPackage(
        "@huggingface/transformers", "4.3.2",
        "5414fb47b11ae2a8c10a3aac68f833e6fb6e9bde03e9e612ad7da3ea9e9d2663"),
    "wllama": NpmPackage(
        "@wllama/wllama", "3.13.0",
        "a9eaac205ff9a1d6fdbea395a48652bd5febc56511a7b66b736d862bf726d2d5"),
}


def npm_cache():
    return os.path.join(layout.build_dir(), "npm")


def package_files(package):
    """The regular files of a verified tarball, by path inside the package.

    They are served from memory, read from the tarball whose digest was just checked, so what
    the browser runs is exactly what the registry published: an unpacked copy on disk could
    drift from it unnoticed.
    """
    cache = npm_cache()
    os.makedirs(cache, exist_ok=True)
    tarball = os.path.join(cache, package.tarball)
    if not os.path.exists(tarball):
        if not shutil.which("npm"):
            raise ClientsError(f"npm is needed to fetch {package.spec}: run `mach-scripts/mach bootstrap`")
        proc = subprocess.run(["npm", "pack", package.spec, "--silent"], cwd=cache,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0 or not os.path.exists(tarball):
            raise ClientsError(f"npm pack {package.spec} failed: {proc.stderr.strip()[-500:]}")
    digest = sha256_file(tarball)
    if digest != package.sha256:
        # Different client code would make every result here mean something else: refuse it,
        # and drop the tarball so that the next run fetches it again.
        os.remove(tarball)
        raise ClientsError(f"{package.tarball} has sha256 {digest}, expected {package.sha256}")
    files = {}
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            if not member.isfile():
                continue
            # npm tarballs keep everything under "package/".
            path = member.name.split("/", 1)[1] if "/" in member.name else member.name
            files[path] = tar.extractfile(member).read()
    return files


# --- Model files (generated: nothing here is downloaded) ---------------------------------------

def _uleb(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _sleb(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        done = (n == 0 and not byte & 0x40) or (n == -1 and byte & 0x40)
        out.append(byte | (0 if done else 0x80))
        if done:
            return bytes(out)


def _vec(items):
    return _uleb(len(items)) + b"".join(items)


def _name(text):
    data = text.encode()
    return _uleb(len(data)) + data


def _section(section_id, payload):
    return bytes([section_id]) + _uleb(len(payload)) + payload


def wasm_module(answer, size, seed, import_twice):
    """A real Wasm module of about `size` bytes whose export `answer()` returns `answer`.

    With `import_twice`, it imports `env.twice(i32) -> i32` and returns `twice(answer // 2)`,
    so that instantiating it also exercises the caller's import object. The bulk is a custom
    section of seeded random bytes: a different seed is a different file with its own hash.
    """
    i32 = 0x7F
    types = [bytes([0x60, 0x01, i32, 0x01, i32]), bytes([0x60, 0x00, 0x01, i32])]
    sections = [_section(1, _vec(types))]
    if import_twice:
        assert answer % 2 == 0
        sections.append(_section(2, _vec([_name("env") + _name("twice") + bytes([0x00, 0x00])])))
        body = b"\x00" + b"\x41" + _sleb(answer // 2) + b"\x10\x00" + b"\x0b"
        answer_index = 1
    else:
        body = b"\x00" + b"\x41" + _sleb(answer) + b"\x0b"
        answer_index = 0
    sections.append(_section(3, _vec([_uleb(1)])))
    sections.append(_section(7, _vec([_name("answer") + bytes([0x00]) + _uleb(answer_index)])))
    sections.append(_section(10, _vec([_uleb(len(body)) + body])))
    module = b"\x00asm\x01\x00\x00\x00" + b"".join(sections)
    name = _name("cos-clients-padding")
    padding = max(0, size - len(module) - len(name) - 6)
    sections.append(_section(0, name + random.Random(seed).randbytes(padding)))
    return b"\x00asm\x01\x00\x00\x00" + b"".join(sections)


def wordpiece_tokenizer(vocab_size, seed):
    """A BERT-style tokenizer.json (WordPiece) that Transformers.js's tokenizers can load.

    Returns (tokenizer.json bytes, tokenizer_config.json bytes, vocab). The vocabulary is
    padded with seeded pseudo-words so that the file is a few hundred KB, like a small real one.
    """
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    words = ["-", ".", ",", "!", "hello", "world", "cross", "origin", "storage", "model",
             "##s", "##ing", "##ed"]
    vocab = {}
    for token in specials + words:
        vocab[token] = len(vocab)
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    while len(vocab) < vocab_size:
        word = "".join(rng.choice(letters) for _ in range(rng.randint(4, 10)))
        vocab.setdefault(("##" if rng.random() < 0.2 else "") + word, len(vocab))

    def special(token):
        return {"id": token, "type_id": 0}

    tokenizer = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": vocab[t], "content": t, "single_word": False, "lstrip": False,
             "rstrip": False, "normalized": False, "special": True}
            for t in specials
        ],
        "normalizer": {"type": "BertNormalizer", "clean_text": True, "handle_chinese_chars": True,
                       "strip_accents": None, "lowercase": True},
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"SpecialToken": special("[CLS]")}, {"Sequence": {"id": "A", "type_id": 0}},
                       {"SpecialToken": special("[SEP]")}],
            "pair": [{"SpecialToken": special("[CLS]")}, {"Sequence": {"id": "A", "type_id": 0}},
                     {"SpecialToken": special("[SEP]")}, {"Sequence": {"id": "B", "type_id": 1}},
                     {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
            "special_tokens": {
                t: {"id": t, "ids": [vocab[t]], "tokens": [t]} for t in ("[CLS]", "[SEP]")
            },
        },
        "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
        "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                  "max_input_chars_per_word": 100, "vocab": vocab},
    }
    config = {
        "tokenizer_class": "BertTokenizer",
        "do_lower_case": True,
        "model_max_length": 512,
        "clean_up_tokenization_spaces": True,
        "cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]",
        "unk_token": "[UNK]", "mask_token": "[MASK]",
    }
    return (json.dumps(tokenizer, indent=2).encode(), json.dumps(config, indent=2).encode(), vocab)


def mlc_chat_config(vocab_size):
    """An mlc-chat-config.json of the shape `mlc_llm gen_config` writes, for a tiny model."""
    return json.dumps({
        "version": "0.1.0",
        "model_type": "llama",
        "quantization": "q4f32_1",
        "model_config": {
            "hidden_size": 64, "intermediate_size": 172, "num_attention_heads": 4,
            "num_hidden_layers": 2, "rms_norm_eps": 1e-05, "vocab_size": vocab_size,
            "position_embedding_base": 10000.0, "context_window_size": 512,
            "prefill_chunk_size": 128, "num_key_value_heads": 4, "head_dim": 16,
            "tensor_parallel_shards": 1, "max_batch_size": 1,
        },
        "vocab_size": vocab_size,
        "context_window_size": 512,
        "sliding_window_size": -1,
        "prefill_chunk_size": 128,
        "attention_sink_size": -1,
        "tensor_parallel_shards": 1,
        "temperature": 0.6,
        "presence_penalty": 0.0,
        "frequency_penalty": 0.0,
        "repetition_penalty": 1.0,
        "top_p": 0.9,
        "tokenizer_files": ["tokenizer.json"],
        "tokenizer_info": {"token_postproc_method": "byte_level", "prepend_space_in_encode": False,
                           "strip_space_in_decode": False},
        "conv_template": {
            "name": "llama-3", "system_template": "<|start_header_id|>system<|end_header_id|>\n\n"
            "{system_message}<|eot_id|>", "system_message": "You are a helpful assistant.",
            "roles": {"user": "<|start_header_id|>user", "assistant": "<|start_header_id|>assistant"},
            "seps": ["<|eot_id|>"], "role_content_sep": "<|end_header_id|>\n\n",
            "role_empty_sep": "<|end_header_id|>\n\n", "stop_str": [], "stop_token_ids": [2],
            "system_prefix_token_ids": [1], "add_role_after_system_message": True,
        },
        "pad_token_id": 0,
        "bos_token_id": 1,
        "eos_token_id": 2,
    }, indent=2).encode()


def gguf_file(size, seed):
    """A GGUF v3 header (no tensors, one `general.name`) followed by seeded bytes."""
    key, value = b"general.name", b"cos-clients-tiny"
    header = b"GGUF" + struct.pack("<IQQ", 3, 0, 1)
    header += struct.pack("<Q", len(key)) + key + struct.pack("<I", 8)
    header += struct.pack("<Q", len(value)) + value
    return header + random.Random(seed).randbytes(size - len(header))


# --- The mock hub ------------------------------------------------------------------------------

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".cjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".wasm": "application/wasm",
}


def content_type(path):
    return CONTENT_TYPES.get(os.path.splitext(path)[1], "application/octet-stream")


class HubFile:
    """One file of a mock hub repository. `lfs` files answer `raw/` with a Git LFS pointer."""

    def __init__(self, repo, path, data, lfs):
        self.repo = repo
        self.rev = "main"
        self.path = path
        self.data = data
        self.lfs = lfs
        # Wasm needs its own type for the streaming compile paths, as a CDN serves it.
        self.content_type = content_type(path)
        self.sha256 = hashlib.sha256(data).hexdigest()
        # The git blob id, which Hugging Face gives as the ETag of files stored in git itself.
        self.git_oid = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()

    @property
    def resolve_path(self):
        return f"/{self.repo}/resolve/{self.rev}/{self.path}"

    def raw_body(self):
        if not self.lfs:
            return self.data
        return (f"version https://git-lfs.github.com/spec/v1\n"
                f"oid sha256:{self.sha256}\nsize {len(self.data)}\n").encode()


# What Hugging Face exposes to cross-origin readers; the clients read Content-Length,
# Content-Range (Transformers.js's ranged probe) and ETag (wllama).
EXPOSED_HEADERS = ("Content-Length, Content-Range, Accept-Ranges, ETag, X-Linked-Size, "
                   "X-Linked-ETag, X-Repo-Commit, X-Error-Code")
REPO_COMMIT = hashlib.sha1(b"cos-clients mock hub").hexdigest()
HUB_PATH = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/(?P<route>resolve|raw)/(?P<rev>[^/]+)/(?P<file>.+)$")


def requesting_site(headers):
    """The host of the page that made a request: its Origin, or its Referer's."""
    for name in ("Origin", "Referer"):
        value = headers.get(name)
        if value and value != "null":
            host = urllib.parse.urlsplit(value).hostname
            if host:
                return host
    return "(unknown)"


class Hub:
    """Counts, per requesting host, the body bytes it serves from `resolve/` URLs."""

    def __init__(self, files):
        self.files = {(f.repo, f.rev, f.path): f for f in files}
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        with self.lock:
            self.served = {}
            self.requests = []

    def record(self, site, method, path, status, nbytes, counted):
        with self.lock:
            if counted:
                self.served[site] = self.served.get(site, 0) + nbytes
            self.requests.append((site, method, path, status, nbytes))

    def snapshot(self):
        """(resolve/ bytes per site, every request) since the last reset."""
        with self.lock:
            return dict(self.served), list(self.requests)


def _byte_range(header, size):
    """(start, end) inclusive for a single `bytes=` range, None for none, False if unsatisfiable."""
    m = re.match(r"^bytes=(\d*)-(\d*)$", (header or "").strip())
    if not m or (not m.group(1) and not m.group(2)):
        return None
    if m.group(1):
        start = int(m.group(1))
        end = min(int(m.group(2)), size - 1) if m.group(2) else size - 1
    else:
        start, end = max(0, size - int(m.group(2))), size - 1
    if start >= size or start > end:
        return False
    return start, end


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # A browser process that exits mid-connection is not a server error.
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


def make_hub_server(hub):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def cors(self):
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Expose-Headers", EXPOSED_HEADERS)

        def do_OPTIONS(self):
            # Preflights for the Range and other headers some clients add.
            self.send_response(204)
            self.cors()
            self.send_header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS")
            self.send_header("Access-Control-Allow-Headers",
                             self.headers.get("Access-Control-Request-Headers") or "*")
            self.send_header("Access-Control-Max-Age", "600")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_HEAD(self):
            self.answer(head=True)

        def do_GET(self):
            self.answer(head=False)

        def not_found(self, path, site, head):
            body = b"Entry not found"
            self.send_response(404)
            self.cors()
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Error-Code", "EntryNotFound")
            self.end_headers()
            if not head:
                self.wfile.write(body)
            hub.record(site, self.command, path, 404, 0, False)

        def answer(self, head):
            site = requesting_site(self.headers)
            path = urllib.parse.urlsplit(self.path).path
            m = HUB_PATH.match(urllib.parse.unquote(path))
            file = m and hub.files.get((m.group("repo"), m.group("rev"), m.group("file")))
            if not file:
                self.not_found(path, site, head)
                return
            resolve = m.group("route") == "resolve"
            if resolve:
                body, kind = file.data, file.content_type
                etag = file.sha256 if file.lfs else file.git_oid
            else:
                body, kind = file.raw_body(), "text/plain; charset=utf-8"
                etag = file.git_oid
            status, start, end = 200, 0, len(body) - 1
            wanted = _byte_range(self.headers.get("Range"), len(body)) if resolve else None
            if wanted is False:
                self.send_response(416)
                self.cors()
                self.send_header("Content-Range", f"bytes */{len(body)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                hub.record(site, self.command, path, 416, 0, False)
                return
            if wanted:
                status, (start, end) = 206, wanted
            self.send_response(status)
            self.cors()
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(end - start + 1))
            self.send_header("Accept-Ranges", "bytes")
            self.send_header("ETag", f'"{etag}"')
            self.send_header("X-Repo-Commit", REPO_COMMIT)
            if status == 206:
                self.send_header("Content-Range", f"bytes {start}-{end}/{len(body)}")
            if resolve and file.lfs:
                self.send_header("X-Linked-Size", str(len(file.data)))
                self.send_header("X-Linked-ETag", f'"{file.sha256}"')
            self.end_headers()
            sent = 0
            if not head:
                view = memoryview(body)[start:end + 1]
                for offset in range(0, len(view), 1 << 16):
                    chunk = view[offset:offset + (1 << 16)]
                    self.wfile.write(chunk)
                    sent += len(chunk)
            hub.record(site, self.command, path, status, sent, resolve)

    return _Server(("127.0.0.1", 0), Handler)


# --- The sites' pages --------------------------------------------------------------------------

def make_page_server(packages, configs, requests):
    """Serves mach-scripts/clients/ at /clients/, the pinned packages at /npm/<name>@<version>/
    and each scenario's configuration at /config/<scenario>.json, on every site's host name.
    Appends (host, method, path, status) to `requests`, for the logs."""

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, status, body, kind):
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path)
            body = self.lookup(path)
            requests.append((self.headers.get("Host"), self.command, path, 404 if body is None else 200))
            if body is None:
                self.send(404, b"not found", "text/plain; charset=utf-8")
            else:
                self.send(200, body, content_type(path))

        def lookup(self, path):
            if path.startswith("/clients/"):
                name = path[len("/clients/"):]
                if "/" in name or name.startswith("."):
                    return None
                file = os.path.join(FIXTURES, name)
                if os.path.isfile(file):
                    with open(file, "rb") as f:
                        return f.read()
                return None
            m = re.match(r"^/config/([\w-]+)\.json$", path)
            if m:
                config = configs.get(m.group(1))
                return None if config is None else json.dumps(config).encode()
            for package, files in packages.values():
                if path.startswith(package.url_prefix):
                    return files.get(path[len(package.url_prefix):])
            return None

    return _Server(("127.0.0.1", 0), Handler)


# --- Scenarios ---------------------------------------------------------------------------------

class Scenario:
    """One client on two sites. `files` are the hub files the client fetches: B must get every
    one of them from COS, byte for byte what A stored."""

    def __init__(self, name, title, sites, files, package=None, expect=None):
        self.name = name
        self.title = title
        self.sites = sites
        self.files = files
        self.package = package
        self.expect = expect or {}

    def config(self, hub_url):
        return {
            "scenario": self.name,
            "hub": hub_url,
            "repo": self.files[0].repo,
            "package": PACKAGES[self.package].url_prefix if self.package else None,
            "files": {
                f.path: {"url": hub_url + f.resolve_path, "sha256": f.sha256,
                         "size": len(f.data), "lfs": f.lfs}
                for f in self.files
            },
            "expect": self.expect,
            "watchdog_ms": PAGE_WATCHDOG * 1000,
        }


CROSS_SITE = ("site-a.localhost", "site-b.localhost")
# Two origins of one site: `localhost` is not on the Public Suffix List, so the registrable
# domain of both is `site-c.localhost`, and the fork's same-site rule (net_traits'
# `is_same_site`, registrable domains) lets a same-site entry stored by one be read by the other.
SAME_SITE = ("a.site-c.localhost", "b.site-c.localhost")


def scenarios():
    webllm_repo = "mlc-ai/CosTest-0.1B-q4f32_1-MLC"
    webllm_lib = "CosTest-0.1B-q4f32_1-webgpu.wasm"
    tokenizer, tokenizer_config, vocab = wordpiece_tokenizer(24_000, seed=50)
    text = "Hello cross-origin storages!"
    ids = [vocab[t] for t in ("[CLS]", "hello", "cross", "-", "origin", "storage", "##s", "!", "[SEP]")]
    return [
        Scenario(
            "webllm", "WebLLM 0.2.86, cacheBackend: 'cross-origin'", CROSS_SITE,
            # The config is tracked with Git LFS in this mock repo: WebLLM finds the hash of
            # any other file only in the site's own Cache API, so B would download a
            # git-stored config again. The model library
            # sits in the model repo, as custom `model_lib` URLs on the hub do.
            [HubFile(webllm_repo, "mlc-chat-config.json", mlc_chat_config(len(vocab)), lfs=True),
             HubFile(webllm_repo, webllm_lib, wasm_module(4242, 300_000, seed=10, import_twice=False),
                     lfs=True)],
            package="web-llm",
            expect={"model_id": "CosTest-0.1B-q4f32_1-MLC", "model_lib": webllm_lib}),
        Scenario(
            "emscripten", "Emscripten -sCROSS_ORIGIN_STORAGE=1 loader pattern", CROSS_SITE,
            [HubFile("emscripten-demo/hello-cos", "hello.wasm",
                     wasm_module(1234, 320_000, seed=20, import_twice=True), lfs=True)],
            expect={"wasm": "hello.wasm", "answer": 1234}),
        Scenario(
            "flutter-older", "Flutter instantiate_wasm.js, older revision (requestFileHandles)",
            SAME_SITE,
            [HubFile("flutter-demo/engine", "skwasm.wasm",
                     wasm_module(2468, 260_000, seed=30, import_twice=True), lfs=True)],
            expect={"wasm": "skwasm.wasm", "answer": 2468}),
        Scenario(
            "flutter-newer", "Flutter instantiate_wasm.js, newer revision (requestFileHandle, tee)",
            CROSS_SITE,
            [HubFile("flutter-demo/engine", "canvaskit.wasm",
                     wasm_module(8642, 350_000, seed=40, import_twice=True), lfs=True)],
            expect={"wasm": "canvaskit.wasm", "answer": 8642}),
        Scenario(
            "transformers", "Transformers.js 4.3.2, experimental_useCrossOriginStorage", CROSS_SITE,
            # Both tracked with LFS, so that B finds their hashes in the hub's LFS pointers: for
            # a git-stored file Transformers.js keeps the hash in the site's Cache API only.
            [HubFile("cos-test/bert-tiny-tokenizer", "tokenizer.json", tokenizer, lfs=True),
             HubFile("cos-test/bert-tiny-tokenizer", "tokenizer_config.json", tokenizer_config,
                     lfs=True)],
            package="transformers",
            expect={"text": text, "ids": ids}),
        Scenario(
            "wllama", "wllama 3.13.0, CacheManager with the default COSBackend", CROSS_SITE,
            [HubFile("cos-test/tiny-gguf", "tiny-Q4_K_M.gguf", gguf_file(300_000, seed=60), lfs=True)],
            package="wllama",
            expect={"gguf": "tiny-Q4_K_M.gguf"}),
    ]


# Scenarios that cannot pass on the fork today, with the error observed. They run and are
# reported, count neither as passed nor failed, and fail the tier if they pass: then the
# platform piece has landed and the entry must go.
EXPECTED_FAILURES = {}
# What each expected failure must look like: failing some other way (the package no longer
# loads, the page crashes) is a regression that the entry must not hide.
EXPECTED_SYMPTOMS = {}


# --- Running the fork --------------------------------------------------------------------------

class SiteRun:
    def __init__(self, site, role):
        self.site = site
        self.role = role
        self.result = None
        self.steps = []
        self.console = []
        self.elapsed = 0.0
        self.served = 0
        self.foreign = {}
        self.requests = []
        self.returncode = None
        self.stderr = ""
        self.unclean_store = False

    def problem(self):
        """Why this page load did not complete, or None."""
        if self.result is None:
            tail = self.stderr.strip().splitlines()[-3:]
            last = self.steps[-1]["step"] if self.steps else "no step"
            return (f"site {self.role} ({self.site}): no result, runner exited with "
                    f"{self.returncode} after {last}: {' | '.join(tail)}")
        if not self.result.get("ok"):
            return f"site {self.role} ({self.site}): {self.result.get('error')}"
        if self.unclean_store:
            return (f"site {self.role} ({self.site}): the browser shut down but Cross-Origin "
                    "Storage did not exit in order (its open.marker is still in the profile)")
        return None

    def timing(self):
        """The browser process's wall time, and the page's from its first script to its report."""
        page = (self.result or {}).get("ms")
        return f"process {self.elapsed:.1f} s" + (f", page {page / 1000:.1f} s" if page else "")

    def warnings(self):
        return [line for line in self.console if line.startswith(("warn ", "error "))]


# What the clients find in the browsers they were written for, besides COS: `navigator.storage`
# and its origin private file system (wllama keeps its metadata there).
CLIENT_PREFS = ("dom_storage_manager_api_enabled=true",
                "dom_origin_private_file_system_enabled=true")


def run_site(scenario, role, site, port, profile, hosts, data_home, hub, page_requests, logs,
             verbose):
    run = SiteRun(site, role)
    url = f"http://{site}:{port}/clients/client.html?scenario={scenario.name}&role={role}"
    # Each run ends with Servo's full shutdown, as a user's quit does, so that the next run on
    # the profile is a clean restart.
    cmd = fork.runner_command(url, timeout=SITE_TIMEOUT, config_dir=profile, host_file=hosts,
                              prefs=CLIENT_PREFS, done=[DONE_PREFIX.strip()], shutdown=True)
    # The browser finds the run's Public Hash List in this data directory, as it finds a user's
    # `mach phl install`ed list in theirs.
    env = dict(layout.build_env(), XDG_DATA_HOME=data_home)
    hub.reset()
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True, errors="replace", timeout=SITE_TIMEOUT + 30)
        stdout, run.stderr, run.returncode = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as e:
        stdout = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        run.stderr, run.returncode = "killed after the runner's own timeout", "timeout"
    run.elapsed = time.monotonic() - start
    # Cross-Origin Storage removes this marker when it exits in order; left behind, it makes
    # the next start collect the store as after a crash.
    marker = os.path.join(profile, "crossoriginstorage", "default_v1", "open.marker")
    run.unclean_store = run.returncode == 0 and os.path.exists(marker)
    # Site runs are sequential and the hub is reset before each, so every byte served meanwhile
    # is this run's, whatever the request said it came from: a request without Origin or
    # Referer cannot hide bytes from the count.
    by_site, run.requests = hub.snapshot()
    run.served = sum(by_site.values())
    run.foreign = {s: n for s, n in by_site.items() if s != site and n}
    os.makedirs(logs, exist_ok=True)
    with open(os.path.join(logs, f"{scenario.name}-{role}.log"), "w") as f:
        f.write(f"$ {' '.join(cmd)}\n# exit {run.returncode} after {run.elapsed:.1f} s\n")
        f.write("# hub requests (site, method, path, status, body bytes):\n")
        f.writelines(f"#   {r}\n" for r in run.requests)
        f.write("# page server requests (host, method, path, status):\n")
        f.writelines(f"#   {r}\n" for r in list(page_requests))
        f.write("# stdout:\n" + stdout + "\n# stderr:\n" + run.stderr)
    for line in stdout.splitlines():
        m = re.match(r"^CONSOLE (\w+) (.*)$", line)
        if not m:
            continue
        level, message = m.groups()
        run.console.append(f"{level} {message}")
        if verbose:
            print(f"    [{role}] {level} {message}", file=sys.stderr, flush=True)
        try:
            if message.startswith(DONE_PREFIX):
                run.result = json.loads(message[len(DONE_PREFIX):])
            elif message.startswith(STEP_PREFIX):
                run.steps.append(json.loads(message[len(STEP_PREFIX):]))
        except ValueError:
            pass
    return run


def readback_problems(scenario, run):
    """The files COS did not give back to this site, byte for byte, after the client ran."""
    problems = []
    readback = (run.result or {}).get("readback", {})
    for file in scenario.files:
        got = readback.get(file.path) or {}
        if got.get("sha256") != file.sha256:
            problems.append(f"{file.path} is not in COS for site {run.role} "
                            f"({got.get('error') or 'sha256 ' + str(got.get('sha256'))})")
    return problems


def evaluate(scenario, a, b):
    """(passed, detail) for one scenario's two page loads."""
    total = sum(len(f.data) for f in scenario.files)
    problem = a.problem()
    if problem:
        return False, problem + _hints(a)
    if a.served < total:
        return False, (f"site A downloaded {a.served:,} bytes of the {total:,} it needs: "
                       "it did not miss" + _hints(a))
    problems = readback_problems(scenario, a)
    if problems:
        return False, "after site A: " + "; ".join(problems) + _hints(a)
    if b is None:
        return False, "site B did not run"
    problem = b.problem()
    if problem:
        return False, problem + _hints(b)
    if b.served:
        fetched = sorted({r[2] for r in b.requests if "/resolve/" in r[2] and r[4]})
        return False, (f"site B downloaded {b.served:,} bytes ({', '.join(fetched)}): no cache "
                       "hit" + _hints(b))
    problems = readback_problems(scenario, b)
    if problems:
        return False, "site B: " + "; ".join(problems) + _hints(b)
    source = b.result.get("source")
    if source and source != "cross-origin-storage":
        return False, f"site B's client reports its Wasm came from {source}" + _hints(b)
    return True, (f"A missed, downloaded {a.served:,} B and stored them ({a.timing()}); "
                  f"B hit, downloaded 0 B, bytes match ({b.timing()})")


def _hints(run):
    """The page's own diagnostics and the first console warnings, to name the missing piece."""
    extra = []
    source = (run.result or {}).get("source")
    if source:
        extra.append(f"the client says its bytes came from: {source}")
    diagnostics = (run.result or {}).get("diagnostics")
    if diagnostics:
        extra.append("diagnostics " + json.dumps(diagnostics, sort_keys=True))
    warnings = run.warnings()
    if warnings:
        extra.append("console: " + " | ".join(w[:300] for w in warnings[:3]))
    return "".join(f" [{e}]" for e in extra)


def main(args=None):
    wanted = getattr(args, "scenario", None) or getattr(args, "scenarios", None)
    if isinstance(wanted, str):
        wanted = [wanted]
    verbose = bool(getattr(args, "verbose", False))
    keep = bool(getattr(args, "keep", False))
    selected = [s for s in scenarios() if not wanted or s.name in wanted]

    def abort(message):
        print(f"clients: {message}", flush=True)
        print(f"0 passed, {len(selected)} failed", flush=True)
        return 1

    if not os.path.exists(layout.runner_binary()):
        return abort(f"{layout.runner_binary()} is missing: run `mach-scripts/mach build` first")
    try:
        packages = {key: (PACKAGES[key], package_files(PACKAGES[key]))
                    for key in sorted({s.package for s in selected if s.package})}
    except ClientsError as e:
        return abort(str(e))

    work = tempfile.mkdtemp(prefix="cos-clients-")
    hosts = os.path.join(work, "hosts")
    with open(hosts, "w") as f:
        for scenario in selected:
            f.writelines(f"127.0.0.1 {site}\n" for site in scenario.sites)
    # A Public Hash List naming every file of the mock hub, installed as `mach phl install` would.
    data_home = phl.install_private(work, [f.sha256 for s in selected for f in s.files],
                                    "generated by the clients tier")

    hub = Hub([f for s in selected for f in s.files])
    hub_server = make_hub_server(hub)
    hub_url = f"http://127.0.0.1:{hub_server.server_address[1]}"
    configs = {s.name: s.config(hub_url) for s in selected}
    page_requests = []
    page_server = make_page_server(packages, configs, page_requests)
    port = page_server.server_address[1]
    for server in (hub_server, page_server):
        threading.Thread(target=server.serve_forever, daemon=True).start()

    passed = failed = 0
    try:
        for scenario in selected:
            # A fresh profile per scenario; B reuses A's, in a new browser process.
            profile = os.path.join(work, "profiles", scenario.name)
            runs = []
            for role, site in zip("AB", scenario.sites):
                print(f"clients: {scenario.name}: site {role} http://{site}:{port}/ ...",
                      file=sys.stderr, flush=True)
                del page_requests[:]
                run = run_site(scenario, role, site, port, profile, hosts, data_home, hub,
                               page_requests, os.path.join(work, "logs"), verbose)
                runs.append(run)
                if run.problem() or (role == "A" and readback_problems(scenario, run)):
                    break  # B can only hit what A stored
            ok, detail = evaluate(scenario, runs[0], runs[1] if len(runs) > 1 else None)
            expected = EXPECTED_FAILURES.get(scenario.name)
            if expected and ok:
                verdict = "XPASS"
                detail = f"passed, but EXPECTED_FAILURES lists it ({expected}): remove the entry"
                failed += 1
            elif expected and EXPECTED_SYMPTOMS.get(scenario.name, "") in detail:
                verdict = "XFAIL"
                detail = f"expected: {expected}; observed: {detail}"
            elif expected:
                verdict = "FAIL"
                detail = (f"expected to fail with {EXPECTED_SYMPTOMS[scenario.name]!r}, "
                          f"but: {detail}")
                failed += 1
            elif ok:
                verdict = "PASS"
                passed += 1
            else:
                verdict = "FAIL"
                failed += 1
            print(f"{verdict:5} {scenario.name}: {scenario.title}: {detail}", flush=True)
    finally:
        for server in (hub_server, page_server):
            server.shutdown()
            server.server_close()
        if failed or keep:
            print(f"clients: profiles and logs kept in {work}", file=sys.stderr, flush=True)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1
