"""Non-termination witnesses: a set R of loop-head states that (1) some input reaches,
(2) implies the loop condition, and (3) every path through the body leads back into R
(no path leaves the loop).  Then that input never returns.

R is either a single repeating state (a fixed point, e.g. g2(5, 0): x stays 5) or a
conjunction of simple facts found by Houdini from a sample of a long run (e.g.
"x > y and y < 0" for g2 over unbounded ints, "n == UINT_MAX" for count_up).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import z3

from .. import ir, solver
from ..solver import recorder
from ..solver.implied import drop_implied
from . import encode as E
from .encode_ops import compare
from .budget import tick
from .encoding_modes import range_facts
from .ranking import _atoms, _ev, _text
from .state import disj

MAX_SAMPLES = 6
MAX_ROUNDS = 25


@dataclass
class Witness:
    kind: str                  # fixed-point | recurrent-set
    description: str
    model: solver.Model        # model of the BMC reachability query
    state: dict = field(default_factory=dict)
    facts: list = field(default_factory=list)


def _lit(term, value):
    return solver.const_like(term, value)


def _int_vars(fn: ir.Function, vars_: dict) -> list[str]:
    out = []
    for n, t in vars_.items():
        if n == ir.RESULT:
            continue
        if t.sort().kind() in (z3.Z3_BV_SORT, z3.Z3_INT_SORT):
            out.append(n)
    return out


def _closure_query(ab, rec, R):
    """Formula satisfiable iff some state in R ∧ cond can leave the loop, leave R, or hit
    undefined behaviour (a witness must hold for the program's defined runs)."""
    h, b = rec.head.vars, rec.back.vars
    cond_b = _ev(ab, rec.loop.cond, b)
    stop = disj(rec.exits + rec.ub)
    leave = z3.Or(stop, z3.And(rec.back.pc, z3.Not(z3.And(R(b), cond_b))))
    return ab.pre + [rec.head.pc, rec.cond, R(h), leave], stop


def _reach(ctx, rec, R):
    bm = ctx.bmc
    visits = bm.head_visits.get(id(rec.loop), [])
    opts = []
    for _, vs, pc in visits:
        try:
            opts.append(z3.And(pc, R(vs), _ev(ctx.abstract, rec.loop.cond, vs)))
        except KeyError:
            continue
    if not opts:
        return None
    r = ctx.check_small(bm, bm.pre + [z3.Or(*opts)])
    return r.model if r.status == "sat" else None


def fixed_point(ctx, rec):
    ab = ctx.abstract
    h, b = rec.head.vars, rec.back.vars
    same = [b[v] == h[v] for v in rec.modified if v in b and v in h
            and b[v].sort() == h[v].sort()]
    r = ctx.check(ab.pre + [rec.back.pc] + same)
    if r.status != "sat":
        return None
    names = _int_vars(ctx.fn, h)
    state = {n: r.model.eval(h[n]) for n in names}

    def R(vs, state=state):
        return z3.And(*[vs[n] == _lit(vs[n], v) for n, v in state.items() if n in vs]) \
            if state else z3.BoolVal(True)
    q, _ = _closure_query(ab, rec, R)
    with recorder.role(f"closure of the repeating state {state_text(state)}: no path of "
                       f"the body leaves it, exits or hits undefined behaviour"):
        closed = ctx.check(q).status == "unsat"
    if not closed:
        return None
    model = _reach(ctx, rec, R)
    if model is None:
        return None
    shown = {n: E.to_python(v, ctx.fn.locals.get(n, ir.MATH_INT))
             for n, v in state.items() if n in rec.modified and "$" not in n}
    desc = " and ".join(f"{n} stays {v}" for n, v in shown.items()) or "the state repeats"
    return Witness("fixed-point", desc + " forever", model, state=shown)


def state_text(state: dict) -> str:
    return ", ".join(f"{n} = {v}" for n, v in state.items()) or "(no variables)"


def _facts(ctx, rec):
    """Candidate facts: (label, fn(vars) -> BoolRef)."""
    fn = ctx.fn
    ab = ctx.abstract
    names = [n for n in _int_vars(fn, rec.head.vars) if n in fn.locals or
             any(p.name == n for p in fn.params)]
    consts = sorted(set(ab.consts_seen) | {0, 1, -1}, key=abs)[:8]
    out = []
    for atom in _atoms(rec.loop.cond):
        out.append((_text(fn, atom) if not isinstance(atom, ir.Binary) else
                    _cmp_text(fn, atom), lambda vs, a=atom: _ev(ab, a, vs)))
    for n in names:
        t = fn.locals.get(n) or next((p.type for p in fn.params if p.name == n), ir.MATH_INT)
        vals = list(consts)
        if t.bits is not None:
            vals += [t.min, t.max]
        for c in dict.fromkeys(vals):
            if t.bits is not None and not (t.min <= c <= t.max):
                continue
            for op, sym in (("eq", "=="), ("ge", ">="), ("le", "<="), ("gt", ">"), ("lt", "<")):
                out.append((f"{n} {sym} {c}",
                            lambda vs, n=n, c=c, t=t, op=op: compare(op, vs[n], E.literal(c, t), t)))
        for m in names:
            tm = fn.locals.get(m) or next((p.type for p in fn.params if p.name == m), None)
            if m == n or tm != t:
                continue
            for op, sym in (("gt", ">"), ("ge", ">="), ("eq", "==")):
                out.append((f"{n} {sym} {m}",
                            lambda vs, n=n, m=m, t=t, op=op: compare(op, vs[n], vs[m], t)))
    return out


def _cmp_text(fn, atom):
    sym = {"lt": "<", "le": "<=", "gt": ">", "ge": ">=", "eq": "==", "ne": "!="}.get(atom.op, atom.op)
    return f"{_text(fn, atom.left)} {sym} {_text(fn, atom.right)}"


def recurrent_set(ctx, rec):
    ab, bm = ctx.abstract, ctx.bmc
    visits = bm.head_visits.get(id(rec.loop), [])
    if not visits:
        return None
    _, last_vars, last_pc = visits[-1]
    facts = _facts(ctx, rec)
    hints = [[]]
    for n in _int_vars(ctx.fn, last_vars)[:3]:
        t = ctx.fn.locals.get(n)
        if isinstance(t, ir.IntT) and t.bits is not None:
            hints += [[last_vars[n] == E.literal(t.max, t)], [last_vars[n] == E.literal(t.min, t)]]
        hints.append([last_vars[n] == _lit(last_vars[n], 0)])
    for hint in hints[:MAX_SAMPLES]:
        try:
            cond_last = _ev(ab, rec.loop.cond, last_vars)
        except KeyError:
            return None
        r = ctx.check(bm.pre + [last_pc, cond_last] + hint)
        if r.status != "sat":
            continue
        alive = []
        for label, f in facts:
            tick(ctx.cancel)
            try:
                if r.model.eval(f(last_vars)) is True:
                    alive.append((label, f))
            except (KeyError, z3.Z3Exception):
                continue
        w = _houdini(ctx, rec, alive)
        if w is not None:
            return w
    return None


def _houdini(ctx, rec, alive):
    ab = ctx.abstract
    for _ in range(MAX_ROUNDS):
        tick(ctx.cancel)
        if not alive:
            return None

        def R(vs, alive=alive):
            return z3.And(*[f(vs) for _, f in alive])
        q, exits = _closure_query(ab, rec, R)
        with recorder.role("closure of the recurrent set " + " and ".join(l for l, _ in alive)
                           + ": no path of the body leaves it, exits or hits undefined "
                           "behaviour"):
            r = ctx.check(q)
        if r.status == "unsat":
            model = _reach(ctx, rec, R)
            if model is None:
                return None
            labels = _minimal_labels(ctx, rec, alive)
            verb = " stays true forever" if len(labels) == 1 else " stay true forever"
            return Witness("recurrent-set", " and ".join(labels) + verb,
                           model, facts=labels)
        if r.status != "sat" or r.model.eval(exits) is True:
            return None
        keep = []
        for l, f in alive:
            tick(ctx.cancel)
            if r.model.eval(f(rec.back.vars)) is True:
                keep.append((l, f))
        if len(keep) == len(alive):
            return None
        alive = keep
    return None


def _minimal_labels(ctx, rec, alive):
    """Drop facts implied by the others, to show a short witness (the first-listed kept:
    == before >=).  Only what is shown changes: the witness is all of `alive`."""
    labels = [l for l, _ in alive]
    facts = [f(rec.head.vars) for _, f in alive]
    remaining = getattr(ctx.cancel, "remaining_ms", None)
    ms = 500 if remaining is None else max(1, min(500, remaining()))
    keep = drop_implied(facts, range_facts(facts), ms, lambda: tick(ctx.cancel))
    return [labels[k] for k in keep] or labels
