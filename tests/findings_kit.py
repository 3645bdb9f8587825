"""Findings grouped the way the tests look them up: by the function they belong to."""
from __future__ import annotations

from typing import Callable, Iterable, Optional


def by_function(findings: Iterable, keep: Optional[Callable] = None,
                value: Optional[Callable] = None) -> dict[str, list]:
    """{function: [value(f) for each of its findings that `keep` accepts]}, in report
    order (by default every finding, and the finding itself)."""
    out: dict[str, list] = {}
    for f in findings:
        if keep is None or keep(f):
            out.setdefault(f.function, []).append(f if value is None else value(f))
    return out


def one_per_function(findings: Iterable, keep: Optional[Callable] = None,
                     value: Optional[Callable] = None) -> dict:
    """{function: value(its one finding that `keep` accepts)}.  A function with two is an
    error: a dict comprehension would silently keep whichever came last."""
    out = {}
    for fn, fs in by_function(findings, keep).items():
        assert len(fs) == 1, (fn, [(f.property, f.span.line, f.status) for f in fs])
        out[fn] = fs[0] if value is None else value(fs[0])
    return out
