"""veriline on real code nobody here wrote: pinned sdists from the package index.

Downloads (`pip download --no-binary :all: --no-deps`, cached under
~/.cache/veriline-bench/sdists) a pinned list of pure-Python and C-extension packages,
runs `veriline check --format json` on each, and prints per package: files, functions,
findings per kind as % proved / ✗ / ?, how many ✗ replay confirmed, internal errors, top
reasons for "don't know", and wall time. No assertions: figures only.

    python bench/realcode.py                        # everything (about 20-40 minutes)
    python bench/realcode.py --only toolz,wrapt     # a subset
    python bench/realcode.py --timeout 2 --replay   # per-query limit; confirm ✗ by running

Targets (issue #13): no internal errors; every C package parses with at most its build
flags; >= 60 % of termination and >= 50 % of overflow findings decided; every ✗ confirmed.
"""
from __future__ import annotations

import argparse
import collections
import glob
import json
import os
import re
import statistics
import subprocess
import sys
import tarfile
import time
import zipfile

PYTHON = ["toolz==0.12.1", "semver==3.0.2", "humanize==4.9.0", "tabulate==0.9.0",
          "isodate==0.6.1", "packaging==24.0", "cachetools==5.3.3", "inflection==0.5.1",
          "webcolors==1.13"]
C = ["simplejson==3.19.2", "wrapt==1.16.0", "pyrsistent==0.20.0", "zope.interface==6.2",
     "multidict==6.0.5", "immutables==0.20", "setproctitle==1.3.3"]
# what each package's setup.py passes on Linux (macros) and the platform sources it does
# not build here: "every C package parses with at most its build flags"
BUILD = {
    "setproctitle": {"flags": ["-DHAVE_SYS_PRCTL_H=1", '-DSPT_VERSION="1.3.3"'],
                     "not_built": ["darwin_set_process_name.c"]},
}
SKIP_DIRS = {"tests", "test", "docs", "doc", "examples", "benchmarks", "bench", "build"}
CACHE = os.path.join(os.path.expanduser("~"), ".cache", "veriline-bench")


def fetch(spec: str) -> str:
    """The unpacked source tree of one pinned sdist (downloaded once)."""
    name = spec.split("==")[0]
    dest = os.path.join(CACHE, "src", spec)
    if os.path.isdir(dest):
        return dest
    sd = os.path.join(CACHE, "sdists")
    os.makedirs(sd, exist_ok=True)
    pattern = re.sub(r"[-_.]", "[-_.]", name)
    found = [p for p in glob.glob(os.path.join(sd, "*")) if re.match(pattern, os.path.basename(p), re.I)
             and spec.split("==")[1] in p]
    if not found:
        subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-binary", ":all:",
                        "--no-deps", "-d", sd, spec], check=True)
        found = [p for p in glob.glob(os.path.join(sd, "*")) if re.match(pattern, os.path.basename(p), re.I)
                 and spec.split("==")[1] in p]
    archive = found[0]
    os.makedirs(dest, exist_ok=True)
    if archive.endswith(".zip"):
        zipfile.ZipFile(archive).extractall(dest)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(dest, filter="data")
    return dest


def sources(root: str, language: str) -> list[str]:
    exts = (".py",) if language == "python" else (".c",)
    out = []
    for dp, dn, fn in os.walk(root):
        dn[:] = [d for d in dn if d.lower() not in SKIP_DIRS and not d.startswith(".")]
        out += [os.path.join(dp, f) for f in fn if f.endswith(exts)
                and not f.startswith(("test_", "setup.", "conftest"))]
    return sorted(out)


def include_flags(root: str) -> list[str]:
    dirs = sorted({os.path.dirname(h) for h in glob.glob(os.path.join(root, "**", "*.h"),
                                                          recursive=True)})
    return [f"-I{d}" for d in dirs]


def cli_supports(flag: str) -> bool:
    out = subprocess.run([sys.executable, "-m", "veriline", "check", "--help"],
                         capture_output=True, text=True)
    return flag in out.stdout


def run(spec: str, language: str, args) -> dict:
    try:
        root = fetch(spec)
    except (subprocess.CalledProcessError, OSError, IndexError) as e:
        return summarize(spec, language, [], {"errors": [{"file": "-", "reason": f"download: {e}"}]},
                         0.0, False)
    build = BUILD.get(spec.split("==")[0], {})
    files = [f for f in sources(root, language)
             if os.path.basename(f) not in build.get("not_built", ())]
    cmd = [sys.executable, "-m", "veriline", "check", "--format", "json", "--no-cache",
           "--timeout", str(args.timeout)]
    if args.replay:
        cmd.append("--replay")
    if language == "c" and cli_supports("-I"):
        cmd += include_flags(root) + list(build.get("flags", ()))
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd + files, capture_output=True, text=True,
                              timeout=args.package_timeout)
        out, timed_out = proc.stdout, False
    except subprocess.TimeoutExpired as e:
        out, timed_out = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or ""), True
    wall = time.perf_counter() - t0
    try:
        report = json.loads(out)
    except ValueError:
        report = {"findings": [], "errors": [{"file": "?", "reason": "no JSON output"
                                              + (" (package time limit)" if timed_out else "")}]}
    return summarize(spec, language, files, report, wall, timed_out)


def summarize(spec, language, files, report, wall, timed_out) -> dict:
    fs = report.get("findings", [])
    per_kind = collections.defaultdict(collections.Counter)
    reasons = collections.Counter()
    internal = confirmed = cex = 0
    for f in fs:
        per_kind[f["kind"]][f["status"]] += 1
        text = f"{f.get('message') or ''} {f.get('reason') or ''}"
        if "internal error" in text:
            internal += 1
        if f["status"] == "unknown":
            reasons[_reason_class(f.get("reason") or f.get("message") or "")] += 1
        if f["status"] == "counterexample":
            cex += 1
            confirmed += bool((f.get("counterexample") or {}).get("confirmed"))
    errors = report.get("errors") or []
    parsed = len(files) - len({e.get("file") for e in errors})
    return {"package": spec, "language": language, "files": len(files), "parsed": parsed,
            "functions": len({(f["file"], f["function"]) for f in fs}),
            "kinds": {k: dict(v) for k, v in per_kind.items()}, "internal_errors": internal,
            "counterexamples": cex, "confirmed": confirmed, "wall_s": round(wall, 1),
            "timed_out": timed_out, "top_unknown": reasons.most_common(3)}


def _reason_class(reason: str) -> str:
    """Reasons with names and lines stripped, so equal causes count together."""
    r = re.sub(r"`[^`]*`", "`…`", reason)
    r = re.sub(r"\b(line|at) \d+", r"\1 N", r)
    return r[:70]


def pct(counter: dict, statuses) -> str:
    n = sum(counter.values())
    return f"{100 * sum(counter.get(s, 0) for s in statuses) / n:.0f}%" if n else "-"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default="", help="comma-separated package names")
    ap.add_argument("--timeout", type=float, default=2.0, help="per-query limit (s)")
    ap.add_argument("--package-timeout", type=float, default=900.0)
    ap.add_argument("--replay", action="store_true", help="confirm ✗ by running the code")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    only = {s.strip().lower() for s in args.only.split(",") if s.strip()}
    todo = [(s, "python") for s in PYTHON] + [(s, "c") for s in C]
    todo = [(s, l) for s, l in todo if not only or s.split("==")[0].lower() in only]
    rows = [run(s, l, args) for s, l in todo]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'package':24} {'lang':6} {'files':>9} {'fns':>5} {'term ✓/✗/?':>16} "
          f"{'overflow ✓/✗/?':>16} {'✗ conf':>7} {'int.err':>7} {'wall s':>7}")
    decided = collections.defaultdict(list)
    for r in rows:
        cells = []
        for kind in ("termination", "overflow"):
            c = r["kinds"].get(kind, {})
            cells.append("/".join(pct(c, [s]) for s in ("proved", "counterexample", "unknown")))
            if c:
                decided[kind].append((sum(c.values()) - c.get("unknown", 0), sum(c.values())))
        print(f"{r['package']:24} {r['language']:6} {r['parsed']:>4}/{r['files']:<4} "
              f"{r['functions']:>5} {cells[0]:>16} {cells[1]:>16} "
              f"{r['confirmed']:>3}/{r['counterexamples']:<3} {r['internal_errors']:>7} "
              f"{r['wall_s']:>7}{' (cut)' if r['timed_out'] else ''}")
        for reason, n in r["top_unknown"]:
            print(f"{'':31}? {n:>4} × {reason}")
    for kind, pairs in decided.items():
        d, n = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
        print(f"{kind}: {d}/{n} decided ({100 * d / max(n, 1):.0f}%)")
    walls = [r["wall_s"] for r in rows]
    if walls:
        print(f"wall per package: median {statistics.median(walls):.1f} s, max {max(walls):.1f} s")


if __name__ == "__main__":
    main()
