"""IndexError findings (kind overflow, property index) of veriline on real Python packages.

Uses bench/realcode.py's pinned-sdist cache; runs `veriline check --format json --replay`
per package and prints how many index findings are ✓ / ✗ / ?, the ✗ with their replay
outcome (every ✗ should be a real IndexError), and the commonest reasons for ?.
Figures only, no assertions.

    python bench/index_findings.py                       # the default packages
    python bench/index_findings.py toolz==0.12.1 more-itertools==10.2.0
"""
from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from realcode import _reason_class, fetch, sources  # noqa: E402

DEFAULT = ["toolz==0.12.1", "more-itertools==10.2.0", "sortedcontainers==2.4.0",
           "tabulate==0.9.0", "semver==3.0.2"]


def main() -> None:
    specs = sys.argv[1:] or DEFAULT
    total = collections.Counter()
    for spec in specs:
        try:
            files = sources(fetch(spec), "python")
        except Exception as e:          # download failed: say so, go on
            print(f"{spec}: cannot fetch ({e})")
            continue
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "veriline", "check", "--format", "json",
                               "--no-cache", "--replay", "--timeout", "2", *files],
                              capture_output=True, text=True, timeout=3600)
        try:
            report = json.loads(proc.stdout)
        except ValueError:
            print(f"{spec}: no JSON output ({proc.stderr.strip()[-200:]})")
            continue
        fs = [f for f in report["findings"]
              if f["kind"] == "overflow" and f["property"] == "index"]
        c = collections.Counter(f["status"] for f in fs)
        total.update(c)
        print(f"{spec}: {len(files)} files, {len(fs)} index findings: "
              f"{c['proved']} ✓, {c['counterexample']} ✗, {c['unknown']} ? "
              f"({time.perf_counter() - t0:.0f} s)")
        for f in fs:
            if f["status"] == "counterexample":
                cx = f.get("counterexample") or {}
                print(f"   ✗ {os.path.basename(f['file'])}:{f['range']['start']['line']} "
                      f"{f['message'][:110]}\n     replay: confirmed={cx.get('confirmed')} "
                      f"{(cx.get('replay_note') or '')[:150]}")
        reasons = collections.Counter(_reason_class(f.get("reason") or "")
                                      for f in fs if f["status"] == "unknown")
        for r, n in reasons.most_common(4):
            print(f"   ? {n:>4} × {r}")
    print(f"total: {total['proved']} ✓, {total['counterexample']} ✗, {total['unknown']} ?")


if __name__ == "__main__":
    main()
