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
from .encoding_modes import range_facts
from .context import snippet
from .state import State, TRUE


@dataclass
class Measure:
    text: str                       # e.g. "x - y"
    term: Callable                  # vars dict -> z3 Int


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


def _linear(ex, fn, parts: list, plus: int = 0, text: str = "") -> Measure:
    """sum(coef * expr) + plus, evaluated exactly (see encode.numeric)."""
    def term(vs, parts=parts):
        vals = E.numeric([(_ev(ex, e, vs), e.type) for e, _ in parts])
        out = None
        for (_, k), v in zip(parts, vals):
            v = v if k == 1 else -v
            out = v if out is None else out + v
        return out + plus
    return Measure(text, term)


def _is_zero(e: ir.Expr) -> bool:
    inner = e.arg if isinstance(e, ir.Cast) else e
    return isinstance(inner, ir.Const) and inner.value == 0


def _diff_parts(fn, a: ir.Expr, b: ir.Expr, plus: int):
    parts = [(a, 1)] if _is_zero(b) else [(a, 1), (b, -1)]
    txt = _text(fn, a) if _is_zero(b) else f"{_text(fn, a)} - {_text(fn, b)}"
    return parts, plus, txt + (f" + {plus}" if plus else "")


def _abs_diff(ex, fn, a: ir.Expr, b: ir.Expr) -> Measure:
    d = _linear(ex, fn, *_diff_parts(fn, a, b, 0)[:2])

    def term(vs, d=d):
        x = d.term(vs)
        return z3.If(x >= 0, x, -x)
    return Measure(f"|{_diff_parts(fn, a, b, 0)[2]}|", term)


def loop_candidates(ex, fn: ir.Function, loop: ir.While, modified: list[str], head: State):
    out: list[Measure] = []
    if loop.variant is not None:
        v = loop.variant.expr
        out.append(Measure(loop.variant.text or _text(fn, v),
                           lambda vs, v=v: E.numeric([(_ev(ex, v, vs), v.type)])[0]))
    guards = []       # (parts, plus, text) of each bounded difference in the condition
    for atom in [a for a in _atoms(loop.cond) if plain_expr(a)] + staying_atoms(loop.body) \
            + _short_circuit_guards(loop.body):
        truth = _truth_operand(atom)
        if truth is not None:           # `while (n)`: n != 0, so |n| may fall to zero
            zero = ir.Const(value=0, type=truth.type, span=truth.span)
            out.append(_linear(ex, fn, *_diff_parts(fn, truth, zero, 0)))
            out.append(_linear(ex, fn, [(truth, -1)], 0, f"-{_text(fn, truth)}"))
            out.append(_abs_diff(ex, fn, truth, zero))
            continue
        if not (isinstance(atom, ir.Binary) and atom.op in ir.CMP_OPS):
            continue
        a, b, op = atom.left, atom.right, atom.op
        if op in ("gt", "ge"):
            guards.append(_diff_parts(fn, a, b, 0 if op == "gt" else 1))
        elif op in ("lt", "le"):
            guards.append(_diff_parts(fn, b, a, 0 if op == "lt" else 1))
        elif op == "ne":
            out.append(_linear(ex, fn, *_diff_parts(fn, a, b, 0)))
            out.append(_linear(ex, fn, *_diff_parts(fn, b, a, 0)))
            out.append(_abs_diff(ex, fn, a, b))
    out += [_linear(ex, fn, *g) for g in guards]
    for i, g1 in enumerate(guards):           # x > 0 && y > 0 with x or y decreasing
        for g2 in guards[i + 1:]:
            out.append(_linear(ex, fn, g1[0] + g2[0], g1[1] + g2[1], f"{g1[2]} + {g2[2]}"))
    for v in modified:
        ty = fn.locals.get(v)
        if head.vars.get(v) is None or not isinstance(ty, ir.IntT):
            continue
        var = ir.Var(name=v, type=ty)
        out.append(_linear(ex, fn, [(var, 1)], 0, v))
        out.append(_linear(ex, fn, [(var, -1)], 0, f"-{v}"))
    seen, uniq = set(), []
    for m in out:
        if m.text not in seen:
            seen.add(m.text)
            uniq.append(m)
    return uniq


_NEGATED = {"lt": "ge", "le": "gt", "gt": "le", "ge": "lt", "eq": "ne", "ne": "eq"}


def staying_atoms(body: list) -> list:
    """Conditions that hold on every path that stays in the loop because of an exit
    statement: `if i >= n: break` (also return / raise) gives `i < n`; `if a or b: break`
    gives both negations.  Only the body's own top-level and nested ifs count, not those
    inside a nested loop (a break there leaves the inner loop).  Candidates only: a measure
    built from them is still checked on the loop's exact transition."""
    out: list = []
    for st in body:
        if not isinstance(st, ir.If):
            continue
        if _exits(st.then) and not st.orelse:
            out += [_negate(a) for a in _disjuncts(st.cond)]
        elif _exits(st.orelse) and not _exits(st.then):
            out += _atoms(st.cond)
        out += staying_atoms(st.then) + staying_atoms(st.orelse)
    return [a for a in out if a is not None and plain_expr(a)]


def _short_circuit_guards(body: list) -> list:
    """The comparisons guarding a short-circuit temporary: the C frontend lowers
    `while (i <= n && f(i))` to `sc = 0; if (i <= n) { sc = f(i); } if (!sc) break;`, so
    `i <= n` holds on every path that stays (candidates only, checked like any other)."""
    out: list = []
    for st in body:
        if isinstance(st, ir.If) and not st.orelse and any(
                isinstance(s, ir.Assign) and s.target.startswith("sc$") for s in st.then):
            out += [a for a in _atoms(st.cond) if plain_expr(a)]
    return out


def plain_expr(e) -> bool:
    """No call, nondeterministic or unsupported value inside: a measure built from it can
    be evaluated in any state (an `if` test may call functions, so may a Python loop
    test the frontend did not hoist: evaluating one crashed the ranking search)."""
    if isinstance(e, (ir.Call, ir.Nondet, ir.Unsupported)):
        return False
    if isinstance(e, ir.Expr):
        for v in vars(e).values():
            for x in (v if isinstance(v, (list, tuple)) else [v]):
                if isinstance(x, ir.Expr) and not plain_expr(x):
                    return False
    return True


def _exits(stmts: list) -> bool:
    return bool(stmts) and isinstance(stmts[-1], (ir.Break, ir.Return, ir.Halt))


def _disjuncts(e: ir.Expr) -> list:
    if isinstance(e, ir.Binary) and e.op == "or":
        return _disjuncts(e.left) + _disjuncts(e.right)
    return [e]


def _negate(e: ir.Expr):
    if isinstance(e, ir.Binary) and e.op in _NEGATED:
        return ir.Binary(op=_NEGATED[e.op], left=e.left, right=e.right, type=ir.BOOL,
                         span=e.span)
    return None


def _truth_operand(atom: ir.Expr):
    """The integer e of a condition that is just e's truth (C `while (n)`, Python
    `while n:`), or None."""
    inner = atom.arg if isinstance(atom, ir.Cast) and isinstance(atom.type, ir.BoolT) \
        else atom
    if isinstance(inner, ir.Cast) and isinstance(inner.arg.type, ir.IntT):
        inner = inner.arg
    return inner if isinstance(inner.type, ir.IntT) and not isinstance(inner, ir.Const) \
        else None


class Refuted:
    """check() with memory: the transitions (models) that earlier candidates failed on.

    A later query is settled without z3 when one of them satisfies every assertion of
    that query (and the range facts the solver would add): the query is then sat, so the
    candidate fails exactly as z3 would say.  Only failures are decided this way; a proof
    still needs z3's unsat."""

    def __init__(self, check, limit: int = 24) -> None:
        self._check, self.models, self.limit = check, [], limit

    def proves(self, assertions: list, timeout_ms=None) -> bool:
        facts: list = []          # the range facts, made once and only when a model
        if any(self._satisfies(m, assertions, facts) for m in reversed(self.models)):
            return False          # satisfies everything else (usually none does)
        r = self._check(assertions, timeout_ms) if timeout_ms else self._check(assertions)
        if r.status == "sat" and r.model is not None and len(self.models) < self.limit:
            self.models.append(r.model)
        return r.status == "unsat"

    @staticmethod
    def _satisfies(model, assertions: list, facts: list) -> bool:
        try:      # the goal (last) first: it is what usually fails
            for a in [assertions[-1], *assertions[:-1]]:
                if model.eval(a) is not True:
                    return False
            if not facts:
                facts.append(range_facts(assertions))
            return all(model.eval(a) is True for a in facts[0])
        except (ValueError, z3.Z3Exception):
            return False


def find_ranking(check, pre: list, head: State, back: State, cands: list[Measure],
                 lexicographic: bool = True, bare_pc=None, template_vars=(),
                 stage: str = "all", seen: "Refuted | None" = None):
    """First measure (or lexicographic pair) that decreases on every iteration.  Each
    single measure is tried first without the inferred invariants (bare_pc; quick) and
    then with them.  Transitions that refuted earlier candidates are replayed on later
    ones before z3 is asked (Refuted; pass `seen` to share them between calls).
    stage: "all"; "single" (the single candidates only: cheap), "rest" (what "single"
    leaves: templates and pairs)."""
    seen = seen if seen is not None else Refuted(check)
    def terms(m, vs):
        try:
            return m.term(vs)
        except (KeyError, NotImplementedError, z3.Z3Exception):
            return None
    if stage != "rest":
        found = _single(seen, pre, head, back, cands, bare_pc, terms)
        if found or stage == "single":
            return found
    if template_vars:
        from .template import synthesize
        names = [n for n, _ in template_vars]
        types = [t for _, t in template_vars]
        for premise in ([bare_pc] if bare_pc is not None else []) + [back.pc]:
            found = synthesize(check, pre, head, back, names, types, premise)
            if found:
                return [Measure(found[0], found[1])]
    return _pairs(seen, pre, head, back, cands, bare_pc, terms, lexicographic)


def _single(seen, pre, head, back, cands, bare_pc, terms):
    if bare_pc is not None and not bare_pc.eq(back.pc):
        for m in cands:
            try:
                h, b = m.term(head.vars), m.term(back.vars)
            except (KeyError, NotImplementedError, z3.Z3Exception):
                continue
            if seen.proves(pre + [bare_pc, z3.Not(z3.And(h >= 0, b <= h - 1))], 1000):
                return [m]
    for m in cands:
        h, b = terms(m, head.vars), terms(m, back.vars)
        if h is None or b is None:
            continue
        if seen.proves(pre + [back.pc, z3.Not(z3.And(h >= 0, b <= h - 1))]):
            return [m]
    return None


def _pairs(seen, pre, head, back, cands, bare_pc, terms, lexicographic):
    small = cands[:6]
    for m1 in small:
        for m2 in small:
            if m1 is m2:
                continue
            h1, b1, h2, b2 = (terms(m1, head.vars), terms(m1, back.vars),
                              terms(m2, head.vars), terms(m2, back.vars))
            if None in (h1, b1, h2, b2):
                continue
            shapes = [("multiphase", z3.And(b1 <= h1 - 1, z3.Or(
                h1 >= 0, z3.And(h2 >= 0, b2 <= h2 - 1))))]
            if lexicographic:
                # each step: the first component drops while >= 0, or it does not grow
                # and the second drops while >= 0 (bounded only when it is the one dropping)
                shapes.insert(0, ("lexicographic", z3.Or(
                    z3.And(h1 >= 0, b1 <= h1 - 1),
                    z3.And(b1 <= h1, h2 >= 0, b2 <= h2 - 1))))
            for shape, ok in shapes:
                premise = bare_pc if bare_pc is not None else back.pc
                if seen.proves(pre + [premise, z3.Not(ok)], 1000) or (
                        premise is not back.pc and
                        seen.proves(pre + [back.pc, z3.Not(ok)])):
                    return [m1, m2] if shape == "lexicographic" else [m1, m2, "multiphase"]
    return None


def describe(ms: list) -> str:
    if len(ms) == 1:
        return (f"terminates: {ms[0].text} decreases by at least 1 each iteration "
                f"and stays >= 0")
    if len(ms) == 3:    # multiphase
        return (f"terminates in two phases: {ms[0].text} decreases by at least 1 each "
                f"iteration, so it is >= 0 only finitely often; once it is negative, "
                f"{ms[1].text} decreases by at least 1 and stays >= 0")
    return (f"terminates: the pair ({ms[0].text}, {ms[1].text}) decreases "
            f"lexicographically: each iteration {ms[0].text} drops by at least 1 while >= 0, "
            f"or it does not grow and {ms[1].text} drops by at least 1 while >= 0")
