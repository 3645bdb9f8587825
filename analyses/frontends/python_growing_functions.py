"""Which functions of the file may add to a list they can reach.

A `for` loop over an iterable from outside (python_assumed_iterables) whose body calls a
function of this file is finite under the stated assumption only if that function cannot
feed the iterable itself: it makes no growing method call (`append`, `extend`, `insert`,
`send`, ... on anything), no slice store, no `+=` into a parameter, attribute, item or
`global`/`nonlocal` name, and calls no function of the file that may (a fixpoint over
simple names: methods and functions of the same name count together; a class counts as
its methods).  What such a function calls outside the file is covered by the assumption,
like the loop body's own outside calls."""
from __future__ import annotations

import libcst as cst

from .python_names import kids

GROWING_METHODS = {"append", "extend", "insert", "appendleft", "extendleft", "send", "put",
                   "put_nowait", "__iadd__", "__setitem__"}


def growing_functions(modules: list[cst.Module]) -> frozenset:
    """Simple names of functions, methods and classes of the file that may grow a list."""
    defs: dict[str, list[cst.CSTNode]] = {}
    for module in modules:
        stack: list[cst.CSTNode] = [module]
        while stack:
            n = stack.pop()
            if isinstance(n, (cst.FunctionDef, cst.ClassDef)):
                defs.setdefault(n.name.value, []).append(n)
            stack.extend(kids(n))
    growing = {name for name, nodes in defs.items() if any(_grows(n) for n in nodes)}
    changed = True
    while changed:
        changed = False
        for name, nodes in defs.items():
            if name not in growing and any(_calls(n) & growing for n in nodes):
                growing.add(name)
                changed = True
    return frozenset(growing)


def _grows(node: cst.CSTNode) -> bool:
    params = _params(node)
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) \
                and n.func.attr.value in GROWING_METHODS:
            return True
        if isinstance(n, (cst.Global, cst.Nonlocal)):
            return True
        if isinstance(n, cst.AugAssign) and not (
                isinstance(n.target, cst.Name) and n.target.value not in params):
            return True
        if isinstance(n, (cst.Assign, cst.AnnAssign)):
            targets = [t.target for t in n.targets] if isinstance(n, cst.Assign) else [n.target]
            if any(isinstance(t, cst.Subscript) and any(isinstance(e.slice, cst.Slice)
                                                        for e in t.slice) for t in targets):
                return True
        stack.extend(kids(n))
    return False


def _params(node: cst.CSTNode) -> set[str]:
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Param):
            out.add(n.name.value)
        stack.extend(kids(n))
    return out


def _calls(node: cst.CSTNode) -> set[str]:
    """Simple names this code calls (`f(..)`, `obj.m(..)`) or passes on (`map(f, xs)`)."""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Name):
            out.add(n.value)
        elif isinstance(n, cst.Attribute):
            out.add(n.attr.value)
        stack.extend(kids(n))
    return out


def may_grow(call: cst.Call, growing: frozenset) -> bool:
    """Can this call of a function of the file feed a list (conservatively by name)?"""
    f = call.func
    name = f.value if isinstance(f, cst.Name) else (
        f.attr.value if isinstance(f, cst.Attribute) else None)
    return name is None or name in growing or bool(_calls(call) & growing)
