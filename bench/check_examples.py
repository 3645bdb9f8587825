"""Per-file verdict counts and median time per function for `veriline check examples/`.

Runs in-process without the cache (cold z3 each query), three rounds, and prints medians.
Usage: python bench/check_examples.py [DIR] [--rounds N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

from veriline.analyses.api import Options, parse, verify_function

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def files_under(d: str) -> list[str]:
    out = []
    for root, _, names in os.walk(d):
        out += [os.path.join(root, n) for n in sorted(names) if n.endswith((".py", ".c"))]
    return sorted(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dir", nargs="?", default=os.path.join(ROOT, "examples"))
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    opts = Options()
    print(f"{'file':34} {'✓':>3} {'✗':>3} {'?':>3} {'functions':>9} {'median ms/fn':>13}")
    all_times = []
    for path in files_under(a.dir):
        text = open(path, encoding="utf-8").read()
        program = parse(text, path)
        per_fn: dict[str, list[float]] = {n: [] for n in program.functions}
        counts = {"proved": 0, "counterexample": 0, "unknown": 0}
        for r in range(a.rounds):
            for name in program.functions:
                t0 = time.perf_counter()
                fs = verify_function(program, name, opts)
                per_fn[name].append((time.perf_counter() - t0) * 1000)
                if r == 0:
                    for f in fs:
                        counts[f.status] += 1
        meds = [statistics.median(v) for v in per_fn.values()]
        all_times += meds
        rel = os.path.relpath(path, a.dir)
        med = statistics.median(meds) if meds else 0.0
        print(f"{rel:34} {counts['proved']:>3} {counts['counterexample']:>3} "
              f"{counts['unknown']:>3} {len(meds):>9} {med:>13.1f}")
    if all_times:
        print(f"\nall functions: median {statistics.median(all_times):.1f} ms, "
              f"max {max(all_times):.1f} ms over {len(all_times)} functions "
              f"(in-process, no cache, median of {a.rounds} rounds)")


if __name__ == "__main__":
    main()
