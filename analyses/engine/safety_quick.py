"""Contracts and overflow on a quick abstraction first (issue #13).

The full safety judgement (safety.check_safety) starts from the function's abstract run
with Houdini invariants for every loop; in a large C function (nested loops, inlined
callees with loops of their own) that run alone can use up safety's share of the budget,
and then every property was "don't know".  Most arithmetic needs no loop invariant, though:
so one abstract run whose loops infer none (FnContext.infer = False: one symbolic pass, no
Houdini query) goes first, and each property it proves with a short query is reported
(the same finding the full judgement makes for a proof).

Sound: without inferred invariants the loop heads range over more states than the real
ones (the user's invariants are still checked and assumed), so a property that holds on
every path of this run holds on every real run.  Only proofs are taken from here; the
other properties go to the full judgement (check_safety's `skip`).
"""
from __future__ import annotations

import time

from .. import callgraph, ir
from ..findings import PROVED
from ..solver import recorder
from .audit import attach
from .context import FnContext, elapsed_ms
from .safety import _finding, group
from .state import violation

# a query that z3 does not settle in this time is left to the full judgement
QUICK_QUERY_MS = 300


# functions smaller than this (statements, with the callees it may inline) get no quick
# run: their full run is cheap, and the extra queries would only change z3's state
# before its Horn-clause engine runs (Spacer's search is sensitive to it)
QUICK_MIN_STATEMENTS = 50


def worth_it(ctx: FnContext) -> bool:
    """Could an abstract run without invariants differ from the full one and be much
    cheaper?  When the function is large and it or a function it calls has a loop."""
    program = ctx.program
    body = [ctx.fn] + [g for name in callgraph.callees(ctx.fn)
                       if (g := program.functions.get(name)) is not None]
    if not any(callgraph.loops_in(g.body) for g in body):
        return False
    return sum(_statements(g.body) for g in body) >= QUICK_MIN_STATEMENTS


def _statements(node) -> int:
    if isinstance(node, (list, tuple)):
        return sum(_statements(n) for n in node)
    if isinstance(node, ir.Stmt):
        return 1 + sum(_statements(v) for v in vars(node).values()
                       if isinstance(v, (list, tuple, ir.Stmt)))
    return 0


def quick_safety(ctx: FnContext, kinds: set, out: list) -> set:
    """Append a proved finding to `out` for each property of `kinds` the quick run
    proves; returns their obligation keys.  The run is kept as ctx.quick_run (what the
    budget leaves undecided is then named per property)."""
    q = FnContext(ctx.program, ctx.fn, ctx.options, ctx.cancel)
    q.encoding, q.judgement, q.infer = ctx.encoding, ctx.judgement, False
    q.max_query_ms = QUICK_QUERY_MS
    q.isolated = ctx.isolated
    with recorder.outside(), recorder.role("abstract run without inferred invariants"):
        ab = q.abstract
    ctx.quick_run = ab
    if ab.abstracted_loops == 0:    # no loop on the way: the full run is this very run
        ctx.__dict__["abstract"] = ab       # (FnContext.abstract is a cached_property)
        return set()
    proved = set()
    for key, obs in group(ab.obligations).items():
        if key[0] not in kinds:
            continue
        t0 = time.perf_counter()
        with recorder.scope() as own, recorder.role("this property alone"):
            r = q.check(ab.pre + [violation(obs)])
        if r.status != "unsat":
            continue
        f = _finding(q, obs, PROVED)
        attach(f, own)
        f.time_ms = elapsed_ms(t0)
        f.details["abstraction"] = "no inferred invariants"
        out.append(f)
        proved.add(key)
    return proved
