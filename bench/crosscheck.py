"""Figures for auditable proofs (docs/proofs.md) on examples/ and the bench corpora.

For each corpus it runs `veriline check` cold (no cache) three times: plain, with
--cross-check, and with --cross-check --emit-proofs DIR, and prints
  * findings and proved findings;
  * obligations: the distinct queries written (all answers), and the unsat queries that
    decided a ✓ (the ones the cross-check re-decides, supporting queries included);
  * % of proved findings cross-checked (the second solver agreed on every such query),
    not cross-checked (a query left unknown), disagreements (must be 0);
  * wall-clock seconds and the ratio --cross-check / plain (and with --emit-proofs).

    python bench/crosscheck.py                 # examples/ and bench/solver_corpus
    python bench/crosscheck.py --json --jobs 1
No assertions on time.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPORA = {"examples": [os.path.join(ROOT, "examples")],
           "solver_corpus": [os.path.join(ROOT, "bench", "solver_corpus")]}


def run(paths, *extra, jobs=None):
    cmd = [sys.executable, "-m", "veriline", "check", "--no-cache", "--format", "json",
           *(["--jobs", str(jobs)] if jobs else []), *extra, *paths]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=3600)
    dt = time.perf_counter() - t0
    try:
        return json.loads(out.stdout), dt
    except ValueError:
        raise SystemExit(f"veriline check failed ({out.returncode}): {out.stderr[-2000:]}")


def verdicts(doc: dict) -> dict:
    """(file, function, kind, line, column, property) -> status."""
    return {(f["file"], f["function"], f["kind"], f["range"]["start"]["line"],
             f["range"]["start"]["column"], f["property"]): f["status"]
            for f in doc["findings"]}


def measure(name: str, paths: list[str], jobs=None) -> dict:
    plain, t_plain = run(paths, jobs=jobs)
    crossed, t_cross = run(paths, "--cross-check", jobs=jobs)
    with tempfile.TemporaryDirectory() as d:
        emitted, t_emit = run(paths, "--cross-check", "--emit-proofs", d, jobs=jobs)
        with open(os.path.join(d, "index.json"), encoding="utf-8") as fh:
            index = json.load(fh)
    files = {q["path"]: q for f in index["findings"] for q in f["queries"]}
    proved_queries = {q["sha256"] for f in index["findings"] if f["status"] == "proved"
                      for q in f["queries"] if q["expected"] == "unsat"
                      and (q["decides"] or q["support"])}
    s = crossed["summary"]
    proved = s["proved"] + s.get("disagreements", 0)
    return {
        "corpus": name, "findings": len(crossed["findings"]), "proved": proved,
        "proved_plain": plain["summary"]["proved"],
        "obligations_written": len(files), "proved_obligations": len(proved_queries),
        "cross_checked": s.get("cross_checked", 0),
        "not_cross_checked": s.get("not_cross_checked", 0),
        "disagreements": s.get("disagreements", 0),
        "pct_cross_checked": round(100 * s.get("cross_checked", 0) / proved, 1) if proved else 0.0,
        "plain_s": round(t_plain, 2), "cross_check_s": round(t_cross, 2),
        "emit_s": round(t_emit, 2),
        "ratio": round(t_cross / t_plain, 2) if t_plain else None,
        "ratio_emit": round(t_emit / t_plain, 2) if t_plain else None,
        "same_verdicts": verdicts(plain) == verdicts(crossed),
        "by": sorted({b for f in crossed["findings"]
                      for b in f["details"].get("cross_checked_by", "").split(", ") if b}),
        "changed": sorted((k, v, verdicts(crossed).get(k)) for k, v in verdicts(plain).items()
                          if verdicts(crossed).get(k) != v),
        "emitted_disagreements": emitted["summary"].get("disagreements", 0),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--jobs", type=int)
    ap.add_argument("--corpus", action="append", choices=sorted(CORPORA))
    args = ap.parse_args(argv)
    rows = [measure(n, CORPORA[n], args.jobs) for n in (args.corpus or list(CORPORA))]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{'corpus':<14} {'findings':>8} {'proved':>6} {'obligations':>11} "
          f"{'proved-obl':>10} {'x-checked':>9} {'not':>4} {'disagree':>8} "
          f"{'plain s':>7} {'x-check s':>9} {'ratio':>5} {'+emit':>5}")
    for r in rows:
        print(f"{r['corpus']:<14} {r['findings']:>8} {r['proved']:>6} "
              f"{r['obligations_written']:>11} {r['proved_obligations']:>10} "
              f"{r['pct_cross_checked']:>8}% {r['not_cross_checked']:>4} "
              f"{r['disagreements']:>8} {r['plain_s']:>7} {r['cross_check_s']:>9} "
              f"{r['ratio']:>5} {r['ratio_emit']:>5}")
    for r in rows:
        print(f"{r['corpus']}: second solvers {', '.join(r['by']) or '-'}; verdicts "
              f"{'identical' if r['same_verdicts'] else 'DIFFERENT'} to the plain run")
        for c in r["changed"]:
            print(f"  changed: {c}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
