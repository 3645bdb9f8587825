"""Termination of loops that need no solver: a Python `for` over range(..) or over a
finite container the body does not grow (the frontend lowered it to a hidden counter
below a fixed length, `While.range_loop`), whose body calls only functions known to
return or functions judged separately (unknown library functions, functions of the file:
the proof assumes they return and names them, whether or not they are proved to).

Decided before contracts and overflow run, without the abstract run, so a function whose
other properties use up the time budget still gets these verdicts.  A loop that makes a
pseudo-call (code of this function the frontend names, e.g. "sorted of a possibly
infinite iterable") or contains a loop not decided here is left to check_termination.
"""
from __future__ import annotations

from .. import callgraph, ir
from ..findings import PROVED, Finding
from .termination_common import (TERMINATING_LIBRARY, assumption_text, finding,
                                  judged_separately, unsupported_in)


def structural_verdicts(ctx) -> dict[int, Finding]:
    """id(loop) -> proved finding, for every loop decided by its structure alone."""
    out: dict[int, Finding] = {}
    if ctx.program.language != "python":
        return out
    library = TERMINATING_LIBRARY["python"]
    for loop in reversed(callgraph.loops_in(ctx.fn.body)):     # inner loops first
        if not loop.range_loop or unsupported_in(loop.cond):
            continue
        if any(id(inner) not in out for inner in callgraph.loops_in(loop.body + loop.update)):
            continue
        names = {c.func for c in callgraph.calls_in(loop.body + loop.update + [loop.cond])}
        assumed = []
        for name in sorted(names):
            g = ctx.program.functions.get(name)
            if g is not None and callgraph.has_contract(g):
                continue                    # its contract says it returns
            if g is None and name in library:
                continue
            if not judged_separately(name):
                break                       # code of this function that may not return
            assumed.append(name)
        else:
            out[id(loop)] = _proved(ctx, loop, assumed)
    return out


def _proved(ctx, loop: ir.While, assumed: list[str]) -> Finding:
    msg = ("terminates: a for-loop over range(...) whose counter the body cannot change"
           if not loop.iterates else
           f"terminates: a for-loop over {loop.iterates}, which is finite and which the "
           f"body does not grow")
    if loop.assumed_finite:
        msg = (f"terminates: a for-loop over {loop.iterates}, assuming "
               f"{loop.assumed_finite}; the body does not grow it")
    details = {"ranking": msg, "measure": ["range"], "invariants": [], "structural": True}
    if loop.assumed_finite:
        details["assumes_finite"] = loop.assumed_finite
    if assumed:
        msg = f"{msg} ({assumption_text(assumed)})"
        details["assumes_return"] = list(assumed)
    f = finding(ctx, loop, PROVED, msg, details=details)
    f.time_ms = 0.0
    return f
