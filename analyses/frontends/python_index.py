"""IndexError obligations of Python subscripts on known sequences.

`xs[i]` (read, store, `del`, augmented) on a name known to hold a list, tuple, str, bytes
or bytearray (python_iterables: annotations, displays, literals) with one integer index
is an `Assert(kind='index')`: `-len(xs) <= i < len(xs)` over the hidden length variable
(python_lengths).  The engine makes it an `overflow`-kind finding with property `index`;
the interpreter checks the same condition, and a failing run stops there (IndexError).

The check is hoisted into the statements that run before the expression (`pre`), so
where the subscript is only evaluated conditionally (right of `and`/`or`, an
if-expression branch, a later comparison of a chain) it is guarded by the conditions
that lead there.  When that is not exact (a guard that calls something, a length read
after a call in the same expression that may change the container) the condition is
unknown, so the finding is "don't know", never a wrong verdict.  Slices never raise.
Subscripts of anything else (dicts, user classes, unknown values) get no obligation.
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from .. import ir
from . import python_lengths as L
from .python_values import is_pure, to_bool


def sequence_name(ctx, node: cst.BaseExpression) -> Optional[str]:
    """The tracked sequence `node` names, if any."""
    if isinstance(node, cst.Name) and L.tracked(ctx).get(node.value) in L.SEQUENCES:
        return node.value
    return None


def index_check(lw, node: cst.Subscript, what: str = "read") -> bool:
    """Append to lw.pre the IndexError check of `node` when it subscripts a known
    sequence with one index (the index is evaluated once, in order).  True if done."""
    name, idx = sequence_name(lw.ctx, node.value), L.single_index(node)
    if name is None or idx is None:
        return False
    span = lw.span(node)
    i = lw.once(lw.value(idx))
    length = ir.Var(name=L.len_var(name), type=ir.MATH_INT, span=span)
    ok: ir.Expr = ir.Binary(
        op="and",
        left=ir.Binary(op="le", left=ir.Unary(op="neg", arg=length, span=span),
                       right=i, type=ir.BOOL, span=span),
        right=ir.Binary(op="lt", left=i, right=length, type=ir.BOOL, span=span),
        type=ir.BOOL, span=span)
    if lw.called:
        ok = ir.Unsupported(what=f"the length of {name} after a call in the same expression "
                                 f"at line {span.line}", type=ir.BOOL, span=span)
    guards = list(lw.guards)
    if guards and not all(is_pure(g) for g in guards):
        ok = ir.Unsupported(what=f"the condition under which the subscript at line "
                                 f"{span.line} runs", type=ir.BOOL, span=span)
    elif guards:
        g = guards[0]
        for h in guards[1:]:
            g = ir.Binary(op="and", left=g, right=h, type=ir.BOOL, span=span)
        ok = ir.Binary(op="implies", left=to_bool(g), right=ok, type=ir.BOOL, span=span)
    lw.pre.append(ir.Assert(cond=ok, kind="index", span=span,
                            message=f"IndexError: {name}[{lw.ctx.spanner.code(idx)}] "
                                    f"({what}) out of range"))
    return True
