"""Enum classes of the module: iterating one (`for u in Unit`, `reversed(Unit)`) visits
its members, a finite set fixed when the class is created, so such a `for` terminates.

A class counts only when it is defined at module level, undecorated (or decorated with
`functools.total_ordering` / `enum.unique`, which return it), without keywords
(no `metaclass=`, whose `__iter__` could be anything), every base is `enum.Enum`,
`IntEnum`, `Flag`, `IntFlag`, `StrEnum` (through the module's imports) or another such
class of the module, and its name is bound nowhere else in the module (no reassignment,
no `global` of it in a function)."""
from __future__ import annotations

import collections

import libcst as cst

from .python_names import bound_names, kids

# decorators that return the class they are given (adding methods, checking values)
_SAME_CLASS = {"functools.total_ordering", "enum.unique"}
ENUM_BASES = {"enum.Enum", "enum.IntEnum", "enum.Flag", "enum.IntFlag", "enum.StrEnum"}


def enum_classes(modules: list[cst.Module], resolve) -> frozenset:
    bindings: collections.Counter = collections.Counter()
    candidates: dict[str, list[str]] = {}
    declared_global: set[str] = set()
    for module in modules:
        for stmt in module.body:
            if isinstance(stmt, (cst.ClassDef, cst.FunctionDef)):
                bindings[stmt.name.value] += 1
            else:
                bindings.update(bound_names(stmt))
            if isinstance(stmt, cst.ClassDef) and stmt.bases and all(
                    resolve(d.decorator) in _SAME_CLASS for d in stmt.decorators) \
                    and not stmt.keywords and all(a.keyword is None and a.star == ""
                                                  for a in stmt.bases):
                candidates[stmt.name.value] = [resolve(a.value) or "" for a in stmt.bases]
        stack: list[cst.CSTNode] = [module]
        while stack:
            n = stack.pop()
            if isinstance(n, cst.Global):
                declared_global.update(x.name.value for x in n.names)
            stack.extend(kids(n))
    enums: set[str] = set()
    changed = True
    while changed:          # a subclass of an enum of the module (without members)
        changed = False
        for name, bases in candidates.items():
            if name not in enums and all(b in ENUM_BASES or b in enums for b in bases):
                enums.add(name)
                changed = True
    return frozenset(n for n in enums if bindings[n] == 1 and n not in declared_global)
