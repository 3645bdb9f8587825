"""The integer model of C arithmetic: every C integer is a mathematical integer (z3 Int)
that lies in its type's range.

It is exact because of the rule the engine follows anyway (Frama-C WP's RTE model): every
signed operation's overflow is its own obligation and is assumed absent afterwards, so a
signed value is the exact result of its operation.  Unsigned arithmetic is reduced
mod 2^n, `/` and `%` truncate toward zero, conversions wrap explicitly.  Bitwise operators
and shifts are computed on bit-vectors (int2bv / bv2int at the boundary, by
encode_ops.arith);
`uses_bitwise` lets the driver pick bit-vectors for the whole function instead.

This module builds terms only; encoding_modes.py decides when the model is on (encode.py
and encode_ops.py import this module, never the other way round).
"""
from __future__ import annotations

import z3

from .. import ir

BITWISE = ("band", "bor", "bxor", "shl", "shr")


def wrap(term, t: ir.IntT):
    """The value of type t that an exact integer becomes (two's complement, mod 2^n)."""
    m = 1 << t.bits
    if t.signed:
        return (term - t.min) % m + t.min
    return term % m


def in_range(term, t: ir.IntT) -> z3.BoolRef:
    return z3.And(term >= t.min, term <= t.max)


def literal(value: int, t: ir.IntT) -> z3.ArithRef:
    m = 1 << t.bits
    v = int(value) % m
    if t.signed and v > t.max:
        v -= m
    return z3.IntVal(v)


def to_bv(term, t: ir.IntT) -> z3.BitVecRef:
    return z3.Int2BV(term, t.bits)


def from_bv(term, t: ir.IntT):
    return z3.BV2Int(term, is_signed=t.signed)


def trunc_div(a, b):
    """C a / b on integers: the quotient truncated toward zero."""
    q = z3.If(a >= 0, a / z3.If(b >= 0, b, -b), -((-a) / z3.If(b >= 0, b, -b)))
    return z3.If(b >= 0, q, -q)


def trunc_mod(a, b):
    return a - b * trunc_div(a, b)


def arith(op: str, a, b, t: ir.IntT, make_check) -> tuple:
    """(result, checks) of a non-bitwise `a op b` in type t; make_check(prop, ok, ub,
    message) builds an encode_ops.Check."""
    checks = []
    if op in ("add", "sub", "mul"):
        exact = {"add": a + b, "sub": a - b, "mul": a * b}[op]
        ok = in_range(exact, t)
        if t.signed:
            checks.append(make_check("signed-overflow", ok, True, f"{t} overflow"))
            return exact, checks
        checks.append(make_check("unsigned-wrap", ok, False, f"unsigned wrap-around in {t}"))
        if op == "add":
            res = z3.If(exact > t.max, exact - (1 << t.bits), exact)
        elif op == "sub":
            res = z3.If(exact < 0, exact + (1 << t.bits), exact)
        else:
            res = z3.If(ok, exact, exact % (1 << t.bits))
        return res, checks
    if op in ("div", "mod"):
        checks.append(make_check("division-by-zero", b != 0, True, "division by zero"))
        if t.signed:
            checks.append(make_check("div-overflow", z3.Not(z3.And(a == t.min, b == -1)), True,
                                     f"{t} minimum divided by -1"))
            return (trunc_div(a, b) if op == "div" else trunc_mod(a, b)), checks
        # both operands are >= 0: z3's Euclidean division is the truncating one
        return (a / b if op == "div" else a % b), checks
    raise NotImplementedError(f"operator {op} in the integer model")


def const_shift(op: str, a, k: int, t: ir.IntT, make_check) -> tuple:
    """a << k or a >> k by a constant count: exact arithmetic, no bit-vectors.  `>>` of a
    negative value is arithmetic (floor division, as gcc defines it); `<<` of a signed
    value is undefined when a < 0 or the result leaves the type."""
    if not 0 <= k < t.bits:
        return None
    # the count's check holds, but stays an obligation (a proved finding, as with bit-vectors)
    kv = z3.IntVal(k)
    checks = [make_check("shift", z3.And(kv >= 0, kv < t.bits), True,
                         f"shift count out of range for {t}")]
    if op == "shr":
        return (a / (1 << k) if k else a), checks
    exact = a * (1 << k)
    if not t.signed:
        return z3.If(exact <= t.max, exact, exact % (1 << t.bits)), checks
    ok = z3.And(a >= 0, exact <= t.max)
    return exact, checks + [make_check("shift", ok, True,
                                       f"left shift of a negative value or past the range of {t}")]


def negate(a, t: ir.IntT) -> tuple:
    if t.signed:
        return -a, [("signed-overflow", a != t.min, True, f"{t} overflow in negation")]
    return z3.If(a == 0, a, (1 << t.bits) - a), [
        ("unsigned-wrap", a == 0, False, f"unsigned wrap-around in {t}")]


def bit_not(a, t: ir.IntT):
    """~a: -a - 1 for signed (two's complement), 2^n - 1 - a for unsigned."""
    return -a - 1 if t.signed else (1 << t.bits) - 1 - a


def _exprs(node, out: list) -> None:
    if isinstance(node, (list, tuple)):
        for n in node:
            _exprs(n, out)
        return
    if isinstance(node, (ir.Unary, ir.Binary)):
        out.append(node)
    if isinstance(node, (ir.Expr, ir.Stmt, ir.Contract)):
        for v in vars(node).values():
            if isinstance(v, (ir.Expr, ir.Stmt, ir.Contract, list, tuple)):
                _exprs(v, out)


def uses_bitwise(program: ir.Program, name: str) -> bool:
    """Does the function (or anything it may inline) use a bitwise operator or a shift on
    a C integer?  Such functions are encoded with bit-vectors throughout."""
    from ..callgraph import reachable
    for f in {name} | reachable(program, name):
        fn = program.functions.get(f)
        if fn is None:
            continue
        ops: list = []
        _exprs([fn.body, fn.requires, fn.ensures], ops)
        for e in ops:
            bounded = isinstance(e.type, ir.IntT) and e.type.bits is not None
            if bounded and e.op in ("shl", "shr") and _constant(e.right):
                continue            # exact as arithmetic (const_shift)
            if bounded and (e.op in BITWISE or e.op == "bnot"):
                return True
    return False


def _constant(e) -> bool:
    while isinstance(e, ir.Cast):
        e = e.arg
    return isinstance(e, ir.Const)


def uses_signed(program: ir.Program, name: str) -> bool:
    """Does a signed bounded C integer type (not _Bool) occur anywhere in the function,
    in what it may inline, or among the program's globals?  When none does, reading
    signed values as unbounded (encoding_modes.unbounded_signed) changes nothing, and
    termination's exact view is the view it has (no second abstract run).  Walks every
    object of the IR, types inside pointers, arrays and structs included."""
    from ..callgraph import reachable
    roots: list = [list(program.globals.values())]
    for f in {name} | reachable(program, name):
        fn = program.functions.get(f)
        if fn is not None:
            roots.append(fn)
    seen: set = set()
    todo = roots
    while todo:
        node = todo.pop()
        if id(node) in seen or isinstance(node, (str, int, float, bool, bytes, type(None))):
            continue
        seen.add(id(node))
        if isinstance(node, ir.IntT):
            if node.bits is not None and node.signed and node.name != "_Bool":
                return True
            continue
        if isinstance(node, dict):
            todo.extend(node.values())
        elif isinstance(node, (list, tuple, set, frozenset)):
            todo.extend(node)
        elif hasattr(node, "__dict__"):
            todo.extend(vars(node).values())
        elif hasattr(node, "__slots__"):
            todo.extend(getattr(node, a, None) for a in node.__slots__)
    return False
