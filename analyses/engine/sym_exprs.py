"""Symbolic evaluation of IR expressions into z3 terms: the expression half of SymExec.

Arithmetic yields its side conditions (overflow, division by zero, bad shifts, value-
changing conversions), each an obligation that is then assumed; `and`/`or`/`Ite` evaluate
their branches under their guards and fold the effects back (a Call on the right of `and`
only runs when reached).
"""
from __future__ import annotations

import z3

from .. import ir
from . import encode as E
from .encode_ops import arith, bit_not, compare, negate
from .encoding_modes import unbounded
from .memory import MemoryExec
from .state import TRUE, Fresh, Obligation, State, conj


class ExprExec(MemoryExec):
    """Needs SymExec's fresh, oblige, assume, note_unknown, frames, lang, options, scratch,
    consts_seen, nondets and externals; e_Call comes from calls.py."""

    def expr(self, e: ir.Expr, st: State):
        try:
            return getattr(self, "e_" + type(e).__name__)(e, st)
        except z3.Z3Exception as exc:   # safety net: an ill-sorted term is "don't know"
            what = f"internal error encoding the expression at line {e.span.line} ({exc})"
            return self._unknown_value(what, e.span, e.type, st)

    def e_Const(self, e: ir.Const, st: State):
        self.consts_seen.add(e.value)
        return E.literal(e.value, e.type)

    def e_Var(self, e: ir.Var, st: State):
        v = st.vars.get(e.name)
        if v is None:   # read before any assignment: an arbitrary (indeterminate) value
            v = self.fresh(e.name, e.type)
            st.vars[e.name] = v
        return v

    def e_Unary(self, e: ir.Unary, st: State):
        a = self.expr(e.arg, st)
        if e.op == "not":
            return z3.Not(a)
        if e.op == "bnot":
            return bit_not(a, e.type)
        res, checks = negate(a, e.type)
        self._checks(e, checks, st, {"operand": (a, e.type)})
        return res

    def e_Binary(self, e: ir.Binary, st: State):
        op = e.op
        if op in ir.LOGIC_OPS:
            return self._logic(e, st)
        a = self.expr(e.left, st)
        b = self.expr(e.right, st)
        if op in ir.CMP_OPS:
            return compare(op, a, b, e.left.type)
        try:
            res, checks = arith(op, a, b, e.type, e.right.type)
        except NotImplementedError as exc:
            return self._unknown_value(f"{exc} at line {e.span.line}", e.span, e.type, st)
        if self.lang == "python" and op in ("shl", "shr") and not unbounded(e.type):
            checks = []     # NumPy defines every fixed-width shift (large counts give 0)
        self._checks(e, checks, st, {"left": (a, e.left.type), "right": (b, e.right.type)})
        return res

    def _checks(self, e: ir.Expr, checks: list, st: State, operands: dict) -> None:
        for c in checks:
            if z3.is_true(c.ok):
                continue
            if c.prop == "unsigned-wrap":
                if len(self.frames) == 1:    # defined behaviour: a proved, error-free op
                    self.oblige(Obligation("overflow", "unsigned-arith", e.span, st.pc, TRUE,
                                           message="unsigned arithmetic wraps (defined)",
                                           operands=operands))
                if self.options is not None and getattr(self.options, "report_unsigned_wrap", False):
                    self.oblige(Obligation("overflow", c.prop, e.span, st.pc, c.ok,
                                           message=c.message, severity="info",
                                           operands=operands))
                continue
            if len(self.frames) == 1:
                self.oblige(Obligation("overflow", c.prop, e.span, st.pc, c.ok,
                                       message=c.message, operands=operands))
            if c.ub:   # Python raises (the path ends); in C the behaviour is undefined
                self.assume(st, c.ok, exits=self.lang == "python", ub=True)

    def _logic(self, e: ir.Binary, st: State):
        a = self.expr(e.left, st)
        guard = z3.Not(a) if e.op == "or" else a
        sub = st.copy(conj(st.pc, guard))
        b = self.expr(e.right, sub)
        self._join_guarded(st, sub, guard)
        if e.op == "and":
            return z3.And(a, b)
        if e.op == "or":
            return z3.Or(a, b)
        return z3.Implies(a, b)

    def _join_guarded(self, st: State, sub: State, guard) -> None:
        """After evaluating part of an expression under guard, fold its effects back."""
        if sub.pc is not None and not sub.pc.eq(conj(st.pc, guard)):
            st.pc = z3.Or(conj(st.pc, z3.Not(guard)), sub.pc)
        for n, v in sub.vars.items():
            old = st.vars.get(n)
            if old is None or not old.eq(v):
                st.vars[n] = v if old is None else z3.If(guard, v, old)

    def e_Ite(self, e: ir.Ite, st: State):
        c = self.expr(e.cond, st)
        s1 = st.copy(conj(st.pc, c))
        a = self.expr(e.then, s1)
        s2 = st.copy(conj(st.pc, z3.Not(c)))
        b = self.expr(e.orelse, s2)
        base = conj(st.pc, c), conj(st.pc, z3.Not(c))
        if not (s1.pc.eq(base[0]) and s2.pc.eq(base[1])):
            st.pc = z3.Or(s1.pc, s2.pc)
        for n in set(s1.vars) | set(s2.vars):
            v1, v2 = s1.vars.get(n), s2.vars.get(n)
            if v1 is not None and v2 is not None and not v1.eq(v2):
                st.vars[n] = z3.If(c, v1, v2)
        return z3.If(c, a, b)

    def e_Cast(self, e: ir.Cast, st: State):
        a = self.expr(e.arg, st)
        src, dst = e.arg.type, e.type
        res = E.convert(a, src, dst)
        if (self.lang == "python" and isinstance(dst, ir.IntT) and dst.bits is not None
                and isinstance(src, ir.IntT) and src.bits is None):
            # NumPy 2 raises OverflowError for a Python int out of the type's range
            ok = E.fits(a, src, dst)
            if len(self.frames) == 1:
                self.oblige(Obligation(
                    "overflow", "conversion", e.span, st.pc, ok,
                    message=f"Python int out of range for {dst} (NumPy raises OverflowError)",
                    operands={"value": (a, src)}))
            self.assume(st, ok, exits=True)
            return res
        if (self.lang == "c" and isinstance(dst, ir.IntT) and dst.bits is not None
                and dst.signed and dst.name != "_Bool" and isinstance(src, ir.IntT)):
            ok = E.fits(a, src, dst)
            if not z3.is_true(z3.simplify(ok)) and (
                    self.options is None or getattr(self.options, "report_conversions", True)):
                how = "explicit cast" if e.explicit else "implicit conversion"
                self.oblige(Obligation(
                    "overflow", "conversion", e.span, st.pc, ok, severity="info",
                    message=f"{how} from {src} to {dst} changes the value "
                            f"(implementation-defined)", operands={"value": (a, src)}))
        return res

    def e_Nondet(self, e: ir.Nondet, st: State):
        c = self.fresh("nondet", e.type)
        if self.scratch == 0:
            self.nondets.append(Fresh(c, e.type, st.pc, e.label, e.span))
        return c

    def e_Old(self, e: ir.Old, st: State):
        entry = State(dict(self.frames[-1].entry), st.pc)
        return self.expr(e.arg, entry)

    def e_Unsupported(self, e: ir.Unsupported, st: State):
        return self._unknown_value(e.what, e.span, e.type, st)

    def _unknown_value(self, what: str, span: ir.Span, t: ir.Type, st: State):
        self.note_unknown(what, span)
        c = self.fresh("unknown", t)
        if self.scratch == 0:
            self.externals.append(Fresh(c, t, st.pc, what, span))
        return c
