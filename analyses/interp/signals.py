"""What ends or marks a concrete run: violations, and the Stop exception that unwinds it."""
from __future__ import annotations

from dataclasses import dataclass, field

from .. import ir

STOP_ALWAYS = frozenset({"assert", "reach_error", "ensures", "requires-call",
                         "division-by-zero", "index"})
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


class Poison:
    """The value of a lazy `ir.Unsupported` kept in a variable: any use of it (arithmetic,
    comparison, truth, int()) ends the run as "unsupported".  One object per place, so
    states that differ only in such values compare equal (nothing can depend on them)."""
    __slots__ = ("what",)

    def __init__(self, what: str):
        self.what = what

    def _use(self, *args):
        raise Stop("unsupported", self.what)

    __bool__ = __int__ = __index__ = __neg__ = __pos__ = __invert__ = __abs__ = _use
    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _use
    __floordiv__ = __rfloordiv__ = __mod__ = __rmod__ = __truediv__ = __rtruediv__ = _use
    __and__ = __rand__ = __or__ = __ror__ = __xor__ = __rxor__ = _use
    __lshift__ = __rlshift__ = __rshift__ = __rrshift__ = __pow__ = __rpow__ = _use
    __lt__ = __le__ = __gt__ = __ge__ = __eq__ = __ne__ = _use
    __hash__ = object.__hash__
