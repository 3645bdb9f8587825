"""Fuzzing the real `veriline serve` process over raw stdio bytes.

Hypothesis builds batches of hostile messages (bad headers, oversized Content-Length,
bodies that are not JSON or not JSON-RPC, random methods and params, out-of-range edits,
unknown URIs, huge texts, mutated valid messages); after each batch a hover on a good
document must still give the answer it gave before the fuzzing.  ≥ 10,000 messages go
over one connection; stderr must never show a traceback.
"""
from __future__ import annotations

import json
import queue
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trust_kit import clean_env

BATCHES, PER_BATCH = 50, 205
CAP = 1 << 20                        # --max-message-bytes for this server
PAD = b"\r\n" * 2048                 # fills any short over-claimed body (≤ 1000 bytes)
GOOD_URI = "file:///fuzz/good.py"
GOOD = "def f(x: int) -> int:\n    assert x != 3\n    return x\n"
URIS = ["file:///fuzz/a.py", "file:///fuzz/b.c", "file:///fuzz/nope.py", "untitled:1", "",
        "not a uri", "file:///%ZZ", "file:///fuzz/" + "d" * 300 + ".py"]
METHODS = ["textDocument/hover", "textDocument/codeLens", "textDocument/inlayHint",
           "textDocument/codeAction", "textDocument/didOpen", "textDocument/didChange",
           "textDocument/didClose", "textDocument/didSave", "$/cancelRequest", "$/setTrace",
           "workspace/executeCommand", "initialized", "veriline/nothing", "", "$/x"]
SENT = {"messages": 0}


class Server:
    """The server process, its stdout parsed into messages by a thread."""

    def __init__(self, tmp: Path) -> None:
        self.err = open(tmp / "stderr.log", "w+")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "veriline", "serve", "--max-message-bytes", str(CAP)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.err,
            env=clean_env(tmp))
        self.inbox: queue.Queue = queue.Queue()
        self.published: set[str] = set()     # URIs that got diagnostics
        threading.Thread(target=self._read, daemon=True).start()
        self.next_id = 0

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            n = None
            while True:
                line = out.readline()
                if not line:
                    return
                if line.lower().startswith(b"content-length:"):
                    n = int(line.split(b":")[1])
                elif line.strip() == b"" and n is not None:
                    break
            msg = json.loads(out.read(n))
            if msg.get("method") == "textDocument/publishDiagnostics":
                self.published.add(msg["params"]["uri"])
            self.inbox.put(msg)

    def write(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, obj: dict) -> None:
        self.write(frame(json.dumps(obj).encode()))

    def request(self, method: str, params) -> dict:
        self.next_id += 1
        rid = f"probe-{self.next_id}"
        self.send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == rid)

    def wait(self, pred, timeout: float = 60.0) -> dict:
        end = time.monotonic() + timeout
        while True:
            try:
                m = self.inbox.get(timeout=max(0.01, end - time.monotonic()))
            except queue.Empty:
                raise AssertionError("the server stopped answering") from None
            if pred(m):
                return m


def frame(body: bytes, length: int | None = None) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % (len(body) if length is None else length) + body


def hover(srv: Server):
    return srv.request("textDocument/hover", {"textDocument": {"uri": GOOD_URI},
                                              "position": {"line": 1, "character": 11}})


# ----------------------------------------------------------------------------- messages
# Hypothesis draws one seed per batch (reproducible, reported on failure); the messages are
# built from it with plain Python: composing strategies per field took minutes.
TEXTS = ["", "def g(y: int) -> int:\n    return y // 0\n", "int h(int a) { return a + 1; }\n",
         "\udcff\u0000\U0001f600", "def (:\n", "x" * 500]
BAD_HEADERS = [b"Content-Length: abc\r\n\r\n{}", b"Content-Length: -5\r\n\r\n",
               b"garbage line\r\n", b"\r\n\r\n", b"Content-Type: x\r\n\r\n{}",
               b"Content-Length: 99999999999999999999999\r\n\r\n",
               b"X" * 20000 + b"\r\n", b"content-length:2\r\n\r\n{}", b"\xff\xfe\r\n"]


def rand_int(rng) -> int:
    return rng.choice([rng.randint(0, 5), rng.randint(-3, 2**40), 2**31, 2**63, -1])


def rand_json(rng, depth: int = 0):
    k = rng.randint(0, 7 if depth < 2 else 4)
    if k == 0:
        return None
    if k == 1:
        return rng.random() < 0.5
    if k == 2:
        return rand_int(rng)
    if k == 3:
        return rng.uniform(-1e300, 1e300)
    if k == 4:
        return "".join(chr(rng.randint(0, 0x2FF)) for _ in range(rng.randint(0, 12)))
    if k <= 5:
        return [rand_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {f"k{rng.randint(0, 9)}": rand_json(rng, depth + 1) for _ in range(rng.randint(0, 3))}


def rand_position(rng) -> dict:
    return {"line": rand_int(rng), "character": rand_int(rng)}


def lsp_shaped(rng) -> dict:
    td = {"uri": rng.choice(URIS), "version": rand_int(rng),
          "languageId": rng.choice(["python", "c", "plaintext", "", "cpp"]),
          "text": rng.choice(TEXTS)}
    rng_range = lambda: {"start": rand_position(rng), "end": rand_position(rng)}  # noqa: E731
    params = rng.choice([
        lambda: {"textDocument": td, "position": rand_position(rng)},
        lambda: {"textDocument": td, "range": rng_range(), "context": {"diagnostics": []}},
        lambda: {"textDocument": td, "contentChanges": [
            rng.choice([{"range": rng_range(), "text": rng.choice(TEXTS)},
                        {"text": rng.choice(TEXTS)}]) for _ in range(rng.randint(0, 3))]},
        lambda: {"command": rng.choice(["veriline.verifyFunction", "veriline.verifyFile", "x"]),
                 "arguments": [rng.choice([rng.choice(URIS), rand_json(rng)])
                               for _ in range(rng.randint(0, 2))]},
        lambda: rand_json(rng)])()
    msg = {"jsonrpc": rng.choice(["2.0", "2.0", "2.0", "1.0"]), "method": rng.choice(METHODS),
           "params": params}
    if rng.random() < 0.5:
        msg["id"] = rng.choice([rand_int(rng), "id", None, [1]])
    return msg


def hostile(rng) -> bytes:
    kind = rng.randint(0, 99)
    if kind < 45:                                       # LSP-shaped, random details
        return frame(json.dumps(lsp_shaped(rng)).encode())
    if kind < 60:                                       # a mutated valid message
        body = bytearray(json.dumps(lsp_shaped(rng)).encode())
        for _ in range(rng.randint(1, 4)):
            i = rng.randint(0, max(0, len(body) - 1))
            body[i:i + 1] = bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 3)))
        return frame(bytes(body))
    if kind < 70:                                       # not JSON / not JSON-RPC
        return frame(rng.choice([bytes(rng.randint(0, 255) for _ in range(rng.randint(0, 80))),
                                 json.dumps(rand_json(rng)).encode()]))
    if kind < 80:                                       # broken headers
        return rng.choice(BAD_HEADERS)
    if kind < 88:                                       # over the cap, no body
        return b"Content-Length: %d\r\n\r\n" % rng.randint(CAP + 1, 10**12)
    if kind < 99:                                       # a length that lies (short/long)
        body = json.dumps(lsp_shaped(rng)).encode()
        return frame(body, max(0, len(body) + rng.randint(-20, 1000)))
    return frame(json.dumps({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
        "textDocument": {"uri": rng.choice(URIS), "languageId": "plaintext", "version": 1,
                         "text": "x" * rng.randint(10**4, 10**5)}}}).encode())


# ----------------------------------------------------------------------------- the test
def test_fuzzed_server_keeps_answering(tmp_path):
    srv = Server(tmp_path)
    try:
        srv.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}})
        srv.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        srv.send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {
            "textDocument": {"uri": GOOD_URI, "languageId": "python", "version": 1,
                             "text": GOOD}}})
        srv.wait(lambda m: m.get("method") == "veriline/stats", timeout=120)
        expected = hover(srv)["result"]
        assert "f(3)" in expected["contents"]["value"], expected

        # huge texts: over the cap (ignored) and under it but too large to verify
        srv.write(frame(json.dumps({"jsonrpc": "2.0", "method": "textDocument/didOpen",
                                    "params": {"textDocument": {
                                        "uri": "file:///fuzz/huge.py", "languageId": "python",
                                        "version": 1, "text": "x = 1\n" * (CAP // 4)}}})
                        .encode()))
        assert hover(srv)["result"] == expected

        @settings(max_examples=BATCHES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(st.integers(0, 2**64))
        def batch(seed: int) -> None:
            rng = random.Random(seed)
            messages = [hostile(rng) for _ in range(PER_BATCH)]
            srv.write(b"".join(messages) + PAD)
            SENT["messages"] += len(messages)
            got = hover(srv)
            assert got.get("result") == expected, got

        batch()
        assert SENT["messages"] >= 10_000
        # hostile documents did go through verification (opened, edited, published)
        assert {"file:///fuzz/a.py", "file:///fuzz/b.c"} <= srv.published
        assert srv.proc.poll() is None
        assert srv.request("shutdown", None).get("result") is None
        srv.send({"jsonrpc": "2.0", "method": "exit"})
        assert srv.proc.wait(timeout=30) == 0
    finally:
        if srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait()
    srv.err.seek(0)
    log = srv.err.read()
    assert "Traceback" not in log, log[:5000]
    for seen in ("ignoring a message of", "not JSON", "ignoring an edit of",
                 "ignoring a malformed message"):
        assert seen in log, seen


# ----------------------------------------------------------------------------- the reader
class _Message(dict):
    @property
    def jsonrpc(self) -> str:
        return self["jsonrpc"]


class _Recorder:
    """Stands for the protocol: records what the reader hands over."""

    def __init__(self) -> None:
        self.got: list = []
        self.replies: list = []

    def _send_response(self, msg_id, result=None, error=None) -> None:
        self.replies.append((msg_id, error.code, error.message))

    def structure_message(self, data):
        return _Message(data) if "jsonrpc" in data else data

    def handle_message(self, message) -> None:
        self.got.append(dict(message))


def _read_all(data: bytes, cap: int, chunk: int = 7, rec=None) -> list:
    import asyncio
    from veriline.server import rpc_io

    pieces = [data[i:i + chunk] for i in range(0, len(data), chunk)]

    async def source() -> bytes:
        return pieces.pop(0) if pieces else b""

    rec = rec if rec is not None else _Recorder()
    asyncio.run(rpc_io.serve(rpc_io.ByteStream(source), rec, threading.Event(), cap))
    return rec.got


def test_reader_skips_an_oversized_body_that_is_sent_and_one_that_is_not(caplog):
    ok = {"jsonrpc": "2.0", "method": "m", "params": [1]}
    big = json.dumps({"jsonrpc": "2.0", "method": "big", "params": ["y" * 5000]}).encode()
    stream = (frame(big) + frame(json.dumps(ok).encode())               # sent, then a message
              + b"Content-Length: 100000\r\n\r\n" + frame(json.dumps(ok).encode())  # never sent
              + b"Content-Type: x\r\n" + b"z" * 20000 + frame(json.dumps(ok).encode())
              + frame(b"{nope"))
    assert _read_all(stream, cap=1000) == [ok, ok, ok]
    assert caplog.text.count("ignoring a message of") == 2
    assert caplog.text.count("not JSON") == 1
    # under a larger cap the 100000-byte claim is believed: it eats the rest of the stream,
    # which is not JSON, so the messages inside it are read again
    assert [m["method"] for m in _read_all(stream, cap=10**6)] == ["big", "m", "m", "m"]


def test_an_oversized_request_gets_an_error_reply_and_a_notification_only_a_log_line():
    ok = {"jsonrpc": "2.0", "method": "m", "params": [1]}
    request = json.dumps({"jsonrpc": "2.0", "id": 41, "method": "textDocument/hover",
                          "params": {"id": 99, "x": "y" * 5000}}).encode()
    named = json.dumps({"jsonrpc": "2.0", "id": "req-7", "method": "m",
                        "params": ["y" * 5000]}).encode()
    nested = json.dumps({"jsonrpc": "2.0", "method": "n",
                         "params": {"id": 5, "x": "y" * 5000}}).encode()
    stream = b"".join(frame(b) + frame(json.dumps(ok).encode()) for b in (request, named, nested))
    rec = _Recorder()
    assert _read_all(stream, cap=1000, rec=rec) == [ok, ok, ok]
    limit = "(limit 1000 bytes, --max-message-bytes / VERILINE_MAX_MESSAGE_BYTES)"
    assert rec.replies == [(41, -32600, f"veriline: message of {len(request)} bytes refused {limit}"),
                           ("req-7", -32600, f"veriline: message of {len(named)} bytes refused {limit}")]


def test_tcp_server_survives_an_oversized_header(tmp_path):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "veriline", "serve", "--tcp",
                             f"127.0.0.1:{port}"], env=clean_env(tmp_path),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        end = time.monotonic() + 60
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=60)
                break
            except OSError:
                assert time.monotonic() < end, "the TCP server did not start"
                time.sleep(0.1)
        with conn:
            init = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                    "params": {"processId": None, "rootUri": None, "capabilities": {}}}
            conn.sendall(b"Content-Length: 1000000000\r\n\r\n{" + frame(b"[]")
                         + b"Content-Length: 2000000000\r\n\r\n"
                         + b'{"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {'
                         + frame(json.dumps(init).encode()))
            data = b""
            while b'"id": 1' not in data and b'"id":1' not in data:
                more = conn.recv(65536)
                assert more, "connection closed"
                data += more
            assert b'"capabilities"' in data
            assert b"-32600" in data and b"message of 2000000000 bytes refused" in data
    finally:
        proc.kill()
        _, err = proc.communicate(timeout=30)
    assert b"ignoring a message of 1000000000 bytes" in err and b"Traceback" not in err
