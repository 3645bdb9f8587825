"""C memory in the symbolic run: bounds obligations of element accesses, element values
of read-only pointer parameters (one z3 array each), and local arrays whose address never
escapes (a z3 array in the state, under the array's name: Store/Select); a mixin of
SymExec."""
from __future__ import annotations

import z3

from .. import ir
from . import encode as E
from .encoding_modes import int_sorted
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
        if int_sorted(e.type):        # an element is a value of its type
            self.pre.append(z3.And(v >= e.type.min, v <= e.type.max))
        if self.scratch == 0:
            self.element_reads.append((e.array, index, e.type, st.pc))
        return v

    # ------------------------------------------------------------------ local arrays
    def fresh_array(self, name: str, elem: ir.IntT):
        """Arbitrary contents (uninitialized, or after a loop changed them)."""
        self.counter += 1
        return z3.Array(f"{name}@{self.counter}", E.sort_of(ir.MATH_INT), E.sort_of(elem))

    def _array_elem(self, name: str) -> ir.IntT:
        return self.frames[-1].fn.arrays[name]

    def s_ArrayInit(self, s: ir.ArrayInit, st: State) -> State:
        elem = self._array_elem(s.array)
        if s.values is None:
            st.vars[s.array] = self.fresh_array(s.array, elem)
            return st
        arr = z3.K(E.sort_of(ir.MATH_INT), E.literal(0, elem))
        for k, v in enumerate(s.values):
            arr = z3.Store(arr, E.literal(k, ir.MATH_INT), self.expr(v, st))
        st.vars[s.array] = arr
        return st

    def s_Store(self, s: ir.Store, st: State) -> State:
        index, value = self.expr(s.index, st), self.expr(s.value, st)
        cur = st.vars.get(s.array)
        if cur is None:
            cur = self.fresh_array(s.array, self._array_elem(s.array))
        st.vars[s.array] = z3.Store(cur, index, value)
        return st

    def e_Load(self, e: ir.Load, st: State):
        index = self.expr(e.index, st)
        cur = st.vars.get(e.array)
        if cur is None:
            cur = st.vars[e.array] = self.fresh_array(e.array, e.type)
        v = z3.Select(cur, index)
        base = cur
        while z3.is_store(base):
            base = base.arg(0)
        if int_sorted(e.type) and z3.is_const(base):
            # the elements of arbitrary contents are values of the type.  Never a fact
            # about `v` itself: a stored value may be the exact result of an operation
            # whose overflow is an obligation, and `pre` holds on every path
            b = z3.Select(base, index)
            self.pre.append(z3.And(b >= e.type.min, b <= e.type.max))
        return v
