"""The driver's findings list, reporting each finding as it is decided.

Why: a function whose z3 query overruns every limit is killed by its parent process
(runner/pool.py, runner/isolated.py, server/isolation.py); without reports, the properties
it had already decided would be lost with it.  `Reported` tells `on_change(start)` which
entries are new (start: the first index that changed: an append, an extend, or, for a
replaced slice — portfolio mode's retry — 0: the whole list again).  The driver turns that
into what verify() would return if the budget ran out at that moment (driver._reporter).
"""
from __future__ import annotations

import copy
from typing import Callable


class Reported(list):
    def __init__(self, on_change: Callable[[list, int], None]) -> None:
        super().__init__()
        self._on_change = on_change
        self._ahead: list = []

    def ahead(self, f) -> None:
        """Report f, decided but added to the list later (with the others of its phase:
        check_termination's loops); the next change of the list replaces it."""
        self._ahead.append(f)
        self._on_change(list(self) + self._ahead, len(self) + len(self._ahead) - 1)

    def reporter_ahead(self, label: Callable):
        """A report(finding) for a phase that adds its findings at its end: each goes
        `ahead`, as label(a copy of it) (how the driver will label it)."""
        return lambda f: self.ahead(label(copied(f)))

    def append(self, f) -> None:
        super().append(f)
        self._changed(len(self) - 1)

    def extend(self, fs) -> None:
        n = len(self)
        super().extend(fs)
        if len(self) > n:
            self._changed(n)

    def __iadd__(self, fs):
        self.extend(fs)
        return self

    def __setitem__(self, k, v) -> None:
        super().__setitem__(k, v)
        self._changed(0)

    def insert(self, i, f) -> None:
        super().insert(i, f)
        self._changed(0)

    def _changed(self, start: int) -> None:
        self._ahead.clear()
        self._on_change(self, start)


def copied(f):
    """A copy of finding f to report (its details its own; without its recorded queries,
    which become picklable text only at the end: audit.finish)."""
    g = copy.copy(f)
    g.details = dict(f.details)
    g.proof = []
    return g


def finding_key(f) -> tuple:
    """A property instance as undecided() tells them apart."""
    return (f.kind, f.span.line, f.span.col)


class Partial:
    """Parent side: what a child reported so far (messages from driver._reporter)."""

    def __init__(self) -> None:
        self.decided: list = []        # (finding_key, finding or None when suppressed)
        self.pending = None            # the "don't know" findings of what is undecided

    def add(self, msg: dict) -> None:
        del self.decided[msg["at"]:]
        self.decided += msg["decided"]
        if msg.get("pending") is not None:
            self.pending = msg["pending"]

    def findings(self):
        """What verify() would have returned had its budget run out at the last report
        (the decided findings as they are, "don't know" for the rest, in source order);
        None when nothing was reported."""
        if self.pending is None:
            return None
        keys = {k for k, _ in self.decided}
        out = [f for _, f in self.decided if f is not None] + \
            [f for f in self.pending if finding_key(f) not in keys]
        out.sort(key=lambda f: (f.span.line, f.span.col, f.kind))
        return out
