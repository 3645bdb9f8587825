"""`veriline check PATH...`: verify files and directories; text, JSON or SARIF.

Exit code: 0 when nothing is ✗ (and, with --strict, nothing is ?); 1 when something is ✗,
a file could not be analysed or did not parse, or the run was interrupted (SIGTERM; 130 for
SIGINT/Ctrl-C) — the findings so far are still written, marked incomplete; 2 on usage
errors.
"""
from __future__ import annotations

import argparse
import fnmatch
import contextlib
import json
import os
import signal
import sys
from dataclasses import replace

DEFAULT_EXCLUDE = [".git", ".hg", ".venv", "venv", "node_modules", "__pycache__", "build",
                   "dist", ".tox", ".veriline", "*.egg-info"]
MARK = {"proved": "✓", "counterexample": "✗", "unknown": "?"}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="veriline check", description=__doc__.splitlines()[0])
    p.add_argument("paths", nargs="+")
    p.add_argument("--format", choices=("text", "json", "sarif", "github", "junit"),
                   default="text")
    p.add_argument("--output", "-o", help="write the report to this file")
    p.add_argument("--timeout", type=float, help="seconds per solver query (default 5)")
    p.add_argument("--replay", action="store_true", default=None,
                   help="confirm counterexamples by running your code (Python/gcc+UBSan)")
    p.add_argument("--strict", action="store_true", help="'don't know' fails too")
    p.add_argument("--analyses", help="comma list of contract,overflow,termination")
    p.add_argument("--unroll", type=int, help="loop unrolling depth for counterexamples")
    p.add_argument("--report-unsigned-wrap", action="store_true", default=None)
    p.add_argument("--no-report-conversions", action="store_true", default=None)
    p.add_argument("--no-unknown-bounds", action="store_true", default=None,
                   help="C: hide 'don't know' bounds findings of pointers of unknown size")
    p.add_argument("--no-assume-finite-iterables", action="store_true", default=None,
                   help="Python: loops over outside iterables stay 'don't know'")
    p.add_argument("--exclude", action="append", default=[], help="glob to skip (repeatable)")
    p.add_argument("--cache", help="cache location: path, sqlite:///path or redis://host:port/db")
    p.add_argument("--no-cache", action="store_true")
    p.add_argument("--solver-mode", choices=("bv", "int", "portfolio"),
                   help="C encoding and solvers: bv (z3 on bit-vectors), int (integer "
                        "model), portfolio (integer model, then other encodings and solvers)")
    p.add_argument("--entry", action="append", default=[], metavar="NAME",
                   help="entry point of a closed program (repeatable): functions are "
                        "judged in the contexts reachable from it")
    p.add_argument("--function-timeout", type=float, metavar="S",
                   help="time budget per function in seconds (default 10)")
    p.add_argument("--jobs", "-j", type=int, metavar="N",
                   help="functions verified in parallel (default: number of cores)")
    p.add_argument("--verbose", "-v", action="store_true",
                   help="also list ✓ findings (and tracebacks of internal errors)")
    from veriline.ci import add_arguments
    add_arguments(p)
    from veriline import proof_files
    proof_files.add_arguments(p)
    add_c_build_flags(p)
    return p


def check_usage(args) -> None:
    """ValueError for numeric arguments outside their range (a usage error, exit 2)."""
    for name in ("timeout", "function_timeout"):
        v = getattr(args, name)
        if v is not None and not v > 0:
            raise ValueError(f"--{name.replace('_', '-')} must be a positive number of "
                             f"seconds, not {v:g}")
    if args.unroll is not None and args.unroll < 0:
        raise ValueError(f"--unroll must be 0 or more, not {args.unroll}")
    if args.jobs is not None and args.jobs < 1:
        raise ValueError(f"--jobs must be 1 or more, not {args.jobs}")


def add_c_build_flags(p: argparse.ArgumentParser) -> None:
    """C preprocessing flags, as gcc spells them."""
    g = p.add_argument_group("C build flags")
    g.add_argument("-I", action="append", default=[], dest="include", metavar="DIR",
                   help="add an include directory (repeatable)")
    g.add_argument("-D", action="append", default=[], dest="define", metavar="NAME[=VAL]",
                   help="define a macro (repeatable)")
    g.add_argument("-U", action="append", default=[], dest="undef", metavar="NAME")
    g.add_argument("-std", dest="std", metavar="STD", help="C standard, e.g. -std=c99")
    g.add_argument("--compile-commands", metavar="PATH",
                   help="compile_commands.json (default: the nearest one, if any)")


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
                    if f.endswith((".py", ".c", ".i")) and not skip(f, full):
                        out.append(full)
        elif os.path.lexists(p):     # (a dangling link is an unreadable file)
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
    if args.timeout is not None:    # (positive: check_usage)
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
    if getattr(args, "no_unknown_bounds", None):
        o = replace(o, report_unknown_bounds=False)
    if getattr(args, "no_assume_finite_iterables", None):
        o = replace(o, assume_finite_iterables=False)
    if getattr(args, "solver_mode", None):
        o = replace(o, solver_mode=args.solver_mode)
    if args.entry:
        o = replace(o, entries=tuple(args.entry))
    from veriline.config import c_build_from
    return replace(o, c_build=c_build_from(settings, args))


def open_cache_for(args, settings: dict, start_dir: str = "."):
    if args.no_cache:
        return None
    from veriline.analyses.cache import open_cache
    from veriline.config import cache_named_by_project
    # a cache the project file chose is not trusted unsigned (config.py: Trust)
    untrusted = not args.cache and cache_named_by_project(start_dir)
    return open_cache(args.cache or settings.get("cache") or None,
                      shared=True if untrusted else None)


def main(argv: list[str]) -> int:
    try:
        args = parser().parse_intermixed_args(argv)
    except SystemExit as e:
        return 0 if e.code == 0 else 2
    try:
        check_usage(args)
        settings = {}
        try:
            from veriline.config import load_settings
            settings = load_settings(os.path.abspath(args.paths[0]), warn=lambda m: print(
                f"veriline check: warning: {m}", file=sys.stderr))
        except ImportError:
            pass
        options = build_options(args, settings)
        from veriline import proof_files
        options = proof_files.apply(options, args)
        from veriline import ci
        baseline = ci.check_arguments(args)
        files = collect(args.paths, list(settings.get("exclude", [])) + args.exclude)
        cache = open_cache_for(args, settings, os.path.abspath(args.paths[0]))
        options = replace(options, cache=cache)
    except FileNotFoundError as e:
        print(f"veriline check: no such file or directory: {e}", file=sys.stderr)
        return 2
    except Exception as e:   # bad settings, bad cache spec, ...
        print(f"veriline check: {e}", file=sys.stderr)
        return 2
    from veriline.errors import SetupError
    from veriline.progress import make_progress
    from veriline.runner import run_check
    from veriline.runner.pool import cpu_count
    budget = args.function_timeout or settings.get("functionTimeout") or 10.0
    # workers open the same store; one this run does not trust (shared, no key) they
    # must not open at all, or they would read it as a private one
    trusted = cache is not None and getattr(cache, "trusted", True)
    cache_spec = (args.cache or settings.get("cache") or "") if trusted else None
    progress = make_progress(args.format, args.progress)
    try:
        with _signals_interrupt():
            try:
                select = verified = None
                if args.diff:
                    files, select, verified = ci.diff_selection(files, args)
                make_pool = None
                if args.dask:
                    from veriline.dask_backend import DaskPool
                    make_pool = lambda: DaskPool(args.dask)     # noqa: E731
                res = run_check(files, options, jobs=args.jobs or cpu_count(),
                                budget_s=budget, cache_spec=cache_spec,
                                verbose=args.verbose, progress=progress, select=select,
                                make_pool=make_pool)
            finally:
                if cache is not None:
                    cache.close()
        if args.emit_proofs:
            proof_files.write(args.emit_proofs, res.reports, args.certificates,
                              min(options.timeout_ms, 10_000))
        comparison = ci.compare_baseline(args, baseline, res.reports, verified)
        out = render(args.format, res.reports, res.elapsed_ms, args.verbose, res.errors,
                     res.incomplete, comparison)
    except SetupError as e:          # --diff: no git repository, unknown ref; --dask
        print(f"veriline check: {e}", file=sys.stderr)
        return 2
    except Exception as e:     # a bug of ours: one line (the traceback with --verbose)
        if args.verbose:
            import traceback
            traceback.print_exc()
        print(f"veriline check: internal error: {type(e).__name__}: {e}", file=sys.stderr)
        return 2
    if args.output:
        try:
            with open(args.output, "w", encoding="utf-8") as fh:
                fh.write(out)
        except OSError as e:
            print(f"veriline check: cannot write {args.output}: {e.strerror or e}",
                  file=sys.stderr)
            return 2
    else:
        sys.stdout.write(out)
        sys.stdout.flush()
    if res.incomplete:
        return 130 if res.signum == signal.SIGINT else 1
    if comparison is not None:
        failed = ci.failed(comparison, args.strict)
        return 1 if failed or res.errors else 0
    findings = [f for r in res.reports for f in r.findings]
    failed = any(f.status == "counterexample" and f.severity != "info" for f in findings)
    # --cross-check: CI requires 0 disagreements between the solvers
    failed = failed or any(f.details.get("cross_check") == "disagree" for f in findings)
    failed = failed or bool(res.errors) or any(r.program.errors for r in res.reports)
    if args.strict:
        failed = failed or any(f.status == "unknown" for f in findings)
    return 1 if failed else 0


@contextlib.contextmanager
def _signals_interrupt():
    """SIGINT/SIGTERM stop the run (the runner keeps what it found) instead of killing it."""
    from veriline.runner import Interrupted

    fired = []

    def handler(signum, frame):
        if not fired:                      # once: a second signal must not cut the report
            fired.append(signum)
            raise Interrupted(signum)
    old = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            old[sig] = signal.signal(sig, handler)
        except (ValueError, OSError):      # not the main thread
            pass
    try:
        yield
    finally:
        for sig, h in old.items():
            signal.signal(sig, h)


def render(fmt: str, reports, elapsed_ms: float, verbose: bool = False, errors=(),
           incomplete: bool = False, comparison=None) -> str:
    """The report; `errors` are the files that could not be analysed (file, reason)."""
    from veriline.analyses.findings import summarize
    findings = [f for r in reports for f in r.findings]
    summary = summarize(findings)
    summary["time_ms"] = round(elapsed_ms, 1)
    summary["files"] = len(reports) + len(errors)
    summary["syntax_errors"] = sum(len(r.program.errors) for r in reports)
    summary["errors"] = len(errors)
    summary["incomplete"] = bool(incomplete)
    if fmt == "json":
        doc = {"version": 1, "findings": [f.to_json() for f in findings],
               "errors": [{"file": r.path, "kind": "syntax", "message": e.message,
                           "reason": e.message, "range": e.span.to_json()}
                          for r in reports for e in r.program.errors]
               + [{"file": e.file, "kind": "file", "message": e.reason, "reason": e.reason}
                  for e in errors],
               "summary": summary}
        if comparison is not None:
            for f, d in zip(findings, doc["findings"]):
                d["baseline"] = comparison.state(f)
            doc["baseline"] = comparison.to_json()
        return json.dumps(doc, indent=2) + "\n"
    if fmt == "sarif":
        from veriline.sarif import to_sarif
        doc = to_sarif(reports, comparison=comparison)
        doc["runs"][0]["invocations"] = [_invocation(errors, incomplete)]
        return json.dumps(doc, indent=2) + "\n"
    if fmt == "junit":
        from veriline.junit import to_junit
        return to_junit(reports, elapsed_ms, comparison)
    lines = [f"{e.file}: error: {e.reason}" for e in errors]
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
            if comparison is not None and comparison.state(f):
                extra += f" [{comparison.state(f)}]"
            lines.append(f"{r.path}:{f.span.line}:{f.span.col}: {MARK[f.status]} {f.kind} "
                         f"[{f.function}] {f.message}{extra}")
    tail = []
    if comparison is not None:
        from veriline.ci import text_lines
        tail = text_lines(comparison)
    if incomplete:
        tail.append("veriline check was interrupted: the results are incomplete")
    tail.append(f"{summary['files']} files: {summary['proved']} proved ✓, "
                f"{summary['counterexample']} counterexample ✗, {summary['unknown']} "
                f"don't know ? ({summary['time_ms']:.0f} ms"
                + (f", {summary['cached']} from cache" if summary.get('cached') else "")
                + (f", {len(errors)} could not be analysed" if errors else "") + ")")
    from veriline.proof_files import summary_text
    if summary_text(summary):
        tail.append(summary_text(summary))
    if fmt == "github":
        from veriline.github import to_github
        return to_github(reports, "\n".join(lines[:len(errors)] + tail), comparison)
    return "\n".join(lines + tail) + "\n"


def _invocation(errors, incomplete: bool) -> dict:
    """SARIF invocation: files that could not be analysed as tool notifications."""
    from veriline.sarif import _uri
    base = os.path.abspath(os.getcwd())
    notes = [{"level": "error", "message": {"text": e.reason},
              "descriptor": {"id": "file-error"},
              "locations": [{"physicalLocation": {"artifactLocation": {
                  "uri": _uri(e.file, base)}}}]} for e in errors]
    if incomplete:
        notes.append({"level": "error", "descriptor": {"id": "incomplete"},
                      "message": {"text": "the run was interrupted: results are incomplete"}})
    return {"executionSuccessful": not errors and not incomplete,
            "toolExecutionNotifications": notes}
