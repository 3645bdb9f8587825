"""The expression half of the interpreter's compiler (compile.py): IR expressions into
closures ``f(env, ctx)`` returning their value, with the same arithmetic semantics
(arith.py) and the same violations (signals.py) as statements see."""
from __future__ import annotations

import operator
from typing import Callable

from .. import ir
from .arith import arith, converter, cast
from .signals import Stop


def at_line(what: str, span: ir.Span) -> str:
    return what if "line" in what or not span.line else f"{what} (line {span.line})"


_CMP = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge,
        "eq": operator.eq, "ne": operator.ne}


class ExprCompiler:
    """Mixin of compile._Compiler: needs self.fn, self.program, self.locals, self.globals."""

    def expr(self, e: ir.Expr) -> Callable:
        m = getattr(self, "x_" + type(e).__name__, None)
        if m is None:
            raise ValueError(f"unknown expression {type(e).__name__}")
        return m(e)

    def x_Const(self, e):
        v = e.value
        return lambda env, ctx: v

    def x_Var(self, e):
        name = e.name
        if name in self.globals:
            return lambda env, ctx: ctx.globals[name]
        return lambda env, ctx: env[name]

    def x_Unary(self, e):
        a = self.expr(e.arg)
        if e.op == "not":
            return lambda env, ctx: not a(env, ctx)
        return arith(e, a, None)

    def x_Binary(self, e):
        op, l, r = e.op, self.expr(e.left), self.expr(e.right)
        if op in _CMP:
            f = _CMP[op]
            return lambda env, ctx: f(l(env, ctx), r(env, ctx))
        if op == "and":
            return lambda env, ctx: bool(l(env, ctx)) and bool(r(env, ctx))
        if op == "or":
            return lambda env, ctx: bool(l(env, ctx)) or bool(r(env, ctx))
        if op == "implies":
            return lambda env, ctx: (not l(env, ctx)) or bool(r(env, ctx))
        return arith(e, l, r)

    def x_Ite(self, e):
        c, t, o = self.expr(e.cond), self.expr(e.then), self.expr(e.orelse)
        return lambda env, ctx: t(env, ctx) if c(env, ctx) else o(env, ctx)

    def x_Cast(self, e):
        return cast(e, self.expr(e.arg))

    def x_Call(self, e):
        args = [self.expr(a) for a in e.args]
        name, span = e.func, e.span
        if name in self.program.functions:
            return lambda env, ctx: ctx.call(name, [a(env, ctx) for a in args], span)
        conv, what = converter(e.type), f"call to unknown function {name}() at line {span.line}"

        def external(env, ctx):
            for a in args:
                a(env, ctx)
            return ctx.next_external(conv, what)
        return external

    def x_Nondet(self, e):
        conv, label = converter(e.type), e.label or f"line {e.span.line}"
        return lambda env, ctx: ctx.next_nondet(conv, label)

    def x_Element(self, e):
        """An element input `array[k]` of the top-level run (ctx.elements); a callee's
        reads are not bound to its caller's arrays: an external value."""
        index, conv = self.expr(e.index), converter(e.type)
        what = at_line(f"element of {e.array}", e.span)

        def element(env, ctx):
            if ctx.depth > 0:
                return ctx.next_external(conv, what)
            key = f"{e.array}[{int(index(env, ctx))}]"
            if key not in ctx.elements:
                raise Stop("needs_input", f"no value for {key}")
            return conv(ctx.elements[key])
        return element

    def x_Load(self, e):
        """A local array is a tuple of its elements (None: never written)."""
        index, name, what = self.expr(e.index), e.array, at_line(
            f"read of an element of {e.array.split('$')[0]} never written", e.span)

        def load(env, ctx):
            v = env[name][index(env, ctx)]
            if v is None:
                raise Stop("unsupported", what)
            return v
        return load

    def x_Old(self, e):
        inner = self.expr(e.arg)

        def old(env, ctx):
            cur = ctx.globals
            ctx.globals = ctx.old_globals
            try:
                return inner(ctx.old_env, ctx)
            finally:
                ctx.globals = cur
        return old

    def x_Unsupported(self, e):
        if e.what.startswith((ir.EXCEPTION_ROUTE, ir.MAYBE_NONE)):   # (see ir.py)
            return lambda env, ctx: False
        conv, what = converter(e.type), at_line(e.what, e.span)
        return lambda env, ctx: ctx.next_external(conv, what)

    # ------------------------------------------------------------------ statements
