"""Terse builders for hand-written IR in the interpreter tests (no frontend needed)."""
from __future__ import annotations

from veriline.analyses import ir

I, U, M, B = ir.C_INT, ir.C_UINT, ir.MATH_INT, ir.BOOL


def sp(line: int) -> ir.Span:
    return ir.Span(line, 1, line, 80)


def c(v: int, t=I) -> ir.Const:
    return ir.Const(value=v, type=t)


def v(name: str, t=I) -> ir.Var:
    return ir.Var(name=name, type=t)


def bin(op: str, l, r, t=None, line: int = 0) -> ir.Binary:
    if t is None:
        t = ir.BOOL if op in ir.CMP_OPS | ir.LOGIC_OPS else l.type
    return ir.Binary(op=op, left=l, right=r, type=t, span=sp(line))


def un(op: str, a, t=None, line: int = 0) -> ir.Unary:
    return ir.Unary(op=op, arg=a, type=ir.BOOL if op == "not" else (t or a.type), span=sp(line))


def cast(a, t, line: int = 0) -> ir.Cast:
    return ir.Cast(arg=a, type=t, span=sp(line))


def assign(target: str, value, line: int = 0) -> ir.Assign:
    return ir.Assign(target=target, value=value, span=sp(line))


def ret(value=None, line: int = 0) -> ir.Return:
    return ir.Return(value=value, span=sp(line))


def func(name, params, body, ret_t=I, lang="c", locals_=None, requires=(), ensures=(),
         line: int = 1) -> ir.Function:
    ps = [ir.Param(name=n, type=t) for n, t in params]
    loc = dict(params)
    loc.update(locals_ or {})
    return ir.Function(name=name, params=ps, ret=ret_t, body=list(body), span=sp(line),
                       language=lang, locals=loc,
                       requires=[ir.Contract(expr=e, span=sp(line), text=str(i))
                                 for i, e in enumerate(requires)],
                       ensures=[ir.Contract(expr=e, span=sp(line), text=str(i))
                                for i, e in enumerate(ensures)])


def prog(*fns, lang="c", globals_=None, init=None) -> ir.Program:
    return ir.Program(path="t." + ("c" if lang == "c" else "py"), language=lang,
                      functions={f.name: f for f in fns}, globals=dict(globals_ or {}),
                      global_init=dict(init or {}))


def one_expr(e, params, lang="c", ret_t=None) -> ir.Program:
    """A program whose function `f(params)` returns e."""
    t = ret_t or (e.type if isinstance(e.type, ir.IntT) else M)
    return prog(func("f", params, [ret(e, line=2)], ret_t=t, lang=lang), lang=lang)
