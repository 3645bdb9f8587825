"""Lowering of Python expressions (libcst) to IR expressions.

`value()` gives an int-typed expression (a BOOL is Cast to 0/1), `cond()` a BOOL one (an
int is Cast: != 0).  Expressions stay pure: a Call that must be evaluated once but used
twice (middle of a comparison chain, abs/min/max operands, `x and y` in value position) is
hoisted into a hidden temporary through `self.pre`, the statements the caller emits first —
unless it sits where it may not be evaluated (right of and/or, an if-expression branch),
where it is duplicated instead.  Anything outside the subset becomes `ir.Unsupported`.
"""
from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from .. import ir
from .python_calls import lower_call
from .python_context import FnContext
from .python_unmodelled_calls import real_callees
from .python_index import index_check, unmodelled_subscripts
from .python_membership import key_check, membership
from . import python_lengths as L
from .python_iterables import PURE_BUILTINS
from . import python_optional as OPT
from .python_try import may_catch, raises_on
from .python_types import join, same_domain
from .python_values import coerce, cover, is_pure, to_bool, to_int

__all__ = ["ARITH", "CMP", "ExprLowerer", "coerce", "cover", "is_pure", "to_bool", "to_int"]

ARITH = {"Add": "add", "Subtract": "sub", "Multiply": "mul", "FloorDivide": "floordiv",
         "Modulo": "floormod", "BitAnd": "band", "BitOr": "bor", "BitXor": "bxor",
         "LeftShift": "shl", "RightShift": "shr"}
CMP = {"LessThan": "lt", "LessThanEqual": "le", "GreaterThan": "gt",
       "GreaterThanEqual": "ge", "Equal": "eq", "NotEqual": "ne"}
UNSUPPORTED_NODES = {
    "Float": "float literal", "Imaginary": "complex literal", "SimpleString": "string literal",
    "ConcatenatedString": "string literal", "FormattedString": "f-string",
    "List": "list display", "Tuple": "tuple", "Set": "set display", "Dict": "dict display",
    "ListComp": "list comprehension", "SetComp": "set comprehension",
    "DictComp": "dict comprehension", "GeneratorExp": "generator expression",
    "Subscript": "subscript", "Lambda": "lambda", "Await": "await", "Yield": "yield",
    "Ellipsis": "Ellipsis", "StarredElement": "starred expression",
}
_TEXT_PARAM = re.compile(r"of type (str|bytes|bytearray|typing\.Text)$")
MAX_POW_UNROLL = 16


def _is_int_literal(node: cst.BaseExpression) -> Optional[int]:
    if isinstance(node, cst.Integer):
        return int(node.value.replace("_", ""), 0)
    if (isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus)
            and isinstance(node.expression, cst.Integer)):
        return -int(node.expression.value.replace("_", ""), 0)
    return None


class ExprLowerer:
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
        span = self.span(node)
        what = f"{construct} at line {span.line}"
        if record:
            self.ctx.note(what, span)
        return ir.Unsupported(what=what, type=typ, span=span)

    def once(self, e: ir.Expr) -> ir.Expr:
        """e, safe to use twice: a Call is hoisted into a temporary when that keeps the
        evaluation order; otherwise it is duplicated."""
        if is_pure(e) or self.cond_depth > 0:
            return e
        e = to_int(e)
        tmp = self.ctx.fresh("t", e.type if isinstance(e.type, ir.IntT) else ir.MATH_INT)
        self.pre.append(ir.Assign(target=tmp, value=e, span=e.span))
        return ir.Var(name=tmp, type=self.ctx.locals[tmp], span=e.span)

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
        return ir.Unsupported(what=e.what, type=e.type, span=e.span, lazy=True)

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
                return ir.Call(func=real, args=(), type=typ, span=self.span(node))
            return ir.Call(func=f"{runs} (in a {construct})", args=(), type=typ,
                           span=self.span(node))
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
            return ir.Unsupported(what=ctx.bad_params[name], span=span)
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

    # ------------------------------------------------------------------ operators
    def _BinaryOperation(self, node: cst.BinaryOperation, as_cond: bool) -> ir.Expr:
        op = type(node.operator).__name__
        if op == "Divide":
            return self.unsupported("float division", node)
        if op == "MatrixMultiply":
            return self.unsupported("matrix multiplication", node)
        if op == "Power":
            return self._power(node)
        if self.is_text(node.left) or self.is_text(node.right):
            return self.text_operation(op, node, as_cond)
        left, right = self.value(node.left), self.value(node.right)
        return self.arith(ARITH[op], left, right, node)

    def is_text(self, node: cst.BaseExpression) -> bool:
        """Is node a str/bytes value (a literal, an f-string, a parameter annotated so)?"""
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return True
        if isinstance(node, cst.BinaryOperation) and \
                type(node.operator).__name__ in ("Add", "Multiply", "Modulo"):
            return self.is_text(node.left) or self.is_text(node.right)
        return isinstance(node, cst.Name) and bool(_TEXT_PARAM.search(
            self.ctx.bad_params.get(node.value, "")))

    def text_operation(self, op: str, node: cst.BinaryOperation, as_cond: bool) -> ir.Expr:
        """`fmt % args`, `s + t`, `s * n` on strings: formatting, concatenation, repetition
        (never integer arithmetic: `%` here divides nothing).  The value is unknown; the
        int operands are still evaluated, for their own checks and calls: the result is
        `unknown + 0 * operand`, which has no check of its own."""
        what = "string formatting" if op == "Modulo" else "string operation"
        kept = []
        for side in (node.left, node.right):
            v = self.value(side)
            if not isinstance(v, ir.Unsupported):
                zero = ir.Const(value=0, span=v.span)
                kept.append(ir.Binary(op="mul", left=coerce(v, ir.MATH_INT), right=zero,
                                      type=ir.MATH_INT, span=v.span))
        result: ir.Expr = self.unsupported(what, node)
        for k in reversed(kept):     # the operands run first, then the unknown result
            result = ir.Binary(op="add", left=k, right=result, type=ir.MATH_INT,
                               span=self.span(node))
        return to_bool(result) if as_cond else result

    def arith(self, op: str, left: ir.Expr, right: ir.Expr, node: cst.CSTNode) -> ir.Expr:
        t = join(left.type, right.type)
        if t is None:
            return self.unsupported(f"mixing {left.type} and {right.type}", node)
        raises = {"floordiv": ZeroDivisionError, "floormod": ZeroDivisionError,
                  "shl": ValueError, "shr": ValueError}.get(op)     # b == 0 / b < 0
        if raises is not None and may_catch(self.ctx, raises):
            right = self.once(right)
            self.pre += raises_on(self, right, self.span(node), raises)
        return ir.Binary(op=op, left=coerce(left, t), right=coerce(right, t), type=t,
                         span=self.span(node))

    def _power(self, node: cst.BinaryOperation) -> ir.Expr:
        return self.power(self.value(node.left), node.right, node)

    def power(self, base: ir.Expr, exp_node: cst.BaseExpression, node: cst.CSTNode) -> ir.Expr:
        """x ** k for a small literal k >= 0, as repeated multiplication."""
        exp = _is_int_literal(exp_node)
        if exp is None or exp < 0:
            return self.unsupported("power with a non-literal or negative exponent", node)
        if isinstance(base, ir.Const) and not base.type.bounded and exp * max(
                abs(base.value), 1).bit_length() <= 4096:
            return ir.Const(value=base.value ** exp, span=self.span(node))
        if exp == 0:
            return coerce(ir.Const(value=1, span=self.span(node)), base.type)
        if exp > MAX_POW_UNROLL:
            return self.unsupported("power with a large exponent", node)
        base = self.once(base)
        acc = base
        for _ in range(exp - 1):
            acc = self.arith("mul", acc, base, node)
        return acc

    def _UnaryOperation(self, node: cst.UnaryOperation, as_cond: bool) -> ir.Expr:
        op, span = type(node.operator).__name__, self.span(node)
        if op == "Not":
            return ir.Unary(op="not", arg=self.cond(node.expression), type=ir.BOOL, span=span)
        lit = _is_int_literal(node)
        if lit is not None:
            return ir.Const(value=lit, span=span)
        arg = self.value(node.expression)
        if op == "Plus":
            return arg
        t = arg.type if arg.type.bounded else ir.MATH_INT
        return ir.Unary(op="neg" if op == "Minus" else "bnot", arg=arg, type=t, span=span)

    def _Comparison(self, node: cst.Comparison, as_cond: bool) -> ir.Expr:
        left = self.value(node.left)
        result: Optional[ir.Expr] = None
        last = len(node.comparisons) - 1
        for i, target in enumerate(node.comparisons):
            op = type(target.operator).__name__
            self.cond_depth += i > 0        # later operands are evaluated conditionally
            if i > 0:
                self.guards.append(result)
            try:
                right = self.value(target.comparator)
                if i < last:                # a middle operand is used twice
                    right = self.once(right)
            finally:
                self.cond_depth -= i > 0
                if i > 0:
                    self.guards.pop()
            span = self.span(node) if last == 0 else cover(left.span, right.span)
            left_node = node.left if i == 0 else node.comparisons[i - 1].comparator
            member = membership(self, left_node, target.comparator, op == "NotIn", span) \
                if op in ("In", "NotIn") else None
            opt = OPT.none_tested(self.ctx, left_node, target.comparator) \
                if op in ("Is", "IsNot") else None
            if opt is not None:
                part: ir.Expr = OPT.none_test(opt, op == "IsNot", span)
            elif op in ("Is", "IsNot") and self._none_test(left_node, target.comparator):
                part = ir.Const(value=int(op == "IsNot"), type=ir.BOOL, span=span)
            elif member is not None:
                part = member
            elif op not in CMP:
                kind = "membership test" if "In" in op else "identity comparison"
                part = self.unsupported(kind, target, ir.BOOL)
            else:
                l, r = left, right
                if not same_domain(l.type, r.type):
                    l, r = coerce(l, ir.MATH_INT), coerce(r, ir.MATH_INT)
                part = ir.Binary(op=CMP[op], left=l, right=r, type=ir.BOOL, span=span)
            result = part if result is None else ir.Binary(
                op="and", left=result, right=part, type=ir.BOOL, span=cover(result.span, span))
            left = right
        return result

    def _none_test(self, left: cst.BaseExpression, right: cst.BaseExpression) -> bool:
        """`x is None` on a name that always holds an int (an int-annotated parameter or a
        local bound only to ints) or a known container (a parameter annotated e.g.
        `list[int]`, not Optional) is False."""
        if isinstance(left, cst.Name) and left.value == "None":
            left, right = right, left
        if not (isinstance(right, cst.Name) and right.value == "None"
                and isinstance(left, cst.Name)):
            return False
        name, ctx = left.value, self.ctx
        if name in ctx.not_none and name in L.tracked(ctx) and name not in ctx.local_names \
                and name not in ctx.global_names:
            return True                 # a container parameter never rebound
        if name in ctx.non_int or name in ctx.global_names or name in ctx.bad_params:
            return False
        if name in ctx.param_names:
            return name in ctx.int_params
        return name in ctx.local_names

    def _BooleanOperation(self, node: cst.BooleanOperation, as_cond: bool) -> ir.Expr:
        op = "and" if isinstance(node.operator, cst.And) else "or"
        if isinstance(node.left, cst.Name) and node.left.value in self.ctx.optional:
            x = node.left.value             # `x or k`: x unless it is None or 0
            test = OPT.truthy(self.ctx, x, self.span(node.left))
            left: ir.Expr = ir.Var(name=x, type=self.ctx.local_type(x), span=test.span)
        else:
            left = self.natural(node.left, as_cond)
            test = to_bool(left)
        guard = test if op == "and" else ir.Unary(op="not", arg=test, type=ir.BOOL,
                                                  span=test.span)
        right = self.guarded(node.right, as_cond, guard)
        span = self.span(node)
        if as_cond or (left.type == ir.BOOL and right.type == ir.BOOL):
            return ir.Binary(op=op, left=to_bool(left), right=to_bool(right), type=ir.BOOL,
                             span=span)
        left = self.once(to_int(left))      # `x and y` returns an operand
        t = join(left.type, right.type) or ir.MATH_INT
        first, other = coerce(left, t), coerce(right, t)
        then, orelse = (other, first) if op == "and" else (first, other)
        return ir.Ite(cond=test if isinstance(left, ir.Var) and left.name in self.ctx.optional
                      else to_bool(left), then=then, orelse=orelse, type=t, span=span)

    def _IfExp(self, node: cst.IfExp, as_cond: bool) -> ir.Expr:
        test = self.cond(node.test)
        then = self.guarded(node.body, as_cond, test)
        orelse = self.guarded(node.orelse, as_cond,
                              ir.Unary(op="not", arg=test, type=ir.BOOL, span=test.span))
        span = self.span(node)
        if as_cond or (then.type == ir.BOOL and orelse.type == ir.BOOL):
            return ir.Ite(cond=test, then=to_bool(then), orelse=to_bool(orelse),
                          type=ir.BOOL, span=span)
        then, orelse = to_int(then), to_int(orelse)
        t = join(then.type, orelse.type)
        if t is None:
            return self.unsupported(f"mixing {then.type} and {orelse.type}", node)
        return ir.Ite(cond=test, then=coerce(then, t), orelse=coerce(orelse, t), type=t,
                      span=span)

    # ------------------------------------------------------------------ calls
    def _Call(self, node: cst.Call, as_cond: bool) -> ir.Expr:
        return lower_call(self, node, as_cond)
