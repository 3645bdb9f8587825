"""Benchmark the overflow analysis on a generated corpus.

Generates (seeded) at least 200 small C functions -- guarded and unguarded arithmetic,
divisions, shifts, narrowing assignments, preconditions (ACSL `requires`), loops, SV-COMP
`main`s with `__VERIFIER_nondet_int()` -- and some Python ones (`//` and `%`, NumPy
fixed-width ints), runs the overflow analysis on each function in-process, and prints:

* the number of proved / counterexample / unknown overflow findings (errors, i.e.
  undefined behaviour, and info findings: conversions) per language;
* median and p95 time per operation (Finding.time_ms) and per function (wall clock of
  verify_function), and the slowest functions.

No assertions on time.

    python bench/overflow.py                    # table
    python bench/overflow.py --json             # machine-readable
    python bench/overflow.py --c 300 --py 60    # corpus size
    python bench/overflow.py --generate-only DIR
    python bench/overflow.py --no-chc           # without CHC loop invariants (before)
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

INT_TYPES = ["int", "int", "int", "long", "short", "signed char", "unsigned", "unsigned char"]

C_TEMPLATES = [
    # guarded product: proved when k*k fits the type
    """{t} gmul_{id}({t} a, {t} b) {{
    if (a > -{k} && a < {k} && b > -{k} && b < {k})
        return a * b;
    return 0;
}}
""",
    # the classic midpoint bug and its fix
    """int mid_bad_{id}(int lo, int hi) {{
    return (lo + hi) / 2;
}}
""",
    """/*@ requires 0 <= lo && lo <= hi; */
int mid_good_{id}(int lo, int hi) {{
    return lo + (hi - lo) / {d};
}}
""",
    # bounded polynomial
    """/*@ requires -{k} <= x && x <= {k}; */
int cube_{id}(int x) {{
    return x * x * x + {c};
}}
""",
    # division and remainder with partial guards
    """int divs_{id}(int a, int b, int c) {{
    if (b != 0 && c > 0)
        return a / b + a % c;
    return a / {d};
}}
""",
    """long ldiv_{id}(long a, long b) {{
    if (b == 0 || (a == {lmin} && b == -1))
        return 0;
    return a / b;
}}
""",
    # shifts
    """{t} shl_{id}({t} x, int s) {{
    if (s >= 0 && s < {w})
        return x << s;
    return x >> {s};
}}
""",
    """unsigned ushl_{id}(unsigned x, int s) {{
    if (s > 0 && s <= {s2})
        return (x << s) | (x >> (32 - s));
    return x;
}}
""",
    # narrowing assignment (implementation-defined conversion)
    """short narrow_{id}(short a, short b) {{
    short r = a * b + {c};
    return r;
}}
""",
    """int inc_{id}(signed char c, int n) {{
    if (n > 0 && n < {k}) {{
        c += n;
        c++;
    }}
    return c;
}}
""",
    # absolute value and negation
    """int abs_{id}(int x) {{
    return x < 0 ? -x : x + {c};
}}
""",
    # unsigned hashing: wraps, no undefined behaviour
    """unsigned hash_{id}(unsigned h, unsigned char c, int n) {{
    for (int i = 0; i < n && i < {n}; i++)
        h = h * {p}u + c;
    return h;
}}
""",
    # loops: bounded sums and factorials
    """/*@ requires 0 <= n && n <= {n}; */
int sum_{id}(int n) {{
    int s = 0;
    for (int i = 0; i < n; i++)
        s = s + {k};
    return s;
}}
""",
    """int fact_{id}(int n) {{
    int f = 1;
    for (int i = 1; i <= n && i <= {m}; i++)
        f = f * i;
    return f;
}}
""",
    """void sub_loop_{id}(int x, int y) {{
    if (y > {c})
        while (x > y)
            x = x - y;
}}
""",
    # mixed widths and casts
    """long mixed_{id}(long a, unsigned int b, short c) {{
    return a + b * (long)c - {c};
}}
""",
    """int casts_{id}(unsigned char a, unsigned short b) {{
    return (int)(a * b) - (signed char)(a + {c}) + (b << {s});
}}
""",
    # SV-COMP style main
    """int __VERIFIER_nondet_int(void);
void __VERIFIER_assume(int);
int main_{id}(void) {{
    int x = __VERIFIER_nondet_int();
    int y = __VERIFIER_nondet_int();
    __VERIFIER_assume(x >= 0 && x < {k} && y > -{k} && y < {k});
    return x * y + {c};
}}
""",
]

PY_TEMPLATES = [
    """def fdiv_{id}(a: int, b: int) -> int:
    return a // b + a % {d}
""",
    """def gdiv_{id}(a: int, b: int) -> int:
    if b > 0:
        return (a * {c}) // b
    return 0
""",
    """def add8_{id}(a: np.int8, b: np.int8) -> np.int8:
    return a + b
""",
    """def pre16_{id}(a: np.int16, b: np.int16) -> np.int16:
    \"\"\"
    pre: -{k} <= a <= {k} and -{k} <= b <= {k}
    \"\"\"
    return a * b
""",
    """def mean_{id}(total: int, n: int) -> int:
    assert n > 0
    return total // n - {c}
""",
    """def neg32_{id}(a: np.int32) -> np.int32:
    if a > {lmin32}:
        return -a
    return a
""",
]


def params(r: random.Random) -> dict:
    return dict(t=r.choice(INT_TYPES), k=r.choice([10, 100, 1000, 46340, 46341, 100000, 2**20]),
                c=r.choice([0, 1, 7, 100, 2**30]), d=r.choice([1, 2, 3, 7, -1]),
                w=r.choice([8, 16, 31, 32]), s=r.choice([1, 3, 31, 32]),
                s2=r.choice([31, 32]), n=r.choice([4, 10, 100]), m=r.choice([5, 12, 13]),
                p=r.choice([31, 33, 65599]), lmin="LONG_MIN", lmin32=-2**31)


def generate(n_c: int, n_py: int, seed: int = 7) -> tuple[str, str]:
    r = random.Random(seed)
    c_parts = ["#include <limits.h>\n"]
    for i in range(n_c):
        tpl = C_TEMPLATES[i % len(C_TEMPLATES)]
        c_parts.append(tpl.format(id=i, **params(r)))
    py_parts = ["import numpy as np\n\n"]
    for i in range(n_py):
        tpl = PY_TEMPLATES[i % len(PY_TEMPLATES)]
        py_parts.append("\n" + tpl.format(id=i, **params(r)) + "\n")
    return "".join(c_parts), "".join(py_parts)


def pct(xs: list, q: float) -> float:
    if not xs:
        return 0.0
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(q * (len(xs) - 1))))]


def run(text: str, path: str, options) -> dict:
    from veriline.analyses.api import parse, verify_function
    program = parse(text, path)
    per_fn, findings, slow = [], [], []
    for name in program.functions:
        t0 = time.perf_counter()
        fs = verify_function(program, name, options)
        ms = (time.perf_counter() - t0) * 1000
        per_fn.append(ms)
        slow.append((ms, name))
        findings += [f for f in fs if f.kind == "overflow" or f.property == "internal"]
    counts = {}
    for sev in ("error", "info"):
        c = {"proved": 0, "counterexample": 0, "unknown": 0}
        for f in findings:
            if f.severity == sev and f.kind == "overflow":
                c[f.status] += 1
        counts[sev] = c
    op_ms = [f.time_ms for f in findings if f.kind == "overflow"]
    reasons: dict = {}
    for f in findings:
        if f.status == "unknown":
            key = (f.reason or "?").split(":")[0][:70]
            reasons[key] = reasons.get(key, 0) + 1
    return {
        "functions": len(program.functions), "errors": program.errors and len(program.errors),
        "overflow_findings": len(op_ms), "counts": counts,
        "internal_errors": sum(1 for f in findings if f.property == "internal"),
        "op_ms": {"median": statistics.median(op_ms) if op_ms else 0.0, "p95": pct(op_ms, .95),
                  "max": max(op_ms, default=0.0)},
        "fn_ms": {"median": statistics.median(per_fn) if per_fn else 0.0,
                  "p95": pct(per_fn, .95), "max": max(per_fn, default=0.0),
                  "total_s": sum(per_fn) / 1000},
        "slowest": [f"{n} {ms:.0f} ms" for ms, n in sorted(slow, reverse=True)[:5]],
        "unknown_reasons": reasons,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--c", type=int, default=216, help="number of C functions")
    ap.add_argument("--py", type=int, default=48, help="number of Python functions")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--timeout", type=int, default=5000, help="ms per z3 query")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--generate-only", metavar="DIR")
    ap.add_argument("--no-chc", action="store_true",
                    help="without loop invariants from Horn clauses (engine/chc.py)")
    args = ap.parse_args(argv)
    if args.no_chc:
        from veriline.analyses.engine import chc
        chc.ENABLED = False
    c_text, py_text = generate(args.c, args.py, args.seed)
    if args.generate_only:
        os.makedirs(args.generate_only, exist_ok=True)
        for name, text in (("corpus.c", c_text), ("corpus.py", py_text)):
            with open(os.path.join(args.generate_only, name), "w") as fh:
                fh.write(text)
        return 0
    from veriline.analyses.api import Options
    opts = Options(analyses=frozenset({"overflow"}), timeout_ms=args.timeout)
    results = {"c": run(c_text, "corpus.c", opts), "python": run(py_text, "corpus.py", opts)}
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"overflow benchmark (seed {args.seed}, z3 timeout {args.timeout} ms)")
    for lang, r in results.items():
        e, i = r["counts"]["error"], r["counts"]["info"]
        print(f"\n{lang}: {r['functions']} functions, {r['overflow_findings']} overflow findings"
              + (f", {r['internal_errors']} internal errors" if r["internal_errors"] else ""))
        print(f"  undefined behaviour : {e['proved']:4d} proved  {e['counterexample']:4d} "
              f"counterexample  {e['unknown']:4d} unknown")
        print(f"  conversions (info)  : {i['proved']:4d} proved  {i['counterexample']:4d} "
              f"counterexample  {i['unknown']:4d} unknown")
        print(f"  per operation  : median {r['op_ms']['median']:7.1f} ms   p95 "
              f"{r['op_ms']['p95']:7.1f} ms   max {r['op_ms']['max']:7.1f} ms")
        print(f"  per function   : median {r['fn_ms']['median']:7.1f} ms   p95 "
              f"{r['fn_ms']['p95']:7.1f} ms   max {r['fn_ms']['max']:7.1f} ms   "
              f"total {r['fn_ms']['total_s']:.1f} s")
        print(f"  slowest        : {', '.join(r['slowest'])}")
        if r["unknown_reasons"]:
            print("  unknown reasons: " + "; ".join(f"{k} x{v}"
                                                   for k, v in r["unknown_reasons"].items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
