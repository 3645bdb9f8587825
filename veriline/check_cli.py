"""`veriline check PATH...`: verify files and directories; text, JSON or SARIF.

Exit code: 0 when nothing is ✗ (and, with --strict, nothing is ?), 1 otherwise,
2 on usage or internal errors.
"""
from __future__ import annotations

import argparse
import fnmatch
import json
import os
import sys
import time
from dataclasses import replace

DEFAULT_EXCLUDE = [".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", "build",
                   "dist", ".tox", ".veriline", "*.egg-info"]
MARK = {"proved": "✓", "counterexample": "✗", "unknown": "?"}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="veriline check", description=__doc__.splitlines()[0])
    p.add_argument("paths", nargs="+")
    p.add_argument("--format", choices=("text", "json", "sarif"), default="text")
    p.add_argument("--output", "-o", help="write the report to this file")
    p.add_argument("--timeout", type=float, help="seconds per solver query (default 5)")
    p.add_argument("--replay", action="store_true", default=None,
                   help="confirm counterexamples by running your code (Python/gcc+UBSan)")
    p.add_argument("--strict", action="store_true", help="'don't know' fails too")
    p.add_argument("--analyses", help="comma list of contract,overflow,termination")
    p.add_argument("--unroll", type=int, help="loop unrolling depth for counterexamples")
    p.add_argument("--report-unsigned-wrap", action="store_true", default=None)
    p.add_argument("--no-report-conversions", action="store_true", default=None)
    p.add_argument("--exclude", action="append", default=[], help="glob to skip (repeatable)")
    p.add_argument("--cache", help="cache location: path, sqlite:///path or redis://host:port/db")
    p.add_argument("--no-cache", action="store_true")
    p.add_argument("--solver-mode", choices=("bv", "int", "portfolio"),
                   help="C encoding and solvers: bv (z3 on bit-vectors), int (integer "
                        "model), portfolio (integer model, then other encodings and solvers)")
    p.add_argument("--verbose", "-v", action="store_true", help="also list ✓ findings")
    return p


def collect(paths: list[str], exclude: list[str]) -> list[str]:
    from veriline.analyses.api import language_of
    pats = DEFAULT_EXCLUDE + exclude
    skip = lambda name, full: any(fnmatch.fnmatch(name, g) or fnmatch.fnmatch(full, g)
                                  for g in pats)
    out = []
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not skip(d, os.path.join(root, d)))
                for f in sorted(files):
                    full = os.path.join(root, f)
                    if f.endswith((".py", ".c")) and not skip(f, full):
                        out.append(full)
        elif os.path.exists(p):
            if language_of(p):
                out.append(p)
        else:
            raise FileNotFoundError(p)
    return out


def build_options(args, settings: dict):
    from veriline.analyses.api import ALL_ANALYSES, Options
    o = Options()
    try:
        from veriline.config import options_from_settings
        o = options_from_settings(settings, with_cache=False)   # opened by open_cache_for
    except ImportError:
        pass
    if args.timeout is not None:
        o = replace(o, timeout_ms=int(args.timeout * 1000))
    if args.analyses:
        kinds = frozenset(a.strip() for a in args.analyses.split(",") if a.strip())
        bad = kinds - ALL_ANALYSES
        if bad:
            raise ValueError(f"unknown analyses: {', '.join(sorted(bad))}")
        o = replace(o, analyses=kinds)
    if args.unroll is not None:
        o = replace(o, unroll=args.unroll)
    if args.replay:
        o = replace(o, replay=True)
    if args.report_unsigned_wrap:
        o = replace(o, report_unsigned_wrap=True)
    if args.no_report_conversions:
        o = replace(o, report_conversions=False)
    if getattr(args, "solver_mode", None):
        o = replace(o, solver_mode=args.solver_mode)
    return o


def open_cache_for(args, settings: dict):
    if args.no_cache:
        return None
    from veriline.analyses.cache import open_cache
    return open_cache(args.cache or settings.get("cache") or None)


def main(argv: list[str]) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as e:
        return 0 if e.code == 0 else 2
    try:
        settings = {}
        try:
            from veriline.config import load_settings
            settings = load_settings(os.path.abspath(args.paths[0]))
        except ImportError:
            pass
        options = build_options(args, settings)
        files = collect(args.paths, list(settings.get("exclude", [])) + args.exclude)
        cache = open_cache_for(args, settings)
        options = replace(options, cache=cache)
    except FileNotFoundError as e:
        print(f"veriline check: no such file or directory: {e}", file=sys.stderr)
        return 2
    except Exception as e:   # bad settings, bad cache spec, ...
        print(f"veriline check: {e}", file=sys.stderr)
        return 2
    from veriline.analyses.api import analyze_file
    t0 = time.perf_counter()
    reports = []
    try:
        for f in files:
            reports.append(analyze_file(f, options))
    finally:
        if cache is not None:
            cache.close()
    elapsed = (time.perf_counter() - t0) * 1000
    out = render(args.format, reports, elapsed, args.verbose)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as fh:
            fh.write(out)
    else:
        sys.stdout.write(out)
    findings = [f for r in reports for f in r.findings]
    failed = any(f.status == "counterexample" and f.severity != "info" for f in findings)
    if args.strict:
        failed = failed or any(f.status == "unknown" for f in findings) or \
            any(r.program.errors for r in reports)
    return 1 if failed else 0


def render(fmt: str, reports, elapsed_ms: float, verbose: bool = False) -> str:
    from veriline.analyses.findings import summarize
    findings = [f for r in reports for f in r.findings]
    summary = summarize(findings)
    summary["time_ms"] = round(elapsed_ms, 1)
    summary["files"] = len(reports)
    summary["syntax_errors"] = sum(len(r.program.errors) for r in reports)
    if fmt == "json":
        doc = {"version": 1, "findings": [f.to_json() for f in findings],
               "errors": [{"file": r.path, "message": e.message, "range": e.span.to_json()}
                          for r in reports for e in r.program.errors],
               "summary": summary}
        return json.dumps(doc, indent=2) + "\n"
    if fmt == "sarif":
        from veriline.sarif import to_sarif
        return json.dumps(to_sarif(reports), indent=2) + "\n"
    lines = []
    for r in reports:
        for e in r.program.errors:
            msg = e.message if e.message.lower().startswith("syntax error") else \
                f"syntax error: {e.message}"
            lines.append(f"{r.path}:{e.span.line}:{e.span.col}: {msg}")
        for f in r.findings:
            if f.status == "proved" and not verbose:
                continue
            extra = ""
            if f.status == "unknown" and f.reason and f.reason not in f.message:
                extra = f" ({f.reason})"
            lines.append(f"{r.path}:{f.span.line}:{f.span.col}: {MARK[f.status]} {f.kind} "
                         f"[{f.function}] {f.message}{extra}")
    lines.append(f"{summary['files']} files: {summary['proved']} proved ✓, "
                 f"{summary['counterexample']} counterexample ✗, {summary['unknown']} "
                 f"don't know ? ({summary['time_ms']:.0f} ms"
                 + (f", {summary['cached']} from cache" if summary.get('cached') else "") + ")")
    return "\n".join(lines) + "\n"
