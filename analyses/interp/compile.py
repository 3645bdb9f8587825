"""Compiles IR functions into Python closures ``f(env, ctx)`` for the interpreter.

Why closures: the interpreter is on the language server's hot path; resolving types,
operators and variable scopes once per function (instead of per step) makes a run a
chain of direct calls.  The arithmetic semantics (wrap-around, C division, shifts,
conversions, and which operations are violations) live in arith.py.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from .. import ir
from ..entry_asserts import entry_asserts
from ..findings import TraceStep
from .arith import convert, converter
from .compile_exprs import ExprCompiler, at_line
from .signals import Poison, Stop

__all__ = ["compiled", "convert", "var_names"]

BREAK, CONTINUE, RETURN = "break", "continue", "return"


@dataclass
class CompiledFunction:
    names: list[str]
    convs: list[Callable]
    body: Callable
    ret_conv: Optional[Callable]
    requires: list = field(default_factory=list)   # (check, Contract, var names)
    ensures: list = field(default_factory=list)
    entry: list = field(default_factory=list)      # entry asserts: (check, Assert, names)


_CACHE: dict[tuple[int, int], tuple] = {}


def compiled(fn: ir.Function, program: ir.Program) -> CompiledFunction:
    """The compiled form of fn, cached by object identity (IR is not mutated after
    parsing; a re-parse makes new objects)."""
    key = (id(fn), id(program))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is fn and hit[1] is program:
        return hit[2]
    cf = _Compiler(fn, program).function()
    if len(_CACHE) > 512:
        _CACHE.clear()
    _CACHE[key] = (fn, program, cf)
    return cf


def var_names(node) -> list[str]:
    """Variables mentioned in an expression (for the values shown with a violation)."""
    out: dict[str, None] = {}

    def walk(n):
        if isinstance(n, ir.Var):
            out.setdefault(n.name, None)
        elif isinstance(n, (list, tuple)):
            for m in n:
                walk(m)
        elif isinstance(n, ir.Expr):
            for v in vars(n).values():
                if isinstance(v, (ir.Expr, tuple)):
                    walk(v)
    walk(node)
    return list(out)


class _Compiler(ExprCompiler):
    def __init__(self, fn: ir.Function, program: ir.Program):
        self.fn, self.program = fn, program
        self.locals = set(fn.locals) | {p.name for p in fn.params}
        self.globals = set(program.globals) - self.locals

    def function(self) -> CompiledFunction:
        fn = self.fn
        ret = converter(fn.ret) if fn.ret is not None and fn.ret.bounded else None
        return CompiledFunction(
            names=[p.name for p in fn.params], convs=[converter(p.type) for p in fn.params],
            body=self.block(fn.body), ret_conv=ret,
            requires=[(self.expr(c.expr), c, var_names(c.expr)) for c in fn.requires],
            ensures=[(self.expr(c.expr), c, var_names(c.expr)) for c in fn.ensures],
            entry=[(self.expr(a.cond), a, var_names(a.cond)) for a in entry_asserts(fn)])

    def block(self, stmts: list) -> Callable:
        parts = [self.stmt(s) for s in stmts]
        n = len(parts)
        if n == 0:
            return lambda env, ctx: None
        if n == 1:
            only = parts[0]

            def one(env, ctx):
                ctx.steps += 1
                return only(env, ctx)
            return one

        def seq(env, ctx):
            ctx.steps += n
            for p in parts:
                sig = p(env, ctx)
                if sig is not None:
                    return sig
            return None
        return seq

    def stmt(self, s: ir.Stmt) -> Callable:
        m = getattr(self, "s_" + type(s).__name__, None)
        if m is None:
            raise ValueError(f"unknown statement {type(s).__name__}")
        return m(s)

    def s_Assign(self, s):
        val, target, line = self.expr(s.value), s.target, s.span.line
        is_global = target in self.globals
        if isinstance(s.value, ir.Unsupported) and s.value.lazy:
            poison = Poison(at_line(s.value.what, s.value.span))
            val = lambda env, ctx: poison       # noqa: E731 (used only if read: signals)

        def assign(env, ctx):
            v = val(env, ctx)
            if is_global:
                ctx.globals[target] = v
            else:
                env[target] = v
            if ctx.depth == 0 and len(ctx.trace) < ctx.max_trace:
                if not isinstance(v, Poison):
                    ctx.trace.append(TraceStep(line, {target: int(v)}))
        return assign

    def s_If(self, s):
        c, t, o = self.expr(s.cond), self.block(s.then), self.block(s.orelse)
        return lambda env, ctx: t(env, ctx) if c(env, ctx) else o(env, ctx)

    def s_While(self, s):
        cond, body, update = self.expr(s.cond), self.block(s.body), self.block(s.update)
        invs = [(self.expr(c.expr), c, var_names(c.expr)) for c in s.invariants]
        do_while, span = s.do_while, s.span

        def loop(env, ctx):
            first = do_while
            saved, power, lam = None, 1, 0         # Brent's cycle detection
            while True:
                ctx.steps += 1
                if ctx.steps > ctx.max_steps:
                    ctx.tick(0)
                for check, c, names in invs:
                    if not check(env, ctx):
                        ctx.violate("invariant", c.span, f"loop invariant may fail: {c.text}",
                                    {n: int(env[n]) for n in names if n in env})
                if not first:
                    if ctx.detect_cycles:
                        key = (tuple(env.items()), tuple(ctx.globals.items()),
                               ctx.npos, ctx.epos)
                        try:
                            same = key == saved
                        except Stop:    # lazy unknowns of different places: not known
                            same = False
                        if same:
                            state = {k: int(v) for k, v in env.items()
                                     if not isinstance(v, tuple)}
                            state.update({k: int(v) for k, v in ctx.globals.items()})
                            raise Stop("nonterminating",
                                       f"the loop at line {span.line} repeats the state "
                                       f"{state}", span, state)
                        lam += 1
                        if lam == power:
                            saved, power, lam = key, power * 2, 0
                    if not cond(env, ctx):
                        return None
                first = False
                sig = body(env, ctx)
                if sig is BREAK:
                    return None
                if sig is RETURN:
                    return RETURN
                update(env, ctx)
        return loop

    def s_Assert(self, s):
        if s.kind == "bounds":
            return self._bounds(s)
        c, names, span = self.expr(s.cond), var_names(s.cond), s.span
        kind = s.kind if s.kind in ("reach_error", *ir.RUNTIME_CHECKS) else "assert"
        msg = s.message or ("reach_error() is reachable" if kind == "reach_error"
                            else "assertion may fail")

        def check(env, ctx):
            if not c(env, ctx):
                vals = {n: int(env.get(n, ctx.globals.get(n, 0))) for n in names}
                ctx.violate(kind, span, msg, vals)
        return check

    def _bounds(self, s):
        """An element access outside its object: undefined behaviour (stops a C run)."""
        c, span, msg = self.expr(s.cond), s.span, s.message or "out-of-bounds access"
        parts = ir.bounds_parts(s)
        lo, index, hi = (self.expr(p) for p in parts) if parts else (None, None, None)

        def check(env, ctx):
            if not c(env, ctx):
                vals = {}
                if parts:
                    vals["index"] = int(index(env, ctx))
                    first = int(lo(env, ctx))
                    if first != 0:
                        vals["first"] = first
                    vals["size"] = int(hi(env, ctx)) + 1
                ctx.violate("bounds", span, msg, vals)
        return check

    def s_Assume(self, s):
        c, line = self.expr(s.cond), s.span.line

        def assume(env, ctx):
            if not c(env, ctx):
                raise Stop("assume_failed", f"assumption at line {line} is false")
        return assume

    def s_Return(self, s):
        if s.value is None:
            def ret_none(env, ctx):
                ctx.retval = None
                return RETURN
            return ret_none
        val = self.expr(s.value)

        def ret(env, ctx):
            ctx.retval = val(env, ctx)
            return RETURN
        return ret

    def s_Break(self, s):
        return lambda env, ctx: BREAK

    def s_Continue(self, s):
        return lambda env, ctx: CONTINUE

    def s_Halt(self, s):
        msg = f"{s.what} at line {s.span.line}"

        def halt(env, ctx):
            raise Stop("halted", msg)
        return halt

    def s_ExprStmt(self, s):
        e = self.expr(s.expr)

        def effect(env, ctx):
            e(env, ctx)
        return effect

    def s_ArrayInit(self, s):
        name, n = s.array, s.length
        vals = None if s.values is None else [self.expr(v) for v in s.values]

        def init(env, ctx):
            if vals is None:
                env[name] = (None,) * n
            else:
                got = [v(env, ctx) for v in vals]
                env[name] = tuple(got) + (0,) * (n - len(got))
        return init

    def s_Store(self, s):
        name, index, value = s.array, self.expr(s.index), self.expr(s.value)

        def store(env, ctx):
            k, v = index(env, ctx), value(env, ctx)
            old = env[name]
            env[name] = old[:k] + (v,) + old[k + 1:]
        return store

    def s_Havoc(self, s):
        types = {**self.program.globals, **self.fn.locals}
        targets = [(t, converter(types.get(t, ir.MATH_INT)), t in self.globals)
                   for t in s.targets]
        what = at_line(s.what or "unsupported statement", s.span)
        caller_memory = s.caller_memory

        def havoc(env, ctx):
            if caller_memory and ctx.depth == 0 and ctx.caller_memory:   # the caller's
                return
            for t, conv, is_global in targets:
                v = ctx.next_external(conv, what)
                (ctx.globals if is_global else env)[t] = v
        return havoc
