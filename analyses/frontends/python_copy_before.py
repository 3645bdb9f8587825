"""`xs = list(xs)` (or sorted(..), a comprehension, a display) just before `for x in xs`:
the loop iterates a new, finite container even when xs may be anything elsewhere in the
function (a parameter of unknown type rebound to its copy).

Flow-sensitive but syntactic: walking back from the `for` through the statements before
it in its block, then out through the enclosing blocks, the first statement that binds
the name must be that single assignment.  Leaving a loop's body on the way out requires
that the loop binds the name nowhere (its next iteration would reach the `for` from a
later binding), and leaving a `try` that it binds the name nowhere in the try statement
(a handler runs after an arbitrary part of the body).
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from .python_names import bound_names, target_names


def copied_kind(frames: list, name: str, model) -> Optional[str]:
    """The container kind of the copy `name` holds at the `for` statement whose
    enclosing statement lists are `frames` [(statements, index of the current one)],
    outermost first; None when some path may reach it with another value."""
    for depth in range(len(frames) - 1, -1, -1):
        nodes, i = frames[depth]
        for stmt in reversed(nodes[:i]):
            if name in bound_names(stmt):
                return _copy_kind(stmt, name, model)
        if depth == 0:
            return None
        outer_nodes, j = frames[depth - 1]
        enclosing = outer_nodes[j]
        if isinstance(enclosing, (cst.For, cst.While, cst.Try, cst.TryStar)):
            if name in bound_names(enclosing) or (
                    isinstance(enclosing, cst.For) and name in target_names(enclosing.target)):
                return None
        elif isinstance(enclosing, (cst.FunctionDef, cst.ClassDef)):
            return None
    return None


def _copy_kind(stmt: cst.CSTNode, name: str, model) -> Optional[str]:
    if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1):
        return None
    a = stmt.body[0]
    if not (isinstance(a, cst.Assign) and len(a.targets) == 1
            and isinstance(a.targets[0].target, cst.Name)
            and a.targets[0].target.value == name):
        return None
    kind = model.eager_kind(a.value)
    return kind if kind is not None and kind != "lazy" else None
