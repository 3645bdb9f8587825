"""Entry asserts: the asserts at the top of a function that mention only its parameters.

By convention they are the function's preconditions (`assert 1 <= m <= 6` in a helper):
a violation is first of all the caller's fault.  The engine checks them at every call site
(like an ACSL `requires`), assumes them for the rest of the body, and shows the function's
own finding on them at information severity.  Pure IR: imported by the engine and the
concrete interpreter alike.
"""
from __future__ import annotations

from . import ir

ENTRY_SEVERITY = "info"


def entry_asserts(fn: ir.Function) -> list[ir.Assert]:
    """The consecutive `assert`s that open fn's body and read only parameters.  The
    frontend's own type facts about parameters (an `Assume` spanning a parameter) may
    come first; any other statement ends the run of entry asserts."""
    cached = getattr(fn, "_entry_asserts", None)
    if cached is not None:
        return cached
    params = {p.name for p in fn.params}
    param_spans = {p.span for p in fn.params}
    out: list[ir.Assert] = []
    for s in fn.body:
        if isinstance(s, ir.Assume) and s.span in param_spans and not out:
            continue
        if isinstance(s, ir.Assert) and s.kind == "assert" and _reads_only(s.cond, params):
            out.append(s)
            continue
        break
    try:
        fn._entry_asserts = out
    except AttributeError:       # (a frozen or slotted stand-in: just do not memoize)
        pass
    return out


def is_entry_assert(fn: ir.Function, s: ir.Stmt) -> bool:
    return any(a is s for a in entry_asserts(fn))


def assert_text(fn: ir.Function, a: ir.Assert) -> str:
    """How a finding names the assert: `assert b != 0` (the condition's source text),
    else `the assert at line N`."""
    cond = a.message if fn.language == "c" else _source(fn, a.cond.span)
    return f"assert {cond}" if cond else f"the assert at line {a.span.line}"


def _source(fn: ir.Function, span: ir.Span) -> str:
    """fn's source text at a one-line span ('' when it cannot be located)."""
    lines = fn.source.split("\n") if fn.source else []
    i = span.line - fn.span.line
    if span.line != span.end_line or not 0 <= i < len(lines):
        return ""
    off = fn.span.col - 1 if i == 0 else 0
    a, b = span.col - 1 - off, span.end_col - 1 - off
    return lines[i][a:b] if 0 <= a < b <= len(lines[i]) else ""


def _reads_only(e, params: set) -> bool:
    if isinstance(e, ir.Var):
        return e.name in params
    if isinstance(e, (ir.Call, ir.Nondet, ir.Unsupported, ir.Old)):
        return False
    if isinstance(e, ir.Const):
        return True
    for v in vars(e).values():
        if isinstance(v, ir.Expr) and not _reads_only(v, params):
            return False
        if isinstance(v, tuple) and not all(_reads_only(x, params) for x in v
                                            if isinstance(x, ir.Expr)):
            return False
    return True
