"""Ranking functions that need a supporting invariant found through Horn clauses.

A loop like `x = 2*n; while (x != 0) x -= 2;` terminates with ranking function x, but
only because x stays even and non-negative, which Houdini's candidates miss.  For the
first few measures of the loop (ranking.loop_candidates) Spacer is asked for an invariant
under which the measure is bounded and decreases on every iteration (engine/chc.py builds
the clauses); the invariant's conjuncts then go through Houdini like any candidate, and
find_ranking checks every measure again from the new abstract run.  Spacer's answer is
never the proof.
"""
from __future__ import annotations

import z3

from . import chc
from .ranking import find_ranking, loop_candidates
from .state import conj

MEASURES = 3            # measures Spacer is asked about, per loop


def ranking_with_chc(ctx, rec, lexicographic: bool, template_vars):
    """(ranking, record of the new abstract run, invariant text) or (None, None, why)."""
    if not chc.ENABLED:
        return None, None, ""
    ab = ctx.abstract
    loop = rec.loop
    why = ""
    for m in loop_candidates(ab, ctx.fn, loop, rec.modified, rec.head)[:MEASURES]:
        try:
            h, b = m.term(rec.head.vars), m.term(rec.back.vars)
        except (KeyError, NotImplementedError, z3.Z3Exception):
            continue
        if h.sort().kind() != z3.Z3_INT_SORT:
            continue
        bad = conj(rec.back.pc, z3.Or(h < 0, b > h - 1))
        inferred, why = chc.infer(ctx, ab, bad, purpose="termination")
        if inferred is None:
            if why.startswith("the CHC solver was already asked") or not why:
                break
            continue
        ex = ctx.abstract_with(inferred.candidates)
        rec2 = next((r for r in ex.loop_records if r.loop is loop), None)
        kept = chc.kept_labels([rec2]) if rec2 is not None else []
        if not kept:
            why = "the CHC solver's invariant did not pass the invariant checks"
            continue
        ranking = find_ranking(ctx.check, ex.pre, rec2.head, rec2.back,
                               loop_candidates(ex, ctx.fn, loop, rec2.modified, rec2.head),
                               lexicographic=lexicographic, template_vars=template_vars)
        if ranking:
            return ranking, rec2, chc.join(kept)
        why = f"the inferred invariant {chc.join(kept)} does not give a ranking function"
    return None, None, why
