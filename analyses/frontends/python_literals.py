"""Integer literals of Python source (`42`, `0x_ff`, `-7`) read from libcst nodes."""
from __future__ import annotations

from typing import Optional

import libcst as cst


def int_literal(node: cst.BaseExpression) -> Optional[int]:
    """The value of an int literal, or of `-` applied to one; None for anything else."""
    if isinstance(node, cst.Integer):
        return int(node.value.replace("_", ""), 0)
    if (isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus)
            and isinstance(node.expression, cst.Integer)):
        return -int(node.expression.value.replace("_", ""), 0)
    return None
