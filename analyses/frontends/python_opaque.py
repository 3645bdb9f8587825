"""Python values of unknown type stay out of integer reasoning.

The engine reads an unmodelled value (`ir.Unsupported`, an unknown function's result) as
an arbitrary int: sound where the value is an int, wrong where it is not.  `0.5 % 1 == 0`
is false, `float('nan') == float('nan')` is false, `x + 1 > x` fails for `x = 1e16`; each
held "for all ints" and was proved.  So in the Python frontend such a value is *opaque*:

* sources: every unmodelled construct (a float literal, a true division, an attribute of
  unknown type, ...), an unknown function's result, a parameter annotated with a non-int
  type, the target of an unknown iteration;
* a local variable bound to an opaque value somewhere is *tainted*: a hidden flag
  `$o_<name>` says, along each path, whether its current value is opaque (set at every
  assignment from the assigned expression's flag; found by lowering again until the set
  of tainted locals is stable: `taint`);
* sinks: an arithmetic operation, a negation or a comparison whose operands may be opaque
  is `flag ? unknown : the operation` — exact where every operand is an int (the
  interpreter computes it), an unknown value where one is not, so no property is proved
  from a non-int's int semantics.  The operation is still evaluated (its checks, calls).

Truth tests (`if x:`) and the counts of modelled builtins (`len(..)`) stay as they are.
"""
from __future__ import annotations

from typing import Optional

from .. import ir

TRUE = ir.Const(value=1, type=ir.BOOL, span=ir.NOSPAN)
NOT_OPAQUE = ir.Const(value=0, type=ir.BOOL, span=ir.NOSPAN)   # an int whatever went in
SHADOW = "$o_"


def shadow(name: str) -> str:
    return SHADOW + name


def flag(e: ir.Expr, ctx) -> Optional[ir.Expr]:
    """When e's value may be opaque: None (never), TRUE (always), or a BOOL expression
    over the tainted locals' flags."""
    table = getattr(ctx, "opaque_flags", {})
    hit = table.get(id(e))
    if hit is not None and hit[0] is e:
        return None if hit[1] is NOT_OPAQUE else hit[1]
    if isinstance(e, (ir.Unsupported, ir.Call)):
        return TRUE if e.opaque else None
    if isinstance(e, ir.Var):
        if e.name in getattr(ctx, "tainted", ()):
            return ir.Binary(op="ne", left=ir.Var(name=shadow(e.name), type=ir.MATH_INT,
                                                  span=e.span),
                             right=ir.Const(value=0, span=e.span), type=ir.BOOL, span=e.span)
        return None
    if isinstance(e, (ir.Binary, ir.Unary, ir.Ite, ir.Cast)):
        return any_of([flag(v, ctx) for v in vars(e).values() if isinstance(v, ir.Expr)])
    return None


def any_of(flags: list) -> Optional[ir.Expr]:
    out = None
    for f in flags:
        if f is None:
            continue
        if f is TRUE:
            return TRUE
        out = f if out is None else ir.Binary(op="or", left=out, right=f, type=ir.BOOL,
                                              span=f.span)
    return out


def remember(ctx, e: ir.Expr, f: Optional[ir.Expr]) -> ir.Expr:
    if f is not None:
        ctx.__dict__.setdefault("opaque_flags", {})[id(e)] = (e, f)
    return e


def as_int(ctx, e: ir.Expr, what: str, span: ir.Span) -> ir.Expr:
    """`int(e)`: e itself where e is an int, else an unknown int (`int(0.5)` is 0): no
    longer opaque either way."""
    f = flag(e, ctx)
    if f is None:
        return e
    unknown = ir.Unsupported(what=what, type=ir.MATH_INT, span=span, lazy=True)
    zero = ir.Const(value=0, span=span)
    ran = ir.Binary(op="add", left=ir.Binary(op="mul", left=_as_int(e), right=zero,
                                             type=ir.MATH_INT, span=span),
                    right=unknown, type=ir.MATH_INT, span=span)
    out = ran if f is TRUE else ir.Ite(cond=f, then=ran, orelse=e, type=ir.MATH_INT, span=span)
    ctx.__dict__.setdefault("opaque_flags", {})[id(out)] = (out, NOT_OPAQUE)
    return out


def why(e: ir.Expr, ctx=None) -> str:
    """The reason of the first opaque value inside e (for the message)."""
    if isinstance(e, ir.Unsupported) and e.opaque:
        return e.what
    if isinstance(e, ir.Call) and e.opaque:
        return f"the result of `{e.func}` (of unknown type)"
    if isinstance(e, ir.Var):
        return getattr(ctx, "taint_why", {}).get(e.name, "")
    for v in vars(e).values():
        if isinstance(v, ir.Expr):
            w = why(v, ctx)
            if w:
                return w
    return ""


def guard(ctx, normal: ir.Expr, operands: list, span: ir.Span) -> ir.Expr:
    """`normal` (an operation on operands), or an unknown value where an operand may be
    opaque; either way `normal` is evaluated."""
    f = any_of([flag(o, ctx) for o in operands])
    if f is None:
        return normal
    reason = next((w for w in (why(o, ctx) for o in operands) if w),
                  "a value of unknown type")
    unknown = ir.Unsupported(what=reason, type=normal.type, span=span, opaque=True)
    if f is TRUE:
        zero = ir.Const(value=0, span=span)
        kept = ir.Binary(op="mul", left=_as_int(normal), right=zero, type=ir.MATH_INT,
                         span=span)
        out: ir.Expr = ir.Binary(op="add", left=kept, right=ir.Unsupported(
            what=reason, type=ir.MATH_INT, span=span, opaque=True), type=ir.MATH_INT,
            span=span)
        if normal.type == ir.BOOL:
            out = ir.Binary(op="ne", left=out, right=zero, type=ir.BOOL, span=span)
        return remember(ctx, out, TRUE)
    # the operation runs on both sides (its own checks: `x // d` divides by d whatever x is)
    zero = ir.Const(value=0, span=span)
    ran = ir.Binary(op="add", left=ir.Binary(op="mul", left=_as_int(normal), right=zero,
                                             type=ir.MATH_INT, span=span),
                    right=ir.Unsupported(what=reason, type=ir.MATH_INT, span=span, opaque=True,
                                         lazy=True),
                    type=ir.MATH_INT, span=span)
    if normal.type == ir.BOOL:
        ran = ir.Binary(op="ne", left=ran, right=zero, type=ir.BOOL, span=span)
    else:
        ran = _typed(ran, normal.type)
    del unknown
    return remember(ctx, ir.Ite(cond=f, then=ran, orelse=normal, type=normal.type,
                                span=span), f)


def _typed(e: ir.Expr, t: ir.Type) -> ir.Expr:
    return ir.Cast(arg=e, type=t, span=e.span) if isinstance(t, ir.IntT) and t.bounded else e


def _as_int(e: ir.Expr) -> ir.Expr:
    if e.type == ir.BOOL:
        return ir.Ite(cond=e, then=ir.Const(value=1, span=e.span),
                      orelse=ir.Const(value=0, span=e.span), type=ir.MATH_INT, span=e.span)
    if isinstance(e.type, ir.IntT) and e.type.bounded:
        return ir.Cast(arg=e, type=ir.MATH_INT, span=e.span)
    return e


def instrument(ctx, body: list, names: set) -> tuple[list, set]:
    """body with each tainted local's flag kept up to date (before each assignment: the
    assigned expression's flag; after a havoc: 1), and the locals among `names` some
    assignment binds to a possibly opaque value, with why (the next pass's tainted set)."""
    found: dict = {}
    tainted = getattr(ctx, "tainted", set())

    def flag_stmt(target: str, value: Optional[ir.Expr], span: ir.Span) -> ir.Stmt:
        f = TRUE if value is None else flag(value, ctx)
        v: ir.Expr = ir.Const(value=0, span=span) if f is None else (
            ir.Const(value=1, span=span) if f is TRUE else
            ir.Ite(cond=f, then=ir.Const(value=1, span=span),
                   orelse=ir.Const(value=0, span=span), type=ir.MATH_INT, span=span))
        return ir.Assign(target=shadow(target), value=v, span=span)

    def block(stmts: list) -> list:
        out = []
        for s in stmts:
            if isinstance(s, ir.Assign):
                f = flag(s.value, ctx)
                if f is not None and s.target in names:
                    found.setdefault(s.target, why(s.value, ctx))
                if s.target in tainted:
                    out.append(flag_stmt(s.target, s.value, s.span))
                out.append(s)
                continue
            if isinstance(s, ir.Havoc):
                out.append(s)
                for t in s.targets:
                    if t in names:
                        found.setdefault(t, s.what)
                    if t in tainted:
                        out.append(flag_stmt(t, None, s.span))
                continue
            for sub in ("then", "orelse", "body", "update"):
                inner = getattr(s, sub, None)
                if inner:
                    setattr(s, sub, block(inner))
            out.append(s)
        return out
    out = block(body)
    # and what they pass it on to (`b = a; c = b; ...`): the whole chain in one pass, so
    # the next lowering is the last
    start = {n: getattr(ctx, "taint_why", {}).get(n, "") for n in tainted}
    for name, reason in tainted_closure(out, names, {**start, **found}).items():
        if name not in tainted:
            found.setdefault(name, reason)
    return out, found


def _statements(body: list):
    stack = list(body)
    while stack:
        s = stack.pop()
        yield s
        for sub in ("then", "orelse", "body", "update"):
            stack.extend(getattr(s, sub, None) or [])


def _source(e: ir.Expr, names: dict, calls: frozenset) -> Optional[str]:
    """Why e's value may be opaque (from an opaque value, a local in names, or a call of
    calls), or None."""
    if isinstance(e, ir.Unsupported):
        return e.what if e.opaque else None
    if isinstance(e, ir.Call):
        return f"the result of `{e.func}` (of unknown type)" \
            if e.opaque or e.func in calls else None
    if isinstance(e, ir.Var):
        return names.get(e.name)
    for v in vars(e).values():
        if isinstance(v, ir.Expr):
            found = _source(v, names, calls)
            if found is not None:
                return found
    return None


def tainted_closure(body: list, names: set, start: dict,
                    calls: frozenset = frozenset()) -> dict:
    """start (local -> why), plus the locals among names that some assignment binds to a
    value from one of them (or an opaque value, or a call of calls), or that a havoc sets:
    a fixpoint, each with why."""
    out = dict(start)
    statements = list(_statements(body))
    changed = True
    while changed:
        changed = False
        for s in statements:
            if isinstance(s, ir.Assign) and s.target in names and s.target not in out:
                why_ = _source(s.value, out, calls)
                if why_ is not None:
                    out[s.target] = why_ or f"the value of {s.target}"
                    changed = True
            elif isinstance(s, ir.Havoc):
                for t in s.targets:
                    if t in names and t not in out:
                        out[t] = s.what
                        changed = True
    return out


def returns_opaque(fn: Optional[ir.Function], calls: frozenset = frozenset()) -> bool:
    """May fn return a value of unknown type: an opaque one, a local whose flag may be set,
    or the result of a call of calls (functions known to return one)?  Its callers then
    take the call's result as opaque."""
    if fn is None:
        return False
    flagged = {n[len(SHADOW):]: "" for n in fn.locals if n.startswith(SHADOW)}
    tainted = tainted_closure(fn.body, set(fn.locals), flagged, calls) if calls else flagged
    return any(isinstance(s, ir.Return) and s.value is not None
               and _source(s.value, tainted, calls) is not None for s in _statements(fn.body))
