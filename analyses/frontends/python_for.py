"""Lowering of `for` loops over range(..) and over finite iterables (python_iterables
decides which).

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

from typing import Optional

from .. import ir
from . import python_lengths as L
from .python_exprs import ExprLowerer
from .python_values import coerce
from .python_assumed_iterables import calls_assumption, feeds
from .python_iterables import FiniteIter
from .python_literals import int_literal
from .python_names import bound_names, target_names
from .python_try import raise_point


def _const(v: int, span: ir.Span, typ: ir.Type = ir.MATH_INT) -> ir.Const:
    return ir.Const(value=v, type=typ, span=span)


def _var(ctx, name: str, span: ir.Span) -> ir.Var:
    return ir.Var(name=name, type=ctx.locals[name], span=span)


def _cmp(op: str, left: ir.Expr, right: ir.Expr, span: ir.Span) -> ir.Binary:
    return ir.Binary(op=op, left=left, right=right, type=ir.BOOL, span=span)


def lower_finite_for(sl, node: cst.For, fin: FiniteIter) -> list[ir.Stmt]:
    """sl: the calling StmtLowerer (passed in: python_stmts imports this module)."""
    ctx = sl.ctx
    span, ispan, tspan = sl.span(node), sl.span(node.iter), sl.span(node.target)
    idx, n = ctx.fresh("idx"), ctx.fresh("len")
    idx_e = ir.Var(name=idx, type=ir.MATH_INT, span=ispan)
    zero = ir.Const(value=0, span=ispan)
    out: list[ir.Stmt] = _build_copy(ctx, node.iter, ispan) if fin.eager else []
    out.append(ir.Assign(target=idx, value=zero, span=ispan))
    known = L.length_of(ctx, node.iter) if fin.length is None else None
    if fin.length is not None:
        out.append(ir.Assign(target=n, value=ir.Const(value=fin.length, span=ispan),
                             span=ispan))
    elif known is not None:
        out.append(ir.Assign(target=n, value=known, span=ispan))
    else:
        what = f"the length of {fin.desc} at line {ispan.line}"
        ctx.note(what, ispan)
        out.append(ir.Havoc(targets=[n], what=what, span=ispan))
    head: list[ir.Stmt] = []
    target = node.target
    if fin.int_elements and isinstance(target, cst.Name):
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
    cond: ir.Expr = ir.Binary(op="lt", left=idx_e, right=ir.Var(name=n, type=ir.MATH_INT,
                                                                span=ispan),
                              type=ir.BOOL, span=ispan)
    assumed = fin.assumed
    if assumed and L.tracked(ctx):
        # taking the next item runs the iterator's code, which may change a container
        head = L.invalidate(ctx, ispan) + head
    if not assumed and fin.roots - ctx.iterables.private - fin.private_roots and \
            L.may_change(ctx, node.body, deep=True) and feeds(ctx, node.body) is None:
        # a call in the body may change the list through an alias (the loop then runs
        # more or fewer times): finite only if it does not keep adding to it (an
        # assumption the finding states), else unknown (strict mode)
        assumed = calls_assumption(fin.desc, ispan.line)
    elif not assumed and fin.roots - ctx.iterables.private - fin.private_roots and \
            L.may_change(ctx, node.body, deep=True):
        what = (f"the number of iterations over {fin.desc} at line {ispan.line} (the body "
                f"calls code that may change it)")
        ctx.note(what, ispan)
        cond = ir.Unsupported(what=what, type=ir.BOOL, span=ispan)
    if assumed:
        ctx.assumed.append(assumed)
    body = head + sl.block(node.body)
    return out + [ir.While(cond=cond, body=body, range_loop=True, span=span,
                           iterates=fin.desc, assumed_finite=assumed)]


def _build_copy(ctx, it: cst.BaseExpression, span: ir.Span) -> list[ir.Stmt]:
    """`for x in sorted(seq)`: the copy is built once, before the first iteration; its
    calls (which may not return, e.g. on an infinite seq) are the function's own code."""
    ex = ExprLowerer(ctx)
    e = ex.value(it)
    out = ex.pre + ([] if isinstance(e, ir.Unsupported) else [ir.ExprStmt(expr=e, span=span)])
    if L.tracked(ctx) and L.may_change(ctx, it):
        out += L.invalidate(ctx, span)
    return out


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
    if isinstance(target, cst.Name) and names and names[0] not in L.tracked(ctx):
        # taking the next element cannot fail: a lazy unknown (the interpreter goes on
        # until the value is used)
        return [ir.Assign(target=names[0], value=ir.Unsupported(
            what=what, type=ctx.locals[names[0]], span=span, lazy=True, opaque=True),
            span=span)]
    out: list[ir.Stmt] = [ir.Havoc(targets=names, what=what, span=span)]
    out += L.arbitrary(ctx, set(names) & set(L.tracked(ctx)), what, span)
    if not isinstance(target, (cst.Name, cst.Tuple, cst.List)):
        what2 = f"assignment of a loop element to {sl.ctx.spanner.code(target)}"
        ctx.note(what2, span)
    return out


def count_args(node: cst.For, ctx) -> Optional[tuple]:
    """(start, step) of `for name in itertools.count(start=0, step=1)` when both are int
    literals or int variables and the body rebinds neither them nor the loop variable
    (count also counts floats: those stay "don't know"); else None."""
    it = node.iter
    if not (isinstance(node.target, cst.Name) and isinstance(it, cst.Call)
            and node.asynchronous is None and ctx.index.resolve(it.func) == "itertools.count"
            and len(it.args) <= 2 and all(not a.star for a in it.args)):
        return None
    bound = set(bound_names(node.body)) | ctx.fn_nonlocals | ctx.global_names
    if node.target.value in bound:
        return None
    given: dict = {}
    for k, a in enumerate(it.args):
        key = a.keyword.value if a.keyword is not None else ("start", "step")[k]
        if key not in ("start", "step") or key in given or not _int_operand(a.value, ctx) \
                or (isinstance(a.value, cst.Name) and a.value.value in bound):
            return None
        given[key] = a.value
    return given.get("start"), given.get("step")


def _int_operand(e: cst.BaseExpression, ctx) -> bool:
    """An int literal, or an int variable (negated or not)."""
    if int_literal(e) is not None:
        return True
    if isinstance(e, cst.UnaryOperation) and isinstance(e.operator, cst.Minus):
        e = e.expression
    return isinstance(e, cst.Name) and ctx.locals.get(e.value) == ir.MATH_INT


def lower_count_for(sl, node: cst.For, start_step: tuple) -> list[ir.Stmt]:
    """`for v in itertools.count(start, step)`: an endless loop that only a break, a return
    or an exception leaves, judged like any `while True:`.  The body rebinds neither v nor
    step (count_args), so v itself is the counter (and shows in rankings and witnesses):

        v = start - step
        while True:  v = v + step; body
    """
    ctx = sl.ctx
    ex, span, cspan = ExprLowerer(ctx), sl.span(node), sl.span(node.iter)
    start, step = (coerce(ex.value(e), ir.MATH_INT) if e is not None else _const(d, cspan)
                   for e, d in zip(start_step, (0, 1)))
    v, tspan = node.target.value, sl.span(node.target)
    ctx.declare(v, ir.MATH_INT)
    before = ir.Binary(op="sub", left=start, right=step, type=ir.MATH_INT, span=cspan)
    step_up = ir.Binary(op="add", left=_var(ctx, v, tspan), right=step, type=ir.MATH_INT,
                        span=cspan)
    return ex.pre + [sl.store(v, before, tspan), ir.While(
        cond=_const(1, cspan, ir.BOOL), body=[sl.store(v, step_up, tspan)]
        + sl.block(node.body), span=span)]


def lower_range_for(sl, node: cst.For) -> list[ir.Stmt]:
    """`for v in range(..)`: see python_stmts' module docstring."""
    ctx, it = sl.ctx, node.iter
    ex, span, rspan = ExprLowerer(ctx), sl.span(node), sl.span(it)
    args = [coerce(ex.value(a.value), ir.MATH_INT) for a in it.args]
    start = args[0] if len(args) > 1 else _const(0, rspan)
    stop = args[1] if len(args) > 1 else args[0]
    step = args[2] if len(args) == 3 else _const(1, rspan)
    cur, stop_v = ctx.fresh("cur"), ctx.fresh("stop")
    out = ex.pre + [ir.Assign(target=cur, value=start, span=start.span),
                    ir.Assign(target=stop_v, value=stop, span=stop.span)]
    cur_e, stop_e = _var(ctx, cur, rspan), _var(ctx, stop_v, rspan)
    halt = raise_point(ctx, ValueError, rspan, None, "raise ValueError")   # (python_try)
    if isinstance(step, ir.Const):
        if step.value == 0:
            return out + halt
        step_e: ir.Expr = step
        cond = _cmp("lt" if step.value > 0 else "gt", cur_e, stop_e, rspan)
    else:
        step_v = ctx.fresh("step")
        step_e = _var(ctx, step_v, rspan)
        zero = _const(0, rspan)
        out += [ir.Assign(target=step_v, value=step, span=step.span),
                ir.If(cond=_cmp("eq", step_e, zero, rspan), then=halt, span=rspan)]
        up = ir.Binary(op="and", left=_cmp("gt", step_e, zero, rspan),
                       right=_cmp("lt", cur_e, stop_e, rspan), type=ir.BOOL, span=rspan)
        down = ir.Binary(op="and", left=_cmp("lt", step_e, zero, rspan),
                         right=_cmp("gt", cur_e, stop_e, rspan), type=ir.BOOL, span=rspan)
        cond = ir.Binary(op="or", left=up, right=down, type=ir.BOOL, span=rspan)
    tspan = sl.span(node.target)
    head = [sl.store(node.target.value, cur_e, tspan),
            ir.Assign(target=cur, value=ir.Binary(op="add", left=cur_e, right=step_e,
                                                  span=rspan), span=rspan)]
    body = head + sl.block(node.body)
    return out + [ir.While(cond=cond, body=body, range_loop=True, span=span)]
