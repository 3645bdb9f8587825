"""Contract and overflow verdicts: one Finding per property instance.

proved  — the abstract run's violation formula is unsat (loops abstracted soundly);
counterexample — a model (from the exact loop-free run or the bounded unrolling) that the
   concrete IR interpreter re-ran and saw fail at the same place;
unknown — anything else, with the reason.
"""
from __future__ import annotations

import time
from collections import OrderedDict

import z3

from .. import ir
from ..findings import COUNTEREXAMPLE, PROVED, Finding, Related
from ..solver import recorder
from .audit import attach
from .boundary_runs import failing_run
from . import encode as E
from .context import FnContext, elapsed_ms, snippet
from .calling_contexts import chain_pre, from_root
from .state import conj, disj, violation

INTERP_KIND = {"isinstance": "assert", "precondition": "assert", "invariant-init": "invariant",
               "invariant-preserved": "invariant"}
PROP_TEXT = {
    "signed-overflow": "signed overflow", "division-by-zero": "division by zero",
    "div-overflow": "overflow in division (minimum / -1)", "shift": "invalid shift",
    "conversion": "value-changing conversion", "unsigned-wrap": "unsigned wrap-around",
    "index": "IndexError",
    "bounds": "out-of-bounds access",
}


def group(obligations) -> "OrderedDict":
    out: OrderedDict = OrderedDict()
    for o in obligations:
        out.setdefault(o.key, []).append(o)
    return out


def check_safety(ctx: FnContext, kinds: set[str], out: list | None = None,
                 spans=None, skip=frozenset()) -> list[Finding]:
    """Findings in property order; each is also appended to `out` as soon as it is decided
    (so a budget that runs out keeps what was decided).  spans: decide only the obligations
    at these places (a retry in another encoding); skip: obligation keys decided already
    (safety_quick.py)."""
    findings = out if out is not None else []
    if spans is None and "overflow" in kinds:
        _unknown_bounds(ctx, findings)
    ab = ctx.abstract
    groups = OrderedDict((k, v) for k, v in group(ab.obligations).items() if k[0] in kinds
                         and (spans is None or v[0].span in spans) and k not in skip)
    if not groups:
        return findings
    t0 = time.perf_counter()
    all_viol = disj([violation(obs) for obs in groups.values()])
    with recorder.scope() as together, recorder.role("every property of the function at once"):
        fast = ctx.check(ab.pre + [all_viol])     # one query when everything holds
    shared_ms = elapsed_ms(t0) / max(1, len(groups))
    # contracts first: an invariant inferred for one (engine/chc.py) is tried on the
    # later ones, and the arithmetic of a loop usually follows from its contracts' invariant
    for key, obs in sorted(groups.items(), key=lambda kv: kv[0][0] != "contract"):
        t1, solved = time.perf_counter(), ctx.solved
        with recorder.scope() as own, recorder.role("this property alone"):
            f = _finding(ctx, obs, PROVED) if fast.status == "unsat" else \
                _decide(ctx, key, obs)
        attach(f, together, shared=True)
        attach(f, own)
        f.time_ms = shared_ms + elapsed_ms(t1)
        f.cached = fast.cached and ctx.solved == solved
        findings.append(f)
    return findings


def _unknown_bounds(ctx: FnContext, findings: list) -> None:
    """One "don't know" finding per C access to an object of unknown size (the frontend
    lists them); hidden with Options.report_unknown_bounds=False."""
    if not getattr(ctx.options, "report_unknown_bounds", True):
        return
    fn = ctx.fn
    for reason, span in getattr(fn, "bounds_unknown", ()):
        text = snippet(fn, span)
        where = f" in `{text}`" if text else ""
        findings.append(Finding(
            file=ctx.program.path, function=fn.qualname or fn.name, kind="overflow",
            status="unknown", span=span, property="bounds", reason=reason,
            message=f"out-of-bounds access{where}: don't know ({reason})"))


def _decide(ctx: FnContext, key, obs) -> Finding:
    ab = ctx.abstract
    r = ctx.check(ab.pre + [violation(obs)])
    if r.status == "unsat":
        return _finding(ctx, obs, PROVED)
    loops_abstracted = ab.abstracted_loops > 0      # (callees' loops included)
    attempts = []
    within = chain_pre(ctx.judgement)      # contextual: some caller's chain gets here
    if r.status == "sat" and not loops_abstracted:
        r = ctx.check_small(ab, ab.pre + within + [violation(obs)])
        if r.status == "sat":
            attempts.append((ab, r.model))
    bm_status = None
    if loops_abstracted:
        bm = ctx.bmc
        bobs = [o for o in bm.obligations if o.key == key]
        if bobs:
            rb = ctx.check_small(bm, bm.pre + within + [violation(bobs)])
            bm_status = rb.status
            if rb.status == "sat":
                attempts.append((bm, rb.model))
        else:
            bm_status = "unsat"
        if bm_status == "unsat" and ctx.bmc_complete:
            return _finding(ctx, obs, PROVED, note="every path was unrolled completely")
        if bm_status == "unsat" and not within and not (
                ctx.judgement is not None and ctx.judgement.contextual):
            # beyond the unrolling: concrete runs from boundary inputs (boundary_runs.py)
            model = failing_run(ctx, [(o.span, {INTERP_KIND.get(o.prop, o.prop)})
                                      for o in obs])
            if model is not None:
                verdict = _confirm(ctx, ctx.bmc, model, obs, operands=False)
                if isinstance(verdict, Finding):
                    return verdict
        loop = _enclosing_loop(ctx.fn.body, obs[0].span)
        if bm_status == "unsat" and loop is not None:
            for k in (1, 2, 3):
                with recorder.role(f"{k}-induction (base case, then step)"):
                    proved = ctx.k_induction(loop, key, k)
                if proved:
                    return _finding(ctx, obs, PROVED, note=f"proved by {k}-induction")
        if bm_status == "unsat" and any(o.prop == "bounds" for o in obs):
            deep = _deeper_bmc(ctx, key, within)
            if deep is not None:
                attempts.append(deep)
    reasons = []
    for ex, model in attempts:
        verdict = _confirm(ctx, ex, model, obs)
        if isinstance(verdict, Finding):
            return verdict
        reasons.append(verdict)
    if reasons and reasons[0].startswith("depends on") and attempts[0][0] is ab:
        retry = _avoiding_unknowns(ctx, ab, ab.pre + within + [violation(obs)])
        verdict = _confirm(ctx, ab, retry, obs) if retry is not None else None
        if isinstance(verdict, Finding):
            return verdict
    chc_why = ""
    if loops_abstracted and r.status == "sat" and not within:
        from .chc import prove      # invariants from Horn clauses, re-checked by Houdini
        proved, text = prove(ctx, key, obs)
        if proved:
            return _finding(ctx, obs, PROVED, invariant=text)
        chc_why = f"; {text}" if text else ""
    if r.status == "unknown":
        reason = r.reason or "the solver gave up"
    elif within and r.status == "unsat":
        reason = ("no counterexample within its callers' contexts, but the contexts "
                  "known to hold are too weak to prove it")
    elif reasons:
        reason = reasons[0]
    elif loops_abstracted and bm_status == "unsat":
        reason = (f"loop needs an invariant: no counterexample within {ctx.options.unroll} "
                  f"iterations, and the inferred invariants do not prove it{chc_why}")
    elif bm_status == "unknown":
        reason = "the solver gave up on the unrolled loop"
    else:
        reason = "loop needs an invariant" + chc_why
    return _finding(ctx, obs, "unknown", reason=reason)


MAX_AVOIDED = 40


def _avoiding_unknowns(ctx: FnContext, ex, assertions: list):
    """A model whose path evaluates none of the unsupported values that only some paths
    evaluate, when the first one relied on one (C: `n + (p ? p->size : 0) - 1` breaks with
    p NULL too; Python: a value of unknown type on one path only), else None.  One every path evaluates may come after the failure (the
    interpreter then stops first), else the new model fails to confirm as the first did."""
    fresh = ex.externals
    if len(fresh) > MAX_AVOIDED:
        return None
    avoid = [z3.Not(f.guard) for f in fresh if not z3.is_true(f.guard)]
    if not avoid:
        return None
    r = ctx.check_small(ex, assertions + avoid)
    return r.model if r.status == "sat" else None


def _deeper_bmc(ctx: FnContext, key, within):
    """(executor, model) of an out-of-bounds access beyond the usual unrolling: loops
    over an array of constant size N need N + 1 iterations to step past its end."""
    sizes = [c.value for c in _bounds_constants(ctx.fn.body)]
    depth = min(max(sizes, default=0) + 2, DEEP_BMC_MAX)
    if depth <= ctx.options.unroll or _nested_loops(ctx.fn.body):
        return None                     # (nested loops would unroll depth² times)
    cache = ctx.__dict__.setdefault("_deep_bmc", {})    # one deep run per function
    bm = cache.get(depth)
    if bm is None:
        bm = cache[depth] = ctx._executor("bmc", unroll=depth)
    bobs = [o for o in bm.obligations if o.key == key]
    if not bobs:
        return None
    r = ctx.check_small(bm, bm.pre + within + [violation(bobs)])
    return (bm, r.model) if r.status == "sat" else None


DEEP_BMC_MAX = 66


def _nested_loops(stmts, inside: bool = False) -> bool:
    for s in stmts:
        if isinstance(s, ir.While) and (inside or _nested_loops(s.body + s.update, True)):
            return True
        if isinstance(s, ir.If) and _nested_loops(s.then + s.orelse, inside):
            return True
    return False


def _bounds_constants(stmts):
    """The constant upper bounds of the function's own bounds obligations."""
    for s in stmts:
        parts = ir.bounds_parts(s) if isinstance(s, ir.Assert) else None
        if parts is not None and isinstance(parts[2], ir.Const):
            yield parts[2]
        for sub in ("then", "orelse", "body", "update"):
            yield from _bounds_constants(getattr(s, sub, None) or [])


def _enclosing_loop(stmts, span):
    """The innermost loop of the function whose body contains span."""
    found = None
    for s in stmts:
        inside = (s.span.line, s.span.col) <= (span.line, span.col) and \
            (span.end_line, span.end_col) <= (s.span.end_line, s.span.end_col)
        if isinstance(s, ir.While) and inside:
            found = _enclosing_loop(s.body + s.update, span) or s
        elif isinstance(s, ir.If) and inside:
            found = _enclosing_loop(s.then + s.orelse, span) or found
        if found is not None:
            return found
    return found


def _confirm(ctx: FnContext, ex, model, group, operands: bool = True):
    """A Finding when the interpreter reproduces the failure, else the reason it did not.
    operands=False: the model fixes only the inputs (a concrete run found the failure),
    so the values shown are the interpreter's, none read from the run's terms."""
    cex, unknowns = ctx.counterexample(ex, model)
    inputs = ctx.inputs_from(ex, model)
    outcome = ctx.replay_run(inputs, cex.nondet, caller_memory=True)
    failing = [o for o in group if model.eval(conj(o.guard, z3.Not(o.ok))) is True]
    ob = failing[0] if failing else group[0]
    want = {INTERP_KIND.get(o.prop, o.prop) for o in failing or group}
    hit = next((v for v in outcome.violations
                if v.kind in want and v.span == ob.span), None)
    if hit is None:
        if outcome.status == "unsupported" or unknowns:
            what = outcome.message or (unknowns[0] if unknowns else "an unsupported construct")
            return f"depends on {what}"
        if outcome.status == "timeout":
            return "the candidate counterexample did not reach the failure within the step limit"
        if ex.imprecision:
            return (f"the candidate counterexample relies on the {ex.imprecision[0][0]}, "
                    f"and running it concretely did not fail")
        return ("z3's candidate counterexample was not reproduced by the concrete "
                "interpreter (it relies on an abstraction)")
    cex.trace = list(outcome.trace)
    for label, (term, t) in ob.operands.items() if operands else ():
        cex.values_at_failure[label] = E.to_python(model.eval(term), t)
    if hit.values:
        cex.values_at_failure.update(hit.values)
    via = ""
    if ctx.judgement is not None and ctx.judgement.contextual:
        if not ctx.judgement.chains:
            return ctx.judgement.unreached or (
                "these inputs break it, but no call from outside its recursion is "
                "known to pass them")
        via = from_root(ctx.program, ctx.judgement, model, want, ob.span,
                        entry_assert=ob.prop == "precondition")
        if via is None:
            return ("these inputs break it, but re-running the calls that could pass them "
                    "did not reach the failure")
    if ctx.options.replay:
        from .replay_hook import replay
        replay(ctx, ob, cex)
    f = _finding(ctx, [ob], COUNTEREXAMPLE, cex=cex, returned=outcome.value)
    if via:
        f.details["via"] = via
        f.message += f" (reached from {via})"
    return f


def _finding(ctx: FnContext, group, status: str, *, cex=None, reason=None, note="",
             returned=None, invariant="") -> Finding:
    fn = ctx.fn
    ob = group[0]
    related = [Related(s, m) for s, m in ob.related]
    if ob.prop in ("ensures",) and ob.span != fn.span:
        related.append(Related(ob.span, f"postcondition {ob.text}"))
    f = Finding(file=ctx.program.path, function=fn.qualname or fn.name, kind=ob.kind,
                status=status, span=ob.span, message="", property=ob.prop, reason=reason,
                counterexample=cex, severity=ob.severity, related=related)
    f.message = _message(ctx, group, status, cex, reason, returned)
    if ob.kind == "overflow" and status != COUNTEREXAMPLE:
        f.property = "+".join(dict.fromkeys(o.prop for o in group))
    if note:
        f.details["note"] = note
    if invariant:      # proved with an invariant from the CHC solver (engine/chc.py)
        f.message += f" (with inferred invariant {invariant})"
        f.details["invariants"] = [invariant]
        f.details["note"] = "loop invariant inferred by z3's CHC engine (Spacer), re-checked"
    if status != "unknown":
        f.solver = ctx.solver_label()
    return f


def _message(ctx: FnContext, group, status, cex, reason, returned) -> str:
    ob = group[0]
    call = cex.call if cex else ""
    if ob.kind == "overflow":
        text = snippet(ctx.fn, ob.span)
        where = f" in `{text}`" if text else ""
        props = [p for p in dict.fromkeys(o.prop for o in group)]
        if props == ["unsigned-arith"]:
            return f"no undefined behaviour{where}: unsigned arithmetic wraps (defined)"
        what = " or ".join(PROP_TEXT.get(p, p) for p in props if p != "unsigned-arith")
        if props == ["index"] and ob.message:       # "IndexError: xs[i] ...", "KeyError: .."
            what = ob.message.split(":")[0]
        if status == PROVED:
            return f"no {what}{where}"
        if status == COUNTEREXAMPLE:
            vals = ", ".join(f"{k} = {v}" for k, v in cex.values_at_failure.items())
            return f"{ob.message}{where}: {call}" + (f" ({vals})" if vals else "")
        return f"{what}{where}: don't know ({reason})"
    label = {"assert": "assertion", "isinstance": "assertion", "reach_error": "reach_error()",
             "precondition": f"entry assert `{ob.message}` (a precondition)",
             "ensures": f"postcondition `{ob.text}`",
             "requires-call": ob.message or "callee precondition",
             "invariant-init": f"loop invariant `{ob.text}` on entry",
             "invariant-preserved": f"loop invariant `{ob.text}` preservation"}.get(ob.prop, ob.prop)
    if ob.prop == "reach_error":
        if status == PROVED:
            return "reach_error() is unreachable"
        if status == COUNTEREXAMPLE:
            return f"reach_error() is reachable: {call}"
        return f"reach_error() reachability: don't know ({reason})"
    if status == PROVED:
        return f"{label} holds for all inputs"
    if status == COUNTEREXAMPLE:
        ret = f" returns {returned}" if ob.prop == "ensures" and returned is not None else ""
        return f"{label} fails: {call}{ret}"
    return f"{label}: don't know ({reason})"
