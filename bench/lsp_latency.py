"""Latency of `veriline serve` as an editor sees it (prints numbers, asserts nothing).

Drives the real server over stdio with raw JSON-RPC and measures
  1. cold start: process start → first diagnostics for examples/python/subtract_loop.py;
  2. edit → fresh diagnostics for one changed ~30-line function (p50/p95 over --edits edits);
  3. edit of one function in a generated ~1,000-line file, the rest unchanged (p50);
  4. an edit that needs no solver;
  5. a C file with slow functions (a binary-search square root with its invariant, a
     32-bit factoring assert on bit-vectors) before a three-line loop function (without its guard,
     so it has ✗ diagnostics): open → the loop function's diagnostics (answers stream,
     so the slow ones must not hold it);
  6. a function that overruns its budget (a second server with the test hook
     VERILINE_TEST_OVERRUN: its task sleeps, as z3 does when it ignores its limit) before a
     fast one, function budget 2 s: open → the fast function's diagnostics; an edit while
     the overrun runs (cancelled: killed 0.25 s after it ignored the cancel) → fresh
     diagnostics, → the overrun's "don't know" (killed at 2 s × 1.07); an edit after that.
Edits are measured from didChange to the publishDiagnostics of that version, with the
server's debounce set to 0 (an editor adds `debounceMs`, 200 ms by default).  A private
lemma cache is used unless --shared-cache, so numbers are not flattered by earlier runs.

    python bench/lsp_latency.py [--edits 50] [--big-edits 20] [--shared-cache] [--only-overrun]
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

FUNCTION = '''def work{k}(a: int, b: int) -> int:
    """Sum of b, a times, plus a bias (kept small so z3 stays fast).

    pre: 0 <= a <= 100
    pre: 0 <= b <= 100
    post: __return__ >= 0
    """
    bias = {bias}
    total = 0
    i = 0
    while i < a:
        total = total + b
        i = i + 1
    if total > 1000:
        total = 1000
    j = a
    while j > 0:
        j = j - 1
    if bias < 0:
        bias = -bias
    result = total + bias
    assert result >= 0
    k = 0
    for step in range(b):
        k = k + 1
    assert k == b
    if result > 2000:
        result = 2000
    return result
'''


class Server:
    """A `veriline serve` subprocess with a reader thread queuing its messages."""

    def __init__(self, env: dict) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "veriline", "serve"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, env=env)
        self.inbox: queue.Queue = queue.Queue()
        self._id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = 0
            while True:
                line = out.readline()
                if not line:
                    return
                if line.startswith(b"Content-Length:"):
                    length = int(line.split(b":")[1])
                elif line in (b"\r\n", b"\n"):
                    break
            msg = json.loads(out.read(length))
            self.inbox.put((time.perf_counter(), msg))

    def send(self, msg: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **msg}).encode()
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def request(self, method: str, params) -> dict:
        self._id += 1
        self.send({"id": self._id, "method": method, "params": params})
        return self.wait(lambda m: m.get("id") == self._id and "method" not in m)[1]

    def notify(self, method: str, params) -> None:
        self.send({"method": method, "params": params})

    def wait(self, pred, timeout: float = 600.0):
        end = time.perf_counter() + timeout
        while True:
            t, msg = self.inbox.get(timeout=max(0.01, end - time.perf_counter()))
            if "id" in msg and "method" in msg:      # a request from the server
                self.send({"id": msg["id"], "result": None})
            if pred(msg):
                return t, msg

    def close(self) -> None:
        try:
            self.request("shutdown", None)
            self.notify("exit", None)
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()


def start(env: dict, settings: dict | None = None) -> tuple[Server, float]:
    t0 = time.perf_counter()
    s = Server(env)
    s.request("initialize", {"processId": os.getpid(), "rootUri": ROOT.as_uri(),
                             "capabilities": {},
                             "initializationOptions": {"veriline": {"debounceMs": 0,
                                                                    **(settings or {})}}})
    s.notify("initialized", {})
    return s, t0


def is_diag(uri: str, version=None):
    return lambda m: (m.get("method") == "textDocument/publishDiagnostics"
                      and m["params"]["uri"] == uri
                      and (version is None or m["params"].get("version") == version))


def is_stats(uri: str, version: int):
    return lambda m: (m.get("method") == "veriline/stats" and m["params"]["uri"] == uri
                      and m["params"]["version"] == version)


def open_doc(s: Server, uri: str, text: str) -> None:
    s.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "python", "version": 1, "text": text}})


def edit_latencies(s: Server, uri: str, text: str, line: int, edits: int,
                   first_version: int = 2, template: str = "    bias = {n}") -> list[float]:
    """Replace `line` (`    bias = N`) edits times; ms to fresh diagnostics."""
    out = []
    current = text.splitlines()[line]
    for v in range(first_version, first_version + edits):
        new = template.format(n=1000 + v)
        s.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": v},
            "contentChanges": [{"range": {"start": {"line": line, "character": 0},
                                          "end": {"line": line, "character": len(current)}},
                                "text": new}]})
        t0 = time.perf_counter()
        t1, _ = s.wait(is_diag(uri, v))
        s.wait(is_stats(uri, v))
        out.append((t1 - t0) * 1000)
        current = new
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


SLOW_AND_FAST = '''long long isqrt(long long n) {
    long long lo = 0, hi = 46341;
    /*@ loop invariant 0 <= lo && lo < hi && hi <= 46341;
        loop invariant lo * lo <= n && n < hi * hi; */
    while (hi - lo > 1) {
        long long mid = lo + (hi - lo) / 2;
        if (mid * mid <= n) lo = mid; else hi = mid;
    }
    return lo;
}

int not_a_product(unsigned x, unsigned y) {
    if (x > 1 && y > 1 && x < 65536u && y < 65536u) {
        //@ assert ((x ^ 0u) * y) != 2147483647u;
    }
    return 0;
}

int down(int x, int y) {
    while (x > y) x = x - y;
    return x;
}
'''


def slow_and_fast(s: Server, work: Path) -> None:
    path = work / "slow_fast.c"
    path.write_text(SLOW_AND_FAST)
    fast_line = SLOW_AND_FAST.splitlines().index("int down(int x, int y) {")
    uri = path.as_uri()
    t0 = time.perf_counter()
    s.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri, "languageId": "c", "version": 1, "text": SLOW_AND_FAST}})

    def fast_known(m) -> bool:
        return is_diag(uri)(m) and any(d["range"]["start"]["line"] >= fast_line
                                       for d in m["params"]["diagnostics"])
    t1, _ = s.wait(fast_known)
    t2, _ = s.wait(is_stats(uri, 1))
    print(f"C file, two slow functions then a 3-line loop: open → the loop function's "
          f"diagnostics {(t1 - t0) * 1000:.0f} ms; all functions {(t2 - t0) * 1000:.0f} ms")


OVERRUN_AND_FAST = '''def stall(a: int) -> int:
    assert a * a >= 0
    return a


def fast(x: int) -> int:
    assert x != 3
    return x
'''


def overrun_and_fast(env: dict, work: Path) -> None:
    s, _ = start({**env, "VERILINE_TEST_OVERRUN": "stall"}, {"functionTimeout": 2})
    warm = work / "warm.py"                 # the server's one-time warm-up, not measured
    warm.write_text(FUNCTION.format(k=0, bias=1))
    open_doc(s, warm.as_uri(), warm.read_text())
    s.wait(is_stats(warm.as_uri(), 1))
    path = work / "overrun.py"
    path.write_text(OVERRUN_AND_FAST)
    uri = path.as_uri()
    t0 = time.perf_counter()
    open_doc(s, uri, OVERRUN_AND_FAST)

    def fast_says(version: int, call: str):
        return lambda m: is_diag(uri, version)(m) and any(
            call in d["message"] for d in m["params"]["diagnostics"])

    def edit_fast(version: int, value: str) -> float:
        s.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"range": {"start": {"line": 6, "character": 16},
                                          "end": {"line": 6, "character": 17}},
                                "text": value}]})
        return time.perf_counter()
    t1, _ = s.wait(fast_says(1, "fast(3)"))
    t2 = edit_fast(2, "4")                  # while the overrun runs: its round is cancelled
    t3, _ = s.wait(fast_says(2, "fast(4)"))
    last: list = []

    def round_end(m) -> bool:               # keeps the last publication seen on the way
        if is_diag(uri, 2)(m):
            last[:] = m["params"]["diagnostics"]
        return is_stats(uri, 2)(m)
    t4, _ = s.wait(round_end)
    budget = [d["message"] for d in last if "time budget of 2 s" in d["message"]]
    t5 = edit_fast(3, "5")                  # after the round
    t6, _ = s.wait(fast_says(3, "fast(5)"))
    print(f"a function overrunning its 2 s budget, then a fast one: open → the fast one's "
          f"diagnostics {(t1 - t0) * 1000:.0f} ms; an edit during the overrun → fresh "
          f"diagnostics {(t3 - t2) * 1000:.0f} ms, → the overrun's don't know "
          f"{(t4 - t2) * 1000:.0f} ms ({len(budget)} budget findings); an edit after "
          f"→ fresh diagnostics {(t6 - t5) * 1000:.0f} ms")
    s.close()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edits", type=int, default=50)
    ap.add_argument("--big-edits", type=int, default=20)
    ap.add_argument("--shared-cache", action="store_true")
    ap.add_argument("--only-overrun", action="store_true", help="measure 6. only")
    a = ap.parse_args(argv)
    env = dict(os.environ)
    if not a.shared_cache:
        env["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="veriline-bench-")
    work = Path(tempfile.mkdtemp(prefix="veriline-bench-src-"))
    if a.only_overrun:
        overrun_and_fast(env, work)
        return 0

    # 1. cold start
    s, t0 = start(env)
    example = ROOT / "examples" / "python" / "subtract_loop.py"
    open_doc(s, example.as_uri(), example.read_text())
    t1, _ = s.wait(is_diag(example.as_uri()))
    t2, _ = s.wait(is_stats(example.as_uri(), 1))
    print(f"cold start → first diagnostics (subtract_loop.py): {(t1 - t0) * 1000:8.1f} ms "
          f"(round complete {(t2 - t0) * 1000:.1f} ms)")

    # 2. one ~30-line function, edited repeatedly
    one = FUNCTION.format(k=0, bias=7)
    uri = (work / "one.py").as_uri()
    open_doc(s, uri, one)
    s.wait(is_stats(uri, 1))
    lat = edit_latencies(s, uri, one, one.splitlines().index("    bias = 7"), a.edits)
    print(f"edit → fresh diagnostics, {len(one.splitlines())}-line function, {len(lat)} edits: "
          f"p50 {pct(lat, 50):.1f} ms, p95 {pct(lat, 95):.1f} ms")

    # 3. ~1,000-line file, one function edited
    n = 1000 // (len(one.splitlines()) + 2) + 1
    big = "\n\n".join(FUNCTION.format(k=k, bias=k) for k in range(n))
    uri = (work / "big.py").as_uri()
    t0 = time.perf_counter()
    open_doc(s, uri, big)
    t1, _ = s.wait(is_stats(uri, 1))
    lines = big.splitlines()
    target = lines.index(f"    bias = {n // 2}")
    lat = edit_latencies(s, uri, big, target, a.big_edits)
    print(f"{len(lines)}-line file ({n} functions): first full round {(t1 - t0) * 1000:.0f} ms; "
          f"edit one function → fresh diagnostics p50 {pct(lat, 50):.1f} ms "
          f"({len(lat)} edits)")

    # 4. an edit that needs no z3 at all (a comment after the last function)
    uri = (work / "big2.py").as_uri()
    text = big + "\n# note 0\n"
    open_doc(s, uri, text)
    s.wait(is_stats(uri, 1))
    lat = edit_latencies(s, uri, text, len(text.splitlines()) - 1, a.big_edits,
                         template="# note {n}")
    print(f"{len(lines)}-line file, edit that needs no solver (a comment): "
          f"p50 {pct(lat, 50):.1f} ms, p95 {pct(lat, 95):.1f} ms ({len(lat)} edits)")

    # 5. slow functions must not hold back a fast one's answers
    slow_and_fast(s, work)
    s.close()

    # 6. a function that overruns its budget must not hold back the others or later edits
    overrun_and_fast(env, work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
