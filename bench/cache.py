"""Benchmark the lemma cache: `veriline check` cold (empty cache) vs warm (same cache).

Runs on examples/ and on a generated corpus (>= 5,000 lines of small C and Python
functions with asserts, contracts, loops and arithmetic), each with a fresh SQLite cache,
and reports cold time, warm time, their ratio and the warm run's hit rate (from
`veriline cache stats --json --cache SPEC`).  The warm run must print the same findings.

    python bench/cache.py                 # table
    python bench/cache.py --json          # machine-readable
    python bench/cache.py --generate-only DIR   # just write the corpus
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

C_TEMPLATES = [
    """/*@ requires 0 <= n && n <= 1000;
    ensures \\result >= 0; */
int sum_{id}(int n) {{
    int s = 0;
    for (int i = 0; i < n; i++) {{
        s = s + {k};
    }}
    return s;
}}
""",
    """int clamp_{id}(int v, int lo, int hi) {{
    assert(lo <= hi);
    if (v < lo) return lo;
    if (v > hi) return hi;
    return v + {k} - {k};
}}
""",
    """int mix_{id}(int a, int b) {{
    if (a > {k} && a < {k2} && b > 0 && b < 100) {{
        int c = a * b + {k};
        assert(c > {k});
        return c;
    }}
    return 0;
}}
""",
    """/*@ requires lo <= hi;
    ensures lo <= \\result && \\result <= hi; */
int mid_{id}(int lo, int hi) {{
    return lo + (hi - lo) / {d};
}}
""",
    """unsigned int wrap_{id}(unsigned int x, unsigned int n) {{
    unsigned int acc = x;
    while (n > 0) {{
        acc = acc * {k} + 1u;
        n = n - 1u;
    }}
    return acc;
}}
""",
    """int steps_{id}(int x, int y) {{
    int count = 0;
    if (y > 0 && y < {k2}) {{
        while (x > y) {{
            x = x - y;
            count = count + 1;
        }}
    }}
    assert(count >= 0);
    return count;
}}
""",
    """int scale_{id}(int x) {{
    int y = x * {k};
    return y / {d};
}}
""",
]

PY_TEMPLATES = [
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
    '''def clamp_{id}(v: int, lo: int, hi: int) -> int:
    assert lo <= hi
    if v < lo:
        return lo
    if v > hi:
        return hi
    return v
''',
    '''def mix_{id}(a: int, b: int) -> int:
    if {k} < a < {k2} and 0 < b < 100:
        c = a * b + {k}
        assert c > {k}
        return c
    return 0
''',
    '''def div_{id}(a: int, b: int) -> int:
    assert b != {k}
    return a // (b - {k})
''',
    '''def countdown_{id}(x: int, y: int) -> int:
    count = 0
    if 0 < y < {k2}:
        while x > y:
            x = x - y
            count += 1
    assert count >= 0
    return count
''',
    '''def poly_{id}(x: int) -> int:
    """
    post: __return__ >= {k}
    """
    return x * x + {k}
''',
]


def generate_corpus(out_dir: str, min_lines: int = 5000, seed: int = 1) -> int:
    """Write C and Python files of small functions; returns the number of lines."""
    rng = random.Random(seed)
    lines = 0
    n_file = 0
    while lines < min_lines:
        for lang, templates, ext, head in (("c", C_TEMPLATES, ".c", "#include <assert.h>\n\n"),
                                           ("python", PY_TEMPLATES, ".py", "")):
            parts = [head]
            for j in range(12):
                t = templates[(n_file + j) % len(templates)]
                k = rng.randint(1, 50)
                parts.append(t.format(id=f"{n_file}_{j}", k=k, k2=k + rng.randint(10, 500),
                                      d=rng.randint(2, 9)))
                parts.append("\n\n" if lang == "python" else "\n")
            text = "".join(parts)
            os.makedirs(os.path.join(out_dir, lang), exist_ok=True)
            with open(os.path.join(out_dir, lang, f"gen_{n_file:03d}{ext}"), "w") as fh:
                fh.write(text)
            lines += text.count("\n")
        n_file += 1
    return lines


def _veriline(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "veriline", *args], env=env,
                          capture_output=True, text=True)


def _stats(spec: str, env: dict) -> dict:
    out = _veriline("cache", "stats", "--json", "--cache", spec, env=env)
    if out.returncode != 0:
        raise SystemExit(f"veriline cache stats failed: {out.stderr}")
    return json.loads(out.stdout)


def _timed_check(target: str, cache_args: list[str], env: dict):
    t = time.perf_counter()
    out = _veriline("check", *cache_args, target, env=env)
    dt = time.perf_counter() - t
    if out.returncode not in (0, 1):     # 1: findings; anything else is a crash
        raise SystemExit(f"veriline check {target} exited {out.returncode}:\n"
                         f"{out.stderr[-3000:]}")
    return dt, out.stdout


def _findings_only(text: str) -> list[str]:
    """The report without its last line (the summary, which carries times)."""
    return text.rstrip("\n").split("\n")[:-1]


def bench_target(name: str, target: str, work: str, env: dict, baseline: bool) -> dict:
    spec = "sqlite://" + os.path.join(work, f"cache-{name}", "cache.sqlite")
    row: dict = {"target": name, "path": target}
    if baseline:
        row["nocache_s"], _ = _timed_check(target, ["--no-cache"], env)
    row["cold_s"], cold_out = _timed_check(target, ["--cache", spec], env)
    s1 = _stats(spec, env)
    row["warm_s"], warm_out = _timed_check(target, ["--cache", spec], env)
    s2 = _stats(spec, env)
    hits, misses = s2["hits"] - s1["hits"], s2["misses"] - s1["misses"]
    row.update(ratio=row["cold_s"] / row["warm_s"] if row["warm_s"] else None,
               entries=s2["entries"], warm_hits=hits, warm_misses=misses,
               hit_rate=hits / (hits + misses) if hits + misses else None,
               same_output=_findings_only(cold_out) == _findings_only(warm_out),
               cache_bytes=s2["size_bytes"])
    return row


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--json", action="store_true")
    p.add_argument("--lines", type=int, default=5000, help="minimum corpus size")
    p.add_argument("--baseline", action="store_true", help="also time --no-cache")
    p.add_argument("--generate-only", metavar="DIR")
    args = p.parse_args(argv)
    if args.generate_only:
        print(f"{generate_corpus(args.generate_only, args.lines)} lines in "
              f"{args.generate_only}")
        return 0
    with tempfile.TemporaryDirectory(prefix="veriline-bench-") as work:
        env = dict(os.environ, XDG_CACHE_HOME=os.path.join(work, "xdg"))
        corpus = os.path.join(work, "corpus")
        n = generate_corpus(corpus, args.lines)
        rows = [bench_target("examples", os.path.join(ROOT, "examples"), work, env,
                             args.baseline),
                bench_target(f"corpus ({n} lines)", corpus, work, env, args.baseline)]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    head = f"{'target':<22}{'cold s':>9}{'warm s':>9}{'ratio':>8}{'hit rate':>10}" \
           f"{'entries':>9}  same output"
    print(head + ("  no-cache s" if args.baseline else ""))
    for r in rows:
        hr = "-" if r["hit_rate"] is None else f"{100 * r['hit_rate']:.1f}%"
        ratio = "-" if r["ratio"] is None else f"{r['ratio']:.1f}x"
        line = (f"{r['target']:<22}{r['cold_s']:>9.2f}{r['warm_s']:>9.2f}{ratio:>8}"
                f"{hr:>10}{r['entries']:>9}  {'yes' if r['same_output'] else 'NO'}")
        print(line + (f"  {r['nocache_s']:.2f}" if args.baseline else ""))
    return 0 if all(r["same_output"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
