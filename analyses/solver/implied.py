"""Which facts of a list follow from the others: one incremental z3 solver for the whole
list instead of a fresh query per fact.

The engine uses it to shorten what it shows (a recurrent set's facts, engine/recurrence.py):
the answers never decide a verdict, so they bypass the lemma cache and proof recording.
Each fact is guarded by its own assumption literal, so one solver answers every
"do these imply that?" question; a fresh query each cost ~1 ms, mostly set-up.
"""
from __future__ import annotations

from typing import Callable, Optional

import z3


def drop_implied(facts: list, background: list = (), timeout_ms: int = 500,
                 tick: Optional[Callable[[], None]] = None) -> list[int]:
    """Indices of the facts kept when each one, from the last to the first, is dropped
    if the facts still kept imply it (under `background`, e.g. type ranges).  An
    undecided implication keeps its fact.  tick(): called between queries (cancellation)."""
    ctx = facts[0].ctx if facts else None
    s = z3.SimpleSolver(ctx=ctx)
    s.set("timeout", int(timeout_ms))
    s.add(*background)
    use = [z3.FreshBool("use", ctx) for _ in facts]          # assumed: the fact holds
    neg = [z3.FreshBool("negated", ctx) for _ in facts]      # assumed: the fact fails
    for i, f in enumerate(facts):
        s.add(z3.Implies(use[i], f), z3.Implies(neg[i], z3.Not(f)))
    keep = list(range(len(facts)))
    for i in reversed(range(len(facts))):
        if tick is not None:
            tick()
        rest = [k for k in keep if k != i]
        if not rest:
            break
        if s.check(*[use[k] for k in rest], neg[i]) == z3.unsat:
            keep = rest
    return keep
