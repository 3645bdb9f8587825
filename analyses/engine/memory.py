"""C memory in the symbolic run: bounds obligations of element accesses and element
values of read-only pointer parameters (one z3 array each); a mixin of SymExec."""
from __future__ import annotations

import z3

from .. import ir
from . import encode as E
from .state import Obligation, State


class MemoryExec:
    """Needs SymExec's expr, oblige, assume, frames, pre, scratch, _unknown_value,
    arrays and element_reads."""

    def _bounds(self, s: ir.Assert, st: State) -> State:
        parts = ir.bounds_parts(s)
        if parts is None:
            ok, operands = self.expr(s.cond, st), {}
        else:
            lo, index, hi = (self.expr(p, st) for p in parts)
            ok = z3.And(lo <= index, index <= hi)
            operands = {"index": (index, ir.MATH_INT)}
            if not (isinstance(parts[0], ir.Const) and parts[0].value == 0):
                operands["first"] = (lo, ir.MATH_INT)
            operands["size"] = (hi + 1, ir.MATH_INT)
        if len(self.frames) == 1:
            self.oblige(Obligation("overflow", "bounds", s.span, st.pc, ok,
                                   message=s.message or "out-of-bounds access",
                                   operands=operands))
        self.assume(st, ok, exits=False, ub=True)
        return st

    def e_Element(self, e: ir.Element, st: State):
        """A z3 array per pointer parameter (its contents at entry).  Inside an inlined
        callee the parameter is not bound to the caller's array: an unknown value."""
        if len(self.frames) != 1:
            return self._unknown_value(f"element of {e.array} read by an inlined callee",
                                       e.span, e.type, st)
        index = self.expr(e.index, st)
        arr = self.arrays.get(e.array)
        if arr is None:
            arr = z3.Array(f"{e.array}[]", E.sort_of(ir.MATH_INT), E.sort_of(e.type))
            self.arrays[e.array] = arr
        v = z3.Select(arr, index)
        if E.int_sorted(e.type):        # an element is a value of its type
            self.pre.append(z3.And(v >= e.type.min, v <= e.type.max))
        if self.scratch == 0:
            self.element_reads.append((e.array, index, e.type, st.pc))
        return v
