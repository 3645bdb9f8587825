"""verify(): every enabled analysis on one function, findings in source order, with the
user's suppression comments honoured and internal failures reported as 'unknown'."""
from __future__ import annotations

import traceback

from .. import ir
from ..findings import PROVED, UNKNOWN, Finding
from ..judgement import judgement_mode
from ..solver import Cancelled, recorder
from . import audit
from .answers import answers_for_one_function
from .encoding_modes import int_model, math_width, unbounded_signed
from .widths import contract_width
from .budget import BUDGET_PROPERTY, BudgetExhausted
from .progress import Reported, copied, finding_key
from .undecided import undecided
from .context import FnContext
from .intmodel import uses_bitwise


def verify(program: ir.Program, name: str, options, cancel=None) -> list[Finding]:
    if not getattr(options, "assume_finite_iterables", True):   # strict: no assumed loops
        from .termination_assumed import strict_program
        program = strict_program(program, name)
    fn = program.functions[name]
    ctx = FnContext(program, fn, options, cancel)
    kinds = set(options.analyses)
    sink = getattr(options, "on_progress", None)
    findings: list[Finding] = [] if sink is None or not hasattr(cancel, "seconds") else \
        Reported(_reporter(ctx, kinds, cancel.seconds, sink))
    audited = getattr(options, "record_proofs", False) or getattr(options, "cross_check", False)
    try:
        with math_width(contract_width(program)), answers_for_one_function():
            if audited:      # auditable proofs (engine/audit.py): record every query
                with recorder.recording() as rec:
                    try:
                        _run(ctx, kinds, findings)
                    finally:     # also what was decided before the budget ran out
                        audit.finish(findings, rec, options, cancel)
            else:
                _run(ctx, kinds, findings)
    except BudgetExhausted:
        findings += _out_of_budget(ctx, kinds, findings)
    except Cancelled:
        if not getattr(cancel, "expired", False):
            raise
        findings += _out_of_budget(ctx, kinds, findings)
    except RecursionError:
        findings.append(_internal(program, fn, "the function is too deeply nested to analyse"))
    except Exception as exc:   # never let one function take the whole file down
        detail = traceback.format_exc(limit=3).strip().splitlines()[-1]
        findings.append(_internal(program, fn, f"internal error: {type(exc).__name__}: {exc}"
                                  f" ({detail})"))
    findings = [f for f in findings if not suppressed(program, f)]
    for f in findings:
        _assumes(fn, f)
    findings.sort(key=lambda f: (f.span.line, f.span.col, f.kind))
    return findings


def _assumes(fn, f: Finding) -> None:
    if fn.assumptions and f.status == PROVED:   # Python: unannotated parameters,
        f.details.setdefault("assumes", list(fn.assumptions))   # attributes taken for ints


def _reporter(ctx, kinds, seconds: float, sink):
    """Options.on_progress gets, at each finding decided, what verify() would return if
    the budget ran out then (engine/progress.py): {"at": index, "decided": [(key, the
    finding as verify() returns it, or None when suppressed)], "pending": the "don't
    know" findings of every property (sent again when the abstract run that names them
    changes, else None)}.  A failing report never changes verification."""
    sent: list = [object()]

    def report(found: list, start: int) -> None:
        try:
            decided = [(finding_key(f), _as_returned(ctx, f)) for f in found[start:]]
            ab = ctx.__dict__.get("abstract") or ctx.__dict__.get("quick_run")
            pending = None
            if ab is not sent[0]:
                sent[0] = ab
                pending = [f for f in undecided(ctx.program, ctx.fn, kinds, [], seconds,
                                                ab.obligations if ab is not None else None)
                           if not suppressed(ctx.program, f)]
            sink({"at": start, "decided": decided, "pending": pending})
        except Cancelled:
            raise
        except Exception:       # noqa: BLE001 - only a report
            pass
    return report


def _as_returned(ctx, f: Finding):
    """A copy of f as verify() will return it (its judgement marked, its assumptions
    stated; without its queries), or None when a suppression comment hides it."""
    if suppressed(ctx.program, f):
        return None
    g = copied(f)
    if g.kind in ("contract", "overflow") and "judgement" not in g.details \
            and g.property != BUDGET_PROPERTY and ctx.judgement is not None:
        _mark_judgement(ctx.judgement, [g])
    _assumes(ctx.fn, g)
    return g


# share of the function's remaining budget that contracts and overflow may use when
# termination still has every loop or recursion to judge (it gets the rest, and all that
# safety leaves unused): one slow safety query must not leave every loop "don't know".
# The quick pass settling some loops shrinks termination's part (_safety_slice).
SAFETY_SHARE = 0.8


def _run(ctx, kinds, findings) -> None:
    safety = kinds & {"contract", "overflow"}
    early = {}
    verdicts: dict = {}             # callee name -> terminates? (shared by both passes)
    if "termination" in kinds:      # loops decided by their structure: no solver, kept
        from .termination_structural import structural_verdicts    # if the budget runs out
        early = structural_verdicts(ctx)
        findings += _judged_modular(list(early.values()), ctx)
        if ctx.program.language == "c":     # loops proved without inferred invariants:
            tctx = _c_termination_context(ctx)      # kept when safety runs long
            quick = _quick_termination(tctx, verdicts, early)
            early.update(quick)
            findings += _judged_modular(list(quick.values()), tctx)
    if safety:
        parent = ctx.cancel
        share = _safety_slice(ctx, kinds, early)
        ctx.cancel = share or parent
        start = len(findings)
        try:
            ctx.judgement = _judge_within(ctx)
            try:
                _safety(ctx, safety, findings)
            finally:            # also what was decided before the budget ran out
                if ctx.judgement is not None:
                    _mark_judgement(ctx.judgement, findings[start:])
        except Cancelled:
            _repoint(ctx, parent)       # verify() reports a run-out of the whole budget
            if share is None or not share.expired or parent.cancelled:
                raise
            # safety's share ran out: its properties get their own reason, and
            # termination goes on in a fresh context under the whole budget
            ab = ctx.__dict__.get("abstract") or ctx.__dict__.get("quick_run")
            findings += undecided(ctx.program, ctx.fn, safety, findings, parent.seconds,
                                  ab.obligations if ab is not None else None,
                                  reason=_share_reason(share, parent))
            judgement = ctx.judgement
            ctx = FnContext(ctx.program, ctx.fn, ctx.options, parent)
            ctx.judgement = judgement
        finally:
            if share is not None:
                share.stop()
        _repoint(ctx, parent)
    if "termination" in kinds:
        from .termination import check_termination
        if ctx.program.language == "c":
            tctx = _c_termination_context(ctx)
            tctx.skip_infer = _settled_loops(ctx.fn, early)
            with unbounded_signed(), int_model(tctx.encoding == "int"):
                found = check_termination(tctx, verdicts, early, _ahead(findings, tctx))
        else:
            plain = ctx.judgement is None or not ctx.judgement.proof_pre
            tctx = ctx if plain else FnContext(ctx.program, ctx.fn, ctx.options, ctx.cancel)
            found = check_termination(tctx, {}, early, _ahead(findings, tctx))
        mine = {id(f) for f in early.values()}
        findings += _judged_modular([f for f in found if id(f) not in mine], tctx)


def _ahead(findings, tctx):
    """check_termination's report: each loop's finding as decided, labelled as
    _judged_modular will (None when nobody listens)."""
    return findings.reporter_ahead(lambda g: _judged_modular([g], tctx)[0]) \
        if isinstance(findings, Reported) else None


def _c_termination_context(ctx) -> FnContext:
    """C termination is judged over unbounded signed integers (as SV-COMP defines it): a
    proof then never leans on overflow, and holds for every run without undefined
    behaviour; unsigned arithmetic still wraps (use it inside unbounded_signed() and
    int_model(tctx.encoding == "int")).  Unsigned values are Ints in their range when
    _int_model_fits, as for safety (a bit-vector ranking query over an unsigned counter
    cost z3 30-60 ms, the integer one 1 ms), else bit-vectors."""
    tctx = FnContext(ctx.program, ctx.fn, ctx.options, ctx.cancel)
    tctx.encoding = "int" if _int_model_fits(tctx) else "bv"
    return tctx


def _int_model_fits(ctx) -> bool:
    """May ctx's function be encoded in the integer model?  Not with bitwise operators,
    nor when judged in its callers' contexts (calling_contexts.py encodes those on
    bit-vectors)."""
    if getattr(ctx.options, "solver_mode", "bv") not in ("int", "portfolio"):
        return False
    in_context = ctx.judgement is not None and bool(ctx.judgement.chains
                                                    or ctx.judgement.proof_pre)
    return not in_context and not uses_bitwise(ctx.program, ctx.fn.name)


def _settled_loops(fn, decided: dict) -> frozenset:
    """id()s of fn's loops whose termination is decided and that enclose no undecided
    loop: the full judgement's abstract run infers no invariants for them (fewer
    invariants: still sound, and the loops left to judge rarely need those)."""
    from .. import callgraph
    out = set()
    for loop in callgraph.loops_in(fn.body):
        if id(loop) in decided and all(id(inner) in decided
                                       for inner in callgraph.loops_in(loop.body)):
            out.add(id(loop))
    return frozenset(out)


# share of the function's budget the quick termination pass (termination_quick.py) may
# take before contracts and overflow: past it, its loops go to the full judgement
QUICK_TERMINATION_SHARE = 0.3


def _quick_termination(tctx, verdicts: dict, decided: dict) -> dict:
    """Loops of a C function proved on the abstraction without inferred invariants
    (id(loop) -> finding); what is proved before its share of the budget runs out."""
    from .budget import Budget
    from .termination_quick import quick_verdicts
    parent = tctx.cancel
    sub = Budget(parent.remaining_ms() / 1000 * QUICK_TERMINATION_SHARE, parent=parent) \
        if isinstance(parent, Budget) else None
    tctx.cancel = sub or parent
    out: dict = {}
    try:
        with unbounded_signed(), int_model(tctx.encoding == "int"):
            quick_verdicts(tctx, verdicts, decided, out=out)
    except Cancelled:
        if sub is None or not sub.expired or parent.cancelled:
            raise
    finally:
        tctx.cancel = parent
        if sub is not None:
            sub.stop()
    return out


def _judged_modular(found: list[Finding], tctx) -> list[Finding]:
    for f in found:
        f.details["judgement"] = "modular"      # termination: for every input
        if f.status != UNKNOWN and not f.solver:
            f.solver = "structural" if f.details.get("structural") else tctx.solver_label()
    return found


def _safety_slice(ctx, kinds, early=None):
    """A Budget for contracts and overflow that leaves termination its share, or None
    (no budget, no termination asked, or nothing for termination to judge)."""
    from .. import callgraph
    from .budget import Budget
    parent = ctx.cancel
    if "termination" not in kinds or not isinstance(parent, Budget):
        return None
    loops = callgraph.loops_in(ctx.fn.body)
    left = [loop for loop in loops if id(loop) not in (early or {})]
    recursive = callgraph.is_recursive(ctx.program, ctx.fn.name)
    if not left and not recursive:
        return None         # nothing left for termination to judge
    # termination keeps its share in proportion to the loops it has left to judge (the
    # quick pass may have settled most of them)
    reserve = (1 - SAFETY_SHARE) * (1 if recursive else len(left) / len(loops))
    share = Budget(parent.remaining_ms() / 1000 * (1 - reserve), parent=parent)
    return share


# share of safety's time that building a function's calling contexts (its callers'
# abstract runs, engine/calling_contexts.py) may take: past it the function is judged
# for all inputs, which is sound (only less precise) and leaves its own properties time
JUDGE_SHARE = 0.3


def _judge_within(ctx):
    from .budget import Budget
    from .calling_contexts import Judgement, judge
    parent = ctx.cancel
    if not isinstance(parent, Budget):
        return judge(ctx.program, ctx.fn.name, ctx.options, parent)
    sub = Budget(parent.remaining_ms() / 1000 * JUDGE_SHARE, parent=parent)
    try:
        return judge(ctx.program, ctx.fn.name, ctx.options, sub)
    except Cancelled:
        if not sub.expired or parent.cancelled:
            raise
        # proofs for all inputs hold for its callers' inputs too; a ✗ may need inputs
        # no caller passes, so it is "don't know"
        late = f"its callers' contexts were not built within {sub.seconds:.1f} s"
        mode = judgement_mode(ctx.program, ctx.fn.name,
                              tuple(getattr(ctx.options, "entries", ()) or ()))
        return Judgement(mode, note=f"proofs hold for all inputs: {late}",
                         unreached=f"these inputs break it, but {late}, so whether a "
                                   "caller passes them is not known")
    finally:
        sub.stop()


def _repoint(ctx, cancel) -> None:
    """ctx and the executors it cached answer to `cancel` from now on (termination reuses
    the abstract run built under safety's share)."""
    ctx.cancel = cancel
    for name in ("abstract", "bmc"):
        ex = ctx.__dict__.get(name)
        if ex is not None:
            ex.cancel = cancel


def _share_reason(share, parent) -> str:
    return (f"contracts and overflow used up their share ({share.seconds:.1f} s) of the "
            f"function's time budget of {parent.seconds:g} s")


def _safety(ctx, kinds, out: list) -> None:
    """Contracts and overflow of a C function in the cheapest exact encoding: the integer
    model, or bit-vectors when it uses bitwise operators (intmodel.py).  In portfolio mode,
    what stayed unknown because a solver gave up is retried in the other encoding.  Each
    finding is appended to `out` as soon as it is decided (a budget may cut the run)."""
    from .safety import check_safety
    mode = getattr(ctx.options, "solver_mode", "bv")
    if ctx.program.language != "c" or mode not in ("int", "portfolio"):
        check_safety(ctx, kinds, out=out)
        return
    first = "int" if _int_model_fits(ctx) else "bv"
    start = len(out)
    _safety_in(ctx, kinds, first, out=out)
    found = out[start:]
    retry = {f.span for f in found if f.status == UNKNOWN and solver_gave_up(f.reason)}
    if mode != "portfolio" or not retry:
        return
    other = FnContext(ctx.program, ctx.fn, ctx.options, ctx.cancel)
    other.isolated = True
    other.judgement = ctx.judgement
    again = _safety_in(other, kinds, "int" if first == "bv" else "bv", retry)
    out[start:] = merge_definite(found, again)


def solver_gave_up(reason) -> bool:
    """Did a verdict stay unknown because a solver ran out of time or gave up (so another
    encoding may settle it), rather than for a structural reason (a loop invariant)?"""
    r = (reason or "").lower()
    return "timeout" in r or "gave up" in r or "incomplete" in r or "unknown" in r


def _safety_in(ctx, kinds, encoding: str, spans=None, out=None) -> list[Finding]:
    from .safety import check_safety
    from .safety_quick import quick_safety, worth_it
    ctx.encoding = encoding
    with int_model(encoding == "int"):
        skip = set()
        if spans is None and out is not None and worth_it(ctx):
            skip = quick_safety(ctx, kinds, out)    # proofs without loop invariants
        return check_safety(ctx, kinds, out=out, spans=spans, skip=skip)


def merge_definite(first: list[Finding], second: list[Finding]) -> list[Finding]:
    """first, with each unknown finding replaced by second's definite verdict on the same
    property instance (same kind, place and property)."""
    def same(f, g):
        return (f.kind, f.span) == (g.kind, g.span) and \
            set(g.property.split("+")) <= set(f.property.split("+"))
    out = []
    for f in first:
        g = None
        if f.status == UNKNOWN:
            g = next((g for g in second if g.status != UNKNOWN and same(f, g)), None)
        out.append(g or f)
    return out


def _mark_judgement(j, safety: list[Finding]) -> None:
    """Say in each safety finding how its function was judged (see calling_contexts)."""
    within = ""
    if j.chains:
        within = (" (for the inputs its callers pass)" if j.mode == "callers" else
                  f" (for the inputs reachable from "
                  f"{', '.join(sorted({c.path[0] if c.path else c.root for c in j.chains}))})")
    for f in safety:
        f.details["judgement"] = j.mode
        if within and f.status == "proved":
            f.message = f.message.removesuffix(" for all inputs") + within
        if j.note:
            f.details.setdefault("judgement_note", j.note)


def _out_of_budget(ctx, kinds, done) -> list[Finding]:
    """'don't know' for every property the budget left undecided."""
    ab = ctx.__dict__.get("abstract") or ctx.__dict__.get("quick_run")   # if it got that far
    return undecided(ctx.program, ctx.fn, kinds, done, ctx.cancel.seconds,
                     ab.obligations if ab is not None else None)


def _internal(program, fn, why: str) -> Finding:
    return Finding(file=program.path, function=fn.qualname or fn.name, kind="contract",
                   status=UNKNOWN, span=fn.name_span or fn.span,
                   message=f"don't know: {why}", property="internal", reason=why)


def suppressed(program: ir.Program, f: Finding) -> bool:
    kinds = program.suppressions.get(f.span.line)
    return bool(kinds) and ("*" in kinds or f.kind in kinds)
