"""Bounds findings of real C code: how many accesses are ✓ / ✗ / ?, and every ✗ in full.

    python bench/c_bounds.py DIR... [--timeout S] [--function-timeout S]

Each DIR is an unpacked sdist (e.g. under ~/.cache/veriline-bench/src, see realcode.py);
its directories holding .h files, and Python's, are given as -I; `veriline check` (overflow only, one
job, a time limit per function) runs on its C files.  Prints one line per package with
each counterexample under it (to be judged by reading the code: is the access real?),
then the reasons of the unknown findings by frequency.
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import sysconfig
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from c_packages import c_files, include_dirs  # noqa: E402


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("dirs", nargs="+")
    p.add_argument("--timeout", type=float, default=1.0, help="seconds per solver query")
    p.add_argument("--function-timeout", type=float, default=8.0)
    p.add_argument("--python-include", default=sysconfig.get_paths()["include"],
                   help="Python.h's directory (C extensions); '' for none")
    args = p.parse_args(argv)
    reasons: collections.Counter = collections.Counter()
    print("package | C files | bounds ✓ | ✗ | ? | s", flush=True)
    for root in args.dirs:
        t0 = time.perf_counter()
        files = c_files(root)
        cmd = [sys.executable, "-m", "veriline", "check", "--no-cache", "--format", "json",
               "--analyses", "overflow", "--jobs", "1", "--timeout", str(args.timeout),
               "--function-timeout", str(args.function_timeout)]
        incs = include_dirs(root) + ([args.python_include] if args.python_include else [])
        cmd += [f"-I{d}" for d in incs] + files
        out = subprocess.run(cmd, capture_output=True, text=True).stdout
        try:
            data = json.loads(out)
        except ValueError:
            print(f"{root}: no JSON report", flush=True)
            continue
        found = data["findings"] if isinstance(data, dict) else data
        counts: collections.Counter = collections.Counter()
        cexs = []
        for x in found:
            if x.get("property") != "bounds":
                continue
            counts[x["status"]] += 1
            if x["status"] == "unknown":
                reasons[_shape(x.get("reason"))] += 1
            elif x["status"] == "counterexample":
                cexs.append(x)
        print(f"{os.path.basename(root.rstrip('/'))} | {len(files)} | {counts['proved']} | "
              f"{counts['counterexample']} | {counts['unknown']} | "
              f"{time.perf_counter() - t0:.0f}", flush=True)
        for x in cexs:
            line = x["span"]["start"]["line"] if "span" in x else "?"
            print(f"    ✗ {x['file']}:{line}: [{x['function']}] {x['message']}", flush=True)
    print("\nunknown reasons:")
    for r, n in reasons.most_common(12):
        print(f"  {n:5d}  {r}")
    return 0


def _shape(reason: str) -> str:
    """A reason with the object's name blanked, so equal reasons count together."""
    import re
    r = re.sub(r"object \w+ points", "object _ points", reason or "")
    return re.sub(r"\\valid\(\w+ ", "\\\\valid(_ ", r)[:110]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
