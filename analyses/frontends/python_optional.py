"""Parameters that hold an int or None: `Optional[int]`, `int | None`, `x: int = None`.

Such a parameter x is its int value plus a hidden flag `none(x)` (1: x is None), set at
entry from a choice that proofs treat as arbitrary and the concrete interpreter — which
runs the function on an int — as "not None".  `x is None` / `x is not None` / `if x:`
read the flag, so they narrow; `x = x or k`, `x = <int>` clear it, `x = None` sets it.
Any other read of x while it may be None is an unknown value (arithmetic on None raises
TypeError): what depends on it is never proved, and a counterexample on the int path
is still re-run and reported.  A parameter rebound in any other way (augmented, a loop
target, unpacking, ...) stays unmodelled, as before.
"""
from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from .. import ir
from .python_names import kids

_OPTIONAL_INT = re.compile(
    r"^\s*(?:(?:typing\.)?Optional\[\s*int\s*\]|int\s*\|\s*None|None\s*\|\s*int|"
    r"(?:typing\.)?Union\[\s*int\s*,\s*None\s*\]|(?:typing\.)?Union\[\s*None\s*,\s*int\s*\])\s*$")


def flag(name: str) -> str:
    return f"none({name})"


def is_optional_int(annotation_code: Optional[str], default_is_none: bool,
                    annotated_int: bool) -> bool:
    """`Optional[int]`, `int | None`, `Union[int, None]`, or `int` with default None."""
    if annotation_code is None:
        return False
    return bool(_OPTIONAL_INT.match(annotation_code)) or (annotated_int and default_is_none)


def rebound_simply(body: cst.CSTNode, name: str) -> bool:
    """Is every binding of `name` in the body a plain `name = value`?"""
    stack = [body]
    while stack:
        n = stack.pop()
        if isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) and n is not body:
            continue
        if isinstance(n, cst.Assign):
            if any(_names(t.target) & {name} for t in n.targets) and not (
                    len(n.targets) == 1 and isinstance(n.targets[0].target, cst.Name)):
                return False
        elif isinstance(n, (cst.AugAssign, cst.AnnAssign, cst.For, cst.AsName, cst.NamedExpr,
                            cst.Del, cst.Global, cst.Nonlocal, cst.CompFor)):
            target = getattr(n, "target", None) or getattr(n, "name", None)
            if isinstance(n, (cst.Global, cst.Nonlocal)) or (
                    target is not None and name in _names(target)):
                return False
        stack.extend(kids(n))
    return True


def _names(t) -> set:
    out = set()
    stack = [t]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Name):
            out.add(n.value)
        elif isinstance(n, (cst.Tuple, cst.List, cst.StarredElement, cst.Element)):
            stack.extend(kids(n))
    return out


def entry(ctx, name: str, span: ir.Span) -> ir.Stmt:
    """`none(x)` at entry: arbitrary for proofs, false in a concrete run."""
    ctx.optional.add(name)
    ctx.declare(flag(name), ir.MATH_INT)
    choice = ir.Unsupported(what=f"{ir.MAYBE_NONE} {name}", type=ir.BOOL, span=span)
    return ir.Assign(target=flag(name), span=span, value=ir.Ite(
        cond=choice, then=ir.Const(value=1, span=span), orelse=ir.Const(value=0, span=span),
        type=ir.MATH_INT, span=span))


def none_tested(ctx, left, right) -> Optional[str]:
    """The optional parameter of `x is None` / `None is x`, if that is the test."""
    if isinstance(left, cst.Name) and left.value == "None":
        left, right = right, left
    if isinstance(right, cst.Name) and right.value == "None" and isinstance(left, cst.Name) \
            and left.value in ctx.optional:
        return left.value
    return None


def _flag(name: str, span: ir.Span) -> ir.Var:
    return ir.Var(name=flag(name), type=ir.MATH_INT, span=span)


def _ne0(e: ir.Expr, span: ir.Span) -> ir.Expr:
    return ir.Binary(op="ne", left=e, right=ir.Const(value=0, span=span), type=ir.BOOL, span=span)


def none_test(name: str, negated: bool, span: ir.Span) -> ir.Expr:
    """`name is None` (negated: `is not None`)."""
    return ir.Binary(op="eq" if negated else "ne", left=_flag(name, span),
                     right=ir.Const(value=0, span=span), type=ir.BOOL, span=span)


def truthy(ctx, name: str, span: ir.Span) -> ir.Expr:
    """`bool(name)`: not None and not 0."""
    x = ir.Var(name=name, type=ctx.local_type(name), span=span)
    return ir.Binary(op="and", left=none_test(name, True, span), right=_ne0(x, span),
                     type=ir.BOOL, span=span)


def read(ctx, name: str, span: ir.Span) -> ir.Expr:
    """x as an int: its value when not None, else unknown (a TypeError would be raised)."""
    x = ir.Var(name=name, type=ctx.local_type(name), span=span)
    unknown = ir.Unsupported(what=f"{name} may be None (line {span.line})",
                             type=x.type, span=span)
    return ir.Ite(cond=_ne0(_flag(name, span), span), then=unknown, orelse=x, type=x.type,
                  span=span)


def after_assign(ctx, node: cst.CSTNode, span: ir.Span) -> list[ir.Stmt]:
    """After `x = value` for an optional parameter x: its flag."""
    if not (isinstance(node, cst.Assign) and len(node.targets) == 1
            and isinstance(node.targets[0].target, cst.Name)
            and node.targets[0].target.value in ctx.optional):
        return []
    name, value = node.targets[0].target.value, node.value
    if isinstance(value, cst.Name) and value.value == "None":
        v: ir.Expr = ir.Const(value=1, span=span)
    elif _int_valued(ctx, value):
        v = ir.Const(value=0, span=span)
    else:
        v = ir.Ite(cond=ir.Unsupported(what=f"whether {name} is None after line {span.line}",
                                       type=ir.BOOL, span=span),
                   then=ir.Const(value=1, span=span), orelse=ir.Const(value=0, span=span),
                   type=ir.MATH_INT, span=span)
    return [ir.Assign(target=flag(name), value=v, span=span)]


def _int_valued(ctx, value: cst.BaseExpression) -> bool:
    """An expression whose value, if it has one, is an int (never None)."""
    if isinstance(value, (cst.Integer, cst.BinaryOperation)):
        return True
    if isinstance(value, cst.UnaryOperation) and not isinstance(value.operator, cst.Not):
        return True
    if isinstance(value, cst.BooleanOperation) and isinstance(value.operator, cst.Or):
        return _int_valued(ctx, value.right)
    if isinstance(value, cst.Name):
        return value.value in ctx.int_params
    return False
