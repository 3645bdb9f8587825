"""The CI side of `veriline check`: --baseline, --write-baseline, --diff, --dask and the
progress bar.  check_cli calls add_arguments, verify and compare_baseline; the rest of
its flow (options, rendering, exit code) stays there."""
from __future__ import annotations

import os
import sys

from .progress import Progress, make_progress


def add_arguments(p) -> None:
    import argparse
    g = p.add_argument_group("CI")
    g.add_argument("--baseline", metavar="FILE",
                   help="fail only on findings not recorded in FILE (see --write-baseline)")
    g.add_argument("--write-baseline", metavar="FILE",
                   help="record this run's ✗ and ? in FILE")
    g.add_argument("--diff", metavar="REF",
                   help="verify only functions changed since the git ref, and their callers")
    g.add_argument("--dask", metavar="ADDRESS",
                   help="run function tasks on a Dask cluster (tcp://scheduler:8786)")
    g.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress bar on stderr (default: when stderr is a terminal)")


def check_arguments(args) -> list | None:
    """Usage errors (ValueError) and the loaded baseline, before anything is verified."""
    if args.write_baseline and args.diff:
        raise ValueError("--write-baseline records every finding: it cannot go with --diff")
    if args.baseline:
        from .baseline import load_baseline
        try:
            return load_baseline(args.baseline)
        except OSError as e:
            raise ValueError(f"cannot read baseline {args.baseline}: {e.strerror}") from e
    return None


def cache_spec(args, settings: dict) -> str | None:
    """What a cluster worker opens as its lemma cache."""
    if args.no_cache:
        return "off"
    return args.cache or settings.get("cache") or None


def _repo_dir(args) -> str:
    first = os.path.abspath(args.paths[0])
    return first if os.path.isdir(first) else os.path.dirname(first)


def verify(files: list[str], options, args, settings: dict):
    """(reports, verified) where verified is path -> functions verified, or None when
    every function of every file was."""
    progress = make_progress(args.format, args.progress)
    try:
        if args.diff or args.dask:
            return _by_function(files, options, args, settings, progress)
        return _by_file(files, options, progress), None
    finally:
        progress.close()


def _by_function(files, options, args, settings, progress):
    from . import function_tasks as ft
    verified = None
    if args.diff:                       # parse only the files the diff touches
        from .gitdiff import changed_files, select
        changes = changed_files(files, args.diff, _repo_dir(args))
        jobs = ft.load_jobs([f for f in files if f in changes], options)
        chosen = {j.path: select(j.program, changes[j.path]) for j in jobs}
        jobs = [j for j in ft.restrict(jobs, chosen) if j.names or j.program.errors]
        verified = {j.path: set(j.names) for j in jobs}
    else:
        jobs = ft.load_jobs(files, options)
    progress.start(len(jobs), sum(len(j.names) for j in jobs))
    if args.dask:
        from .dask_backend import run_on_cluster
        results = run_on_cluster(args.dask, jobs, options, cache_spec(args, settings),
                                 progress)
    else:
        results = ft.run_local(jobs, options, progress)
    return ft.assemble(jobs, results), verified


def _by_file(files, options, progress):
    from veriline.analyses.api import analyze_file
    total = 0
    if isinstance(progress, Progress):          # counting parses: only for the bar
        from .function_tasks import load_jobs
        total = sum(len(j.names) for j in load_jobs(files, options))
    progress.start(len(files), total)
    reports = []
    for path in files:
        progress.function_started(path, "…")
        try:
            rep = analyze_file(path, options)
        except Exception as e:                  # reported, then raised as before
            progress.file_error(path, f"{type(e).__name__}: {e}")
            raise
        reports.append(rep)
        by_fn: dict[str, list] = {n: [] for n in rep.program.functions}
        for f in rep.findings:
            by_fn.setdefault(f.function, []).append(f)
        for name, found in by_fn.items():
            progress.function_done(path, name, found)
    return reports


def compare_baseline(args, baseline, reports, verified):
    """Write the baseline if asked; the comparison with --baseline (or None)."""
    if args.write_baseline:
        from .baseline import write_baseline
        n = write_baseline(args.write_baseline, reports)
        print(f"veriline check: recorded {n} findings in {args.write_baseline}",
              file=sys.stderr)
    if baseline is None:
        return None
    from .baseline import compare
    return compare(baseline, reports, args.baseline, verified)


def failed(comparison, strict: bool) -> bool:
    from .baseline import is_failure
    return any(is_failure(x, strict) for x in comparison.new)


def text_lines(comparison) -> list[str]:
    c = comparison.counts()
    out = [f"baseline: {c['new']} new, {c['known']} known, {c['fixed']} fixed"]
    for e in comparison.fixed:
        out.append(f"fixed ({e['now']}): {e['file']}: {e['kind']} [{e['function']}] "
                   f"{e.get('message', '')}")
    return out
