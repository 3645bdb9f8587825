"""`sizeof`, `_Alignof` and `offsetof` as integer constants of type size_t.

Integer types, pointers and arrays of them are sized directly; structs, unions, floating
types and arrays of them go through c_layout (which says why when it cannot know); a
string literal's size is its bytes plus the terminating NUL (c_strings).  The operand of
`sizeof` is never evaluated (C11 6.5.3.4), except a VLA's, which stays unknown.
"""
from __future__ import annotations

from pycparser import c_ast

from .. import ir
from .c_common import is_int
from .c_layout import Layouts
from .c_opaque import is_pointer
from .c_strings import literal_bytes
from .c_types import describe


def layouts(lw) -> Layouts:
    ctx = lw.ctx
    found = ctx.__dict__.get("_layouts")
    if found is None:
        found = ctx.__dict__["_layouts"] = Layouts(ctx)
    return found


def lower_sizeof(lw, node) -> ir.Expr:
    """sizeof / _Alignof (node: the UnaryOp)."""
    align = node.op != "sizeof"
    operand = node.expr
    if not align and isinstance(operand, c_ast.Constant) and operand.type == "string":
        data = literal_bytes(operand.value)
        if data is not None:
            return lw.const(len(data) + 1, lw.dm.size_t, node)
        return lw.unsup("sizeof of a wide or unusual string literal", node, lw.dm.size_t)
    t = lw.static_type(operand)
    if not align and is_int(t):
        return lw.const(max(t.bits // 8, 1), lw.dm.size_t, node)
    if not align and is_pointer(t) and t.desc.endswith("*"):
        return lw.const(lw.dm.ulong.bits // 8, lw.dm.size_t, node)
    if isinstance(operand, c_ast.Typename):
        found = layouts(lw).of_node(operand)
    else:
        found = layouts(lw).of_type(t)
        if not align and isinstance(found, str) and _local_array(lw, operand) is not None:
            found = _local_array(lw, operand)
    if isinstance(found, str):
        word = "alignof" if align else "sizeof"
        return lw.unsup(f"{word} of {describe(t)} ({found})", node, lw.dm.size_t)
    return lw.const(found[1] if align else found[0], lw.dm.size_t, node)


def _local_array(lw, operand):
    """`char buf[] = "abc"`: the size the initializer gave it (no struct involved)."""
    if isinstance(operand, c_ast.ID):
        found = lw.lookup(operand.name)
        t = found[1] if found else None
        if is_pointer(t) and t.length is not None and is_int(t.elem):
            return t.length * max(t.elem.bits // 8, 1), max(t.elem.bits // 8, 1)
    return None


def lower_offsetof(lw, node) -> ir.Expr:
    """offsetof(T, member.path[k]) (the FuncCall node)."""
    args = node.args.exprs if node.args is not None else []
    path = _member_path(args[1]) if len(args) == 2 else None
    if path is None or not isinstance(args[0], c_ast.Typename):
        return lw.unsup("offsetof of an unusual member designator", node, lw.dm.size_t)
    found = layouts(lw).offset_of(args[0].type, path)
    if isinstance(found, str):
        return lw.unsup(f"offsetof ({found})", node, lw.dm.size_t)
    return lw.const(found, lw.dm.size_t, node)


def _member_path(e):
    """['a', 'b', 3] of `a.b[3]` (constant indices only), or None."""
    if isinstance(e, c_ast.ID):
        return [e.name]
    if isinstance(e, c_ast.StructRef) and e.type == ".":
        inner = _member_path(e.name)
        return None if inner is None else inner + [e.field.name]
    if isinstance(e, c_ast.ArrayRef) and isinstance(e.subscript, c_ast.Constant) and \
            e.subscript.type == "int":
        inner = _member_path(e.name)
        try:
            k = int(e.subscript.value.rstrip("uUlL"), 0)
        except ValueError:
            return None
        return None if inner is None else inner + [k]
    return None
