"""SV-COMP termination tasks as ground truth for veriline's termination verdicts.

Each task is an SV-COMP task definition (.yml: `input_files:` and a `termination.prp`
property with `expected_verdict: true/false`).  The program starts at `main`: the task's
verdict is taken from the termination findings of `main` and of every function it can call:

    false    some loop/recursion of main or a callee has a counterexample (non-termination)
    true     every termination finding of main and its callees is proved (and none of them
             had an internal error)
    unknown  otherwise (also: timeout, crash, parse errors)

Each task runs in its own subprocess with a time limit, so a hang or a crash cannot stop
the bench.  The table lists task, expected, ours, time and a note (the unknown reason, or
where the counterexample is); then the totals and the SV-COMP score (correct true +2,
correct false +1, wrong false -16, wrong true -32, unknown 0) and median/p95 time.

    python bench/termination.py                        # every task under /work/svbench
    python bench/termination.py DIR_OR_YML ...         # these directories / task files
    python bench/termination.py --list bench/termination_tasks.txt   # the tasks listed
    python bench/termination.py DIR --list FILE        # run DIR and write its task list
    python bench/termination.py --json                 # machine-readable results

The task files are not part of the repository (fetch them from sosy-lab/sv-benchmarks,
directories c/termination-*; keep them outside the repo, default /work/svbench).  A task
list holds one path a line, relative to --root (default /work/svbench) unless absolute.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DIR = os.environ.get("VERILINE_SVBENCH", "/work/svbench")
SCORE = {("true", "true"): 2, ("false", "false"): 1,
         ("true", "false"): -16,     # expected true, we said false: a wrong "false"
         ("false", "true"): -32}     # expected false, we said true: a wrong "true"


# ---------------------------------------------------------------------------- tasks

def parse_task(yml_path: str):
    """(input file path, expected verdict 'true'/'false') or None without termination.prp."""
    with open(yml_path, encoding="utf-8") as fh:
        text = fh.read()
    try:
        import yaml
        doc = yaml.safe_load(text) or {}
        inputs = doc.get("input_files")
        if isinstance(inputs, list):
            inputs = inputs[0] if inputs else None
        expected = None
        for prop in doc.get("properties") or []:
            if str(prop.get("property_file", "")).endswith("termination.prp"):
                v = prop.get("expected_verdict")
                expected = None if v is None else ("true" if v is True or str(v).lower() == "true"
                                                   else "false")
    except ImportError:           # a small fallback for the simple task-definition shape
        m = re.search(r"^input_files:\s*['\"]?([^'\"\n]+)", text, re.M)
        inputs = m.group(1).strip() if m else None
        m = re.search(r"termination\.prp\s*\n\s*expected_verdict:\s*(\w+)", text)
        expected = m.group(1).lower() if m else None
    if not inputs or expected not in ("true", "false"):
        return None
    return os.path.join(os.path.dirname(yml_path), inputs), expected


def discover(paths: list[str]) -> list[str]:
    out = []
    for p in paths:
        if os.path.isdir(p):
            for d, _, files in os.walk(p):
                out += [os.path.join(d, f) for f in files if f.endswith(".yml")]
        elif p.endswith(".yml"):
            out.append(p)
    return sorted(set(os.path.abspath(p) for p in out))


def read_list(path: str, root: str) -> list[str]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith("#"):
                out.append(line if os.path.isabs(line) else os.path.join(root, line))
    return out


def write_list(path: str, tasks: list[str], root: str) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for t in tasks:
            rel = os.path.relpath(t, root)
            fh.write((t if rel.startswith("..") else rel) + "\n")


# ---------------------------------------------------------------------------- worker

def worker(c_path: str, z3_timeout_ms: int) -> dict:
    """Runs in the subprocess: analyse one program, return the task verdict as a dict."""
    from veriline.analyses.api import Options, parse, verify_function
    from veriline.analyses import callgraph

    with open(c_path, encoding="utf-8", errors="surrogateescape") as fh:
        text = fh.read()
    program = parse(text, c_path, "c")          # .i files too
    res = {"verdict": "unknown", "note": "", "findings": [], "internal": []}
    if program.errors:
        e = program.errors[0]
        res["note"] = f"parse error: {getattr(e, 'message', e)}"
        res["internal"] = [f"parse error: {getattr(e, 'message', e)}"]
        return res
    if "main" not in program.functions:
        res["note"] = "no main"
        return res
    names = ["main"] + sorted(callgraph.reachable(program, "main") - {"main"})
    opts = Options(timeout_ms=z3_timeout_ms, analyses=frozenset({"termination"}))
    term, internal = [], []
    for name in names:
        for f in verify_function(program, name, opts):
            if f.property == "internal" or "internal error" in (f.message or ""):
                internal.append(f"{f.function}: {f.message}")
            if f.kind == "termination":
                term.append(f)
    for f in term:
        res["findings"].append({"function": f.function, "property": f.property,
                                "line": f.span.line, "status": f.status,
                                "message": f.message, "reason": f.reason,
                                "time_ms": round(f.time_ms, 1),
                                "call": f.counterexample.call if f.counterexample else None,
                                "nondet": (f.counterexample.nondet[:20]
                                           if f.counterexample else None),
                                "interpreter": (f.details or {}).get("interpreter")})
    res["internal"] = internal
    cex = [f for f in term if f.status == "counterexample"]
    unknown = [f for f in term if f.status == "unknown"]
    if cex:
        f = cex[0]
        res["verdict"] = "false"
        where = "main" if f.function == "main" else f"callee {f.function}"
        res["note"] = f"{where} line {f.span.line}: {f.message}"
        res["cex_in_main"] = any(g.function == "main" for g in cex)
        seen = (f.details or {}).get("interpreter") or ""
        if seen:
            res["note"] += f" [interpreter: {seen}]"
    elif internal:
        res["note"] = internal[0]
    elif unknown:
        f = unknown[0]
        res["note"] = f"{f.function} line {f.span.line}: {f.reason or f.message}"
    else:
        res["verdict"] = "true"
        res["note"] = f"{len(term)} termination finding(s) proved"
    return res


def run_task(yml: str, timeout: float, z3_timeout_ms: int) -> dict:
    parsed = parse_task(yml)
    name = os.path.splitext(os.path.basename(yml))[0]
    if parsed is None:
        return {"task": name, "yml": yml, "skip": True}
    c_path, expected = parsed
    row = {"task": name, "yml": yml, "file": c_path, "expected": expected}
    t0 = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", c_path,
                               "--z3-timeout", str(z3_timeout_ms)],
                              capture_output=True, text=True, timeout=timeout)
        row["time"] = time.perf_counter() - t0
        out = proc.stdout.strip().splitlines()
        if proc.returncode != 0 or not out:
            tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
            row.update(verdict="unknown", note=f"crash: {tail}", crash=True,
                       internal=[f"crash: {tail}"])
        else:
            row.update(json.loads(out[-1]))
    except subprocess.TimeoutExpired:
        row["time"] = time.perf_counter() - t0
        row.update(verdict="unknown", note=f"timeout after {timeout:g} s", timeout=True)
    return row


# ---------------------------------------------------------------------------- report

def outcome(row) -> str:
    if row["verdict"] == "unknown":
        return "unknown"
    if row["verdict"] == row["expected"]:
        return "correct " + row["verdict"]
    return "WRONG " + row["verdict"]


def summarize(rows: list[dict]) -> dict:
    s = {"tasks": len(rows), "correct_true": 0, "correct_false": 0, "wrong_true": 0,
         "wrong_false": 0, "unknown": 0, "timeouts": 0, "crashes": 0, "score": 0}
    for r in rows:
        if r.get("timeout"):
            s["timeouts"] += 1
        if r.get("crash"):
            s["crashes"] += 1
        if r["verdict"] == "unknown":
            s["unknown"] += 1
        elif r["verdict"] == r["expected"]:
            s["correct_" + r["verdict"]] += 1
        else:
            s["wrong_" + r["verdict"]] += 1
        s["score"] += SCORE.get((r["expected"], r["verdict"]), 0)
    s["max_score"] = sum(2 if r["expected"] == "true" else 1 for r in rows)
    times = sorted(r["time"] for r in rows)
    if times:
        s["median_s"] = round(statistics.median(times), 2)
        s["p95_s"] = round(times[min(len(times) - 1, int(0.95 * len(times)))], 2)
        s["total_s"] = round(sum(times), 1)
    return s


def print_table(rows, s) -> None:
    w = max([len(r["task"]) for r in rows] + [4])
    w = min(w, 70)
    print(f"{'task':<{w}}  {'expected':<8}  {'ours':<7}  {'time':>6}  note")
    for r in rows:
        flag = "" if r["verdict"] in ("unknown", r["expected"]) else "  <-- WRONG"
        note = (r.get("note") or "").replace("\n", " ")
        if len(note) > 110 and not flag:
            note = note[:107] + "..."
        print(f"{r['task'][:w]:<{w}}  {r['expected']:<8}  {r['verdict']:<7}  "
              f"{r['time']:>5.1f}s  {note}{flag}")
    print()
    print(f"tasks {s['tasks']}: correct true {s['correct_true']}, correct false "
          f"{s['correct_false']}, wrong (false positive: said false) {s['wrong_false']}, "
          f"wrong (false negative: said true) {s['wrong_true']}, unknown {s['unknown']} "
          f"(timeouts {s['timeouts']}, crashes {s['crashes']})")
    print(f"SV-COMP score {s['score']} (of {s['max_score']} possible)")
    if "median_s" in s:
        print(f"time per task: median {s['median_s']} s, p95 {s['p95_s']} s, "
              f"total {s['total_s']} s")
    reasons = {}
    for r in rows:
        if r["verdict"] == "unknown":
            key = re.sub(r"^\S+ line \d+: ", "", r.get("note") or "")
            key = re.sub(r"`[^`]*`", "`…`", key)
            key = re.sub(r"-?\d+", "N", key)[:90]
            reasons[key] = reasons.get(key, 0) + 1
    if reasons:
        print("\nunknown reasons:")
        for k, n in sorted(reasons.items(), key=lambda kv: -kv[1]):
            print(f"  {n:3d}  {k}")
    internal = [(r["task"], m) for r in rows for m in r.get("internal") or []]
    if internal:
        print("\ninternal errors / crashes:")
        for t, m in internal:
            print(f"  {t}: {m[:160]}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", nargs="*", help="task directories or .yml files")
    ap.add_argument("--list", metavar="FILE",
                    help="without paths: run the tasks listed in FILE; with paths: also "
                         "write their task list to FILE")
    ap.add_argument("--root", default=DEFAULT_DIR,
                    help="base of relative paths in a task list (default %(default)s)")
    ap.add_argument("--timeout", type=float, default=30.0, help="seconds per task")
    ap.add_argument("--z3-timeout", type=int, default=5000, help="ms per z3 query")
    ap.add_argument("--jobs", type=int, default=1, help="tasks run at once")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--worker", metavar="C_FILE", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)

    if a.worker:
        print(json.dumps(worker(a.worker, a.z3_timeout)))
        return 0

    if a.paths:
        tasks = discover(a.paths)
        if a.list:      # only the tasks with a termination property
            write_list(a.list, [t for t in tasks if parse_task(t)], a.root)
    elif a.list:
        tasks = read_list(a.list, a.root)
    else:
        tasks = discover([DEFAULT_DIR])
    if not tasks:
        print("no tasks found (fetch SV-COMP termination tasks into "
              f"{DEFAULT_DIR}, or give directories / .yml files)", file=sys.stderr)
        return 2

    rows = []
    if a.jobs > 1:
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(a.jobs) as ex:
            rows = list(ex.map(lambda t: run_task(t, a.timeout, a.z3_timeout), tasks))
    else:
        for t in tasks:
            rows.append(run_task(t, a.timeout, a.z3_timeout))
            if not a.json:
                print(f"  ... {rows[-1]['task']}: {rows[-1].get('verdict', 'skip')}",
                      file=sys.stderr, flush=True)
    rows = [r for r in rows if not r.get("skip")]
    s = summarize(rows)
    if a.json:
        print(json.dumps({"summary": s, "tasks": rows}, indent=1))
    else:
        print_table(rows, s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
