"""Termination on a quick abstraction, before contracts and overflow (issue #13).

The full judgement (termination.check_termination) needs the function's abstract run with
Houdini invariants for every loop: for a large C function (nested loops, inlined callees
with loops of their own) that run alone can outlast the function's budget, and then every
loop was "don't know".  Most loops need no invariant, though (`while (i < n) i++`: the
ranking function `n - i`).  So first one abstract run whose loops infer no invariants
(FnContext.infer = False: one symbolic pass, no Houdini query) is made, and each loop gets
the cheap ranking search on it (single measures; is the back edge reachable at all).

Sound: without inferred invariants the loop heads range over more states than the real
ones (the user's invariants are still checked and assumed), so a ranking function that
decreases and stays bounded there does so on every real iteration.  Only proofs are taken
from here; every other loop is left to the full judgement, which runs with whatever time
is left.  Callees are not judged here (that is a full judgement of each): a call the
proof relies on returning is named in the finding, as the full judgement does for a
callee it could not prove, unless its termination is already known.
"""
from __future__ import annotations

import time

from .. import callgraph
from ..findings import PROVED, Finding
from ..solver import recorder
from .audit import attach
from .context import FnContext, elapsed_ms
from .ranking import Refuted, describe, find_ranking, loop_candidates
from .symexec import is_stub
from .termination import (NEVER_REPEATS, RANKING_ROLE, _branches, _never_repeats,
                          _template_vars, ranking_obligations)
from .termination_common import TERMINATING_LIBRARY, judged_separately, proved_finding


# a query of the quick pass that z3 does not settle in this time is left to the full
# judgement (a hard query there is usually a large inlined callee's formula)
QUICK_QUERY_MS = 300


def quick_context(ctx: FnContext) -> FnContext:
    """A context like ctx (same encoding, judgement, budget) whose abstract run infers
    no loop invariants and whose queries are short."""
    q = FnContext(ctx.program, ctx.fn, ctx.options, ctx.cancel)
    q.encoding, q.judgement, q.infer = ctx.encoding, ctx.judgement, False
    q.max_query_ms = QUICK_QUERY_MS
    return q


def quick_verdicts(ctx: FnContext, verdicts: dict, decided=None,
                   out=None) -> dict[int, Finding]:
    """id(loop) -> a proved finding, for the loops the quick abstraction proves (also
    filled into `out` one by one, so a budget that runs out keeps them).
    verdicts: function name -> terminates? (True/False/None), as in check_termination;
    decided: loops judged already (their findings count for the loops around them)."""
    decided = dict(decided or {})
    loops = callgraph.loops_in(ctx.fn.body)
    if all(id(loop) in decided for loop in loops):
        return {}
    q = quick_context(ctx)
    with recorder.outside(), recorder.role("abstract run without inferred invariants"):
        records = {}
        for rec in q.abstract.loop_records:
            records.setdefault(id(rec.loop), rec)
    out = {} if out is None else out
    for loop in reversed(loops):               # inner loops first
        rec = records.get(id(loop))
        if id(loop) in decided or rec is None:
            continue
        t0 = time.perf_counter()
        with recorder.scope() as own:
            try:
                f = _quick_verdict(q, rec, decided, verdicts)
            except _GaveUp:     # the loop's formulas are hard: the full judgement's
                f = None
        if f is None:
            continue
        attach(f, own)
        f.time_ms = elapsed_ms(t0)
        f.solver = q.solver_label()
        f.details["abstraction"] = "no inferred invariants"
        decided[id(loop)] = out[id(loop)] = f
    return out


class _GaveUp(Exception):
    """A query of the quick pass was not settled in QUICK_QUERY_MS."""


def _settled(q: FnContext):
    """q.check that gives up on the loop at the first unsettled query: the ranking
    candidates of one loop share its formulas, so the next ones would time out too."""
    def check(assertions, timeout_ms=None, extra=0):
        r = q.check(assertions, timeout_ms, extra)
        if r.status == "unknown":
            raise _GaveUp
        return r
    return check


def _quick_verdict(q: FnContext, rec, done: dict, verdicts: dict):
    loop = rec.loop
    if loop.range_loop or loop.cond is None:
        return None                 # Python's for loops: termination_structural, or full
    inner = [done.get(id(lp)) for lp in callgraph.loops_in(loop.body)]
    if any(f is None or f.status != PROVED for f in inner):
        return None
    blocked, assumed = _callees(q, rec.callees, verdicts)
    if blocked:
        return None
    ab = q.abstract
    if _never_repeats(q, rec):
        ranking, msg = ["once"], NEVER_REPEATS
    else:
        with recorder.role(RANKING_ROLE):
            check = _settled(q)
            ranking = find_ranking(
                check, ab.pre, rec.head, rec.back,
                loop_candidates(ab, q.fn, loop, rec.modified, rec.head),
                lexicographic=_branches(loop.body), bare_pc=rec.without_inferred(rec.back.pc),
                template_vars=_template_vars(q.fn, loop, rec), stage="single",
                seen=Refuted(check))
        if not ranking:
            return None
        msg = describe(ranking)
        if recorder.active() is not None:
            ranking_obligations(q, rec, ranking)
    return proved_finding(q, loop, msg, ranking, rec.invariants, assumed)


def _callees(q: FnContext, names, verdicts: dict) -> tuple[bool, list[str]]:
    """(does some call block a proof, real callees the proof assumes return).  Like
    termination.assumed_callees, without judging the file's callees: one not known to
    terminate (verdicts) is assumed to return, which is what the proof relies on."""
    library = TERMINATING_LIBRARY.get(q.program.language, set())
    assumed = []
    for name in sorted(names):
        g = q.program.functions.get(name)
        if g is None and name in library:
            continue
        if g is not None and not is_stub(g) and (callgraph.has_contract(g)
                                                 or verdicts.get(name) is True):
            continue
        if not judged_separately(name):
            return True, []         # code of this function the frontend could not model
        assumed.append(name)
    return False, assumed
