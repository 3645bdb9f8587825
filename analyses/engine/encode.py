"""Exact z3 meaning of IR types and values: sorts, constants, literals, conversions.

Unbounded ints are z3 Int; an n-bit C integer is an n-bit bit-vector (signedness decides
the comparison, division and shift operators); BOOL is z3 Bool.  Which of these encodings
is on is a thread's mode (encoding_modes.py); the operators and their side conditions
are in encode_ops.py.
"""
from __future__ import annotations

import z3

from .. import ir
from . import intmodel as IM
from .encoding_modes import int_model_on, int_sorted, math_bits, note_range, unbounded


def sort_of(t: ir.Type) -> z3.SortRef:
    if isinstance(t, ir.BoolT):
        return z3.BoolSort()
    if unbounded(t):
        w = math_bits()
        return z3.BitVecSort(w) if w else z3.IntSort()
    if int_sorted(t):
        return z3.IntSort()
    return z3.BitVecSort(t.bits)


def const(name: str, t: ir.Type) -> z3.ExprRef:
    note_range(name, t)
    return z3.Const(name, sort_of(t))


def literal(value: int, t: ir.Type) -> z3.ExprRef:
    if isinstance(t, ir.BoolT):
        return z3.BoolVal(bool(value))
    if unbounded(t):
        w = math_bits()
        return z3.BitVecVal(int(value) % (1 << w), w) if w else z3.IntVal(int(value))
    if int_sorted(t):
        return IM.literal(value, t)
    return z3.BitVecVal(int(value) % (1 << t.bits), t.bits)


def to_python(raw, t: ir.Type) -> int:
    """A model value (bit-vectors come unsigned) as the typed Python int."""
    if isinstance(raw, bool):
        return int(raw)
    if unbounded(t) or int_sorted(t):
        return raw
    if isinstance(t, ir.IntT) and t.bits is not None and t.signed and raw >= 1 << (t.bits - 1):
        return raw - (1 << t.bits)
    return raw


def as_math(term: z3.ExprRef, t: ir.Type) -> z3.ArithRef:
    """The mathematical integer a term denotes (for ACSL casts, ranking functions)."""
    w = math_bits()
    if isinstance(t, ir.BoolT):
        return z3.If(term, literal(1, ir.MATH_INT), literal(0, ir.MATH_INT))
    if unbounded(t) or int_sorted(t):
        return term
    if int_model_on() and t.name == "_Bool":
        return z3.If(term == z3.BitVecVal(1, 1), z3.IntVal(1), z3.IntVal(0))
    if w:
        return widen(term, t, w - t.bits)
    return z3.BV2Int(term, is_signed=t.signed)


def numeric(pairs: list) -> list:
    """Terms [(term, type)] as values of one exact numeric sort for measures: Int when any
    is unbounded, else bit-vectors wide enough that differences and small offsets cannot
    wrap (z3 decides these far better than BV2Int)."""
    if any(isinstance(t, ir.BoolT) or unbounded(t) or int_sorted(t) for _, t in pairs):
        return [as_math(x, t) for x, t in pairs]
    w = max(t.bits for _, t in pairs) + 4
    return [widen(x, t, w - t.bits) for x, t in pairs]


def widen(term: z3.ExprRef, t: ir.IntT, extra: int) -> z3.BitVecRef:
    """Extend a bit-vector by `extra` bits, preserving its value under t's signedness."""
    return z3.SignExt(extra, term) if t.signed else z3.ZeroExt(extra, term)


def convert(term: z3.ExprRef, src: ir.Type, dst: ir.Type) -> z3.ExprRef:
    """C/Python conversion semantics (see ir.Cast)."""
    if isinstance(dst, ir.BoolT):
        if isinstance(src, ir.BoolT):
            return term
        return term != literal(0, src)
    if isinstance(src, ir.BoolT):
        return z3.If(term, literal(1, dst), literal(0, dst))
    if dst.name == "_Bool" and dst.bits == 1:
        if src.bits == 1 and src.name == "_Bool":
            return term
        return z3.If(term != literal(0, src), z3.BitVecVal(1, 1), z3.BitVecVal(0, 1))
    if unbounded(dst):
        return as_math(term, src)
    if int_sorted(dst):
        m = as_math(term, src)
        inside = (not unbounded(src) and src.min >= dst.min and src.max <= dst.max)
        return m if inside else IM.wrap(m, dst)
    if int_sorted(src):
        return IM.to_bv(term, dst)
    if unbounded(src):
        if math_bits():
            return z3.Extract(dst.bits - 1, 0, term)
        return z3.Int2BV(term, dst.bits)
    if src.bits == dst.bits:
        return term
    if src.bits > dst.bits:
        return z3.Extract(dst.bits - 1, 0, term)
    return widen(term, src, dst.bits - src.bits)


def fits(term: z3.ExprRef, src: ir.Type, dst: ir.IntT) -> z3.BoolRef:
    """Does the value of term (of type src) lie in dst's range?"""
    if unbounded(dst):
        return z3.BoolVal(True)
    if isinstance(src, ir.BoolT):
        return z3.BoolVal(True)
    m = as_math(term, src) if src.bits is not None else term
    if src.bits is not None and src.bits < dst.bits and (dst.signed or not src.signed):
        return z3.BoolVal(True)
    return z3.And(m >= dst.min, m <= dst.max)

