"""Ranking functions for loops and measures for recursion, checked by z3.

A candidate r proves a loop terminates when, on every path that goes around the loop once
(from the invariant-constrained head state h to the back-edge state b),
r(h) >= 0 and r(b) <= r(h) - 1 — over mathematical integers, with the loop's exact
(bit-vector) transition, so wrap-around is never mistaken for progress.
Lexicographic pairs (r1, r2) cover phased and nested-counter loops.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import z3

from .. import ir
from . import encode as E
from .context import snippet
from .state import State, TRUE


@dataclass
class Measure:
    text: str                       # e.g. "x - y"
    term: Callable                  # vars dict -> z3 Int
    bound: str = ">= 0"


def _ev(ex, e: ir.Expr, vars_: dict):
    ex.scratch += 1
    try:
        return ex.expr(e, State(dict(vars_), TRUE))
    finally:
        ex.scratch -= 1


def _text(fn, e: ir.Expr) -> str:
    if isinstance(e, ir.Var):
        return e.name
    if isinstance(e, ir.Const):
        return str(e.value)
    if isinstance(e, ir.Cast):
        return _text(fn, e.arg)
    t = snippet(fn, e.span)
    return f"({t})" if t and " " in t else (t or "expr")


def _atoms(e: ir.Expr) -> list:
    """Top-level conjuncts of a condition."""
    if isinstance(e, ir.Binary) and e.op == "and":
        return _atoms(e.left) + _atoms(e.right)
    if isinstance(e, ir.Cast) and isinstance(e.type, ir.BoolT):
        return _atoms(e.arg) if isinstance(e.arg.type, ir.BoolT) else [e]
    return [e]


def _diff(ex, fn, a: ir.Expr, b: ir.Expr, plus: int) -> Measure:
    ta, tb = a.type, b.type
    zero = isinstance(b, ir.Cast) and isinstance(b.arg, ir.Const) or isinstance(b, ir.Const)
    zero = zero and (b.arg if isinstance(b, ir.Cast) else b).value == 0
    txt = _text(fn, a) if zero else f"{_text(fn, a)} - {_text(fn, b)}"
    txt += f" + {plus}" if plus else ""

    def term(vs, a=a, b=b):
        x, y = E.numeric([(_ev(ex, a, vs), ta), (_ev(ex, b, vs), tb)])
        return x - y + plus
    return Measure(txt, term)


def loop_candidates(ex, fn: ir.Function, loop: ir.While, modified: list[str], head: State):
    out: list[Measure] = []
    if loop.variant is not None:
        v = loop.variant.expr
        out.append(Measure(loop.variant.text or _text(fn, v),
                           lambda vs, v=v: E.numeric([(_ev(ex, v, vs), v.type)])[0]))
    for atom in _atoms(loop.cond):
        if isinstance(atom, ir.Unary) and atom.op == "not":
            continue
        if not (isinstance(atom, ir.Binary) and atom.op in ir.CMP_OPS):
            continue
        a, b, op = atom.left, atom.right, atom.op
        if op in ("gt", "ge"):
            out.append(_diff(ex, fn, a, b, 0 if op == "gt" else 1))
        elif op in ("lt", "le"):
            out.append(_diff(ex, fn, b, a, 0 if op == "lt" else 1))
        elif op == "ne":
            out.append(_diff(ex, fn, a, b, 0))
            out.append(_diff(ex, fn, b, a, 0))
    for v in modified:
        t = head.vars.get(v)
        if t is None:
            continue
        ty = fn.locals.get(v)
        if not isinstance(ty, ir.IntT):
            continue
        out.append(Measure(v, lambda vs, v=v, ty=ty: E.numeric([(vs[v], ty)])[0]))
        out.append(Measure(f"-{v}", lambda vs, v=v, ty=ty: -E.numeric([(vs[v], ty)])[0]))
    seen, uniq = set(), []
    for m in out:
        if m.text not in seen:
            seen.add(m.text)
            uniq.append(m)
    return uniq


def find_ranking(check, pre: list, head: State, back: State, cands: list[Measure],
                 lexicographic: bool = True):
    """First measure (or lexicographic pair) that decreases on every iteration."""
    def terms(m, vs):
        try:
            return m.term(vs)
        except (KeyError, NotImplementedError, z3.Z3Exception):
            return None
    for m in cands:
        h, b = terms(m, head.vars), terms(m, back.vars)
        if h is None or b is None:
            continue
        r = check(pre + [back.pc, z3.Not(z3.And(h >= 0, b <= h - 1))])
        if r.status == "unsat":
            return [m]
    small = cands[:6] if lexicographic else []
    for m1 in small:
        for m2 in small:
            if m1 is m2:
                continue
            h1, b1, h2, b2 = (terms(m1, head.vars), terms(m1, back.vars),
                              terms(m2, head.vars), terms(m2, back.vars))
            if None in (h1, b1, h2, b2):
                continue
            ok = z3.And(h1 >= 0, b1 <= h1,
                        z3.Or(b1 <= h1 - 1, z3.And(h2 >= 0, b2 <= h2 - 1)))
            r = check(pre + [back.pc, z3.Not(ok)])
            if r.status == "unsat":
                return [m1, m2]
    return None


def describe(ms: list[Measure]) -> str:
    if len(ms) == 1:
        return (f"terminates: {ms[0].text} decreases by at least 1 each iteration "
                f"and stays >= 0")
    return (f"terminates: the pair ({ms[0].text}, {ms[1].text}) decreases "
            f"lexicographically each iteration and stays >= 0")
