"""Lowering of Python assignments (a mixin of python_stmts.StmtLowerer): plain and
multiple targets, tuple unpacking, `q, r = divmod(a, b)`, annotated and augmented
assignments, modelled `self.x` targets (python_selfattrs) and the lengths of assigned
containers (python_lengths)."""
from __future__ import annotations

from typing import Optional

import libcst as cst

from .. import ir
from . import python_lengths as L
from .python_context import FnContext
from .python_exprs import ExprLowerer
from .python_operators import ARITH
from .python_index import index_check
from .python_dict_keys import literal_key
from .python_known_dicts import store as known_store
from .python_membership import key_check, stored


def _var(ctx, name: str, span: ir.Span) -> ir.Var:
    return ir.Var(name=name, type=ctx.locals[name], span=span)


class AssignLowering:
    """Needs from the class it is mixed into: ctx, span(), store(), havoc()."""

    def _Assign(self, node: cst.Assign) -> list[ir.Stmt]:
        span, ex = self.span(node), ExprLowerer(self.ctx)
        targets = [t.target for t in node.targets]
        if len(targets) == 1 and self._self_attr(targets[0]):
            value = ex.value(node.value)
            return ex.pre + [self.store(self._self_attr(targets[0]), value, span)]
        if len(targets) == 1 and L.item_store(self.ctx, targets[0]):
            return self._item_store(targets[0], node.value, None, span)
        if len(targets) == 1 and _dict_item(self.ctx, targets[0]):
            return self._dict_store(node, targets[0], node.value, None, span)
        if not all(isinstance(t, cst.Name) for t in targets):
            tup = targets[0] if len(targets) == 1 else None
            if self._is_divmod(tup, node.value):
                return self._divmod(tup, node.value, span)
            if (isinstance(tup, (cst.Tuple, cst.List)) and isinstance(node.value, (cst.Tuple, cst.List))
                    and len(tup.elements) == len(node.value.elements)
                    and all(isinstance(e, cst.Element) and (
                        isinstance(e.value, cst.Name) or L.item_store(self.ctx, e.value))
                            for e in tup.elements)
                    and all(isinstance(e, cst.Element) for e in node.value.elements)):
                return self._unpack([e.value for e in tup.elements],
                                    [e.value for e in node.value.elements], span)
            return self.havoc(node, "assignment to " + _target_kind(targets),
                              _base_names(targets, self.ctx))
        value = ex.value(node.value)
        if len(targets) == 1 and isinstance(value, ir.Unsupported) \
                and targets[0].value in L.tracked(self.ctx):
            value = ir.Const(value=0, span=value.span)  # a container's IR value is never read
        if len(targets) == 1:
            return ex.pre + [self.store(targets[0].value, value, span)] + L.assigned(
                self.ctx, targets[0].value, node.value, span)
        tmp = self.ctx.fresh("t", value.type if value.type.bounded else ir.MATH_INT)
        out = ex.pre + [ir.Assign(target=tmp, value=value, span=span)]
        return out + [self.store(t.value, _var(self.ctx, tmp, span), span) for t in targets] \
            + L.arbitrary(self.ctx, {t.value for t in targets} & set(L.tracked(self.ctx)),
                          f"the length of a container at line {span.line}", span)

    def _item_store(self, target: cst.Subscript, value: cst.BaseExpression,
                    op: Optional[str], span: ir.Span) -> list[ir.Stmt]:
        """`xs[i] = v` / `xs[i] op= v` on a tracked list: v (evaluated first for a plain
        store, after the element for an augmented one), the IndexError check; the
        elements are not modelled and the length stays."""
        ex = ExprLowerer(self.ctx)
        if op is None:
            v = ex.value(value)
            index_check(ex, target, "store")
        else:
            index_check(ex, target, "update")
            element = ir.Unsupported(what=f"element of {target.value.value}", span=span,
                                     opaque=True)
            v = ex.arith(ARITH[op], element, ex.value(value), target) if op in ARITH \
                else ex.value(value)
        keep = [] if isinstance(v, (ir.Const, ir.Var, ir.Unsupported)) else \
            [ir.ExprStmt(expr=v, span=span)]
        return ex.pre + keep

    def _dict_store(self, node, target: cst.Subscript, value: cst.BaseExpression,
                    op: Optional[str], span: ir.Span) -> list[ir.Stmt]:
        """`d[k] = v` (v first) / `d[k] op= v` (KeyError check first) on a tracked dict:
        its length and contents change (havoc); afterwards k is in d (python_membership)."""
        ex = ExprLowerer(self.ctx)
        if op is not None:
            key_check(ex, target, "update")
        v = ex.value(value)
        keep = [] if isinstance(v, (ir.Const, ir.Var, ir.Unsupported)) else \
            [ir.ExprStmt(expr=v, span=span)]
        kind = "augmented assignment to a subscript" if op else "assignment to a subscript"
        idx = L.single_index(target)
        known = None if op is not None or idx is None or not isinstance(target.value, cst.Name) \
            or target.value.value not in self.ctx.known_dicts else \
            known_store(self.ctx, target, None if literal_key(idx) else ex.value(idx), span)
        if known is not None or (op is not None and isinstance(target.value, cst.Name)
                                 and target.value.value in self.ctx.known_dicts):
            before, after = known or ([], [])      # keys and length exact: no havoc
            self.ctx.after_stmt += after
            return ex.pre + before + keep
        out = ex.pre + keep + self.havoc(node, kind, _base_names([target], self.ctx))
        self.ctx.after_stmt += stored(ex, target, span)
        return out

    def _is_divmod(self, target, value) -> bool:
        """`q, r = divmod(a, b)` with the builtin divmod."""
        return (isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) == 2
                and all(isinstance(e, cst.Element) and isinstance(e.value, cst.Name)
                        for e in target.elements)
                and isinstance(value, cst.Call) and len(value.args) == 2
                and all(a.keyword is None and not a.star for a in value.args)
                and self.ctx.index.resolve(value.func) == "divmod"
                and "divmod" not in self.ctx.local_names
                and "divmod" not in self.ctx.index.signatures)

    def _divmod(self, target, call: cst.Call, span: ir.Span) -> list[ir.Stmt]:
        ex = ExprLowerer(self.ctx)
        a = ex.once(ex.value(call.args[0].value))
        b = ex.once(ex.value(call.args[1].value))
        q = ex.arith("floordiv", a, b, call)
        r = ex.arith("floormod", a, b, call)
        out = list(ex.pre)
        temps = []
        for e in (q, r):
            tmp = self.ctx.fresh("t", e.type if e.type.bounded else ir.MATH_INT)
            out.append(ir.Assign(target=tmp, value=e, span=e.span))
            temps.append(tmp)
        names = [e.value.value for e in target.elements]
        return out + [self.store(n, _var(self.ctx, t, span), span)
                      for n, t in zip(names, temps)]

    def _unpack(self, targets: list[cst.BaseExpression], values: list[cst.BaseExpression],
                span: ir.Span) -> list[ir.Stmt]:
        """`a, xs[i] = e1, e2`: the values first, then each target in order (a name, or an
        element of a tracked list: its IndexError check)."""
        ex = ExprLowerer(self.ctx)
        lowered = [ex.value(v) for v in values]
        out, temps = list(ex.pre), []
        for e in lowered:
            tmp = self.ctx.fresh("t", e.type if e.type.bounded else ir.MATH_INT)
            out.append(ir.Assign(target=tmp, value=e, span=e.span))
            temps.append(tmp)
        names = []
        for target, t in zip(targets, temps):
            if isinstance(target, cst.Name):
                names.append(target.value)
                out.append(self.store(target.value, _var(self.ctx, t, span), span))
            else:
                ex = ExprLowerer(self.ctx)
                index_check(ex, target, "store")
                out += ex.pre
        return out + L.arbitrary(self.ctx, set(names) & set(L.tracked(self.ctx)),
                                 f"the length of a container at line {span.line}", span)

    def _AnnAssign(self, node: cst.AnnAssign) -> list[ir.Stmt]:
        attr = self._self_attr(node.target)
        if attr is not None:
            if node.value is None:
                return []
            ex = ExprLowerer(self.ctx)
            value = ex.value(node.value)
            return ex.pre + [self.store(attr, value, self.span(node))]
        if not isinstance(node.target, cst.Name):
            return self.havoc(node, "assignment to " + _target_kind([node.target]),
                              _base_names([node.target], self.ctx))
        from .python_types import annotation_kind
        kind, t = annotation_kind(self.ctx.index.resolve(node.annotation.annotation))
        if kind == "fixed":
            self.ctx.declare(node.target.value, t)
        if node.value is None:
            return []
        ex = ExprLowerer(self.ctx)
        value = ex.value(node.value)
        return ex.pre + [self.store(node.target.value, value, self.span(node))] + L.assigned(
            self.ctx, node.target.value, node.value, self.span(node))

    def _self_attr(self, target) -> Optional[str]:
        """The hidden variable of a modelled `self.x` target (python_selfattrs)."""
        attrs = self.ctx.self_attrs
        if (attrs and isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
                and target.value.value == self.ctx.self_name and target.attr.value in attrs):
            return f"{target.value.value}.{target.attr.value}"
        return None

    def _AugAssign(self, node: cst.AugAssign) -> list[ir.Stmt]:
        attr = self._self_attr(node.target)
        if attr is not None:
            return self._aug(node, attr)
        op = type(node.operator).__name__[:-len("Assign")]
        if L.item_store(self.ctx, node.target) and op in ARITH:
            return self._item_store(node.target, node.value, op, self.span(node))
        if _dict_item(self.ctx, node.target):
            return self._dict_store(node, node.target, node.value, op, self.span(node))
        if not isinstance(node.target, cst.Name):
            return self.havoc(node, "augmented assignment to " + _target_kind([node.target]),
                              _base_names([node.target], self.ctx))
        return self._aug(node, node.target.value)

    def _aug(self, node: cst.AugAssign, target: str) -> list[ir.Stmt]:
        ex, span = ExprLowerer(self.ctx), self.span(node)
        op = type(node.operator).__name__[:-len("Assign")]
        current = ex.value(node.target)
        if op == "Divide":
            value: ir.Expr = ex.unsupported("float division", node)
        elif op == "Power":
            value = ex.power(current, node.value, node)
        elif op in ARITH:
            value = ex.arith(ARITH[op], current, ex.value(node.value), node)
        else:
            value = ex.unsupported(f"operator {op}", node)
        return ex.pre + [self.store(target, value, span)] + L.arbitrary(
            self.ctx, {target} & set(L.tracked(self.ctx)),
            f"the length of {target} at line {span.line}", span)


def _dict_item(ctx, target) -> bool:
    return (isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name)
            and L.tracked(ctx).get(target.value.value) == "dict"
            and L.single_index(target) is not None)


def _target_kind(targets) -> str:
    t = next((t for t in targets if not isinstance(t, cst.Name)), targets[0])
    return {"Attribute": "an attribute", "Subscript": "a subscript", "Tuple": "a tuple",
            "List": "a list", "StarredElement": "a starred target"}.get(type(t).__name__,
                                                                        type(t).__name__)


def _base_names(targets, ctx: FnContext) -> list[str]:
    """Local variables whose object an attribute/subscript assignment mutates."""
    out = []
    for t in targets:
        while isinstance(t, (cst.Attribute, cst.Subscript)):
            t = t.value
        if isinstance(t, cst.Name) and (t.value in ctx.locals or t.value in ctx.local_names):
            out.append(t.value)
    return out
