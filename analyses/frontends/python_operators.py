"""Python operators -> IR: arithmetic, `**` by a small literal, string operations,
comparison chains (`a < b < c`, `in`, `is None`), `and`/`or` and if-expressions — a mixin
of python_exprs.ExprLowerer.

A middle operand of a chain or an operand `x and y` returns is hoisted once (`once`); an
operand evaluated only sometimes is lowered under its guard (`guarded`).
"""
from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from .. import ir
from . import python_opaque as opaque
from . import python_lengths as L
from . import python_optional as OPT
from .python_literals import int_literal
from .python_membership import membership
from .python_try import may_catch, raises_on
from .python_types import join, same_domain
from .python_values import coerce, cover, to_bool, to_int

ARITH = {"Add": "add", "Subtract": "sub", "Multiply": "mul", "FloorDivide": "floordiv",
         "Modulo": "floormod", "BitAnd": "band", "BitOr": "bor", "BitXor": "bxor",
         "LeftShift": "shl", "RightShift": "shr"}
CMP = {"LessThan": "lt", "LessThanEqual": "le", "GreaterThan": "gt",
       "GreaterThanEqual": "ge", "Equal": "eq", "NotEqual": "ne"}
_TEXT_PARAM = re.compile(r"of type (str|bytes|bytearray|typing\.Text)$")
MAX_POW_UNROLL = 16


class OperatorLowering:
    """Needs ExprLowerer's value, cond, natural, guarded, once, unsupported, span, ctx,
    pre, guards and cond_depth."""

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
        return opaque.guard(self.ctx, self._arith(op, left, right, node), [left, right],
                            self.span(node))

    def _arith(self, op: str, left: ir.Expr, right: ir.Expr, node: cst.CSTNode) -> ir.Expr:
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
        exp = int_literal(exp_node)
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
        lit = int_literal(node)
        if lit is not None:
            return ir.Const(value=lit, span=span)
        arg = self.value(node.expression)
        if op == "Plus":
            return arg
        t = arg.type if arg.type.bounded else ir.MATH_INT
        return opaque.guard(self.ctx, ir.Unary(op="neg" if op == "Minus" else "bnot", arg=arg,
                                               type=t, span=span), [arg], span)

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
                part = opaque.guard(self.ctx, ir.Binary(op=CMP[op], left=l, right=r,
                                                        type=ir.BOOL, span=span),
                                    [left, right], span)
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
