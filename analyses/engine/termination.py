"""Termination verdicts: one finding per loop and per recursive function.

proved — a ranking function (or lexicographic pair) checked by z3 on the loop's exact
   transition, nested loops proved.  The per-loop property is "finitely many iterations",
   so it is judged modulo callees (the convention of Dafny and Frama-C WP): an iteration
   stuck in a callee is not an infinite loop, and the callee's own termination is its own
   finding.  Unknown calls return arbitrary values and havoc what they could change
   (globals, C locals whose address escaped, Python container lengths), so a ranking
   function that depends on such state does not go through.  The assumed callees are named
   in the message and in `details.assumes_return`.  `terminates(name)` (a caller needs to
   know the callee returns) stays strict: every call in it must be proved to return;
counterexample — a non-termination witness (recurrence.py) reached by concrete inputs,
   re-run on the interpreter;
unknown — otherwise, with the reason (an unknown function, no ranking function found, ...).
"""
from __future__ import annotations

import functools
import time

import z3

from .. import callgraph, ir
from ..findings import COUNTEREXAMPLE, PROVED, Finding
from ..solver import recorder
from .audit import attach
from . import encode as E
from .encoding_modes import int_model_on, signed_math, unbounded_signed
from .intmodel import uses_signed
from .widths import contract_width
from .context import FnContext, elapsed_ms
from .ranking import Refuted, describe, find_ranking, loop_candidates, plain_expr
from .recurrence import fixed_point, recurrent_set
from .symexec import is_stub
from .termination_common import (TERMINATING_LIBRARY, assumption_text, finding, head_span,
                                  judged_separately, proved_finding, suspending,
                                  unsupported_in)

__all__ = ["check_termination", "head_span", "TERMINATING_LIBRARY", "terminates"]


NEVER_REPEATS = ("terminates: no path goes around the loop (every pass leaves it: "
                 "the condition is false after the body, or it breaks or returns)")
RANKING_ROLE = "ranking function search (candidate: bounded below and decreasing on every path)"


def check_termination(ctx: FnContext, verdicts: dict, decided=None,
                      report=None) -> list[Finding]:
    """verdicts: function name -> True/False/None (terminates?) shared across functions.
    decided: id(loop) -> a finding made already (termination_structural): not redone.
    report(finding): each new verdict as soon as it is made (engine/progress.py)."""
    decided = decided or {}
    findings = []
    records = {}
    if any(id(loop) not in decided for loop in callgraph.loops_in(ctx.fn.body)):
        for rec in ctx.abstract.loop_records:
            records.setdefault(id(rec.loop), rec)
    loop_results: dict[int, Finding] = {}
    for loop in reversed(callgraph.loops_in(ctx.fn.body)):    # inner loops first
        t0, solved, asked = time.perf_counter(), ctx.solved, ctx.queries
        if id(loop) in decided:
            loop_results[id(loop)] = decided[id(loop)]
            continue
        rec = records.get(id(loop))
        with recorder.scope() as own:
            if rec is None:
                f = finding(ctx, loop, PROVED, "terminates: the loop is never reached")
            else:
                f = _loop_verdict(ctx, rec, loop_results, verdicts)
                if loop.yields and f.status == COUNTEREXAMPLE:
                    f = suspending(ctx, loop, f)
        attach(f, own)
        f.time_ms = elapsed_ms(t0)
        f.cached = ctx.solved == solved and ctx.queries > asked
        loop_results[id(loop)] = f
        if report is not None:
            report(f)
    for loop in callgraph.loops_in(ctx.fn.body):
        findings.append(loop_results[id(loop)])
    if callgraph.is_recursive(ctx.program, ctx.fn.name):
        from .recursion import recursion_verdict
        t0, solved, asked = time.perf_counter(), ctx.solved, ctx.queries
        with recorder.scope() as own:
            f = recursion_verdict(ctx)
        attach(f, own)
        f.time_ms = elapsed_ms(t0)
        f.cached = ctx.solved == solved and ctx.queries > asked
        findings.append(f)
        if report is not None:
            report(f)
    return findings


def callee_blockers(ctx: FnContext, names, verdicts: dict) -> list[str]:
    out = []
    library = TERMINATING_LIBRARY.get(ctx.program.language, set())
    for name in sorted(names):
        g = ctx.program.functions.get(name)
        if g is None and name in library:
            continue
        if g is None or is_stub(g):
            out.append(f"depends on what the unknown function `{name}` does "
                       f"(it may not return)")
            continue
        if callgraph.has_contract(g):
            continue
        v = terminates(ctx, name, verdicts)
        if v is not True:
            out.append(f"the callee `{name}` is not proved to terminate")
    return out


def terminates(ctx: FnContext, name: str, verdicts: dict):
    """Does function `name` terminate on all inputs?  (True / False / None)"""
    if name in verdicts:
        return verdicts[name]
    verdicts[name] = None          # in progress: recursion through here is 'unknown'
    fn = ctx.program.functions[name]
    if any(loop.assumed_finite for loop in callgraph.loops_in(fn.body)):
        return None     # its loops end only under an assumption its caller would not state
    sub = FnContext(ctx.program, fn, ctx.options, ctx.cancel)
    fs = check_termination(sub, verdicts)
    # and everything it calls outside its loops must return too
    others = set(callgraph.callees(fn)) - {name}
    if all(f.status == PROVED for f in fs) and not callee_blockers(sub, others, verdicts):
        verdicts[name] = True
    elif any(f.status == COUNTEREXAMPLE for f in fs):
        verdicts[name] = False
    return verdicts[name]


def assumed_callees(ctx: FnContext, names, verdicts: dict) -> tuple[list[str], list[str]]:
    """(reasons that block a loop proof, callees whose return a loop proof may assume).

    A real callee — an unknown function or one of the file's that is not proved to
    terminate — only makes an iteration hang, never the loop iterate forever; its
    termination is judged separately.  A pseudo-callee the frontend names for code of
    this very function (a call inside a comprehension, an iteration over what may be an
    infinite iterator: its name has a space) is not judged anywhere: it still blocks."""
    blockers, assumed = [], []
    for name in sorted(names):
        why = callee_blockers(ctx, [name], verdicts)
        if not why:
            continue
        if judged_separately(name):
            assumed.append(name)
        else:
            blockers += why
    return blockers, assumed


def _loop_verdict(ctx: FnContext, rec, done: dict, verdicts: dict) -> Finding:
    loop = rec.loop
    ab = ctx.abstract
    blockers, assumed = assumed_callees(ctx, rec.callees, verdicts)
    inner = [done.get(id(l)) for l in callgraph.loops_in(loop.body)]
    inner_bad = [f for f in inner if f is not None and f.status != PROVED]
    witness, searched, chc_why = None, False, ""     # searched: for a witness
    opaque_range = loop.range_loop and unsupported_in(loop.cond)
    if opaque_range:
        # the frontend could not bound the iterations (the body may change the container
        # through an alias): no ranking and no witness, whatever the callees do
        why = f"depends on {opaque_range}"
        return finding(ctx, loop, "unknown", f"termination: don't know ({why})", reason=why)
    opaque_iter = _opaque_iteration(loop)
    never = not loop.range_loop and _never_repeats(ctx, rec)
    if opaque_iter and not never:
        return _opaque_verdict(ctx, rec, opaque_iter, blockers, assumed, inner_bad)
    if never:
        ranking = ["once"]
        proved_msg = NEVER_REPEATS
    elif loop.range_loop:
        ranking = ["range"]
        proved_msg = ("terminates: a for-loop over range(...) whose counter the body "
                      "cannot change") if not loop.iterates else (
            f"terminates: a for-loop over {loop.iterates}, which is finite and which the "
            f"body does not grow")
    else:
        # the single candidates first (usually one query); then a repeating state, cheap
        # to look for and settling the question at once; then the costlier searches
        search = functools.partial(
            find_ranking, ctx.check, ab.pre, rec.head, rec.back,
            loop_candidates(ab, ctx.fn, loop, rec.modified, rec.head),
            lexicographic=_branches(loop.body), bare_pc=rec.without_inferred(rec.back.pc),
            template_vars=_template_vars(ctx.fn, loop, rec), seen=Refuted(ctx.check))
        with recorder.role(RANKING_ROLE):
            ranking = search(stage="single")
        if not ranking:
            with recorder.role("non-termination: a repeating state"):
                witness = _nontermination(ctx, rec, fixed_only=True,
                                          callee_may_hang=bool(assumed))
            if isinstance(witness, Finding):
                return witness
            with recorder.role(RANKING_ROLE):
                ranking = search(stage="rest")
        proved_msg = describe(ranking) if ranking else ""
        if not ranking:          # a run that never ends settles it before Spacer is asked
            searched = True
            with recorder.role("non-termination: recurrent set"):
                witness = witness or _nontermination(ctx, rec, callee_may_hang=bool(assumed))
            if isinstance(witness, Finding):
                return witness
        if not ranking:          # an invariant from Horn clauses may support one
            from .chc_ranking import ranking_with_chc
            ranking, rec2, text = ranking_with_chc(ctx, rec, _branches(loop.body),
                                                   _template_vars(ctx.fn, loop, rec))
            if ranking:
                rec = rec2
                proved_msg = f"{describe(ranking)} (with inferred invariant {text})"
            else:
                chc_why = f"; {text}" if text else ""
        if ranking and recorder.active() is not None:
            ranking_obligations(ctx, rec, ranking)
    if ranking and not blockers and not inner_bad:
        return proved_finding(ctx, loop, proved_msg, ranking, rec.invariants, assumed)
    if ranking:
        why = blockers[0] if blockers else (
            f"the nested loop at line {inner_bad[0].span.line} is not proved to terminate")
        return finding(ctx, loop, "unknown", f"termination: don't know ({why})", reason=why,
                        details={"ranking": proved_msg})
    if not searched:
        with recorder.role("non-termination: recurrent set"):
            witness = witness or _nontermination(ctx, rec, callee_may_hang=bool(assumed))
        if isinstance(witness, Finding):
            return witness
    if blockers:
        why = blockers[0]
    elif assumed and not witness:
        why = ("no ranking function found (tried the loop condition's differences and the "
               "assigned variables, also lexicographic pairs) and no non-termination witness "
               f"({assumption_text(assumed)})")
    elif witness:
        why = witness
    else:
        why = ("no ranking function found (tried the loop condition's differences and the "
               "assigned variables, also lexicographic pairs) and no non-termination witness"
               + chc_why)
    return finding(ctx, loop, "unknown", f"termination: don't know ({why})", reason=why)


def _opaque_iteration(loop: ir.While) -> str:
    """The reason when the loop runs once per element of an iterable that may be infinite
    (a `for` over an unannotated parameter, an attribute, a call result): '' otherwise."""
    c = loop.cond
    if isinstance(c, ir.Unsupported) and not loop.range_loop and c.what.startswith(
            "for loop over"):
        return c.what
    return ""


def _opaque_verdict(ctx: FnContext, rec, what: str, blockers, assumed, inner_bad) -> Finding:
    """A loop over a possibly infinite iterable: only a measure that decreases whatever the
    iterator does (a counter with a `break`) proves it; no witness can be confirmed (the
    interpreter cannot run the unknown iterator), so the costly searches are skipped."""
    with recorder.role(RANKING_ROLE):
        ranking = find_ranking(ctx.check, ctx.abstract.pre, rec.head, rec.back,
                               loop_candidates(ctx.abstract, ctx.fn, rec.loop, rec.modified,
                                               rec.head),
                               lexicographic=False, bare_pc=rec.without_inferred(rec.back.pc))
    if ranking and not blockers and not inner_bad:
        return proved_finding(ctx, rec.loop, describe(ranking), ranking, rec.invariants,
                              assumed)
    why = blockers[0] if ranking and blockers else (
        f"the nested loop at line {inner_bad[0].span.line} is not proved to terminate"
        if ranking else f"depends on the {what}")
    return finding(ctx, rec.loop, "unknown", f"termination: don't know ({why})", reason=why)


def ranking_obligations(ctx: FnContext, rec, ranking) -> None:
    """Only when proofs are recorded: a single ranking function's two obligations as their
    own queries (each follows from the combined one that proved it), so an auditor sees
    "bounded below" and "decreases by at least 1" on every path of the body separately."""
    m = ranking[0]
    if len(ranking) != 1 or isinstance(m, str):
        return          # lexicographic / multiphase: the combined queries are the proof
    try:
        h, b = m.term(rec.head.vars), m.term(rec.back.vars)
    except (KeyError, NotImplementedError, z3.Z3Exception):
        return
    pre = ctx.abstract.pre + [rec.back.pc]
    with recorder.role(f"ranking function {m.text}: bounded below (>= 0) on every path"):
        ctx.check(pre + [z3.Not(h >= 0)])
    with recorder.role(f"ranking function {m.text}: decreases by at least 1 on every path"):
        ctx.check(pre + [z3.Not(b <= h - 1)])


def _never_repeats(ctx: FnContext, rec) -> bool:
    """Is the back edge unreachable from every head state (`do { .. } while (0)`, a
    `while True` body that always breaks or returns)?  Then the loop runs its body at
    most once per entry (twice for a do-while: the peeled first pass and one more)."""
    r = ctx.check(ctx.abstract.pre + [rec.back.pc])
    return r.status == "unsat"


def _template_vars(fn: ir.Function, loop: ir.While, rec) -> list:
    """Integer variables a linear ranking template ranges over: those the condition reads,
    then those the loop assigns (hidden temporaries last)."""
    from .invariants import _names
    from .ranking import staying_atoms
    read: set = set()
    _names([loop.cond] + staying_atoms(loop.body), read)
    order = [n for n in rec.head.vars if n in read] + \
        [n for n in rec.modified if n not in read]
    order.sort(key=lambda n: "$" in n)
    out = []
    for n in dict.fromkeys(order):
        t = fn.locals.get(n) or next((p.type for p in fn.params if p.name == n), None)
        if isinstance(t, ir.IntT) and n in rec.head.vars and n in rec.back.vars:
            out.append((n, t))
    return out


def _branches(stmts) -> bool:
    """Does the loop body branch?  (Lexicographic measures only help with several paths.)"""
    return any(isinstance(s, (ir.If, ir.While)) for s in stmts)


def _nontermination(ctx: FnContext, rec, fixed_only: bool = False,
                    callee_may_hang: bool = False):
    """A counterexample Finding, a reason string (witness depends on unknowns), or None.

    C is judged over unbounded signed integers (see driver), but a witness is first sought
    over the exact semantics (bit-vectors or the integer model's in-range values; undefined
    behaviour leaves the loop), which is this view when no signed integer occurs: only when
    none exists is a run reported that goes on forever over unbounded integers, its message
    saying a real run may overflow first.  callee_may_hang: a callee in the body is not
    proved to return, so a run that merely runs out of steps may be stuck in it: only a
    repeating loop state confirms the witness then."""
    if not signed_math() or not uses_signed(ctx.program, ctx.fn.name):
        return _witness(ctx, rec, fixed_only, math=False, strict=callee_may_hang)
    with unbounded_signed(False, None if int_model_on() else contract_width(ctx.program)):
        ectx = _exact_view(ctx)
        erec = next((r for r in ectx.abstract.loop_records if r.loop is rec.loop), None)
        found = _witness(ectx, erec, fixed_only, math=False, strict=callee_may_hang) \
            if erec is not None else None
    if found is None:
        found = _witness(ctx, rec, fixed_only, math=True, strict=callee_may_hang)
    return found


def _exact_view(ctx: FnContext) -> FnContext:
    """The function under exact semantics, built once per function (the
    repeating-state search and the recurrent-set search both use its loop records; only
    use it inside unbounded_signed(False, ...), where it was built)."""
    view = getattr(ctx, "_exact", None)
    if view is None:
        view = ctx._exact = FnContext(ctx.program, ctx.fn, ctx.options, ctx.cancel)
    return view


def _witness(ctx: FnContext, rec, fixed_only: bool, math: bool, strict: bool = False):
    if not plain_expr(rec.loop.cond):
        return None     # a call in the test: it cannot be evaluated in a chosen state
    w = fixed_point(ctx, rec) if fixed_only else recurrent_set(ctx, rec)
    if w is None:
        return None
    bm = ctx.bmc
    cex, unknowns = ctx.counterexample(bm, w.model)
    if unknowns:
        used = [f for f in bm.externals if w.model.eval(f.guard) is True]
        calls = [f for f in used if f.what.startswith("call to")] or used
        f0 = calls[0]
        val = E.to_python(w.model.eval(f0.const), f0.type)
        if f0.what.startswith("call to"):
            return (f"the loop runs forever when the {f0.what} returns {val}, "
                    f"so whether it terminates depends on that function")
        return (f"the loop runs forever when {f0.what} is {val}, "
                f"so whether it terminates depends on that value")
    inputs = ctx.inputs_from(bm, w.model)
    outcome = ctx.replay_run(inputs, cex.nondet, max_steps=50_000)
    overflowed = math and outcome.status == "violation" and any(
        v.kind in ("signed-overflow", "div-overflow", "shift") for v in outcome.violations)
    if outcome.status not in ("nonterminating", "timeout") and not overflowed:
        return None     # the interpreter disagrees: never claim non-termination
    if strict and outcome.status == "timeout":
        return None     # the run may be stuck in a callee, not in this loop
    if overflowed:
        v = next(v for v in outcome.violations
                 if v.kind in ("signed-overflow", "div-overflow", "shift"))
        note = (f"over unbounded integers the loop runs forever; the real run overflows "
                f"first at line {v.span.line} ({v.message})")
    else:
        note = {"nonterminating": "the interpreter saw the loop state repeat",
                "timeout": "the interpreter ran 50,000 steps without the function returning"
                }[outcome.status]
    cex.trace = list(outcome.trace)[:200]
    msg = f"{cex.call} never returns: {w.description}"
    if math:
        msg = (f"{cex.call} never returns over unbounded integers: {w.description} "
               + ("(a real run overflows a signed integer first)" if overflowed else
                  "(a real run may overflow a signed integer first)"))
    f = finding(ctx, rec.loop, COUNTEREXAMPLE, msg, cex=cex,
                 details={"witness": {"kind": w.kind, "description": w.description,
                                      "state": w.state, "facts": w.facts,
                                      "semantics": "unbounded" if math else "exact"},
                          "interpreter": note})
    if ctx.options.replay:
        from .replay_hook import replay_nontermination
        replay_nontermination(ctx, cex)
    return f
