"""A per-function time budget that every phase of the engine respects.

Budget is a CancelToken with a deadline: every `check()` (FnContext.check, the executor's
statement loop, the Houdini and ranking loops) raises BudgetExhausted once the deadline has
passed, and an alarm (alarm.py) interrupts a z3 query that is still running then.  The driver turns
what was not decided into "don't know: the function's time budget of N s ran out"; the
runner's worker process is killed if even that does not happen in time (the backstop).
"""
from __future__ import annotations

import time
from typing import Optional

from ..solver import Cancelled, CancelToken
from . import alarm

BUDGET_PROPERTY = "budget"       # findings with this property are never cached


class BudgetExhausted(Cancelled):
    """The function's time budget ran out (a Cancelled, so every phase stops on it)."""


def budget_reason(seconds: float) -> str:
    return f"the function's time budget of {seconds:g} s ran out"


class Budget(CancelToken):
    """Deadline `seconds` from now; `parent` (another token) can still cancel the work."""

    def __init__(self, seconds: float, parent: Optional[CancelToken] = None) -> None:
        super().__init__()
        self.seconds = float(seconds)
        self.deadline = time.monotonic() + self.seconds
        self.parent = parent
        self._alarm = alarm.at(self.deadline, self.cancel)
        if parent is not None and hasattr(parent, "adopt"):
            parent.adopt(self)      # the parent's cancel interrupts this budget's z3 query

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
        alarm.stop(self._alarm)
        if self.parent is not None and hasattr(self.parent, "disown"):
            self.parent.disown(self)

    def __enter__(self) -> "Budget":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def tick(cancel: Optional[CancelToken]) -> None:
    """A cooperative deadline/cancellation point for loops that build terms in Python."""
    if cancel is not None:
        cancel.check()
