"""Exact integer semantics of the IR's arithmetic, as closures for the interpreter.

The mathematical result is computed with Python's unbounded ints, then checked against
the operation's type: out of range means a violation ('signed-overflow',
'unsigned-wrap', 'div-overflow', 'shift', 'conversion', 'division-by-zero'), recorded
through ``ctx.violate`` (which ends the run for stopping kinds); otherwise execution
continues with the value wrapped modulo 2^bits, as the hardware (and gcc) would.
"""
from __future__ import annotations

import operator
from typing import Callable

from .. import ir
from .signals import Stop

__all__ = ["convert", "converter", "arith", "cast", "c_div", "c_mod"]

MAX_BITS = 1 << 20          # unbounded ints larger than this are refused (memory guard)


def convert(v, t) -> int:
    """v converted to type t: BOOL / _Bool -> v != 0; bounded -> modulo 2^bits."""
    return converter(t)(v)


def converter(t) -> Callable:
    if isinstance(t, ir.BoolT):
        return lambda v: v != 0
    if t.bits is None:
        return int
    if t.name == "_Bool":
        return lambda v: 1 if v else 0
    return _wrapper(t)


def _wrapper(t: ir.IntT) -> Callable:
    bits, lo, hi = t.bits, t.min, t.max
    mask, span = (1 << bits) - 1, 1 << bits
    if t.signed:
        def wrap_signed(v):
            if lo <= v <= hi:
                return int(v)
            v &= mask
            return v - span if v > hi else v
        return wrap_signed

    def wrap_unsigned(v):
        return int(v) & mask
    return wrap_unsigned


def c_div(a: int, b: int) -> int:
    """Division truncating toward zero (C, ACSL)."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def c_mod(a: int, b: int) -> int:
    return a - b * c_div(a, b)


_SYM = {"add": "+", "sub": "-", "mul": "*", "div": "/", "mod": "%", "floordiv": "//",
        "floormod": "%", "band": "&", "bor": "|", "bxor": "^", "shl": "<<", "shr": ">>"}
_PLAIN = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
          "band": operator.and_, "bor": operator.or_, "bxor": operator.xor}
_DIVS = {"div": c_div, "mod": c_mod, "floordiv": operator.floordiv,
         "floormod": operator.mod}


def arith(e, a: Callable, b) -> Callable:
    """Closure for an arithmetic Unary (neg, bnot) or Binary of type e.type."""
    t = e.type if isinstance(e.type, ir.IntT) else ir.MATH_INT
    if b is None:
        return _unary(e.op, t, e.span, a)
    op = e.op
    if op in _DIVS:
        return _division(op, t, e.span, a, b)
    if op in ("shl", "shr"):
        return _shift(op, t, e.span, a, b)
    f = _PLAIN[op]
    if not t.bounded:
        if op == "mul":
            return _guarded(f, e.span, a, b)
        return lambda env, ctx: f(a(env, ctx), b(env, ctx))
    lo, hi, wrap, span = t.min, t.max, _wrapper(t), e.span
    if op in ("band", "bor", "bxor"):
        return lambda env, ctx: wrap(f(a(env, ctx), b(env, ctx)))
    kind = "signed-overflow" if t.signed else "unsigned-wrap"
    sym = _SYM[op]

    def bounded(env, ctx):
        x = a(env, ctx)
        y = b(env, ctx)
        v = f(x, y)
        if lo <= v <= hi:
            return v
        ctx.violate(kind, span, f"{_what(kind)}: {x} {sym} {y} = {v} is out of range for {t}",
                    {"left": int(x), "right": int(y)})
        return wrap(v)
    return bounded


def _what(kind: str) -> str:
    return {"signed-overflow": "signed overflow", "unsigned-wrap": "unsigned wrap-around",
            "div-overflow": "division overflow"}.get(kind, kind)


def _guarded(f, span, a, b):
    def mul_unbounded(env, ctx):
        v = f(a(env, ctx), b(env, ctx))
        if v.bit_length() > MAX_BITS:
            raise Stop("unsupported", f"integer too large at line {span.line}")
        return v
    return mul_unbounded


def _unary(op, t, span, a):
    if op == "bnot":
        if not t.bounded:
            return lambda env, ctx: ~a(env, ctx)
        wrap = _wrapper(t)
        return lambda env, ctx: wrap(~a(env, ctx))
    if not t.bounded:
        return lambda env, ctx: -a(env, ctx)
    lo, hi, wrap = t.min, t.max, _wrapper(t)
    kind = "signed-overflow" if t.signed else "unsigned-wrap"

    def neg(env, ctx):
        x = a(env, ctx)
        v = -x
        if lo <= v <= hi:
            return v
        ctx.violate(kind, span, f"{_what(kind)}: -({x}) is out of range for {t}",
                    {"operand": int(x)})
        return wrap(v)
    return neg


def _division(op, t, span, a, b):
    f, sym = _DIVS[op], _SYM[op]
    bounded, signed = t.bounded, t.signed
    lo = t.min
    wrap = _wrapper(t) if bounded else int

    def divide(env, ctx):
        x = a(env, ctx)
        y = b(env, ctx)
        if y == 0:
            ctx.violate("division-by-zero", span, f"division by zero: {x} {sym} 0",
                        {"left": int(x), "right": 0})
            return 0
        if bounded and signed and x == lo and y == -1 and op != "floormod":
            ctx.violate("div-overflow", span,
                        f"division overflow: {x} {sym} -1 is out of range for {t}",
                        {"left": int(x), "right": -1})
            return wrap(f(x, y))
        return f(x, y)
    return divide


def _shift(op, t, span, a, b):
    sym = _SYM[op]
    if not t.bounded:
        def shift_unbounded(env, ctx):
            x = a(env, ctx)
            y = b(env, ctx)
            if y < 0:     # Python raises ValueError: the run cannot go on
                ctx.violate("shift", span, f"negative shift count: {x} {sym} {y}",
                            {"left": int(x), "right": int(y)}, force_stop=True)
            if op == "shr":
                return x >> y
            if y + x.bit_length() > MAX_BITS:
                    raise Stop("unsupported", f"integer too large at line {span.line}")
            return x << y
        return shift_unbounded
    bits, lo, hi, signed, wrap = t.bits, t.min, t.max, t.signed, _wrapper(t)

    def shift(env, ctx):
        x = a(env, ctx)
        y = b(env, ctx)
        if y < 0 or y >= bits:
            ctx.violate("shift", span, f"shift count {y} is negative or >= {bits} "
                        f"(the width of {t}): {x} {sym} {y}",
                        {"left": int(x), "right": int(y)})
            y %= bits             # what x86 does with the count
        if op == "shr":
            return x >> y         # arithmetic for signed (Python), logical for unsigned
        if signed and x < 0:
            ctx.violate("shift", span, f"left shift of a negative value: {x} << {y}",
                        {"left": int(x), "right": int(y)})
        v = x << y
        if v > hi:
            if signed:
                ctx.violate("shift", span,
                            f"{x} << {y} = {v} is not representable in {t}",
                            {"left": int(x), "right": int(y)})
            return wrap(v)
        return v if v >= lo else wrap(v)
    return shift


def cast(e, a: Callable) -> Callable:
    """Closure for a Cast to e.type: modulo for bounded targets ('conversion' when a
    signed target changes the value), != 0 for BOOL and _Bool, 0/1 from BOOL."""
    t = e.type
    if isinstance(t, ir.BoolT):
        return lambda env, ctx: a(env, ctx) != 0
    if t.bits is None:
        return lambda env, ctx: int(a(env, ctx))
    if t.name == "_Bool":
        return lambda env, ctx: 1 if a(env, ctx) else 0
    wrap, lo, hi = _wrapper(t), t.min, t.max
    if not t.signed:
        return lambda env, ctx: wrap(a(env, ctx))
    span = e.span

    def to_signed(env, ctx):
        x = a(env, ctx)
        if lo <= x <= hi:
            return int(x)
        v = wrap(x)
        ctx.violate("conversion", span, f"conversion of {x} to {t} changes the value to {v}",
                    {"value": int(x), "result": v})
        return v
    return to_signed
