"""The CI side of `veriline check`: --baseline, --write-baseline, --diff and --dask.
check_cli calls add_arguments, check_arguments, diff_selection and compare_baseline; the
rest of its flow (runner, rendering, exit code) stays there, and --dask only swaps the
runner's pool for dask_backend.DaskPool."""
from __future__ import annotations

import os
import sys


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


def _repo_dir(args) -> str:
    first = os.path.abspath(args.paths[0])
    return first if os.path.isdir(first) else os.path.dirname(first)


def diff_selection(files: list[str], args):
    """--diff REF: (the files that changed, select(path, program) -> the names to verify,
    verified: path -> names, filled in as files are parsed)."""
    from .gitdiff import changed_files, select
    changes = changed_files(files, args.diff, _repo_dir(args))
    verified: dict[str, set[str]] = {}

    def chosen(path: str, program) -> set[str]:
        verified[path] = names = select(program, changes[path])
        return names
    return [f for f in files if f in changes], chosen, verified


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
