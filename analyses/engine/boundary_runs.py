"""Concrete runs from boundary inputs, for properties the bounded unrolling cannot reach.

`while (r * r <= n) r++;` overflows for n = INT_MAX after 46,341 iterations: no unrolling
gets there, and no invariant proves a false property, so k-induction and Spacer only spend
the budget on it.  The concrete interpreter runs those iterations in a fraction of a
second.  So, once per function, the interpreter runs the function on combinations of its
inputs' boundary values (edge_inputs.boundary_values, in the same order), each satisfying
the function's requires (the formula simplifies to true with the inputs fixed), within
LIMIT_MS and MAX_RUNS; an obligation whose place failed in one of those runs gets that
run's inputs, which then go through the usual confirmation (safety._confirm re-runs them
and checks the failure is the obligation's).  Only for functions whose runs need no other
input (no nondet values, unknown calls, array elements or Python sequences) judged for
all their inputs.
"""
from __future__ import annotations

import time
from typing import Optional

import z3

from ..solver import Model, const_like
from .edge_inputs import boundary_values, combinations

LIMIT_MS = 400
MAX_RUNS = 64


def runs(ctx) -> list:
    """[(inputs, model, outcome)] of the boundary runs (made once per function)."""
    cached = ctx.__dict__.get("_boundary_runs")
    if cached is not None:
        return cached
    out: list = []
    ctx.__dict__["_boundary_runs"] = out
    ex = ctx.bmc
    if ex.nondets or ex.externals or getattr(ex, "element_reads", ()) or not ex.inputs \
            or any(getattr(p, "container", None) for p in ctx.fn.params):
        return out          # (a Python sequence parameter's input is its length)
    values = [(name, c, ex.input_types[name]) for name, c in ex.inputs.items()]
    lists = [[(v, const_like(c, v)) for v in boundary_values(t)] for _, c, t in values]
    if any(not xs for xs in lists):
        return out
    pre = z3.And(*ex.pre) if ex.pre else z3.BoolVal(True)
    deadline = time.monotonic() + LIMIT_MS / 1000
    for n, idx in enumerate(combinations([len(xs) for xs in lists])):
        if n >= MAX_RUNS or time.monotonic() > deadline:
            break
        if ctx.cancel is not None:
            ctx.cancel.check()
        pick = [xs[i] for xs, i in zip(lists, idx)]
        subs = [(c, lit) for (_, c, _), (_, lit) in zip(values, pick)]
        if not z3.is_true(z3.simplify(z3.substitute(pre, *subs))):
            continue            # outside the requires (or not decided by them alone)
        inputs = {name: v for (name, _, _), (v, _) in zip(values, pick)}
        model = Model(values={c.decl().name(): _raw(lit) for c, lit in subs},
                      decls={c.decl().name(): c for c, _ in subs})
        outcome = ctx.replay_run(inputs, [], caller_memory=True)
        out.append((inputs, model, outcome))
    return out


def failing_run(ctx, spans_kinds) -> Optional[Model]:
    """The model of the first boundary run that failed at one of (span, kinds)."""
    for _, model, outcome in runs(ctx):
        for v in outcome.violations:
            if any(v.span == span and v.kind in kinds for span, kinds in spans_kinds):
                return model
    return None


def _raw(lit):
    if z3.is_true(lit) or z3.is_false(lit):
        return z3.is_true(lit)
    return z3.simplify(lit).as_long()
