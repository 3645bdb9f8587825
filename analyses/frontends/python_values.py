"""Conversions between the IR's value kinds for the Python frontend: int <-> BOOL, Python
ints meeting fixed-width ones (shared by python_exprs and python_calls)."""
from __future__ import annotations

from dataclasses import replace

from .. import ir
from .python_types import same_domain


def to_bool(e: ir.Expr) -> ir.Expr:
    if e.type == ir.BOOL:
        return e
    if isinstance(e, ir.Const):
        return ir.Const(value=int(e.value != 0), type=ir.BOOL, span=e.span)
    if isinstance(e, ir.Unsupported):
        return replace(e, type=ir.BOOL)
    return ir.Cast(arg=e, type=ir.BOOL, span=e.span)


def to_int(e: ir.Expr) -> ir.Expr:
    if e.type != ir.BOOL:
        return e
    if isinstance(e, (ir.Const, ir.Unsupported)):
        return replace(e, type=ir.MATH_INT)
    return ir.Cast(arg=e, type=ir.MATH_INT, span=e.span)


def coerce(e: ir.Expr, t: ir.IntT, explicit: bool = False) -> ir.Expr:
    """e as a value of type t (Python ints meet fixed-width ones as NumPy does)."""
    e = to_int(e)
    if same_domain(e.type, t) and not explicit:
        return e
    if isinstance(e, ir.Unsupported) or (
            isinstance(e, ir.Const) and (t.min is None or t.min <= e.value <= t.max)):
        return replace(e, type=t)
    return ir.Cast(arg=e, type=t, explicit=explicit, span=e.span)


def is_pure(e: ir.Expr) -> bool:
    if isinstance(e, (ir.Call, ir.Nondet)):
        return False
    return all(is_pure(v) for v in vars(e).values() if isinstance(v, ir.Expr))


def cover(a: ir.Span, b: ir.Span) -> ir.Span:
    return ir.Span(a.line, a.col, b.end_line, b.end_col)
