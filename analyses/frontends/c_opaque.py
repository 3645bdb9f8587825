"""Values the IR cannot represent: pointers, arrays, floats, structs, members read through
memory, anything of unknown type.

Such a value lowers to an `Unsupported` of the pointer-sized unsigned type (uintptr_t), and
the lowerer remembers its real C type.  That keeps proofs sound in two ways: arithmetic on
it never runs as integer arithmetic of a wrong type (the result is again opaque, or for
`p - q` an arbitrary `ptrdiff_t`), and converting it to a signed type is never assumed to
keep the value (the conversion is a "don't know" property, not a silent ✓).  A value whose
real type is an integer type (a struct member, `p - q`) gets that exact type instead: an
arbitrary value of the right range.
"""
from __future__ import annotations

from typing import Optional

from pycparser import c_ast

from .. import ir
from .c_common import is_int
from .c_strings import is_table_read
from .c_types import CType, NonInt, describe

UNKNOWN = NonInt("unknown type")
_CMP = {"<", "<=", ">", ">=", "==", "!="}


def is_pointer(t: CType) -> bool:
    return isinstance(t, NonInt) and t.pointer


class OpaqueValues:
    """Mixin of the C expression lowerer (needs `dm`, `ctx`, `out`, `note`, `sp`)."""

    def _opaque_init(self) -> None:
        self.ctypes: dict[int, tuple[ir.Expr, CType]] = {}

    # ------------------------------------------------------------------ making them
    def opaque(self, what: str, node_or_span, ctype: CType) -> ir.Expr:
        """An arbitrary value of a non-integer C type (noted as unsupported)."""
        span = self.note(what, node_or_span)
        where = f"{what} at line {span.line}" if span.line else what
        e = ir.Unsupported(what=where, type=self.dm.ulong, span=span)
        self.ctypes[id(e)] = (e, ctype if isinstance(ctype, NonInt) else UNKNOWN)
        return e

    def arbitrary(self, what: str, node_or_span, t: ir.Type) -> ir.Expr:
        """An arbitrary value of integer type t (or BOOL), noted as unsupported."""
        span = self.note(what, node_or_span)
        where = f"{what} at line {span.line}" if span.line else what
        return ir.Unsupported(what=where, type=t, span=span)

    def ctype(self, e: ir.Expr) -> CType:
        """The C type of a lowered expression (its IR type unless it is opaque)."""
        hit = self.ctypes.get(id(e))
        return hit[1] if hit is not None and hit[0] is e else e.type

    def is_opaque(self, e: ir.Expr) -> bool:
        return isinstance(self.ctype(e), NonInt)

    def keep(self, e: ir.Expr, out: Optional[list] = None) -> None:
        """An operand whose value is dropped still runs: its calls, nondet reads and the
        checks of its own arithmetic (overflow inside `p + a*b`)."""
        if isinstance(e, (ir.Var, ir.Const, ir.Unsupported)) or is_table_read(e):
            return
        (self.out if out is None else out).append(ir.ExprStmt(expr=e, span=e.span))

    # ------------------------------------------------------------------ operators
    def opaque_binop(self, op: str, left: ir.Expr, right: ir.Expr, span: ir.Span) -> ir.Expr:
        """`left op right` when an operand is opaque, with C's result type."""
        lt, rt = self.ctype(left), self.ctype(right)
        for v in (left, right):
            if not self.is_opaque(v):
                self.keep(v)
        shown = f"`{op}` on {describe(lt)} and {describe(rt)}"
        if op in _CMP:
            return self.arbitrary(f"comparison {shown}", span, ir.BOOL)
        if op == "-" and is_pointer(lt) and is_pointer(rt):
            return self.arbitrary("pointer difference", span, self.dm.long)
        if op in ("+", "-") and is_pointer(lt) and is_int(rt):
            return self.opaque(f"pointer arithmetic {shown}", span, _decayed(lt))
        if op == "+" and is_int(lt) and is_pointer(rt):
            return self.opaque(f"pointer arithmetic {shown}", span, _decayed(rt))
        kinds = [t for t in (lt, rt) if isinstance(t, NonInt) and not t.pointer
                 and t is not UNKNOWN and t.desc in ("float", "double", "long double")]
        return self.opaque(f"arithmetic {shown}", span, kinds[0] if kinds else UNKNOWN)

    def opaque_unary(self, op: str, a: ir.Expr, span: ir.Span) -> ir.Expr:
        return self.opaque(f"operator {op} on {describe(self.ctype(a))}", span, self.ctype(a))

    # ------------------------------------------------------------------ memory reads
    def member_type(self, node) -> CType:
        """The type of `s.f` / `p->f` from the struct definitions seen (UNKNOWN if none)."""
        base = self.static_type(node.name)
        if node.type == "->":
            base = base.elem if is_pointer(base) else None
        t = self.ctx.tenv.field_type(base, node.field.name) if base is not None else None
        return UNKNOWN if t is None else t

    def x_StructRef(self, node) -> ir.Expr:
        t = self.member_type(node)
        if not isinstance(node.name, c_ast.ID):
            self.keep(self.rvalue(node.name))
        what = f"struct member {node.field.name} read through memory"
        if is_int(t):
            return self.arbitrary(what, node, t)
        return self.opaque(f"{what} (type {describe(t)})", node, t)


def _decayed(t: NonInt) -> NonInt:
    """An array operand of `+`/`-` is a pointer to its first element."""
    if t.desc.endswith("[]"):
        return NonInt(f"{describe(t.elem)} *", t.elem)
    return t
