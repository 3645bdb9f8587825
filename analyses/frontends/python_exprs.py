"""Lowering of Python expressions (libcst) to IR expressions.

`value()` gives an int-typed expression (a BOOL is Cast to 0/1), `cond()` a BOOL one (an
int is Cast: != 0).  Expressions stay pure: a Call that must be evaluated once but used
twice (middle of a comparison chain, abs/min/max operands, `x and y` in value position) is
hoisted into a hidden temporary through `self.pre`, the statements the caller emits first —
unless it sits where it may not be evaluated (right of and/or, an if-expression branch),
where it is duplicated instead.  Anything outside the subset becomes `ir.Unsupported`.
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from .. import ir
from . import python_opaque as opaque
from .python_calls import lower_call
from .python_context import FnContext
from .python_unmodelled_calls import real_callees
from .python_index import index_check, unmodelled_subscripts
from .python_membership import key_check
from . import python_lengths as L
from .python_iterables import PURE_BUILTINS
from . import python_optional as OPT
from .python_operators import OperatorLowering
from .python_values import is_pure, to_bool, to_int

UNSUPPORTED_NODES = {
    "Float": "float literal", "Imaginary": "complex literal", "SimpleString": "string literal",
    "ConcatenatedString": "string literal", "FormattedString": "f-string",
    "List": "list display", "Tuple": "tuple", "Set": "set display", "Dict": "dict display",
    "ListComp": "list comprehension", "SetComp": "set comprehension",
    "DictComp": "dict comprehension", "GeneratorExp": "generator expression",
    "Subscript": "subscript", "Lambda": "lambda", "Await": "await", "Yield": "yield",
    "Ellipsis": "Ellipsis", "StarredElement": "starred expression",
}


class ExprLowerer(OperatorLowering):
    """Lowers one function's expressions (operators: python_operators.OperatorLowering)."""

    def __init__(self, ctx: FnContext):
        self.ctx = ctx
        self.pre: list[ir.Stmt] = []
        self.cond_depth = 0          # > 0: inside a branch that may not be evaluated
        self.called = False          # lowered a call that may change a container
        self.guards: list[ir.Expr] = []   # conditions under which the current node runs

    # ------------------------------------------------------------------ entry points
    def value(self, node: cst.BaseExpression) -> ir.Expr:
        return to_int(self.natural(node, False))

    def cond(self, node: cst.BaseExpression) -> ir.Expr:
        return to_bool(self.natural(node, True))

    def span(self, node: cst.CSTNode) -> ir.Span:
        return self.ctx.spanner.span(node)

    def unsupported(self, construct: str, node: cst.CSTNode, typ: ir.Type = ir.MATH_INT,
                    record: bool = True) -> ir.Unsupported:
        """An unmodelled value: of unknown type (a float, a str, an object...), so opaque
        (python_opaque): no int reasoning may use it."""
        span = self.span(node)
        what = f"{construct} at line {span.line}"
        if record:
            self.ctx.note(what, span)
        return ir.Unsupported(what=what, type=typ, span=span, opaque=True)

    def once(self, e: ir.Expr) -> ir.Expr:
        """e, safe to use twice: a Call is hoisted into a temporary when that keeps the
        evaluation order; otherwise it is duplicated."""
        if is_pure(e) or self.cond_depth > 0:
            return e
        e = to_int(e)
        tmp = self.ctx.fresh("t", e.type if isinstance(e.type, ir.IntT) else ir.MATH_INT)
        self.pre.append(ir.Assign(target=tmp, value=e, span=e.span))
        var = ir.Var(name=tmp, type=self.ctx.locals[tmp], span=e.span)
        return opaque.remember(self.ctx, var, opaque.flag(e, self.ctx))   # (python_opaque)

    def guarded(self, node: cst.BaseExpression, as_cond: bool,
                guard: Optional[ir.Expr] = None) -> ir.Expr:
        """Lower a sub-expression that is only evaluated conditionally (when `guard`
        holds: the checks hoisted out of it are guarded by it)."""
        self.cond_depth += 1
        self.guards.append(guard if guard is not None else
                           ir.Unsupported(what="a condition", type=ir.BOOL))
        try:
            return self.natural(node, as_cond)
        finally:
            self.cond_depth -= 1
            self.guards.pop()

    def _Subscript(self, node: cst.Subscript, as_cond: bool) -> ir.Expr:
        """An element of a known sequence: its IndexError check (python_index); the
        element's value itself is not modelled."""
        if not index_check(self, node) and not key_check(self, node, "read"):
            if isinstance(node.value, cst.Subscript):   # xs[i][j]: xs[i] is checked
                self.value(node.value)
            return self.natural_unsupported(node, as_cond)
        e = self.unsupported("subscript", node, ir.BOOL if as_cond else ir.MATH_INT)
        return ir.Unsupported(what=e.what, type=e.type, span=e.span, lazy=True, opaque=True)

    # ------------------------------------------------------------------ dispatch
    def natural(self, node: cst.BaseExpression, as_cond: bool = False) -> ir.Expr:
        kind = type(node).__name__
        method = getattr(self, "_" + kind, None)
        if method is not None:
            return method(node, as_cond)
        return self.natural_unsupported(node, as_cond)

    def natural_unsupported(self, node: cst.BaseExpression, as_cond: bool) -> ir.Expr:
        kind = type(node).__name__
        construct = UNSUPPORTED_NODES.get(kind, kind)
        typ = ir.BOOL if as_cond else ir.MATH_INT
        unmodelled_subscripts(self, node)
        runs = self._may_run_code(node)
        if runs is not None:    # a call or an iteration inside: it may not return
            self.unsupported(construct, node, typ)
            real = real_callees(self.ctx, node, construct)
            if real is not None:    # `yield f(x)`: real calls, each judged on its own
                return ir.Call(func=real, args=(), type=typ, span=self.span(node),
                               opaque=True)
            return ir.Call(func=f"{runs} (in a {construct})", args=(), type=typ,
                           span=self.span(node), opaque=True)
        return self.unsupported(construct, node, typ)

    def _may_run_code(self, node: cst.CSTNode) -> Optional[str]:
        """What in an unmodelled expression may run code of unknown termination (a call
        other than a pure builtin, or a comprehension over what may be infinite), or None
        (a yield or await only suspends; a call inside one is found like any other).
        Such an expression is lowered as a call to an unknown function, so termination
        and everything that needs its value say "don't know" rather than ignore it."""
        model = self.ctx.iterables
        stack, found = [node], None
        while stack:
            n = stack.pop()
            if isinstance(n, cst.Lambda):
                continue                       # defined, not run here
            if isinstance(n, cst.Call):
                name = model.builtin(n.func) if model is not None else None
                if name not in PURE_BUILTINS or (name in ("min", "max") and len(n.args) < 2):
                    return cst.Module([]).code_for_node(n.func)
            elif isinstance(n, (cst.ListComp, cst.SetComp, cst.DictComp)) and found is None \
                    and (model is None or not model._comprehension_ok(n)):
                found = "an iteration over what may be infinite"
            stack.extend(n.children)
        return found

    def _Integer(self, node: cst.Integer, as_cond: bool) -> ir.Expr:
        return ir.Const(value=int(node.value.replace("_", ""), 0), span=self.span(node))

    def _Name(self, node: cst.Name, as_cond: bool) -> ir.Expr:
        span, name, ctx = self.span(node), node.value, self.ctx
        if name in ("True", "False"):
            return ir.Const(value=int(name == "True"), type=ir.BOOL, span=span)
        if as_cond and name in L.tracked(ctx) and not self.called:   # `if xs:`
            length = ir.Var(name=L.len_var(name), type=ir.MATH_INT, span=span)
            return ir.Binary(op="ne", left=length, right=ir.Const(value=0, span=span),
                             type=ir.BOOL, span=span)
        if name in ctx.bad_params:
            return ir.Unsupported(what=ctx.bad_params[name], span=span, opaque=True)
        if name in ctx.optional:            # int or None (python_optional)
            return OPT.truthy(ctx, name, span) if as_cond else OPT.read(ctx, name, span)
        if name in ctx.global_names:
            return self.unsupported(f"global variable {name}", node)
        if name in L.tracked(ctx):      # a container: its IR value is not its value
            return self.unsupported(f"container {name}", node, record=False)
        if name in ctx.locals or name in ctx.local_names:
            return ir.Var(name=name, type=ctx.local_type(name), span=span)
        if name in ctx.index.constants:
            return ir.Const(value=ctx.index.constants[name], span=span)
        if name == "None":
            return self.unsupported("None", node)
        return self.unsupported(f"name {name}", node)

    def _NamedExpr(self, node: cst.NamedExpr, as_cond: bool) -> ir.Expr:
        e = self.unsupported("assignment expression", node)
        if isinstance(node.target, cst.Name):   # the target holds an arbitrary value after
            self.ctx.declare(node.target.value, ir.MATH_INT)
            self.pre.append(ir.Havoc(targets=[node.target.value], what=e.what, span=e.span))
            self.pre += L.bump(self.ctx, e.span)  # it may be a key (python_membership)
        return e

    def _Attribute(self, node: cst.Attribute, as_cond: bool) -> ir.Expr:
        base = node.value
        attrs = self.ctx.self_attrs
        prop = self.ctx.index.properties.get(f"{self.ctx.class_name}.{node.attr.value}") \
            if attrs is not None and isinstance(base, cst.Name) \
            and base.value == self.ctx.self_name else None
        if prop is not None:        # a simple property: its return expression, inlined
            expr, me = prop
            if me != self.ctx.self_name:
                from .python_names import renamed
                expr = renamed(expr, me, self.ctx.self_name)
            return self.value(expr)
        if (attrs and isinstance(base, cst.Name) and base.value == self.ctx.self_name
                and node.attr.value in attrs):
            name = f"{base.value}.{node.attr.value}"
            return ir.Var(name=name, type=self.ctx.local_type(name), span=self.span(node))
        if (node.attr.value == "value" and isinstance(base, cst.Name)
                and base.value in self.ctx.locals and base.value not in self.ctx.bad_params
                and self.ctx.locals[base.value].name.startswith("ctypes.")):
            return self._Name(base, as_cond)      # ctypes value object -> its int
        return self.unsupported("attribute access", node)

    # ------------------------------------------------------------------ calls
    def _Call(self, node: cst.Call, as_cond: bool) -> ir.Expr:
        return lower_call(self, node, as_cond)
