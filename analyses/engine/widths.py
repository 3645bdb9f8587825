"""Widths of the bit-vectors that stand for unbounded (ACSL) integers in C contracts under
the bit-vector encoding: wide enough that no contract term of the function can wrap."""
from __future__ import annotations

from .. import ir


def needed_bits(e) -> int:
    """Bits that suffice to evaluate an unbounded-int expression without wrap-around."""
    if isinstance(e, ir.Const):
        return abs(e.value).bit_length() + 2
    if isinstance(e.type, ir.IntT) and e.type.bits is not None:
        return e.type.bits + 1
    if isinstance(e, ir.Cast):
        return needed_bits(e.arg) if isinstance(e.arg.type, ir.IntT) else 2
    if isinstance(e, ir.Binary):
        a, b = needed_bits(e.left), needed_bits(e.right)
        if e.op == "mul":
            return a + b
        if e.op == "shl":
            return a + (e.right.value if isinstance(e.right, ir.Const) else 4096)
        return max(a, b) + 1
    if isinstance(e, ir.Unary):
        return needed_bits(e.arg) + 1
    if isinstance(e, ir.Ite):
        return max(needed_bits(e.then), needed_bits(e.orelse), needed_bits(e.cond))
    if isinstance(e, ir.Old):
        return needed_bits(e.arg)
    if isinstance(e, ir.Call):
        return max([needed_bits(a) for a in e.args] + [66])
    return 66


def contract_width(program: ir.Program):
    """Width for unbounded integers in C contracts (None: z3 Int, used for Python)."""
    if program.language != "c":
        return None
    need = 72
    todo = []
    for fn in program.functions.values():
        todo += [c.expr for c in fn.requires + fn.ensures]
        stack = list(fn.body)
        while stack:
            s = stack.pop()
            if isinstance(s, ir.While):
                todo += [c.expr for c in s.invariants]
                if s.variant is not None:
                    todo.append(s.variant.expr)
                stack += s.body + s.update
            elif isinstance(s, ir.If):
                stack += s.then + s.orelse
    for e in todo:
        need = max(need, needed_bits(e) + 2)
    return need if need <= 1024 else None
