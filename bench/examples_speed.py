"""`veriline check examples/ --no-cache` cold, one installation against another, runs
interleaved (A, B, A, B, ...) so that a change in the machine's load hits both alike.

    python bench/examples_speed.py --baseline /tmp/old-venv/bin/veriline [--runs 11]

Each run is a fresh process (imports, z3 set-up, parsing, workers: what a user waits
for).  Prints the median wall and CPU (user + system, children included) seconds of each
and the ratio of the medians.  Without --baseline only this installation is timed.

Figures (2-core machine, idle, 11 interleaved pairs, both installed from wheels with
`pip install .`, on this examples/): ef26e43 (before the integer model) 1.57 s wall,
1.57 s CPU; 2026-11-24 (4331339, c0f88b4) 0.49-0.50 s wall, 0.91-0.92 s CPU: 3.08-3.18x
(six runs of 15 pairs: 3.08, 3.18, 3.13, 3.16; 3.14, 3.15).  No assertions on time.
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def one_run(exe: str, target: str) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([exe, "check", target, "--no-cache"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, cwd=ROOT)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline", help="another installation's `veriline` executable")
    here = os.path.join(os.path.dirname(sys.executable), "veriline")   # this venv's: a
    ap.add_argument("--current", default=here if os.path.exists(here)   # shim (pyenv)
                    else shutil.which("veriline"))                      # adds ~40 ms
    ap.add_argument("--runs", type=int, default=11)
    ap.add_argument("--target", default=os.path.join(ROOT, "examples"))
    a = ap.parse_args()
    exes = {"current": a.current}
    if a.baseline:
        exes = {"baseline": a.baseline, **exes}
    times: dict = {name: [] for name in exes}
    for _ in range(a.runs):
        for name, exe in exes.items():
            times[name].append(one_run(exe, a.target))
    med = {}
    for name, rows in times.items():
        med[name] = statistics.median(w for w, _ in rows)
        print(f"{name:9} wall {med[name]:.3f} s  cpu {statistics.median(c for _, c in rows):.3f} s"
              f"  ({exes[name]})")
    if a.baseline:
        print(f"ratio (baseline / current, wall): {med['baseline'] / med['current']:.2f}")


if __name__ == "__main__":
    main()
