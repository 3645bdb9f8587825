"""Lowering of `for` loops over finite iterables (python_iterables decides which).

    for T in IT: body       ==>     $idx = 0; $len = len(IT)   (a constant for displays,
                                                                else arbitrary >= 0)
                                    while $idx < $len:          (range_loop: terminates)
                                        T = element $idx; $idx = $idx + 1; body

The hidden counter cannot be assigned by the body, so the loop terminates by construction.
The element is exact for displays of int literals and for enumerate's index; otherwise
the target gets an arbitrary value, and results that depend on it are "don't know".
"""
from __future__ import annotations

import libcst as cst

from .. import ir
from .python_exprs import ExprLowerer, coerce
from .python_iterables import FiniteIter
from .python_names import target_names


def lower_finite_for(sl, node: cst.For, fin: FiniteIter) -> list[ir.Stmt]:
    """sl: the calling StmtLowerer (passed in: python_stmts imports this module)."""
    ctx = sl.ctx
    span, ispan, tspan = sl.span(node), sl.span(node.iter), sl.span(node.target)
    idx, n = ctx.fresh("idx"), ctx.fresh("len")
    idx_e = ir.Var(name=idx, type=ir.MATH_INT, span=ispan)
    zero = ir.Const(value=0, span=ispan)
    out: list[ir.Stmt] = [ir.Assign(target=idx, value=zero, span=ispan)]
    if fin.length is not None:
        out.append(ir.Assign(target=n, value=ir.Const(value=fin.length, span=ispan),
                             span=ispan))
    else:
        what = f"the length of {fin.desc} at line {ispan.line}"
        ctx.note(what, ispan)
        out.append(ir.Havoc(targets=[n], what=what, span=ispan))
    head: list[ir.Stmt] = []
    target = node.target
    if fin.int_elements is not None and isinstance(target, cst.Name):
        head.append(sl.store(target.value, _select(idx_e, fin.int_elements, ispan), tspan))
    elif (fin.enumerated and isinstance(target, (cst.Tuple, cst.List))
          and len(target.elements) == 2 and isinstance(target.elements[0].value, cst.Name)):
        start: ir.Expr = zero
        if fin.enumerate_start is not None:
            ex = ExprLowerer(ctx)
            start_e = coerce(ex.value(fin.enumerate_start), ir.MATH_INT)
            tmp = ctx.fresh("start")
            out += ex.pre + [ir.Assign(target=tmp, value=start_e, span=start_e.span)]
            start = ir.Var(name=tmp, type=ir.MATH_INT, span=ispan)
        count = ir.Binary(op="add", left=start, right=idx_e, span=ispan)
        head.append(sl.store(target.elements[0].value.value, count, tspan))
        head += _arbitrary(sl, target.elements[1].value, fin, tspan)
    else:
        head += _arbitrary(sl, target, fin, tspan)
    one = ir.Const(value=1, span=ispan)
    head.append(ir.Assign(target=idx, value=ir.Binary(op="add", left=idx_e, right=one,
                                                      span=ispan), span=ispan))
    cond = ir.Binary(op="lt", left=idx_e, right=ir.Var(name=n, type=ir.MATH_INT, span=ispan),
                     type=ir.BOOL, span=ispan)
    body = head + sl.block(node.body)
    return out + [ir.While(cond=cond, body=body, range_loop=True, span=span,
                           iterates=fin.desc)]


def _select(idx: ir.Expr, values: list[int], span: ir.Span) -> ir.Expr:
    """values[idx] for 0 <= idx < len(values), as an if-then-else chain."""
    acc: ir.Expr = ir.Const(value=values[-1], span=span)
    for i in range(len(values) - 2, -1, -1):
        test = ir.Binary(op="eq", left=idx, right=ir.Const(value=i, span=span), type=ir.BOOL,
                         span=span)
        acc = ir.Ite(cond=test, then=ir.Const(value=values[i], span=span), orelse=acc,
                     span=span)
    return acc


def _arbitrary(sl, target: cst.BaseExpression, fin: FiniteIter,
               span: ir.Span) -> list[ir.Stmt]:
    """The loop target gets an arbitrary value (an element of unknown type)."""
    ctx = sl.ctx
    names = [t for t in target_names(target)
             if t not in ctx.global_names and t not in ctx.nested_defs]
    what = f"an element of {fin.desc} at line {span.line}"
    ctx.note(what, span)
    for t in names:
        ctx.declare(t, ir.MATH_INT)
    out: list[ir.Stmt] = [ir.Havoc(targets=names, what=what, span=span)]
    if not isinstance(target, (cst.Name, cst.Tuple, cst.List)):
        what2 = f"assignment of a loop element to {sl.ctx.spanner.code(target)}"
        ctx.note(what2, span)
    return out
