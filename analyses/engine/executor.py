"""The full symbolic executor: SymExec plus loops (loops.py) and calls (calls.py).

Kept apart from symexec.py so loops and calls can build on SymExec's frames without an
import cycle."""
from __future__ import annotations

from .. import ir
from .calls import call
from .loops import run_loop
from .state import State
from .symexec import SymExec


class Executor(SymExec):
    def s_While(self, s: ir.While, st: State) -> State:
        return run_loop(self, s, st)

    def e_Call(self, e: ir.Call, st: State):
        return call(self, e, st)
