"""Benchmark the C encodings and the solver portfolio on bench/solver_corpus/*.c.

Each function in the corpus is preceded by `// expect: overflow=proved contract=proved`
(the verdict each kind must get: every finding of the kind proved, or at least one
counterexample).  For each configuration — `bv` (z3 on bit-vectors only: the behaviour
before the integer model), `int` (integer model, z3), `portfolio` (integer model, then the
other encoding and z3 / Bitwuzla / cvc5 raced) — it prints correct / wrong / unknown per
(function, kind), and the median and p95 wall-clock seconds per function.  A verdict is
wrong when it is "proved" where a counterexample is expected or the other way round.
Each function runs as `veriline check` runs it: in a forked child under the per-function
budget (--function-timeout, default 10 s), killed if it overruns; then it is unknown.

    python bench/solver.py                          # all configurations
    python bench/solver.py --modes int,portfolio --timeout 5
    python bench/solver.py --examples               # also `veriline check examples/` cold
    python bench/solver.py --json
    python bench/solver.py --modes int --no-chc     # without CHC loop invariants (before)
No assertions on time.

Figures (49 functions, 70 properties, correct/wrong/unknown per property; the shared
2-core machine, back to back):
               before (bfcfb30)                     after
  load ~1.5
    int        67/0/3  median 0.015 s  p95 3.31 s   70/0/0  median 0.021 s  p95 0.49 s
    portfolio  67/0/3  median 0.017 s  p95 8.81 s   70/0/0  median 0.018 s  p95 0.40 s
  load 6-7
    int        67/0/3  median 0.020 s  p95 3.94 s   70/0/0  median 0.035 s  p95 1.05 s
    portfolio  67/0/3  median 0.024 s  p95 8.82 s   70/0/0  median 0.029 s  p95 0.74 s
(max 10.7 s before: modpow_unbounded killed at the budget, z3 past its own time limit
in-process; after, at load ~1.5: 1.2 s / 1.1 s.)
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "bench", "solver_corpus")
EXPECT = re.compile(r"//\s*expect:\s*(.*)")
FUNC = re.compile(r"^[A-Za-z_][\w\s\*]*?\b([A-Za-z_]\w*)\s*\(")


def expectations(path: str) -> dict:
    """{function: {kind: verdict}} from the `// expect:` comments."""
    out, pending = {}, None
    for line in open(path, encoding="utf-8"):
        m = EXPECT.match(line.strip())
        if m:
            pending = dict(kv.split("=") for kv in m.group(1).split())
            continue
        f = FUNC.match(line)
        if pending is not None and f and not line.lstrip().startswith(("/*", "*", "//")):
            out[f.group(1)] = pending
            pending = None
    return out


def aggregate(findings, kind: str) -> str:
    fs = [f for f in findings if f.kind == kind]
    if any(f.status == "counterexample" for f in fs):
        return "counterexample"
    if fs and all(f.status == "proved" for f in fs):
        return "proved"
    return "unknown"


def p95(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))] if xs else 0.0


def run_mode(mode: str, timeout_s: float, files: list, budget_s: float) -> dict:
    """Each function as `veriline check` runs it: in a forked child under the function
    budget, killed when it overruns (z3 can overrun its own time limit on nonlinear
    integer queries); a killed function counts as unknown."""
    from veriline.analyses.api import Options, parse
    from veriline.runner.isolated import run_isolated
    from veriline.runner.task import FunctionTask
    opts = Options(timeout_ms=int(timeout_s * 1000), solver_mode=mode,
                   analyses=frozenset({"contract", "overflow"}))
    counts = {"correct": 0, "wrong": 0, "unknown": 0}
    times, wrong, solvers, slow = [], [], {}, []
    for path in files:
        exp = expectations(path)
        text = open(path, encoding="utf-8").read()
        program = parse(text, path)
        for name, kinds in exp.items():
            if name not in program.functions:
                print(f"warning: {name} not found in {path}", file=sys.stderr)
                continue
            t0 = time.perf_counter()
            out = run_isolated(FunctionTask(path, text, "c", name, opts, budget_s))
            findings = out[1].findings if out[0] == "done" else []
            times.append(time.perf_counter() - t0)
            slow.append((round(times[-1], 2), f"{os.path.basename(path)}:{name}"))
            for f in findings:
                if f.solver:
                    solvers[f.solver] = solvers.get(f.solver, 0) + 1
            for kind, want in kinds.items():
                got = aggregate(findings, kind)
                if got == "unknown":
                    counts["unknown"] += 1
                elif got == want:
                    counts["correct"] += 1
                else:
                    counts["wrong"] += 1
                    wrong.append(f"{os.path.basename(path)}:{name} {kind}: {got}, want {want}")
    n = sum(counts.values())
    return {"mode": mode, **counts, "properties": n, "functions": len(times),
            "unknown_pct": round(100 * counts["unknown"] / max(1, n), 1),
            "median_s": round(statistics.median(times), 3) if times else 0.0,
            "p95_s": round(p95(times), 3), "max_s": round(max(times, default=0.0), 3),
            "wrong_list": wrong, "solvers": solvers, "slowest": sorted(slow)[::-1][:5],
            "seconds": {n: t for t, n in slow}, "load": _load()}


def _load() -> list:
    """The 1/5/15-minute load averages when the mode finished (the machine is shared:
    figures taken under load are slower)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def time_examples(mode: str, runs: int = 5) -> tuple[float, float]:
    """Median wall and median user+sys CPU seconds of `veriline check examples/
    --no-cache` (a fresh process each run).  The CPU figure depends less on the load that
    other processes put on the machine.  Measured on 2 cores, int mode, 5 runs: before
    the integer model (ef26e43) 2.11 s wall on an idle machine; bfcfb30 1.35 s wall idle.
    Interleaved runs at load 3-4 (other processes), bytecode cached: bfcfb30 1.90 s wall,
    1.56 s CPU; with the streaming runner and the import-only warm-up 1.69 s wall,
    1.37 s CPU."""
    import resource
    exe = os.path.join(os.path.dirname(sys.executable), "veriline")
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([exe, "check", os.path.join(ROOT, "examples"), "--no-cache",
                        "--solver-mode", mode, "--format", "json"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--modes", default="bv,int,portfolio")
    ap.add_argument("--timeout", type=float, default=5.0, help="seconds per query")
    ap.add_argument("--function-timeout", type=float, default=10.0,
                    help="seconds per function (the CLI's default budget)")
    ap.add_argument("--examples", action="store_true",
                    help="also time `veriline check examples/ --no-cache` per mode")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--no-chc", action="store_true",
                    help="without loop invariants from Horn clauses (engine/chc.py)")
    args = ap.parse_args()
    if args.no_chc:
        from veriline.analyses.engine import chc
        chc.ENABLED = False
    files = sorted(glob.glob(os.path.join(CORPUS, "*.c")))
    rows = []
    for mode in args.modes.split(","):
        row = run_mode(mode, args.timeout, files, args.function_timeout)
        if args.examples:
            wall, cpu = time_examples(mode)
            row["examples_cold_s"], row["examples_cold_cpu_s"] = round(wall, 2), round(cpu, 2)
        rows.append(row)
        if not args.json:
            print(f"{mode:10} correct {row['correct']:3}  wrong {row['wrong']:2}  unknown "
                  f"{row['unknown']:3} ({row['unknown_pct']}%) of {row['properties']}  "
                  f"median {row['median_s']:.3f}s  p95 {row['p95_s']:.3f}s  "
                  f"max {row['max_s']:.2f}s"
                  + (f"  examples/ cold {row['examples_cold_s']}s wall, "
                     f"{row['examples_cold_cpu_s']}s CPU" if args.examples else "")
                  + f"  (load {'/'.join(map(str, row['load']))})",
                  flush=True)
            for w in row["wrong_list"]:
                print(f"    WRONG {w}")
            print(f"    decided by: {row['solvers']}", flush=True)
            print("    slowest: " + ", ".join(f"{n} {t}s" for t, n in row["slowest"]), flush=True)
    if args.json:
        print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
