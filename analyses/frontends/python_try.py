"""Python `try` statements: which handler catches an exception, and the jump to it.

One hidden variable `$exc` per function says how control leaves the statements it skips:
0 is normal flow; every other value is a destination fixed where the exception (or the
`return` / `break` / `continue` that crosses a `finally`) happens: handler k of a given
try, or an action to run after the outermost `finally` on the way (leave the function,
return `$retN`, break, continue).  After a statement that may set `$exc` the rest of its
block runs only while `$exc == 0`, and a loop is left (`if $exc != 0: break`), so control
reaches the try's dispatch: `else` when `$exc == 0`, the handler whose value it holds,
then `finally` (which saves and restores `$exc`) and the pending actions.

Where an exception comes from: `raise C(...)`, a failed IndexError / KeyError / assert
check, a division by zero (python_index, python_membership, python_exprs), and — of a
class nobody knows — any statement with a call or an unsupported construct (a route
taken under an `Unsupported` choice the concrete interpreter answers with "no").  A
handler catches a builtin class it names or a base of it (bare `except`, tuples
included); one naming a class the tool does not know "may or may not" catch: an
`Unsupported` choice, so what depends on it is "don't know", never proved, never ✗.
"""
from __future__ import annotations

import builtins
from dataclasses import dataclass, field, replace
from typing import Optional

import libcst as cst

from .. import ir
from . import python_lengths as L
from .python_names import target_names
from .python_values import is_pure, to_bool, to_int

EXC = "$exc"
BOOL_TRUE = 1


@dataclass
class TryFrame:
    handlers: list
    codes: list[int]
    finally_: bool
    loops: int                       # enclosing loops when the try began
    region: str = "body"             # body | other (handlers, else) | finally
    star: bool = False               # try/except*: every handler may or may not catch
    pending: list = field(default_factory=list)     # (code, statements) after finally


# ------------------------------------------------------------------ exception classes
def exc_class(ctx, node: Optional[cst.BaseExpression]) -> Optional[type]:
    """The builtin exception class `node` names, or None (unknown: user-defined,
    imported, a variable, shadowed)."""
    if node is None:
        return None
    if isinstance(node, cst.Call):
        node = node.func
    name = ctx.index.resolve(node) if isinstance(node, (cst.Name, cst.Attribute)) else None
    if name is None:
        return None
    name = name.removeprefix("builtins.")
    if "." in name or name in ctx.local_names or name in ctx.param_names \
            or name in ctx.locals or _module_binds(ctx.index, name):
        return None
    cls = getattr(builtins, name, None)
    return cls if isinstance(cls, type) and issubclass(cls, BaseException) else None


def _module_binds(index, name: str) -> bool:
    return name in index.constants or name in index.signatures or name in index.attr_kinds \
        or any(q.split(".")[0] == name for q in index.signatures)


def matches(ctx, handler: cst.ExceptHandler, cls: Optional[type]) -> str:
    """'yes' / 'no' / 'maybe': does `handler` catch an exception of class cls (None:
    unknown class)?"""
    if handler.type is None:
        return "yes"
    types = [e.value for e in handler.type.elements] if isinstance(handler.type, cst.Tuple) \
        else [handler.type]
    answer = "no"
    for t in types:
        c = exc_class(ctx, t)
        if c is not None and (c is BaseException or (cls is not None and issubclass(cls, c))):
            return "yes"
        if c is None or cls is None:
            answer = "maybe"
    return answer


# ------------------------------------------------------------------ jumps
def _exc(span: ir.Span) -> ir.Var:
    return ir.Var(name=EXC, type=ir.MATH_INT, span=span)


def _is(code: int, span: ir.Span, op: str = "eq") -> ir.Expr:
    return ir.Binary(op=op, left=_exc(span), right=ir.Const(value=code, span=span),
                     type=ir.BOOL, span=span)


def _set(ctx, code: int, span: ir.Span) -> ir.Stmt:
    ctx.declare(EXC, ir.MATH_INT)
    return ir.Assign(target=EXC, value=ir.Const(value=code, span=span), span=span)


def new_code(ctx) -> int:
    ctx.exc_codes = getattr(ctx, "exc_codes", 0) + 1
    return ctx.exc_codes


def _own(ctx, stmts: list) -> list:
    """Statements this module made: the route pass leaves them alone."""
    own = ctx.__dict__.setdefault("exc_own", {})
    for s in stmts:
        own[id(s)] = s
    return stmts


def frames(ctx) -> list:
    return ctx.__dict__.setdefault("tries", [])


def raise_point(ctx, cls: Optional[type], span: ir.Span, uncaught: Optional[list],
                what: str) -> list[ir.Stmt]:
    """Statements for an exception of class cls raised here.  uncaught: what happens in
    place when no handler catches it (a failed check's Assert); None: it leaves the
    function (a Halt, after the `finally` blocks on the way)."""
    return _route(ctx, len(frames(ctx)) - 1, 0, cls, span, uncaught, what, None)


def _route(ctx, i, k, cls, span, uncaught, what, last_finally) -> list[ir.Stmt]:
    if i < 0:
        if uncaught is not None:
            return list(uncaught)
        halt = ir.Halt(what=what, span=span)
        if last_finally is None:
            return [halt]
        code = new_code(ctx)
        last_finally.pending.append((code, [halt]))
        return [_set(ctx, code, span)]
    f = frames(ctx)[i]
    if f.region == "body" and k < len(f.handlers):
        h, code = f.handlers[k], f.codes[k]
        m = "maybe" if f.star else matches(ctx, h, cls)
        if m == "yes":
            return [_set(ctx, code, span)]
        rest = _route(ctx, i, k + 1, cls, span, uncaught, what, last_finally)
        if m == "no":
            return rest
        name = cls.__name__ if cls is not None else "the exception"
        hl = ctx.spanner.span(h).line
        choice = ir.Unsupported(what=f"whether the handler at line {hl} catches {name} "
                                     f"(line {span.line})", type=ir.BOOL, span=span)
        return _own(ctx, [ir.If(cond=choice, then=[_set(ctx, code, span)], orelse=rest,
                                span=span)])
    if f.finally_ and f.region != "finally":
        last_finally = f
    return _route(ctx, i - 1, 0, cls, span, uncaught, what, last_finally)


def may_catch(ctx, cls: Optional[type]) -> bool:
    """May a handler of an enclosing try catch an exception of class cls raised here?"""
    return any(f.region == "body" and (f.star and f.handlers or any(
        matches(ctx, h, cls) != "no" for h in f.handlers)) for f in frames(ctx))


def check(ctx, ok: ir.Expr, span: ir.Span, message: str, cls: type,
          kind: str = "index") -> list[ir.Stmt]:
    """A runtime check (IndexError, KeyError, AssertionError): its Assert, or, inside a
    try whose handler may catch it, a jump there when it fails."""
    a = ir.Assert(cond=ok, kind=kind, span=span, message=message)
    if not may_catch(ctx, cls):
        return [a]
    fail = ir.Unary(op="not", arg=ok, type=ir.BOOL, span=span)
    return _own(ctx, [ir.If(cond=fail, then=raise_point(ctx, cls, span, [a], message),
                            span=span)])


def raises_on(lw, operand: ir.Expr, span: ir.Span, cls: type) -> list[ir.Stmt]:
    """`a // b`, `a % b` (ZeroDivisionError when b == 0), `a << b`, `a >> b` (ValueError
    when b < 0) inside a try whose handler may catch it: the jump there (else the
    operation runs: the engine reports a division by zero)."""
    ctx = lw.ctx
    if isinstance(operand, ir.Const) and (operand.value != 0 if cls is ZeroDivisionError
                                          else operand.value >= 0):
        return []
    bad = ir.Binary(op="eq" if cls is ZeroDivisionError else "lt", left=to_int(operand),
                    right=ir.Const(value=0, span=span), type=ir.BOOL, span=span)
    guards = list(lw.guards)
    if lw.called or not is_pure(operand) or not all(is_pure(g) for g in guards):
        bad = ir.Unsupported(what=f"whether the operation at line {span.line} raises",
                             type=ir.BOOL, span=span)
    else:
        for g in guards:
            bad = ir.Binary(op="and", left=to_bool(g), right=bad, type=ir.BOOL, span=span)
    return _own(ctx, [ir.If(cond=bad, span=span, then=raise_point(
        ctx, cls, span, [], cls.__name__))])


def leave(ctx, stmt: ir.Stmt, loops: int, value: Optional[ir.Expr] = None) -> list[ir.Stmt]:
    """A return (loops = 0) / break / continue (loops = the loop depth it leaves) that
    crosses `finally` blocks: set `$exc`, run them, then do it."""
    crossed = [f for f in frames(ctx) if f.finally_ and f.region != "finally"
               and f.loops >= loops]
    if not crossed:
        return [stmt]
    span = stmt.span
    code = new_code(ctx)
    out = []
    if value is not None:
        v = to_int(value)
        ret = ctx.fresh("ret", v.type if isinstance(v.type, ir.IntT) else ir.MATH_INT)
        out.append(ir.Assign(target=ret, value=v, span=span))
        stmt = ir.Return(value=ir.Var(name=ret, type=ctx.locals[ret], span=span), span=span)
    crossed[0].pending.append((code, [stmt]))
    return out + [_set(ctx, code, span)]


# ------------------------------------------------------------------ the rest of a block
def settle(ctx, stmts: list, span: ir.Span, routes: bool) -> list[ir.Stmt]:
    """Skip what follows a statement that may set `$exc`; with routes, a statement with
    a call or an unsupported construct may raise an exception of an unknown class."""
    out: list[ir.Stmt] = []
    for n, s in enumerate(stmts):
        if routes and id(s) not in ctx.__dict__.get("exc_own", {}) and _may_raise(s):
            out += _unknown_route(ctx, s.span)
        s = _inner(ctx, s, span, routes)
        out.append(s)
        if _sets_exc(s) and n + 1 < len(stmts):
            rest = settle(ctx, stmts[n + 1:], span, routes)
            if rest:
                out.append(ir.If(cond=_is(0, s.span), then=rest, span=s.span))
            return out
    return out


def _inner(ctx, s: ir.Stmt, span, routes) -> ir.Stmt:
    if id(s) in ctx.__dict__.get("exc_own", {}) or id(s) in ctx.__dict__.get("exc_done", {}):
        return s
    if isinstance(s, ir.If):
        return replace(s, then=settle(ctx, s.then, span, routes),
                       orelse=settle(ctx, s.orelse, span, routes))
    if isinstance(s, ir.While):
        body: list[ir.Stmt] = []
        if routes and _may_raise_expr(s.cond):       # the iteration itself may raise
            route = _unknown_route(ctx, s.span)
            body += route + ([ir.If(cond=_is(0, s.span, "ne"), then=[ir.Break(span=s.span)],
                                    span=s.span)] if route else [])
        return replace(s, body=body + settle_loop(ctx, s.body, span, routes))
    return s


def settle_loop(ctx, stmts, span, routes) -> list[ir.Stmt]:
    out = []
    for b in stmts:
        if routes and id(b) not in ctx.__dict__.get("exc_own", {}) and _may_raise(b):
            out += _unknown_route(ctx, b.span)
            out.append(ir.If(cond=_is(0, b.span, "ne"), then=[ir.Break(span=b.span)],
                             span=b.span))
        b = _inner(ctx, b, span, routes)
        out.append(b)
        if _sets_exc(b):
            out.append(ir.If(cond=_is(0, b.span, "ne"), then=[ir.Break(span=b.span)],
                             span=b.span))
    return out


def _unknown_route(ctx, span: ir.Span) -> list[ir.Stmt]:
    jump = raise_point(ctx, None, span, None, f"an exception at line {span.line}")
    if len(jump) == 1 and isinstance(jump[0], ir.Halt):
        return []
    choice = ir.Unsupported(what=f"{ir.EXCEPTION_ROUTE} at line {span.line}",
                            type=ir.BOOL, span=span)
    return _own(ctx, [ir.If(cond=choice, then=L.invalidate(ctx, span) + jump, span=span)])


def _sets_exc(s) -> bool:
    if isinstance(s, ir.Assign):
        return s.target == EXC and not (isinstance(s.value, ir.Const) and s.value.value == 0)
    return any(_sets_exc(b) for sub in ("then", "orelse", "body")
               for b in getattr(s, sub, None) or [])


def _may_raise(s: ir.Stmt) -> bool:
    """A call or an unsupported construct in the statement's own expressions."""
    if isinstance(s, ir.Havoc):
        return True
    if isinstance(s, (ir.If, ir.While)):
        return False if isinstance(s, ir.While) else _may_raise_expr(s.cond)
    return any(_may_raise_expr(v) for v in vars(s).values() if isinstance(v, ir.Expr))


def _may_raise_expr(e: ir.Expr) -> bool:
    if isinstance(e, ir.Call) or (isinstance(e, ir.Unsupported) and not e.lazy):
        return True
    return any(_may_raise_expr(v) for v in vars(e).values() if isinstance(v, ir.Expr)) or \
        any(_may_raise_expr(a) for v in vars(e).values() if isinstance(v, list)
            for a in v if isinstance(a, ir.Expr))


# ------------------------------------------------------------------ the statement
def lower_try(lw, node, star: bool = False) -> list[ir.Stmt]:
    """`try` / `except` / `else` / `finally` (lw: the StmtLowerer)."""
    ctx = lw.ctx
    span = lw.span(node)
    ctx.declare(EXC, ir.MATH_INT)
    f = TryFrame(handlers=list(node.handlers), codes=[new_code(ctx) for _ in node.handlers],
                 finally_=node.finalbody is not None, loops=len(lw.loops), star=star)
    stack = frames(ctx)
    stack.append(f)
    catching = bool(node.handlers)
    try:
        body = settle(ctx, lw.block(node.body), span, True)
        f.region = "other"
        routes = True          # (_unknown_route adds nothing where nothing catches)
        orelse = settle(ctx, lw.block(node.orelse), span, routes) if node.orelse else []
        handlers = []
        for h, code in zip(node.handlers, f.codes):
            hspan = lw.span(h)
            entry = [ir.Assign(target=EXC, value=ir.Const(value=0, span=hspan), span=hspan)]
            for n in (target_names(h.name.name) if h.name else []):
                ctx.declare(n, ir.MATH_INT)
                entry.append(ir.Assign(target=n, value=ir.Unsupported(
                    what=f"the exception object {n}", type=ctx.locals[n], span=hspan,
                    lazy=True, opaque=True), span=hspan))
            handlers.append(ir.If(cond=_is(code, hspan), span=hspan,
                                  then=entry + settle(ctx, lw.block(h.body), span, routes)))
        f.region = "finally"
        fin = settle(ctx, lw.block(node.finalbody), span, routes) if f.finally_ else []
    finally:
        stack.pop()
    out: list[ir.Stmt] = [ir.Assign(target=EXC, value=ir.Const(value=0, span=span),
                                    span=span)] + body
    if orelse:
        out.append(ir.If(cond=_is(0, span), then=orelse, span=span))
    out += handlers if catching else []
    if f.finally_:
        save = ctx.fresh("excsave")
        out += [ir.Assign(target=save, value=_exc(span), span=span), _set(ctx, 0, span)]
        out += fin
        out.append(ir.If(cond=_is(0, span), span=span, then=[ir.Assign(
            target=EXC, value=ir.Var(name=save, type=ir.MATH_INT, span=span), span=span)]))
        for code, stmts in f.pending:
            out.append(ir.If(cond=_is(code, span), then=[_set(ctx, 0, span)] + stmts,
                             span=span))
    wrapper = ir.If(cond=ir.Const(value=BOOL_TRUE, type=ir.BOOL, span=span), then=out,
                    span=span)
    ctx.__dict__.setdefault("exc_done", {})[id(wrapper)] = wrapper
    return [wrapper]
