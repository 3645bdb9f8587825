"""Lowering of Python statements (libcst) to IR statements.

Loops: `while … else` and `for … else` get a hidden flag `$brokeN` set by their own
`break`s.  `for v in range(…)` becomes a `While(range_loop=True)` over hidden `$curN` /
`$stopN` (/ `$stepN` when the step is not a literal) that the body cannot assign; the body
starts with `v = $curN; $curN = $curN + step`, so `continue` works and v keeps its last
value after the loop.  Statements outside the subset become `Havoc` of what they may
assign; those with bodies (try, with, match, for over other iterables) keep their bodies
under a nondeterministic choice, so returns and asserts inside them are not lost.
"""
from __future__ import annotations

from typing import Optional, Sequence

import libcst as cst

from .. import ir
from .python_context import FnContext
from .python_exprs import ExprLowerer
from .python_values import coerce
from . import python_lengths as L
from .python_assign import AssignLowering
from .python_assumed_iterables import assumed_iter, iterable_text, other_code_adds
from .python_for import count_args, lower_count_for, lower_finite_for, lower_range_for
from .python_index import index_check
from .python_try import check, exc_class, leave, lower_try, raise_point
from .python_known_dicts import binding_updates
from .python_optional import after_assign
from .python_membership import key_check
from .python_copy_before import copied_kind
from .python_growth import growth_blocker
from .python_growing_functions import may_grow
from .python_iterables import MUTABLE, FiniteIter
from .python_shrink import around as shrink_around, shrunk_name
from .python_names import bound_names, suspends, target_names


def _const(v: int, span: ir.Span, typ: ir.Type = ir.MATH_INT) -> ir.Const:
    return ir.Const(value=v, type=typ, span=span)


def _var(ctx: FnContext, name: str, span: ir.Span) -> ir.Var:
    return ir.Var(name=name, type=ctx.locals[name], span=span)


def _cmp(op: str, left: ir.Expr, right: ir.Expr, span: ir.Span) -> ir.Binary:
    return ir.Binary(op=op, left=left, right=right, type=ir.BOOL, span=span)


class StmtLowerer(AssignLowering):
    def __init__(self, ctx: FnContext):
        self.ctx = ctx
        self.loops: list[Optional[str]] = []     # per enclosing loop: its break flag
        self.frames: list = []      # enclosing statement lists: (statements, current index)

    # ------------------------------------------------------------------ plumbing
    def span(self, node: cst.CSTNode) -> ir.Span:
        return self.ctx.spanner.span(node)

    def block(self, body) -> list[ir.Stmt]:
        if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)):
            return self.stmts(body.body)
        return self.stmts(body.body.body)          # an Else / Finally clause

    def stmts(self, nodes: Sequence[cst.CSTNode]) -> list[ir.Stmt]:
        out: list[ir.Stmt] = []
        for i, n in enumerate(nodes):
            self.frames.append((nodes, i))
            try:
                for small in (n.body if isinstance(n, cst.SimpleStatementLine) else [n]):
                    out.extend(self.one(small))
            finally:
                self.frames.pop()
        return out

    def one(self, node: cst.CSTNode) -> list[ir.Stmt]:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            return self.havoc(node, type(node).__name__)
        depth = len(self.loops)
        try:
            self.ctx.after_stmt = []
            out = method(node)
            if not isinstance(node, _COMPOUND) and L.tracked(self.ctx):
                out = out + L.fresh_updates(self.ctx, node, self.span(node))
                if L.may_change(self.ctx, node):
                    out = out + L.invalidate(self.ctx, self.span(node))
                    shrunk = shrunk_name(self.ctx, node)
                    if shrunk is not None:      # xs.pop() on a parameter: one less
                        out = shrink_around(self.ctx, shrunk, out, self.span(node))
                if _sets_length(out) or _stores_item(node):
                    out = out + L.bump(self.ctx, self.span(node))
            if not isinstance(node, _COMPOUND):
                out = out + binding_updates(self.ctx, node, self.span(node)) + \
                    after_assign(self.ctx, node, self.span(node))
                out, self.ctx.after_stmt = out + self.ctx.after_stmt, []
            return out
        except Exception as e:                      # never let one statement kill the module
            del self.loops[depth:]
            return self.havoc(node, f"internal error ({type(e).__name__}: {e})")

    def havoc(self, node: cst.CSTNode, construct: str, extra: Sequence[str] = ()) -> list[ir.Stmt]:
        span = self.span(node)
        what = f"{construct} at line {span.line}"
        self.ctx.note(what, span)
        targets = [n for n in dict.fromkeys([*bound_names(node), *extra])
                   if n not in self.ctx.global_names and n not in self.ctx.nested_defs]
        for t in targets:
            self.ctx.declare(t, ir.MATH_INT)
        return [ir.Havoc(targets=targets, what=what, span=span)] + L.arbitrary(
            self.ctx, set(targets) & set(L.tracked(self.ctx)), what, span)

    def store(self, name: str, value: ir.Expr, span: ir.Span) -> ir.Stmt:
        if name in self.ctx.global_names:
            what = f"assignment to global variable {name} at line {span.line}"
            self.ctx.note(what, span)
            return ir.Havoc(targets=[], what=what, span=span)
        t = self.ctx.declare(name, value.type)
        return ir.Assign(target=name, value=coerce(value, t), span=span)

    def nondet_choice(self, alternatives: list[list[ir.Stmt]], what: str,
                      span: ir.Span) -> list[ir.Stmt]:
        out = alternatives[-1]
        for alt in reversed(alternatives[:-1]):
            cond = ir.Unsupported(what=what, type=ir.BOOL, span=span)
            out = [ir.If(cond=cond, then=alt, orelse=out, span=span)]
        return out

    # ------------------------------------------------------------------ simple statements
    def _Pass(self, node) -> list[ir.Stmt]:
        return []

    def _Import(self, node) -> list[ir.Stmt]:
        return []

    _ImportFrom = _Import

    def _Global(self, node) -> list[ir.Stmt]:
        span = self.span(node)
        self.ctx.note(f"global statement at line {span.line}", span)
        return []

    _Nonlocal = _Global

    def _Expr(self, node: cst.Expr) -> list[ir.Stmt]:
        if isinstance(node.value, (cst.SimpleString, cst.ConcatenatedString, cst.Ellipsis,
                                   cst.Integer)):
            return []                               # docstrings, `...`
        ex = ExprLowerer(self.ctx)
        e = ex.value(node.value)
        if isinstance(e, ir.Unsupported):       # no effect (calls are ir.Call)
            return ex.pre
        return ex.pre + [ir.ExprStmt(expr=e, span=self.span(node))]

    def _Return(self, node: cst.Return) -> list[ir.Stmt]:
        span = self.span(node)
        if node.value is None:
            return leave(self.ctx, ir.Return(value=None, span=span), 0)
        ex = ExprLowerer(self.ctx)
        value = ex.value(node.value)
        if self.ctx.ret is not None:
            value = coerce(value, self.ctx.ret)
        return ex.pre + leave(self.ctx, ir.Return(value=value, span=span), 0, value)

    def _Assert(self, node: cst.Assert) -> list[ir.Stmt]:
        ex = ExprLowerer(self.ctx)
        cond = ex.cond(node.test)
        msg = ""
        if isinstance(node.msg, cst.SimpleString):
            try:
                msg = str(node.msg.evaluated_value)
            except Exception:
                msg = node.msg.value
        elif node.msg is not None:
            msg = self.ctx.spanner.code(node.msg)
        return ex.pre + check(self.ctx, cond, self.span(node), msg, AssertionError, "assert")

    def _Raise(self, node: cst.Raise) -> list[ir.Stmt]:
        exc = node.exc
        if isinstance(exc, cst.Call):
            exc = exc.func
        name = None if exc is None else (self.ctx.index.resolve(exc) or self.ctx.spanner.code(exc))
        what = f"raise {name}" if name else "raise"
        return raise_point(self.ctx, exc_class(self.ctx, node.exc), self.span(node), None, what)

    def _Break(self, node) -> list[ir.Stmt]:
        span = self.span(node)
        flag = self.loops[-1] if self.loops else None
        pre = [ir.Assign(target=flag, value=_const(1, span), span=span)] if flag else []
        return pre + leave(self.ctx, ir.Break(span=span), len(self.loops))

    def _Continue(self, node) -> list[ir.Stmt]:
        return leave(self.ctx, ir.Continue(span=self.span(node)), len(self.loops))

    def _Del(self, node: cst.Del) -> list[ir.Stmt]:
        ex = ExprLowerer(self.ctx)        # `del xs[i]`: IndexError first (python_index)
        if isinstance(node.target, cst.Subscript) and not index_check(ex, node.target, "del"):
            key_check(ex, node.target, "del")
        return ex.pre + self.havoc(node, "del statement", target_names(node.target))

    def _FunctionDef(self, node) -> list[ir.Stmt]:
        return []                                   # nested definitions are not verified

    _ClassDef = _FunctionDef

    # ------------------------------------------------------------------ compound statements
    def _If(self, node: cst.If) -> list[ir.Stmt]:
        ex = ExprLowerer(self.ctx)
        cond = ex.cond(node.test)
        then = self.block(node.body)
        if isinstance(node.orelse, cst.If):
            orelse = self._If(node.orelse)
        else:
            orelse = self.block(node.orelse) if node.orelse is not None else []
        if L.tracked(self.ctx) and L.may_change(self.ctx, node.test):
            reset = L.invalidate(self.ctx, self.span(node.test))
            then, orelse = reset + then, reset + orelse
        return ex.pre + [ir.If(cond=cond, then=then, orelse=orelse, span=self.span(node))]

    def _loop(self, node, make_loop) -> list[ir.Stmt]:
        """Shared while/for wrapper: the break flag of an `else:` clause."""
        span = self.span(node)
        flag = self.ctx.fresh("broke") if node.orelse is not None else None
        self.loops.append(flag)
        try:
            loop = make_loop()
        finally:
            self.loops.pop()
        if suspends(node.body):          # a generator's / coroutine's loop
            for s in loop:
                if isinstance(s, ir.While):
                    s.yields = True
        if flag is None:
            return loop
        test = _cmp("eq", _var(self.ctx, flag, span), _const(0, span), span)
        return ([ir.Assign(target=flag, value=_const(0, span), span=span)] + loop
                + [ir.If(cond=test, then=self.block(node.orelse), span=span)])

    def _While(self, node: cst.While) -> list[ir.Stmt]:
        def make() -> list[ir.Stmt]:
            ex = ExprLowerer(self.ctx)
            cond = ex.cond(node.test)
            body = self.block(node.body)
            span = self.span(node)
            after: list[ir.Stmt] = []
            if L.tracked(self.ctx) and L.may_change(self.ctx, node.test):
                after = L.invalidate(self.ctx, self.span(node.test))
                body = after + body
            if ex.pre:        # calls in the condition: evaluate them at every iteration
                exit_ = ir.If(cond=ir.Unary(op="not", arg=cond, type=ir.BOOL, span=cond.span),
                              then=[ir.Break(span=cond.span)], span=cond.span)
                body = ex.pre + [exit_] + body
                cond = _const(1, cond.span, ir.BOOL)
            return [ir.While(cond=cond, body=body, span=span)] + after
        return self._loop(node, make)

    def _For(self, node: cst.For) -> list[ir.Stmt]:
        it = node.iter
        if is_range_for(node, self.ctx):
            return self._loop(node, lambda: lower_range_for(self, node))
        counted = count_args(node, self.ctx)
        if counted is not None:
            return self._loop(node, lambda: lower_count_for(self, node, counted))
        why = "it may be an infinite iterator"
        model = self.ctx.iterables
        fin = model.classify(it) if model is not None and node.asynchronous is None else None
        if fin is None and model is not None and node.asynchronous is None:
            fin = self._copied(it, model)       # xs = list(xs) just before the loop
        if fin is None and model is not None and node.asynchronous is None:
            fin, why = assumed_iter(self.ctx, it, node.body)    # finite if seq is
        if fin is not None:
            calls = self._calls_program if not fin.assumed else (   # (outside iterables)
                lambda c: self._calls_program(c) and may_grow(c, self.ctx.index.growing))
            why = growth_blocker(node.body, fin.roots, model, calls,
                                 fin.private_roots, yields_ok=True)
            if why is None and not fin.assumed:
                why = other_code_adds(self.ctx, node, fin)  # the body yields: assumed
            if why is None:
                return self._loop(node, lambda: lower_finite_for(self, node, fin))

        def make() -> list[ir.Stmt]:
            span = self.span(node)
            what = (f"for loop over {iterable_text(self.ctx, it)} at line {span.line} "
                    f"({why})")
            self.ctx.note(what, span)
            names = target_names(node.target)
            for n in names:
                self.ctx.declare(n, ir.MATH_INT)
            havoc = [ir.Havoc(targets=names, what=what, span=self.span(node.target))]
            havoc += L.arbitrary(self.ctx, set(names) & set(L.tracked(self.ctx)), what, span)
            if L.tracked(self.ctx) and L.may_change(self.ctx, it):
                havoc += L.invalidate(self.ctx, self.span(it))     # advancing the iterator
            cond = ir.Unsupported(what=what, type=ir.BOOL, span=self.span(it))
            return [ir.While(cond=cond, body=havoc + self.block(node.body), span=span)]
        return self._loop(node, make)

    def _copied(self, it: cst.BaseExpression, model):
        if not isinstance(it, cst.Name) or it.value in self.ctx.global_names \
                or it.value in self.ctx.fn_nonlocals:
            return None
        kind = copied_kind(self.frames, it.value, model)
        if kind is None:
            return None
        roots = {it.value} if kind in MUTABLE else set()
        private = roots if it.value not in model.escaping else set()
        return FiniteIter(desc=f"the {kind} {it.value} (a copy made before the loop)",
                          roots=roots, private_roots=private)

    def _calls_program(self, call: cst.Call) -> bool:
        """Does this call target a function of this file (or a method through self)?"""
        func, ctx = call.func, self.ctx
        if isinstance(func, cst.Name):
            return func.value in ctx.index.signatures or func.value in ctx.nested_defs
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            owner = func.value.value
            return owner == ctx.self_name or any(
                q.startswith(owner + ".") for q in ctx.index.signatures)
        return False

    def _Try(self, node: cst.Try) -> list[ir.Stmt]:
        return lower_try(self, node)

    def _TryStar(self, node) -> list[ir.Stmt]:
        return lower_try(self, node, star=True)    # except* splits groups: "may catch"

    def _With(self, node: cst.With) -> list[ir.Stmt]:
        span = self.span(node)
        what = f"with statement at line {span.line}"
        self.ctx.note(what, span)
        names = [n for item in node.items if item.asname
                 for n in target_names(item.asname.name)]
        for n in names:
            self.ctx.declare(n, ir.MATH_INT)
        return ([ir.Havoc(targets=names, what=what, span=span)]
                + L.arbitrary(self.ctx, set(names) & set(L.tracked(self.ctx)), what, span)
                + L.invalidate(self.ctx, span) + self.block(node.body))

    def _Match(self, node) -> list[ir.Stmt]:
        span = self.span(node)
        what = f"match statement at line {span.line}"
        self.ctx.note(what, span)
        alternatives = []
        for case in node.cases:
            names = [n for n in bound_names(case.pattern) if n not in self.ctx.global_names]
            for n in names:
                self.ctx.declare(n, ir.MATH_INT)
            alternatives.append([ir.Havoc(targets=names, what=what, span=self.span(case))]
                                + L.arbitrary(self.ctx, set(names) & set(L.tracked(self.ctx)),
                                              what, span)
                                + L.invalidate(self.ctx, span) + self.block(case.body))
        return self.nondet_choice(alternatives + [[]], what, span)


def _sets_length(out: list[ir.Stmt]) -> bool:
    return any(isinstance(s, ir.Assign) and s.target.startswith("len(") for s in out)


def _stores_item(node: cst.CSTNode) -> bool:
    """An assignment into / deletion from a subscript (contents change, maybe not length)."""
    targets = [t.target for t in node.targets] if isinstance(node, cst.Assign) else \
        [node.target] if isinstance(node, (cst.AugAssign, cst.AnnAssign, cst.Del)) else []
    stack = list(targets)
    while stack:
        t = stack.pop()
        if isinstance(t, cst.Subscript):
            return True
        if isinstance(t, (cst.Tuple, cst.List)):
            stack += [e.value for e in t.elements]
    return False


_COMPOUND = (cst.If, cst.While, cst.For, cst.Try, cst.TryStar, cst.With, cst.Match,
             cst.FunctionDef, cst.ClassDef)


def is_range_for(node: cst.For, ctx: FnContext) -> bool:
    """`for name in range(a[, b[, c]])` with the builtin range."""
    it = node.iter
    return (isinstance(node.target, cst.Name) and isinstance(it, cst.Call)
            and ctx.index.resolve(it.func) == "range" and 1 <= len(it.args) <= 3
            and all(not a.keyword and not a.star for a in it.args)
            and "range" not in ctx.locals and "range" not in ctx.local_names
            and "range" not in ctx.index.signatures and node.asynchronous is None)
