"""The keys of a dict display whose keys are all int or str literals (python_known_dicts,
and its exact length for python_lengths)."""
from __future__ import annotations

from typing import Optional, Union

import libcst as cst

Key = Union[int, str]


def literal_key(node: cst.BaseExpression) -> Optional[tuple[str, Key]]:
    """('int', v) / ('str', text) of an int or str literal key (no bytes, no f-strings)."""
    if isinstance(node, cst.Integer):
        return "int", int(node.evaluated_value)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus) \
            and isinstance(node.expression, cst.Integer):
        return "int", -int(node.expression.evaluated_value)
    if isinstance(node, cst.SimpleString) and "b" not in node.prefix.lower():
        try:
            v = node.evaluated_value
        except Exception:
            return None
        return ("str", v) if isinstance(v, str) else None
    return None


def display_keys(node: cst.BaseExpression) -> Optional[set[tuple[str, Key]]]:
    """The distinct keys of `{k: v, ...}` when every key is a literal; else None."""
    if not isinstance(node, cst.Dict):
        return None
    keys = set()
    for el in node.elements:
        k = literal_key(el.key) if isinstance(el, cst.DictElement) else None
        if k is None:
            return None
        keys.add(k)
    return keys
