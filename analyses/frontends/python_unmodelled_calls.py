"""The calls inside an expression the IR does not model (a yield, an f-string, a
display): lowered as one call to an unknown function, its name says what it stands for.

When the expression holds only real calls (no comprehension, whose iteration over what
may be infinite is code of this function itself), each callee's termination is its own
question, like that of any call the IR models: the name is the callee's (`str.format`
for `'..'.format(..)`) when there is one call to a function outside this file, otherwise
`f, g (called in a yield)`, which termination treats as callees judged separately
(engine/termination_common.judged_separately).  The stand-in never has the name of a
function of the file, which the engine would inline with the wrong arguments.
"""
from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from .python_iterables import PURE_BUILTINS

CALLED_IN = " (called in a"


def real_callees(ctx, node: cst.CSTNode, construct: str) -> Optional[str]:
    model = ctx.iterables
    stack, calls = [node], []
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Lambda):
            continue                        # defined, not run here
        if isinstance(n, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            return None
        if isinstance(n, cst.Call):
            name = model.builtin(n.func) if model is not None else None
            if name not in PURE_BUILTINS or (name in ("min", "max") and len(n.args) < 2):
                calls.append(_text(n.func))
        stack.extend(n.children)
    if not calls:
        return None
    if len(calls) == 1 and _outside(ctx, calls[0]):
        return calls[0]
    return f"{', '.join(sorted(set(calls)))}{CALLED_IN} {construct})"


def _text(func: cst.BaseExpression) -> str:
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.SimpleString):
        return f"str.{func.attr.value}"         # '{}'.format(..), ', '.join(..)
    return cst.Module([]).code_for_node(func)


def _outside(ctx, text: str) -> bool:
    """A plain dotted name that is no function or method of this file."""
    head = text.split(".")[0]
    return bool(re.fullmatch(r"[A-Za-z_][\w.]*", text)) and head != ctx.self_name \
        and head not in ctx.nested_defs and not any(
            q == text or q.startswith(head + ".") for q in ctx.index.signatures)
