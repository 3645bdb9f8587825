"""CI at scale: `veriline check` on a generated ~10,000-line corpus of Python and C.

Prints wall time and peak RSS of: a cold local run (empty cache: it fills one), `--jobs 1`
and `--jobs 2` when the CLI has `--jobs`, a local Dask cluster with 1 and with 2 workers
(no cache, so every function is solved), the warm local run (the cache the cold run
filled), and `--diff HEAD` after a one-function change (cold and with the warm cache); then
the ratios.  The corpus is written to a temporary directory (a git repository, for
--diff) and deleted afterwards; it has realistic shapes — helpers called by other
functions, ACSL and docstring contracts, loops, recursion — and a few real bugs.

    python bench/scale.py                  # ~10,000 lines
    python bench/scale.py --lines 2000     # quicker
    python bench/scale.py --no-dask --json

Measured 2026-11-23 on a 2-core machine shared with other jobs (load average 10-14, so
the absolute times are ~4x an idle machine's; the whole default run took 16 minutes):
10,228 lines, 64 files, 1,330 functions, 50 planted bugs (all 50 found, no ?);
cold 284 s (CLI peak RSS 134 MB), Dask 1 worker 394 s (worker 283 MB), 2 workers 256 s
(519 MB both), warm 0.9 s, --diff after a one-function change 1.7 s cold / 1.6 s warm;
cold/warm = 315, cold/diff = 169, dask1/dask2 = 1.54; the cluster's verdicts equal the
local run's.  --jobs did not exist yet in this branch.

Measured 2026-11-24 on the idle machine, `--lines 3000` (3,186 lines, 415 functions, 15
planted bugs, all found, 0 ?): --jobs 1 19.2 s, --jobs 2 10.4 s (1.86x), Dask 1 worker
18.2 s, 2 workers 11.4 s (within 10 % of --jobs 2, same verdicts), warm 0.16 s, --diff
0.46 s, peak RSS 147 MB (CLI) and 205 MB per worker.  Run it from a clean directory: a
`lz4/` folder in the cwd shadows the lz4 module the Dask scheduler imports.

Measured 2026-11-24 on the idle machine, default size (10,228 lines, 64 files, 1,330
functions of which 1,074 with findings, 50 planted bugs: all found, 0 ?): --jobs 1 55.1 s,
--jobs 2 29.7 s (1.85x), Dask 1 worker 41.1 s, 2 workers 28.1 s (6 % faster than --jobs 2,
same verdicts), warm 0.26 s, --diff after a one-function change 0.48 s cold / 0.51 s warm;
peak RSS 267 MB (CLI, cold run with cache writes), 126 MB (--jobs CLI with its children),
about 395 MB per Dask worker with its nanny and its child (three processes).  Before the
worker ran its tasks in a child, one Dask worker grew past 3.5 GB on this corpus.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

PY_HELPERS = [
    ('''def clamp_{id}(v: int, lo: int, hi: int) -> int:
    """
    pre: lo <= hi
    post: lo <= __return__ <= hi
    """
    if v < lo:
        return lo
    if v > hi:
        return hi
    return v
''', "clamp_{id}({a}, 0, {k})"),
    ('''def scaled_{id}(x: int) -> int:
    return x * {k} + {d}
''', "scaled_{id}({a})"),
    ('''def steps_{id}(x: int, y: int) -> int:
    count = 0
    if 0 < y < {k2}:
        while x > y:
            x = x - y
            count += 1
    return count
''', "steps_{id}({a}, {d})"),
]
PY_USERS = [
    '''def use_{id}(a: int) -> int:
    """post: __return__ >= 0"""
    r = {call}
    if r < 0:
        return -r
    return r
''',
    '''def check_{id}(a: int, b: int) -> int:
    if 0 <= a < {k2} and 0 < b < 100:
        t = {call}
        assert b != 0
        return t // b
    return 0
''',
    '''def total_{id}(n: int) -> int:
    """
    pre: 0 <= n <= 1000
    post: __return__ >= 0
    """
    s = 0
    for i in range(n):
        s = s + {k}
    return s
''',
    '''def depth_{id}(n: int) -> int:
    """Recursion with a base case: terminates for every n."""
    if n <= 0:
        return 0
    return 1 + depth_{id}(n - {d})
''',
]
PY_BUGS = [
    '''def avg_{id}(a: int, b: int) -> int:
    """post: __return__ >= a or __return__ >= b"""
    return (a + b) // 2 - {d}
''',
    '''def pick_{id}(i: int) -> int:
    assert i != {k}
    return i
''',
]
C_HELPERS = [
    ('''/*@ requires 0 <= lo && lo <= hi;
    ensures lo <= \\result && \\result <= hi; */
int mid_{id}(int lo, int hi) {{
    return lo + (hi - lo) / {d};
}}
''', "mid_{id}(0, a)"),
    ('''static int sat_{id}(int x) {{
    if (x > 1000) return 1000;
    if (x < -1000) return -1000;
    return x;
}}
''', "sat_{id}(a)"),
]
C_USERS = [
    '''int user_{id}(int a) {{
    if (a < 0 || a > 100000) return 0;
    int r = {call};
    assert(r >= -1000);
    return r * {k};
}}
''',
    '''unsigned int hash_{id}(unsigned int x, unsigned int n) {{
    unsigned int acc = x;
    while (n > 0u) {{
        acc = acc * {k}u + 1u;
        n = n - 1u;
    }}
    return acc;
}}
''',
    '''int down_{id}(int n) {{
    while (n > {k}) {{
        n = n - {d};
    }}
    return n;
}}
''',
]
C_BUGS = [
    '''int midpoint_{id}(int lo, int hi) {{
    return (lo + hi) / 2;
}}
''',
    '''int index_{id}(int i) {{
    if (i >= 0 && i <= {k2}) {{
        assert(i < {k2});
        return i;
    }}
    return 0;
}}
''',
]


def generate(out: str, lines: int, seed: int = 7) -> dict:
    """Write the corpus; returns counts (lines, files, functions, planted bugs)."""
    rng = random.Random(seed)
    n = {"lines": 0, "files": 0, "functions": 0, "bugs": 0}
    i = 0
    while n["lines"] < lines:
        for lang in ("python", "c"):
            helpers, users, bugs = (PY_HELPERS, PY_USERS, PY_BUGS) if lang == "python" \
                else (C_HELPERS, C_USERS, C_BUGS)
            parts = ["" if lang == "python" else "#include <assert.h>\n\n"]
            for j in range(10):
                fid = f"{i}_{j}"
                k = rng.randint(2, 40)
                fmt = dict(id=fid, k=k, k2=k + rng.randint(10, 400), d=rng.randint(2, 9),
                           a="a")
                helper, call = helpers[j % len(helpers)]
                parts.append(helper.format(**fmt))
                fmt["call"] = call.format(**fmt)
                parts.append(users[(i + j) % len(users)].format(**fmt))
                n["functions"] += 2
                if rng.random() < 0.08:
                    parts.append(bugs[j % len(bugs)].format(**fmt))
                    n["functions"] += 1
                    n["bugs"] += 1
            text = ("\n\n" if lang == "python" else "\n").join(parts)
            sub = os.path.join(out, lang, f"pkg{i // 10}")
            os.makedirs(sub, exist_ok=True)
            with open(os.path.join(sub, f"mod{i:03d}{'.py' if lang == 'python' else '.c'}"),
                      "w") as fh:
                fh.write(text)
            n["lines"] += text.count("\n")
            n["files"] += 1
        i += 1
    return n


def run(args: list[str], cwd: str, env: dict, sample_pids=None) -> dict:
    """Wall time, exit code, peak RSS (the CLI process; plus sampled cluster workers)."""
    t0 = time.perf_counter()
    errf = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen([sys.executable, "-m", "veriline", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=errf, text=True)
    peak_workers = [0]
    stop = threading.Event()

    def sample():
        import psutil
        while not stop.wait(0.2):
            total = 0
            for pid in sample_pids or ():
                try:
                    p = psutil.Process(pid)
                    total += sum(c.memory_info().rss for c in [p, *p.children(recursive=True)])
                except psutil.Error:
                    pass
            peak_workers[0] = max(peak_workers[0], total)
    th = threading.Thread(target=sample, daemon=True)
    if sample_pids:
        th.start()
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    errf.seek(0)
    err = errf.read()
    stop.set()
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise SystemExit(f"veriline {' '.join(args)} exited {proc.returncode}:\n{err[-3000:]}")
    return {"wall_s": round(wall, 2), "rss_mb": round(usage.ru_maxrss / 1024, 1),
            "workers_rss_mb": round(peak_workers[0] / 2**20, 1) if sample_pids else None,
            "doc": json.loads(out) if "--format" in args else None}


def verdicts(doc: dict) -> list[tuple]:
    return sorted((f["file"], f["function"], f["kind"], f["property"], f["status"],
                   f["range"]["start"]["line"]) for f in doc["findings"])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalCluster:
    """A dask scheduler and workers started here (each in its own process group)."""

    def __init__(self, work: str, env: dict) -> None:
        self.env, self.work, self.procs, self.workers = env, work, [], []
        port = free_port()
        self.address = f"tcp://127.0.0.1:{port}"
        self._spawn(["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port",
                     str(port), "--no-dashboard"])
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def _spawn(self, args):
        p = subprocess.Popen([sys.executable, "-m", *args], env=self.env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
        self.procs.append(p)
        return p

    def add_worker(self) -> None:
        self.workers.append(self._spawn(
            ["distributed.cli.dask_worker", self.address, "--nworkers", "1", "--nthreads",
             "1", "--no-dashboard", "--host", "127.0.0.1"]))
        from distributed import Client
        with Client(self.address, timeout=60) as c:
            c.wait_for_workers(len(self.workers), timeout=120)

    def stop(self) -> None:
        for p in reversed(self.procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)


def change_one_function(corpus: str) -> str:
    """Edit the body of one helper that another function calls (its caller inlines it)."""
    path = os.path.join(corpus, "python", "pkg0", "mod000.py")
    text = open(path).read()
    new = text.replace("    return x * ", "    return 1 + x * ", 1)
    assert new != text
    open(path, "w").write(new)
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=10000)
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--timeout", type=float, default=5)
    a = ap.parse_args(argv)
    work = tempfile.mkdtemp(prefix="veriline-scale-")
    env = {**os.environ, "VERILINE_CACHE_KEY": "bench-scale"}
    env.pop("CI", None)
    rows: dict = {}
    cluster = None
    try:
        corpus = os.path.join(work, "corpus")
        rows["corpus"] = generate(corpus, a.lines)
        git = lambda *x: subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@b",
                                         *x], cwd=corpus, check=True, capture_output=True)
        git("init", "-q")
        git("add", ".")
        git("commit", "-qm", "corpus")
        common = ["check", ".", "--format", "json", "--timeout", str(a.timeout)]
        cache = os.path.join(work, "cache.sqlite")
        has_jobs = "--jobs" in subprocess.run(
            [sys.executable, "-m", "veriline", "check", "--help"], capture_output=True,
            text=True, env=env).stdout
        rows["cold"] = run(common + ["--cache", cache], corpus, env)
        ref = verdicts(rows["cold"]["doc"])
        if has_jobs:
            for j in (1, 2):
                rows[f"jobs{j}"] = run(common + ["--no-cache", "--jobs", str(j)], corpus, env)
        if not a.no_dask:
            cluster = LocalCluster(work, env)
            for w in (1, 2):
                cluster.add_worker()
                r = run(common + ["--no-cache", "--dask", cluster.address], corpus, env,
                        [p.pid for p in cluster.workers])
                r["same_verdicts"] = verdicts(r["doc"]) == ref
                rows[f"dask{w}"] = r
        rows["warm"] = run(common + ["--cache", cache], corpus, env)
        rows["warm"]["same_verdicts"] = verdicts(rows["warm"]["doc"]) == ref
        change_one_function(corpus)
        rows["diff_cold"] = run(common + ["--no-cache", "--diff", "HEAD"], corpus, env)
        rows["diff_warm"] = run(common + ["--cache", cache, "--diff", "HEAD"], corpus, env)
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    report(rows, a.json)
    return 0


def report(rows: dict, as_json: bool) -> None:
    c = rows.pop("corpus")
    for r in rows.values():
        doc = r.pop("doc")
        s = doc["summary"]
        r["findings"] = f"{s['proved']}✓ {s['counterexample']}✗ {s['unknown']}?"
        r["functions"] = len({(f["file"], f["function"]) for f in doc["findings"]})
    cold = rows["cold"]["wall_s"]
    ratios = {f"cold/{k}": round(cold / v["wall_s"], 2) for k, v in rows.items()
              if k != "cold" and v["wall_s"]}
    if "dask1" in rows and "dask2" in rows:
        ratios["dask1/dask2"] = round(rows["dask1"]["wall_s"] / rows["dask2"]["wall_s"], 2)
    if as_json:
        print(json.dumps({"corpus": c, "runs": rows, "ratios": ratios}, indent=2))
        return
    print(f"corpus: {c['lines']} lines, {c['files']} files, {c['functions']} functions, "
          f"{c['bugs']} planted bugs")
    print(f"{'run':<10} {'wall s':>8} {'CLI RSS MB':>11} {'workers MB':>11} "
          f"{'functions':>10}  findings            same verdicts")
    for k, r in rows.items():
        w = r["workers_rss_mb"]
        print(f"{k:<10} {r['wall_s']:>8.2f} {r['rss_mb']:>11.1f} "
              f"{'-' if w is None else f'{w:.1f}':>11} {r['functions']:>10}  "
              f"{r['findings']:<19} {r.get('same_verdicts', '')}")
    print("ratios: " + ", ".join(f"{k} = {v}" for k, v in ratios.items()))


if __name__ == "__main__":
    sys.exit(main())
