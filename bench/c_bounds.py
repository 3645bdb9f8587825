"""Bounds findings of real C code: how many accesses are ✓ / ✗ / ?, and every ✗ in full.

    python bench/c_bounds.py DIR... [--timeout S] [--budget S]

Each DIR is an unpacked sdist (e.g. under ~/.cache/veriline-bench/src, see realcode.py);
its directories holding .h files are given as -I.  Prints one line per package, the
reasons of the unknown findings by frequency, then each counterexample (to be judged by
reading the code: is the out-of-bounds access real?).
"""
from __future__ import annotations

import argparse
import collections
import os
import sys
import time

from veriline.analyses import api
from veriline.analyses.frontends.c_build import build_config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from c_packages import c_files, include_dirs  # noqa: E402


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("dirs", nargs="+")
    p.add_argument("--timeout", type=float, default=1.0)
    p.add_argument("--budget", type=float, default=120.0, help="seconds per package")
    args = p.parse_args(argv)
    reasons: collections.Counter = collections.Counter()
    cexs = []
    print("package | C files | functions | bounds ✓ | ✗ | ? | s")
    for root in args.dirs:
        t0 = time.perf_counter()
        opts = api.Options(timeout_ms=int(args.timeout * 1000),
                           c_build=build_config(include=include_dirs(root)),
                           analyses=frozenset({"overflow"}))
        counts = collections.Counter()
        nfun = 0
        files = c_files(root)
        for f in files:
            if time.perf_counter() - t0 > args.budget:
                break
            rep = api.analyze_file(f, opts.for_file(f))
            nfun += len(rep.program.functions)
            for x in rep.findings:
                if x.property != "bounds":
                    continue
                counts[x.status] += 1
                if x.status == "unknown":
                    reasons[_shape(x.reason)] += 1
                elif x.status == "counterexample":
                    cexs.append((f, x))
        print(f"{os.path.basename(root.rstrip('/'))} | {len(files)} | {nfun} | "
              f"{counts['proved']} | {counts['counterexample']} | {counts['unknown']} | "
              f"{time.perf_counter() - t0:.0f}")
    print("\nunknown reasons:")
    for r, n in reasons.most_common(12):
        print(f"  {n:5d}  {r}")
    print("\ncounterexamples:")
    for f, x in cexs:
        print(f"  {f}:{x.span.line}: [{x.function}] {x.message}")
    return 0


def _shape(reason: str) -> str:
    """A reason with the object's name blanked, so equal reasons count together."""
    import re
    return re.sub(r"object \w+ points|\\valid\(\w+ ", "object _ points", reason or "")[:110]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
