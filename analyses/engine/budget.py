"""A per-function time budget that every phase of the engine respects.

Budget is a CancelToken with a deadline: every `check()` (FnContext.check, the executor's
statement loop, the Houdini and ranking loops) raises BudgetExhausted once the deadline has
passed, and a timer interrupts a z3 query that is still running then.  The driver turns
what was not decided into "don't know: the function's time budget of N s ran out"; the
runner's worker process is killed if even that does not happen in time (the backstop).
"""
from __future__ import annotations

import threading
import time
from typing import Optional

from .. import callgraph, ir
from ..findings import UNKNOWN, Finding
from ..solver import Cancelled, CancelToken

BUDGET_PROPERTY = "budget"       # findings with this property are never cached


class BudgetExhausted(Cancelled):
    """The function's time budget ran out (a Cancelled, so every phase stops on it)."""


_LABELS = {"assert": "assertion", "isinstance": "assertion", "ensures": "postcondition",
           "requires-call": "callee precondition", "reach_error": "reach_error() reachability",
           "invariant-init": "loop invariant on entry",
           "invariant-preserved": "loop invariant preservation",
           "unsigned-arith": "undefined behaviour in unsigned arithmetic"}


def budget_reason(seconds: float) -> str:
    return f"the function's time budget of {seconds:g} s ran out"


class Budget(CancelToken):
    """Deadline `seconds` from now; `parent` (another token) can still cancel the work."""

    def __init__(self, seconds: float, parent: Optional[CancelToken] = None) -> None:
        super().__init__()
        self.seconds = float(seconds)
        self.deadline = time.monotonic() + self.seconds
        self.parent = parent
        self._timer = threading.Timer(max(0.0, self.seconds), self.cancel)
        self._timer.daemon = True
        self._timer.start()

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    @property
    def cancelled(self) -> bool:
        return super().cancelled or self.expired or \
            (self.parent is not None and self.parent.cancelled)

    def remaining_ms(self) -> int:
        return max(1, int((self.deadline - time.monotonic()) * 1000))

    def check(self) -> None:
        if self.expired:
            raise BudgetExhausted(budget_reason(self.seconds))
        if self.parent is not None:
            self.parent.check()
        super().check()

    def stop(self) -> None:
        self._timer.cancel()

    def __enter__(self) -> "Budget":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def tick(cancel: Optional[CancelToken]) -> None:
    """A cooperative deadline/cancellation point for loops that build terms in Python."""
    if cancel is not None:
        cancel.check()


def undecided(program: ir.Program, fn: ir.Function, kinds: set, done: list[Finding],
              seconds: float, obligations=None) -> list[Finding]:
    """'don't know' findings for the properties of `kinds` that `done` does not decide.

    obligations: the abstract run's obligations when it got that far (one finding per
    property); otherwise one finding per analysis at the function's name."""
    reason = budget_reason(seconds)
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
            from .safety import PROP_TEXT
            for ob in obligations:
                if ob.kind in safety:
                    what = PROP_TEXT.get(ob.prop) or _LABELS.get(ob.prop, ob.prop)
                    add(ob.kind, ob.span, ob.prop, what, ob.severity)
        else:
            for kind in sorted(safety):
                add(kind, head, kind, f"{kind} properties of `{name}`")
    if "termination" in kinds:
        from .termination import head_span
        for loop in callgraph.loops_in(fn.body):
            add("termination", head_span(loop), "loop", "termination of the loop", "warning")
        if callgraph.is_recursive(program, fn.name):
            add("termination", head, "recursion", "termination of the recursion", "warning")
    return out
