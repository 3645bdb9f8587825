"""Integer literals of Python source (`42`, `0x_ff`, `-7`) read from libcst nodes, and
the module-level names bound once to one (used in functions as that literal)."""
from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from .python_names import bound_names


def int_literal(node: cst.BaseExpression) -> Optional[int]:
    """The value of an int literal, or of `-` applied to one; None for anything else."""
    if isinstance(node, cst.Integer):
        return int(node.value.replace("_", ""), 0)
    if (isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus)
            and isinstance(node.expression, cst.Integer)):
        return -int(node.expression.value.replace("_", ""), 0)
    return None


_GLOBAL_STMT = re.compile(r"^[ \t]*(?:global|nonlocal)[ \t]+([\w \t,]+)", re.M)


def module_constants(modules: list[cst.Module], text: str) -> dict[str, int]:
    """Module-level names bound exactly once, to an int literal, and never declared
    `global` in a function: their uses in functions are that literal."""
    values: dict[str, int] = {}
    counts: dict[str, int] = {}
    for module in modules:
        for stmt in module.body:
            for name in bound_names(stmt) if not isinstance(
                    stmt, (cst.FunctionDef, cst.ClassDef)) else [stmt.name.value]:
                counts[name] = counts.get(name, 0) + 1
            if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
                small = stmt.body[0]
                value = None
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and \
                        isinstance(small.targets[0].target, cst.Name):
                    name, value = small.targets[0].target.value, small.value
                elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) \
                        and small.value is not None:
                    name, value = small.target.value, small.value
                lit = int_literal(value) if value is not None else None
                if lit is not None:
                    values[name] = lit
    declared = {n.strip() for m in _GLOBAL_STMT.finditer(text) for n in m.group(1).split(",")}
    return {n: v for n, v in values.items() if counts.get(n) == 1 and n not in declared}
