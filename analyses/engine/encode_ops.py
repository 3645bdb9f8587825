"""Exact z3 meaning of the IR's operators, each with its side conditions.

Each arithmetic operator also yields its side conditions (undefined behaviour, division by
zero, ...) so the symbolic executor can check them as properties and then assume them.
The encoding of the operands follows the thread's mode (encoding_modes.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import z3

from .. import ir
from . import intmodel as IM
from .encode import as_math, convert
from .encoding_modes import bit_vectors, int_sorted, math_bits, unbounded


@dataclass
class Check:
    """A side condition of an operation: `ok` must hold, else `prop` is violated."""
    prop: str          # signed-overflow | division-by-zero | div-overflow | shift | unsigned-wrap
    ok: z3.BoolRef
    ub: bool           # undefined behaviour / exception: assumed to hold afterwards
    message: str


def compare(op: str, a, b, t: ir.Type) -> z3.BoolRef:
    if op == "eq":
        return a == b
    if op == "ne":
        return a != b
    if isinstance(t, ir.IntT) and t.bits is not None and not t.signed and not int_sorted(t):
        f = {"lt": z3.ULT, "le": z3.ULE, "gt": z3.UGT, "ge": z3.UGE}[op]
        return f(a, b)
    return {"lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b}[op]


def floordiv(a, b):
    """Python a // b on Int (b != 0 assumed by the caller's check)."""
    # floor(a/b) = -floor(-a/b)... use: for b<0, a//b == (-a)//(-b) (floor of same quotient)
    return z3.If(b > 0, a / b, (-a) / (-b))


def floormod(a, b):
    """Python a % b: sign of b."""
    return a - b * floordiv(a, b)


truncdiv_int, truncmod_int = IM.trunc_div, IM.trunc_mod   # C/ACSL / and % on Ints


def arith(op: str, a, b, t: ir.IntT, rt: ir.Type | None = None) -> tuple[z3.ExprRef, list[Check]]:
    """Result and side conditions of `a op b` in type t (rt: right operand type, shifts)."""
    checks: list[Check] = []
    if op in ("shl", "shr"):
        # C shifts do not convert their operands to one type: the count keeps its own
        # (promoted) type, which may be read differently from the left operand's (a
        # signed int count is unbounded while looking for non-termination, say).
        rt = rt or t
        if unbounded(t):
            return _shift_math(op, a, shift_count(b, rt), t, checks), checks
        if int_sorted(t):
            return _arith_intmodel(op, a, b, t, rt)
        return _shift(op, a, b, t, rt, checks), checks
    if unbounded(t):
        return _arith_int(op, a, b, checks), checks
    if int_sorted(t):
        return _arith_intmodel(op, a, b, t, rt)
    bits, signed = t.bits, t.signed
    if op in ("add", "sub", "mul"):
        res = {"add": a + b, "sub": a - b, "mul": a * b}[op]
        ok = _no_overflow(op, a, b, signed)
        if signed:
            checks.append(Check("signed-overflow", ok, True, f"{t} overflow"))
        else:
            checks.append(Check("unsigned-wrap", ok, False, f"unsigned wrap-around in {t}"))
        return res, checks
    if op in ("div", "mod", "floordiv", "floormod"):
        zero = z3.BitVecVal(0, bits)
        checks.append(Check("division-by-zero", b != zero, True, "division by zero"))
        if signed:
            mn, m1 = z3.BitVecVal(1 << (bits - 1), bits), z3.BitVecVal(-1 % (1 << bits), bits)
            checks.append(Check("div-overflow", z3.Not(z3.And(a == mn, b == m1)), True,
                                f"{t} minimum divided by -1"))
            if op in ("div", "mod"):
                res = (a / b) if op == "div" else z3.SRem(a, b)
            else:   # numpy-typed Python floor ops
                res = _bv_floor(op, a, b)
        else:
            res = z3.UDiv(a, b) if op in ("div", "floordiv") else z3.URem(a, b)
        return res, checks
    if op in ("band", "bor", "bxor"):
        return {"band": a & b, "bor": a | b, "bxor": a ^ b}[op], checks
    raise ValueError(f"unknown operator {op}")


def _bv_floor(op, a, b):
    q = a / b   # signed bit-vector division truncates
    r = z3.SRem(a, b)
    adjust = z3.And(r != 0, (r < 0) != (b < 0))
    if op == "floordiv":
        return z3.If(adjust, q - 1, q)
    return z3.If(adjust, r + b, r)


def _no_overflow(op, a, b, signed):
    if op == "add":
        if not signed:
            return z3.BVAddNoOverflow(a, b, False)
        return z3.And(z3.BVAddNoOverflow(a, b, True), z3.BVAddNoUnderflow(a, b))
    if op == "sub":
        if signed:
            return z3.And(z3.BVSubNoOverflow(a, b), z3.BVSubNoUnderflow(a, b, True))
        return z3.UGE(a, b)
    return z3.And(z3.BVMulNoOverflow(a, b, signed),
                  z3.BVMulNoUnderflow(a, b) if signed else z3.BoolVal(True))


def shift_count(b, rt: ir.Type):
    """A shift count of type rt as a mathematical integer (z3 Int, or the wide bit-vector
    of math_bits)."""
    if isinstance(rt, ir.BoolT):
        return as_math(b, rt)
    return b if unbounded(rt) else as_math(b, rt)


def _shift(op, a, b, t: ir.IntT, rt: ir.Type, checks: list[Check]):
    bits = t.bits
    bm = shift_count(b, rt)
    if isinstance(rt, ir.IntT) and not unbounded(rt) and rt.bits == bits:
        count = b
    else:
        count = convert(b, rt, ir.IntT(bits, False))
    checks.append(Check("shift", z3.And(bm >= 0, bm < bits), True,
                        f"shift count out of range for {t}"))
    if op == "shr":
        return (a >> count) if t.signed else z3.LShR(a, count)
    res = a << count
    if t.signed:
        wide = z3.SignExt(bits, a) << z3.ZeroExt(bits, count)
        ok = z3.And(a >= 0, wide <= z3.BitVecVal(t.max, 2 * bits))
        checks.append(Check("shift", ok, True,
                            f"left shift of a negative value or past the range of {t}"))
    return res


def _pow2(n, limit: int):
    """2**n for 0 <= n < limit, in n's sort (n is checked to be in range separately)."""
    def val(v):
        return z3.BitVecVal(v, n.size()) if z3.is_bv(n) else z3.IntVal(v)
    res = val(0)
    for k in reversed(range(limit)):
        res = z3.If(n == val(k), val(1 << k), res)
    return res


def _shift_math(op, a, bm, t: ir.IntT, checks: list[Check]):
    """A shift whose left operand is an unbounded integer; bm is the count as one too."""
    if t.bits is None:
        return _arith_int(op, a, bm, checks)
    checks.append(Check("shift", z3.And(bm >= 0, bm < t.bits), True,
                        f"shift count out of range for {t}"))
    p = _pow2(bm, t.bits)
    if op == "shr":        # arithmetic shift right = floor division by 2**n
        return _bv_floor("floordiv", a, p) if z3.is_bv(a) else floordiv(a, p)
    res = a * p
    checks.append(Check("shift", z3.And(a >= 0, res <= t.max), True,
                        f"left shift of a negative value or past the range of {t}"))
    return res


def _arith_int(op, a, b, checks: list[Check]):
    if op == "add":
        return a + b
    if op == "sub":
        return a - b
    if op == "mul":
        return a * b
    if op in ("div", "mod", "floordiv", "floormod"):
        checks.append(Check("division-by-zero", b != 0, True, "division by zero"))
        if math_bits():
            if op == "div":
                return a / b
            if op == "mod":
                return z3.SRem(a, b)
            return _bv_floor(op, a, b)
        return {"div": truncdiv_int, "mod": truncmod_int, "floordiv": floordiv,
                "floormod": floormod}[op](a, b)
    if op in ("shl", "shr"):
        checks.append(Check("shift", b >= 0, True, "negative shift count"))
        b = z3.simplify(b)
        if math_bits() and z3.is_bv_value(b):
            return a << b if op == "shl" else a >> b
        if z3.is_int_value(b) and 0 <= b.as_long() <= 64:
            k = 1 << b.as_long()
            return a * k if op == "shl" else floordiv(a, z3.IntVal(k))
        raise NotImplementedError("shift of an unbounded int by a non-constant")
    raise NotImplementedError(f"bitwise operator {op} on unbounded ints")


def _arith_intmodel(op, a, b, t: ir.IntT, rt):
    """The integer model (intmodel.py); bitwise operators and shifts through bit-vectors."""
    if op not in IM.BITWISE:
        return IM.arith(op, a, b, t, Check)
    if op in ("shl", "shr") and z3.is_int_value(b):
        done = IM.const_shift(op, a, b.as_long(), t, Check)
        if done is not None:
            return done
    rt = rt if int_sorted(rt) else None
    with bit_vectors():
        bb = IM.to_bv(b, rt) if rt is not None else b
        res, checks = arith(op, IM.to_bv(a, t), bb, t, rt)
    return IM.from_bv(res, t), checks


def bit_not(a, t: ir.IntT):
    """~a in type t."""
    if unbounded(t):
        return -a - 1
    return IM.bit_not(a, t) if int_sorted(t) else ~a


def negate(a, t: ir.IntT) -> tuple[z3.ExprRef, list[Check]]:
    if unbounded(t):
        return -a, []
    if int_sorted(t):
        res, checks = IM.negate(a, t)
        return res, [Check(*c) for c in checks]
    if t.signed:
        ok = a != z3.BitVecVal(1 << (t.bits - 1), t.bits)
        return -a, [Check("signed-overflow", ok, True, f"{t} overflow in negation")]
    return -a, [Check("unsigned-wrap", a == 0, False, f"unsigned wrap-around in {t}")]
