"""Element ranges of arrays declared inside a struct: `s.a[i]`, `p->a[i]`, `*(p->a + i)`.

A member `T a[N]` has exactly N elements whatever pointer reaches the struct, so an access
to it is checked against 0 .. N-1 (an index outside is undefined behaviour even when the
bytes behind it belong to the same struct).  The one exception is the flexible-array
idiom: a struct's trailing member declared `[]`, `[0]` or `[1]` (CPython's `ob_item[1]`)
is over-allocated, so its real size comes from the allocation, which is not tracked: the
access stays "don't know" with that reason, never checked against the declared 1.
"""
from __future__ import annotations

from typing import Optional, Union

from pycparser import c_ast

from .. import ir
from .c_opaque import is_pointer
from .c_types import NonInt

M = ir.MATH_INT
MEMBER_POINTER = "size of the object a struct member points to is unknown"


def member_access(node) -> Optional[tuple[c_ast.StructRef, Optional[object]]]:
    """(the member reference, index node or None for 0) of `s->a[i]`, `*s->a`,
    `*(s->a + i)`; None for any other shape."""
    if isinstance(node, c_ast.ArrayRef) and isinstance(node.name, c_ast.StructRef):
        return node.name, node.subscript
    if isinstance(node, c_ast.UnaryOp) and node.op == "*":
        e = node.expr
        if isinstance(e, c_ast.StructRef):
            return e, None
        if isinstance(e, c_ast.BinaryOp) and e.op == "+" and \
                isinstance(e.left, c_ast.StructRef):
            return e.left, e.right
    return None


def member_range(lw, ref: c_ast.StructRef) -> Union[tuple[ir.Expr, ir.Expr], str]:
    """(0, N-1) of a member array `T a[N]`, or the reason its size is unknown."""
    t = lw.member_type(ref)
    if not (isinstance(t, NonInt) and t.desc.endswith("[]")):
        return MEMBER_POINTER
    field = ref.field.name
    rec = lw.static_type(ref.name)
    if ref.type == "->":
        rec = rec.elem if is_pointer(rec) else None
    tenv = lw.ctx.tenv
    key = getattr(rec, "key", "")
    decls = tenv.structs.get(key) if key else None
    if decls is None or f"{key} (redefined)" in tenv.struct_nodes:
        return f"the struct that declares the array member {field} is not known exactly"
    names = [getattr(d, "name", None) for d in decls]
    if field not in names:
        return f"the array member {field} is declared in a nested anonymous struct or union"
    trailing = names[-1] == field or key.startswith("union")
    n = t.length
    if trailing and (n is None or n <= 1):
        dim = getattr(decls[names.index(field)].type, "dim", None)
        shown = "[]" if dim is None else f"[{getattr(dim, 'value', n)}]"
        return (f"{field} is the struct's trailing array member declared {shown} (the "
                f"flexible-array idiom): its size comes from the allocation, which is not "
                f"tracked")
    if n is None:
        return f"the declared size of the array member {field} is not a constant"
    return ir.Const(value=0, type=M), ir.Const(value=n - 1, type=M)
