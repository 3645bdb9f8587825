"""Closed-program judgement vs modular judgement on generated SV-COMP-style programs.

Each program has a `main` that reads nondet ints, guards them, and calls a chain of
helpers (some `static`) whose arithmetic only overflows outside the guarded range; a few
programs really reach an overflow.  The same text is verified twice: as is (a closed
program, judged from `main`) and with `main` renamed (a library: every function modular).
Prints the overflow verdicts and the wall-clock time of both.  No assertions on time.

    python bench/judgement.py [--n 12] [--seed 3]
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def program(rng: random.Random, i: int) -> tuple[str, bool]:
    bound = rng.choice([100, 1000, 46340])
    reaches = rng.random() < 0.25
    guard = f"x > {bound}" if reaches else f"x >= 0 && x < {bound}"
    st = rng.choice(["", "static "])
    text = f"""extern int __VERIFIER_nondet_int(void);
{st}int sq_{i}(int v) {{
    return v * v;
}}
int neg_{i}(int v) {{
    return -v + sq_{i}(v);
}}
long long add_{i}(long long a, long long b) {{
    return a + b;
}}
int main(void) {{
    int x = __VERIFIER_nondet_int();
    int y = __VERIFIER_nondet_int();
    if ({guard}) {{
        neg_{i}(x);
        add_{i}(x, y);
    }}
    return 0;
}}
"""
    return text, reaches


def verdicts(text: str, path: str):
    from veriline.analyses.api import Options, analyze_source
    t0 = time.perf_counter()
    rep = analyze_source(text, path, Options(analyses=frozenset({"overflow"})))
    ms = (time.perf_counter() - t0) * 1000
    fs = [f for f in rep.findings if f.kind == "overflow" and f.severity == "error"
          and not f.function.startswith("main")]
    return {s: sum(f.status == s for f in fs) for s in ("proved", "counterexample", "unknown")}, ms


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=12)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    totals = {"closed": [{}, 0.0], "modular": [{}, 0.0]}
    reaching = 0
    for i in range(args.n):
        text, reaches = program(rng, i)
        reaching += reaches
        library = text.replace("int main(", "int main_lib(")
        for label, src in (("closed", text), ("modular", library)):
            counts, ms = verdicts(src, f"p{i}.c")
            for k, v in counts.items():
                totals[label][0][k] = totals[label][0].get(k, 0) + v
            totals[label][1] += ms
    print(f"{args.n} programs ({reaching} really reach an overflow), helpers' overflow findings:")
    for label, (counts, ms) in totals.items():
        print(f"  {label:8s}: {counts.get('proved', 0):3d} proved  "
              f"{counts.get('counterexample', 0):3d} counterexample  "
              f"{counts.get('unknown', 0):3d} unknown   {ms / 1000:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
