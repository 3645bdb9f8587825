"""Locals whose container never escapes the function: no other name, object or function
can hold a reference to it, so only the function's own statements can change it.

A `for` over such a local (bound only to new objects: python_container_locals' fresh
locals, or a copy made just before the loop: `xs = list(xs)`) cannot be grown by a call
or by the consumer of a `yield` in its body; only a direct use in the body (`xs.append`),
which python_growth.growth_blocker sees, could.

A name escapes unless every occurrence of it in the function is one of: a binding
target (`xs = ..`, `xs += ..`, `del xs`, a `for` target), an element access `xs[i]`, a
method call `xs.m(..)` (on a builtin container: the method keeps no reference), the
argument of a builtin that only reads it (`len`, `sorted`, `sum`, ...), the right side
of `in` / `not in`, the iterable of a `for` or a comprehension.  Any occurrence inside
a nested function, lambda or class, and any `global` / `nonlocal` of it, escapes.
"""
from __future__ import annotations

from typing import Callable, Optional

import libcst as cst

_READING_BUILTINS = {"len", "sorted", "list", "tuple", "set", "frozenset", "sum", "min",
                     "max", "any", "all", "bool", "str", "repr"}


def escaping_names(body: cst.CSTNode, builtin: Callable[[cst.BaseExpression],
                                                        Optional[str]]) -> set[str]:
    """Names some occurrence of which may let their object escape (see module doc)."""
    out: set[str] = set()
    _visit(body, (), False, builtin, out)
    return out


def _visit(node: cst.CSTNode, above: tuple, nested: bool, builtin, out: set) -> None:
    """above: the ancestors, nearest first."""
    if isinstance(node, cst.Name):
        at, up = node, list(above)
        while len(up) >= 2 and (isinstance(up[0], cst.BooleanOperation) or (
                isinstance(up[0], cst.IfExp) and up[0].test is not at)):
            at, up = up[0], up[1:]          # `xs or []` goes where the `or` goes
        parent = up[0] if up else None
        grand = up[1] if len(up) > 1 else None
        if nested or not _harmless(at, parent, grand, builtin):
            out.add(node.value)
        return
    if isinstance(node, (cst.Global, cst.Nonlocal)):
        out.update(n.name.value for n in node.names)
        return
    inner = nested or isinstance(node, (cst.FunctionDef, cst.Lambda, cst.ClassDef))
    for child in node.children:
        _visit(child, (node,) + above[:6], inner, builtin, out)


def _harmless(n: cst.CSTNode, parent, grand, builtin) -> bool:
    if parent is None:
        return False
    if isinstance(parent, cst.Subscript) and parent.value is n:
        return True                                     # xs[i] (read, store, del)
    if isinstance(parent, cst.Attribute):
        if parent.value is not n:
            return True                                 # o.xs: an attribute name
        return isinstance(grand, cst.Call) and grand.func is parent     # xs.append(..)
    if isinstance(parent, cst.Arg) and parent.value is n and parent.keyword is None:
        return isinstance(grand, cst.Call) and builtin(grand.func) in _READING_BUILTINS
    if isinstance(parent, cst.Arg):
        return parent.value is not n                    # f(xs=..): the keyword's name
    if isinstance(parent, cst.ComparisonTarget) and parent.comparator is n:
        return isinstance(parent.operator, (cst.In, cst.NotIn))
    if isinstance(parent, (cst.For, cst.CompFor)):
        return parent.iter is n or parent.target is n
    if isinstance(parent, cst.AssignTarget) and parent.target is n:
        return True
    if isinstance(parent, (cst.AugAssign, cst.AnnAssign)) and parent.target is n:
        return True
    if isinstance(parent, cst.Del) and parent.target is n:
        return True
    if isinstance(parent, (cst.FunctionDef, cst.ClassDef)) and parent.name is n:
        return True
    if isinstance(parent, cst.Param) and parent.name is n:
        return True                                     # a parameter's declaration
    return False
