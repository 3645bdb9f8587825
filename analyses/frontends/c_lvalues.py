"""C expressions that designate objects: assignments, `++`/`--`, element access and
dereference, and the static type of an operand (sizeof, `*`) — a mixin of
c_expr.ExprLowerer.

A write to an integer variable becomes an `ir.Assign`; a write the IR does not track
(through a pointer, to a struct member) havocs what it may change; an element access
first gets its bounds obligation (c_bounds).
"""
from __future__ import annotations

from typing import Optional

from pycparser import c_ast

from .. import ir
from .c_arrays import assign_array, incdec_array, load as load_array
from .c_bounds import check_access
from .c_common import is_int
from .c_memory import lower_element
from .c_opaque import UNKNOWN, is_pointer
from .c_strings import literal_read
from .c_types import CType, NonInt, convert


class ObjectLowering:
    """Needs ExprLowerer's lookup, rvalue, binop, temp, sp, unsup, havoc, effects, out,
    premade, ctx; OpaqueValues' ctype and member_type; c_bounds' state."""

    def static_type(self, node) -> CType:
        """The C type of an operand of sizeof / *, without evaluating it."""
        if isinstance(node, c_ast.Typename):
            return self.ctx.tenv.resolve(node)
        if isinstance(node, c_ast.ID):
            found = self.lookup(node.name)
            if found is None and node.name in self.ctx.funcs:
                return NonInt("function")
            return found[1] if found else UNKNOWN
        if isinstance(node, c_ast.UnaryOp) and node.op == "*":
            inner = self.static_type(node.expr)
            return inner.elem if is_pointer(inner) else UNKNOWN
        if isinstance(node, c_ast.ArrayRef):
            inner = self.static_type(node.name)
            return inner.elem if is_pointer(inner) else UNKNOWN
        if isinstance(node, c_ast.StructRef):
            return self.member_type(node)
        if isinstance(node, c_ast.Cast):
            return self.ctx.tenv.resolve(node.to_type)
        saved = self.out, list(self.unsupported), dict(self.locals), self.n, \
            list(self.bounds_unknown)
        self.out = []
        try:
            return self.ctype(self.rvalue(node))
        finally:
            self.out, self.unsupported, self.locals, self.n, self.bounds_unknown = saved

    def lvalue(self, node) -> Optional[tuple[str, ir.IntT]]:
        """The IR variable an assignment writes, or None (memory write: havoc)."""
        if isinstance(node, c_ast.ID):
            found = self.lookup(node.name)
            if found and found[0] is not None and is_int(found[1]):
                return found[0], found[1]
        return None

    def memory_write(self, node, what: str, lnode) -> ir.Expr:
        """A write the IR does not track: what it may change gets arbitrary values; the
        expression's own value is an arbitrary value of the written object's type."""
        t = self.static_type(lnode)
        self.effects(lnode)
        self.havoc(what, node)
        if self.bounds is not None and self.bounds.caller_memory(self, lnode):
            self.out[-1].caller_memory = True
        return self.unsup(f"value of {what}", node, t)

    def incdec(self, node, discard: bool) -> ir.Expr:
        span = self.sp(node)
        target = self.lvalue(node.expr)
        if target is None and (got := incdec_array(self, node)) is not None:
            return got
        if target is None:
            return self.memory_write(node, f"{node.op.strip('p')} on a non-variable",
                                     node.expr)
        name, t = target
        var = ir.Var(name=name, type=t, span=self.sp(node.expr))
        one = ir.Const(value=1, type=ir.C_INT, span=span)
        new = self.binop("+" if "+" in node.op else "-", var, one, span)
        post = node.op.startswith("p")
        saved = None
        if post and not discard:
            saved = self.temp(t, "old")
            self.out.append(ir.Assign(target=saved, value=var, span=span))
        self.out.append(ir.Assign(target=name, value=convert(new, t), span=span))
        return ir.Var(name=saved or name, type=t, span=span)

    def x_Assignment(self, node) -> ir.Expr:
        span = self.sp(node)
        target = self.lvalue(node.lvalue)
        if target is None and (got := assign_array(self, node)) is not None:
            return got
        if target is None:
            self.effects(node.rvalue)
            kind = "array element" if isinstance(node.lvalue, c_ast.ArrayRef) else \
                "struct member" if isinstance(node.lvalue, c_ast.StructRef) else "memory"
            return self.memory_write(node, f"assignment to {kind}", node.lvalue)
        name, t = target
        value = self.rvalue(node.rvalue)
        if node.op != "=":
            var = ir.Var(name=name, type=t, span=self.sp(node.lvalue))
            value = self.binop(node.op[:-1], var, value, span)
        self.out.append(ir.Assign(target=name, value=convert(value, t), span=span))
        return ir.Var(name=name, type=t, span=span)

    def access(self, node, lower) -> ir.Expr:
        """An element access: its bounds obligation first (c_bounds), then its value."""
        key = check_access(self, node)
        try:
            return lower(node)
        finally:
            if key is not None:
                self.premade.pop(key, None)

    def _deref(self, node) -> ir.Expr:
        if (elem := lower_element(self, node)) is not None:
            return elem
        e = node.expr
        plus = isinstance(e, c_ast.BinaryOp) and e.op == "+"
        if (value := literal_read(self, node, e.left if plus else e,
                                        e.right if plus else None)) is not None:
            return value
        t = self.static_type(node.expr)
        self.effects(node.expr)
        return self.unsup("pointer dereference", node, t.elem if is_pointer(t) else UNKNOWN)

    def x_ArrayRef(self, node) -> ir.Expr:
        return self.access(node, self._array_ref)

    def _array_ref(self, node) -> ir.Expr:
        if (elem := lower_element(self, node)) is not None or \
                (elem := load_array(self, node)) is not None:
            return elem
        if (value := literal_read(self, node, node.name, node.subscript)) is not None:
            return value
        t = self.static_type(node)
        if not isinstance(node.name, c_ast.ID):
            self.effects(node.name)
        self.effects(node.subscript)
        return self.unsup("array access", node, t)
