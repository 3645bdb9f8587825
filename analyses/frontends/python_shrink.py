"""Statements that remove exactly one element from a tracked container the function does
not own (a parameter, an alias): `xs.pop()`, `xs.remove(v)`, `d.popitem()`, `del xs[i]`.

Such a container may share its object with another name, so every mutable container's
length becomes arbitrary after the statement (python_lengths.invalidate) — except the
one that shrank: its new length is its old one minus 1 (the removal succeeded, so the old
length was at least 1; otherwise the statement raised and the path ended there).  This
lets `while xs: xs.pop()` rank on len(xs).  As everywhere in the model, an annotation
`list`/`dict`/`set` is taken for the builtin type (not a subclass overriding `pop`).
Fresh locals are handled exactly by python_lengths.fresh_updates already.
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from .. import ir
from . import python_lengths as L
from .python_names import kids, mentions

# methods that remove exactly one element or raise, per container kind
_REMOVE_ONE = {
    "list": {"pop": (0, 1), "remove": (1, 1)},
    "bytearray": {"pop": (0, 1), "remove": (1, 1)},
    "deque": {"pop": (0, 0), "popleft": (0, 0), "remove": (1, 1)},
    "dict": {"popitem": (0, 0), "pop": (1, 1)},
    "set": {"pop": (0, 0), "remove": (1, 1)},
}
_DEL_ONE = ("list", "bytearray", "deque", "dict")


def shrunk_name(ctx, node: cst.CSTNode) -> Optional[str]:
    """The container a simple statement removes exactly one element from (or None):
    `xs.pop()` / `v = xs.pop(i)` / `xs.remove(v)` / `d.popitem()` / `d.pop(k)` /
    `del xs[i]` on a tracked name that is not a fresh local."""
    model = ctx.iterables
    kinds = L.tracked(ctx)
    call = None
    if isinstance(node, cst.Expr):
        call = node.value
    elif isinstance(node, cst.Assign) and len(node.targets) == 1 \
            and _plain_target(node.targets[0].target):
        call = node.value
    if isinstance(call, cst.Call):
        f = call.func
        if not (isinstance(f, cst.Attribute) and isinstance(f.value, cst.Name)):
            return None
        name = f.value.value
        arity = _REMOVE_ONE.get(kinds.get(name, ""), {}).get(f.attr.value)
        if arity is None or any(a.keyword or a.star for a in call.args) \
                or not arity[0] <= len(call.args) <= arity[1]:
            return None
        if isinstance(node, cst.Assign) and mentions(node.targets[0].target, name):
            return None                     # `xs = xs.pop()`: rebinds xs
        if model is not None and name in model.fresh:
            return None                     # fresh_updates keeps it exact
        if any(mentions(a.value, name) or not _no_calls(a.value) for a in call.args):
            return None                     # the length is read before the arguments run
        return name
    if isinstance(node, cst.Del) and isinstance(node.target, cst.Subscript):
        t = node.target
        if isinstance(t.value, cst.Name) and kinds.get(t.value.value) in _DEL_ONE \
                and L.single_index(t) is not None \
                and not mentions(L.single_index(t), t.value.value) \
                and _no_calls(L.single_index(t)) \
                and (model is None or t.value.value not in model.fresh):
            return t.value.value
    return None


def _plain_target(t: cst.BaseExpression) -> bool:
    """A name or a tuple/list of names (no store into a container that may be an alias)."""
    if isinstance(t, cst.Name):
        return True
    return isinstance(t, (cst.Tuple, cst.List)) and all(
        isinstance(e, cst.Element) and _plain_target(e.value) for e in t.elements)


def _no_calls(node: cst.CSTNode) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, (cst.Call, cst.Yield, cst.Await, cst.Lambda, cst.NamedExpr)):
            return False
        stack.extend(kids(n))
    return True


def around(ctx, name: str, out: list[ir.Stmt], span: ir.Span) -> list[ir.Stmt]:
    """`out` (the statement's IR, ending with the invalidation of all lengths) with
    len(name) saved before it and set to the saved value minus 1 after it."""
    saved = ctx.fresh("shrink")
    ctx.declare(saved, ir.MATH_INT)
    v = L.len_var(name)
    ctx.declare(v, ir.MATH_INT)
    old = ir.Var(name=saved, type=ir.MATH_INT, span=span)
    one = ir.Const(value=1, span=span)
    return ([ir.Assign(target=saved, value=ir.Var(name=v, type=ir.MATH_INT, span=span),
                       span=span)]
            + out
            + [ir.Assume(cond=ir.Binary(op="ge", left=old, right=one, type=ir.BOOL,
                                        span=span), span=span),
               ir.Assign(target=v, value=ir.Binary(op="sub", left=old, right=one, span=span),
                         span=span)])
