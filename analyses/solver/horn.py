"""Constrained Horn clauses: z3's Spacer asked for the interpretation of predicates.

The engine builds the clauses; this module only runs the query with the same time limit
and cancellation conventions as `query.check`.  What Spacer answers is never a verdict on
its own: a `sat` interpretation is a *candidate* invariant that the engine re-checks with
ordinary queries (initiation, consecution, the obligation), and an `unsat` (a derivation
of false) is only a hint that the property may fail.  Answers are not cached.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Optional

import z3

from .query import STATS, Cancelled, CancelToken, free_consts


@dataclass
class HornClause:
    """body (a conjunction of formulas, predicate applications among them) implies head
    (a predicate application, or None for false).  Free constants are universally
    quantified."""
    body: list
    head: Optional[z3.BoolRef] = None


@dataclass
class HornResult:
    status: str                      # 'sat' (safe, interpretations found) | 'unsat' | 'unknown'
    interpretation: dict = field(default_factory=dict)   # predicate name -> formula over args
    args: dict = field(default_factory=dict)             # predicate name -> [arg constants]
    time_ms: float = 0.0
    reason: str = ""


def _clause(c: HornClause, preds: set, ctx: z3.Context) -> z3.BoolRef:
    """The clause, universally closed, built in ctx.  The body is simplified there: Spacer
    rejects `div` whose divisor is not a literal (the engine's `x / (2 >= 0 ? 2 : -2)` of
    a C division by a constant)."""
    body = z3.And(*c.body) if c.body else z3.BoolVal(True)
    head = c.head if c.head is not None else z3.BoolVal(False)
    vs = [v.translate(ctx) for n, v in sorted(free_consts([body, head]).items())
          if n not in preds]
    f = z3.Implies(z3.simplify(body.translate(ctx)), head.translate(ctx))
    return z3.ForAll(vs, f) if vs else f


SEEDS = (0, 1, 2)       # Spacer runs, each with its share of the time limit


def solve_horn(clauses: list[HornClause], preds: list[z3.FuncDeclRef], *,
               timeout_ms: int = 5000, cancel: Optional[CancelToken] = None) -> HornResult:
    """Ask Spacer (global guidance on: it finds the parameter-dependent bounds that plain
    Spacer enumerates for a long time) whether the clauses are satisfiable.  Its search
    is chaotic (the same system is solved in 0.2 s or not in 5 s depending on the order
    of terms and its random seed), so it runs with a few seeds in turn, each with a share
    of the time limit, each in a fresh context (so the terms' order does not come from
    what the process asked z3 before; Spacer's answer can still vary between processes,
    which is why it is only ever a candidate)."""
    t0 = time.perf_counter()
    names = {p.name() for p in preds}
    share = max(1, int(timeout_ms) // len(SEEDS))
    out = HornResult("unknown", reason="CHC solver: no answer")
    for seed in SEEDS:
        out = _solve_once(clauses, preds, names, share, seed, cancel)
        if out.status != "unknown" or "timeout" not in out.reason:
            break
    out.time_ms = _ms(t0)
    if out.status == "unknown" and "timeout" in out.reason:
        out.reason = f"CHC solver: timeout after {timeout_ms} ms"
    return out


def _solve_once(clauses, preds, names, timeout_ms: int, seed: int,
                cancel: Optional[CancelToken]) -> HornResult:
    if cancel is not None:
        cancel.check()
    t0 = time.perf_counter()
    ctx = z3.Context()
    s = z3.SolverFor("HORN", ctx=ctx)
    s.set("timeout", int(max(1, timeout_ms)))
    s.set("fp.spacer.global", True)
    s.set("fp.spacer.random_seed", seed)
    for c in clauses:
        s.add(_clause(c, names, ctx))
    if cancel is not None:
        cancel._attach(s.ctx)
    try:
        r = s.check()
    except z3.Z3Exception as exc:          # an unsupported theory inside Spacer
        return HornResult("unknown", reason=f"CHC solver error: {exc}")
    finally:
        if cancel is not None:
            cancel._attach(None)
    STATS.solver_calls += 1
    STATS.solver_ms += _ms(t0)
    if cancel is not None and cancel.cancelled:
        raise Cancelled()
    if r == z3.unsat:
        return HornResult("unsat")
    if r != z3.sat:
        # Spacer's reason may hold a dump of the clause it failed on: the first line only
        why = (s.reason_unknown().strip().splitlines() or ["unknown"])[0].rstrip(": ")[:120]
        if "timeout" in why or why == "canceled":
            why = f"timeout after {timeout_ms} ms"
        elif why.startswith("Uninterpreted 'div'") or why.startswith("Uninterpreted 'mod'"):
            why = "no support for division or remainder by a variable"
        return HornResult("unknown", reason=f"CHC solver: {why}")
    m = s.model()
    out = HornResult("sat")
    for p in preds:
        xs = [z3.Const(f"chc!{p.name()}!{k}", p.domain(k)) for k in range(p.arity())]
        f = _interpretation(m, p.translate(ctx), [x.translate(ctx) for x in xs])
        out.interpretation[p.name()] = f.translate(z3.main_ctx()) if f is not None else None
        out.args[p.name()] = xs
    return out


def _interpretation(m: z3.ModelRef, p: z3.FuncDeclRef, xs: list):
    """The formula m gives p, over xs (Var(k) is argument k); None when it is not one
    formula (point entries) — model.eval is not used: it answers `true` for predicates
    Spacer's model has not yet been asked about."""
    fi = m[p]
    if fi is None:
        return z3.BoolVal(False, ctx=p.ctx)   # eliminated by Spacer: no state reaches it
    if isinstance(fi, z3.FuncInterp):
        if fi.num_entries():
            return None
        return z3.substitute_vars(fi.else_value(), *xs)
    return z3.substitute_vars(fi, *xs) if z3.is_expr(fi) else None


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000
