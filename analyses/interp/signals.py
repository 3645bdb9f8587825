"""What ends or marks a concrete run: violations, and the Stop exception that unwinds it."""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import ir

STOP_ALWAYS = frozenset({"assert", "reach_error", "ensures", "requires-call",
                         "division-by-zero"})
STOP_C_UB = frozenset({"signed-overflow", "div-overflow", "shift", "bounds"})


@dataclass
class Violation:
    kind: str
    span: ir.Span
    message: str
    values: dict[str, int] = field(default_factory=dict)


class Stop(Exception):
    """Ends the whole run with an Outcome status."""

    def __init__(self, status: str, message: str = "", loop_span=None, state=None):
        super().__init__(message)
        self.status, self.message = status, message
        self.loop_span, self.state = loop_span, state
