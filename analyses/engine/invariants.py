"""Candidate loop invariants for Houdini (loops.py keeps the ones that are inductive).

Candidates are simple facts a person would write: bounds of each assigned variable against
constants of the program, comparisons with other variables of the same type, monotonicity
against the value on entry, preserved sums/differences, and the conditions tested in the
loop.  Keeping only inductive ones makes them proofs, never guesses.
"""
from __future__ import annotations


from .. import ir
from . import encode as E
from .encode_ops import compare
from .state import TRUE, State

MAX_CONSTS = 8


def _consts(node, out: set) -> None:
    if isinstance(node, (list, tuple)):
        for n in node:
            _consts(n, out)
        return
    if isinstance(node, ir.Const) and isinstance(node.type, ir.IntT):
        out.add(node.value)
    if isinstance(node, (ir.Expr, ir.Stmt, ir.Contract)):
        for v in vars(node).values():
            if isinstance(v, (ir.Expr, ir.Stmt, ir.Contract, list, tuple)):
                _consts(v, out)


def _conditions(stmts, out: list) -> None:
    for s in stmts:
        if isinstance(s, ir.If):
            out.append(s.cond)
            _conditions(s.then, out)
            _conditions(s.orelse, out)
        elif isinstance(s, ir.While):
            out.append(s.cond)
            _conditions(s.body, out)
        elif isinstance(s, ir.Assert):
            out.append(s.cond)


def _pure(e) -> bool:
    if isinstance(e, (ir.Call, ir.Nondet, ir.Unsupported)):
        return False
    if isinstance(e, ir.Expr):
        return all(_pure(v) for v in vars(e).values() if isinstance(v, (ir.Expr, tuple)))
    if isinstance(e, tuple):
        return all(_pure(v) for v in e)
    return True


def _type(ex, fn: ir.Function, name: str):
    return fn.locals.get(name) or ex.program.globals.get(name) or (
        next((p.type for p in fn.params if p.name == name), None))


def _show(name: str) -> str:
    return name.split("$")[0] if "$" in name else name


def _names(node, out: set) -> None:
    if isinstance(node, (list, tuple)):
        for n in node:
            _names(n, out)
        return
    if isinstance(node, ir.Var):
        out.add(node.name)
    elif isinstance(node, ir.Assign):
        out.add(node.target)
    if isinstance(node, (ir.Expr, ir.Stmt, ir.Contract)):
        for v in vars(node).values():
            if isinstance(v, (ir.Expr, ir.Stmt, ir.Contract, list, tuple)):
                _names(v, out)


def candidates(ex, loop: ir.While, entry: State, head: State, modified: list[str]):
    fn = ex.frames[-1].fn
    consts: set = set()
    _consts([loop.cond] + loop.body + loop.update, consts)
    small = sorted(consts | {0, 1, -1}, key=lambda v: (abs(v), v))[:MAX_CONSTS + 3]
    mentioned: set = set()
    _names([loop.cond] + loop.body + loop.update, mentioned)
    typed = {}
    for n in head.vars:
        if n == ir.RESULT or n not in mentioned:
            continue
        t = _type(ex, fn, n)
        if isinstance(t, ir.IntT):
            typed[n] = t
    out = []

    def add(label, f):
        out.append((label, f))

    for v in modified:
        t = typed.get(v)
        if t is None:
            continue
        for c in small:
            if t.bits is not None and not (t.min <= c <= t.max):
                continue
            cv = E.literal(c, t)
            add(f"{_show(v)} >= {c}", lambda vs, v=v, cv=cv, t=t: compare("ge", vs[v], cv, t))
            add(f"{_show(v)} <= {c}", lambda vs, v=v, cv=cv, t=t: compare("le", vs[v], cv, t))
        if v in entry.vars:
            e0 = entry.vars[v]
            add(f"{_show(v)} >= its initial value",
                lambda vs, v=v, e0=e0, t=t: compare("ge", vs[v], e0, t))
            add(f"{_show(v)} <= its initial value",
                lambda vs, v=v, e0=e0, t=t: compare("le", vs[v], e0, t))
        for w, tw in typed.items():
            if w == v or tw != t:
                continue
            for op, sym in (("le", "<="), ("ge", ">="), ("lt", "<"), ("gt", ">")):
                add(f"{_show(v)} {sym} {_show(w)}",
                    lambda vs, v=v, w=w, op=op, t=t: compare(op, vs[v], vs[w], t))
            if w in modified and w > v and v in entry.vars and w in entry.vars:
                a0, b0 = entry.vars[v], entry.vars[w]
                add(f"{_show(v)} + {_show(w)} is constant",
                    lambda vs, v=v, w=w, a0=a0, b0=b0: vs[v] + vs[w] == a0 + b0)
                add(f"{_show(v)} - {_show(w)} is constant",
                    lambda vs, v=v, w=w, a0=a0, b0=b0: vs[v] - vs[w] == a0 - b0)
    conds: list = [loop.cond]
    _conditions(loop.body, conds)
    for c in conds:
        if not _pure(c):
            continue

        def atom(vs, c=c):
            ex.scratch += 1
            try:
                return ex.expr(c, State(dict(vs), TRUE))
            finally:
                ex.scratch -= 1
        add(f"condition at line {c.span.line}", atom)
    return out
