"""The "don't know" findings of a function whose time budget ran out: one per property
not yet decided (or one per analysis when the run did not get that far)."""
from __future__ import annotations

from .. import callgraph, ir
from ..findings import UNKNOWN, Finding
from .budget import BUDGET_PROPERTY, budget_reason
from .safety import PROP_TEXT
from .termination import head_span

_LABELS = {"assert": "assertion", "isinstance": "assertion", "ensures": "postcondition",
           "requires-call": "callee precondition", "reach_error": "reach_error() reachability",
           "invariant-init": "loop invariant on entry",
           "invariant-preserved": "loop invariant preservation",
           "unsigned-arith": "undefined behaviour in unsigned arithmetic"}


def undecided(program: ir.Program, fn: ir.Function, kinds: set, done: list[Finding],
              seconds: float, obligations=None, reason: str = "") -> list[Finding]:
    """'don't know' findings for the properties of `kinds` that `done` does not decide.

    obligations: the abstract run's obligations when it got that far (one finding per
    property); otherwise one finding per analysis at the function's name."""
    reason = reason or budget_reason(seconds)
    name = fn.qualname or fn.name
    head = fn.name_span if fn.name_span and fn.name_span.line else fn.span
    seen = {(f.kind, f.span.line, f.span.col) for f in done}
    out: list[Finding] = []

    def add(kind: str, span: ir.Span, prop: str, what: str, severity: str = "error") -> None:
        if (kind, span.line, span.col) in seen:
            return
        seen.add((kind, span.line, span.col))
        out.append(Finding(file=program.path, function=name, kind=kind, status=UNKNOWN,
                           span=span, message=f"{what}: don't know ({reason})",
                           property=BUDGET_PROPERTY, reason=reason, severity=severity,
                           details={"undecided": prop}))

    safety = kinds & {"contract", "overflow"}
    if safety:
        if obligations is not None:
            for ob in obligations:
                if ob.kind in safety:
                    what = PROP_TEXT.get(ob.prop) or _LABELS.get(ob.prop, ob.prop)
                    add(ob.kind, ob.span, ob.prop, what, ob.severity)
        else:
            for kind in sorted(safety):
                add(kind, head, kind, f"{kind} properties of `{name}`")
    if "termination" in kinds:
        for loop in callgraph.loops_in(fn.body):
            add("termination", head_span(loop), "loop", "termination of the loop", "warning")
        if callgraph.is_recursive(program, fn.name):
            add("termination", head, "recursion", "termination of the recursion", "warning")
    return out
