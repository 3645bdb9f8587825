"""`k in c` on known containers, and KeyError obligations of `d[k]` on dicts.

Nothing is known about what a container holds, so `k in c` is an arbitrary truth value —
but a consistent one: the last answer for each (key text, container) is remembered with
the key's value and the *epoch* at which it was taken.  The epoch (one hidden counter
per function) goes up whenever any container may change (its length is set or made
arbitrary, an element is stored: python_lengths), so an answer is reused only while
nothing changed and the key has the same value; otherwise it is a fresh unknown (a
`Havoc`, so a counterexample that depends on it is "don't know").

`d[k]` on a dict is an `index` obligation ("KeyError"): it holds where `k in d` was found
true (or `d[k] = v` / `d.setdefault(k, ..)` ran) since the last change.  Nothing is known
about a dict's keys otherwise, so KeyError findings are proved or "don't know", never ✗ —
except on dicts whose keys are known exactly (python_known_dicts), where `d[k]` and
`k in d` are decided over its key set.
Keys: names (not containers), int and string literals.  Elsewhere (a conditionally
evaluated operand, another key) `in` stays unsupported and `d[k]` gets no obligation.
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from .. import ir
from . import python_lengths as L
from .python_names import kids
from .python_dict_keys import literal_key
from .python_known_dicts import int_expr, member
from .python_try import check

EPOCH = L.EPOCH


def uses_membership(ctx, body: cst.CSTNode) -> bool:
    """Does the function test membership in, or subscript, a tracked container?"""
    names = L.tracked(ctx)
    stack = [body]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.ComparisonTarget) and isinstance(n.operator, (cst.In, cst.NotIn)) \
                and isinstance(n.comparator, cst.Name) and n.comparator.value in names:
            return True
        if isinstance(n, cst.Subscript) and isinstance(n.value, cst.Name) \
                and names.get(n.value.value) == "dict":
            return True
        if not isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) or n is body:
            stack.extend(kids(n))
    return False


def entry(ctx, span: ir.Span) -> list[ir.Stmt]:
    """The epoch starts at 0 and no answer is remembered (called after the body is
    lowered, when every remembered pair is known)."""
    if not ctx.membership:
        return []
    out = [ir.Assign(target=EPOCH, value=ir.Const(value=0, span=span), span=span)]
    for key, c in sorted(ctx.memos):
        out.append(ir.Assign(target=_names(key, c)[2], value=ir.Const(value=-1, span=span),
                             span=span))
    return out


def _names(key: str, c: str) -> tuple[str, str, str]:
    return f"in({key}, {c})", f"in-key({key}, {c})", f"in-at({key}, {c})"


def _key(lw, node: cst.BaseExpression) -> Optional[tuple[str, ir.Expr]]:
    """(text, value) of a key we can remember answers for."""
    ctx = lw.ctx
    kind = L.tracked(ctx).get(node.value) if isinstance(node, cst.Name) else None
    if kind in ("str", "bytes", "tuple", "frozenset"):
        # an immutable container's IR value is not its value, but every rebinding of a
        # tracked name sets or havocs its length, which moves the epoch: the text is enough
        return node.value, ir.Const(value=0, span=lw.span(node))
    if isinstance(node, cst.Name) and kind is None \
            and node.value not in ("True", "False", "None"):
        v = lw.value(node)
        return (node.value, v) if isinstance(v, ir.Var) else None
    if isinstance(node, cst.Integer):
        return node.value, lw.value(node)
    if isinstance(node, cst.SimpleString):
        return node.value, ir.Const(value=0, span=lw.span(node))   # the text is the key
    return None


def _lookup(lw, key: str, kv: ir.Expr, c: str, span: ir.Span) -> ir.Var:
    """Pre statements: t = the remembered answer if still valid, else unknown; remember t."""
    ctx = lw.ctx
    ctx.memos.add((key, c))
    val, kname, at = _names(key, c)
    for n in (val, kname, at, EPOCH):
        ctx.declare(n, ir.MATH_INT)
    t = ctx.fresh("in")

    def var(n):
        return ir.Var(name=n, type=ir.MATH_INT, span=span)
    valid = ir.Binary(op="and", type=ir.BOOL, span=span,
                      left=ir.Binary(op="eq", left=var(at), right=var(EPOCH), type=ir.BOOL,
                                     span=span),
                      right=ir.Binary(op="eq", left=var(kname), right=kv, type=ir.BOOL,
                                      span=span))
    what = f"membership test {key} in {c} at line {span.line}"
    lw.pre += [ir.If(cond=valid, then=[ir.Assign(target=t, value=var(val), span=span)],
                     orelse=[ir.Havoc(targets=[t], what=what, span=span)], span=span)]
    lw.pre += remember(ctx, key, kv, c, var(t), span)
    return var(t)


def remember(ctx, key: str, kv: ir.Expr, c: str, answer: ir.Expr,
             span: ir.Span) -> list[ir.Stmt]:
    ctx.memos.add((key, c))
    val, kname, at = _names(key, c)
    for n in (val, kname, at, EPOCH):
        ctx.declare(n, ir.MATH_INT)
    return [ir.Assign(target=val, value=answer, span=span),
            ir.Assign(target=kname, value=kv, span=span),
            ir.Assign(target=at, value=ir.Var(name=EPOCH, type=ir.MATH_INT, span=span),
                      span=span)]


def membership(lw, left: cst.BaseExpression, container: cst.BaseExpression, negated: bool,
               span: ir.Span) -> Optional[ir.Expr]:
    """`k in c` / `k not in c` as a BOOL, or None (not modelled here)."""
    ctx = lw.ctx
    if not ctx.membership or not isinstance(container, cst.Name) \
            or container.value not in L.tracked(ctx):
        return None
    if container.value in ctx.known_dicts and (literal_key(left) or int_expr(ctx, left)):
        exact = member(ctx, container.value, left,      # pure: exact anywhere
                       None if literal_key(left) else lw.value(left), span)
        if exact is not None:
            return ir.Unary(op="not", arg=exact, type=ir.BOOL, span=span) if negated else exact
    k = _key(lw, left) if lw.cond_depth == 0 and not lw.called else None
    if k is None:
        return None
    t = _lookup(lw, k[0], lw.once(k[1]), container.value, span)
    return ir.Binary(op="eq" if negated else "ne", left=t, right=ir.Const(value=0, span=span),
                     type=ir.BOOL, span=span)


def key_check(lw, node: cst.Subscript, what: str) -> bool:
    """`d[k]` on a tracked dict: the KeyError obligation (pre statements); True if done."""
    ctx = lw.ctx
    if not (isinstance(node.value, cst.Name) and L.tracked(ctx).get(node.value.value) == "dict"
            and ctx.membership):
        return False
    idx = L.single_index(node)
    span = lw.span(node)
    k = _key(lw, idx) if idx is not None and lw.cond_depth == 0 and not lw.called else None
    d = node.value.value
    text = ctx.spanner.code(idx) if idx is not None else "?"
    msg = f"KeyError: {d}[{text}] ({what}) may be missing"
    if k is None and d in ctx.known_dicts and idx is not None and lw.cond_depth == 0 \
            and not lw.called:                  # an arithmetic key (python_known_dicts)
        exact = member(ctx, d, idx, lw.value(idx), span)
        if exact is not None:
            lw.pre += check(ctx, exact, span, msg, KeyError)
            return True
    if k is None:
        lw.pre += check(ctx, ir.Unsupported(what=f"the keys of {d} at line {span.line}",
                                            type=ir.BOOL, span=span), span, msg, KeyError)
        return True
    kv = lw.once(k[1])
    if d in ctx.known_dicts:            # keys known: exact (python_known_dicts)
        exact = member(ctx, d, idx, kv, span)
        if exact is not None:
            lw.pre += check(ctx, exact, span, msg, KeyError)
            return True
    t = _lookup(lw, k[0], kv, d, span)
    ok = ir.Binary(op="ne", left=t, right=ir.Const(value=0, span=span), type=ir.BOOL,
                   span=span)
    lw.pre += check(ctx, ok, span, msg, KeyError)     # a handler may catch it (python_try)
    return True


def stored(lw, target: cst.Subscript, span: ir.Span) -> list[ir.Stmt]:
    """After `d[k] = v` (and after the epoch went up for it): k is in d."""
    ctx = lw.ctx
    idx = L.single_index(target)
    if not (ctx.membership and isinstance(target.value, cst.Name) and idx is not None
            and L.tracked(ctx).get(target.value.value) == "dict"):
        return []
    k = _key(lw, idx)
    if k is None or not isinstance(k[1], (ir.Var, ir.Const)):
        return []
    return remember(ctx, k[0], k[1], target.value.value, ir.Const(value=1, span=span), span)
