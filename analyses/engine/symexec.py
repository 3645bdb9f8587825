"""Symbolic execution of one IR function into z3 path conditions and obligations.

Paths are merged at joins (if-then-else terms), so a loop-free function becomes one formula.
Loops are either abstracted by invariants (mode 'abstract': sound for proofs) or unrolled
a bounded number of times (mode 'bmc': exact for counterexamples); see loops.py.
Calls use the callee's contract when it has one, else the callee is inlined (bounded).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import z3

from .. import ir
from ..entry_asserts import ENTRY_SEVERITY, assert_text, is_entry_assert
from . import encode as E
from .encoding_modes import unbounded
from .encode_ops import arith, bit_not, compare, negate
from .memory import MemoryExec
from .state import (FALSE, TRUE, CallSite, Fresh, Obligation, State, conj, merge)

MAX_INLINE_DEPTH = 3


@dataclass
class FnFrame:
    fn: ir.Function
    entry: dict
    returns: list = field(default_factory=list)      # [(State, value-term or None)]
    loops: list = field(default_factory=list)        # LoopFrame stack


@dataclass
class LoopFrame:
    breaks: list = field(default_factory=list)
    continues: list = field(default_factory=list)
    exits: list = field(default_factory=list)
    ub: list = field(default_factory=list)        # guards of undefined behaviour in the body
    callees: set = field(default_factory=set)


def _self_callees(fn: ir.Function) -> set:
    from ..callgraph import callees
    return set(callees(fn))


def is_stub(fn: ir.Function) -> bool:
    """A body that only raises NotImplementedError is a declaration, not an implementation."""
    body = [s for s in fn.body if not isinstance(s, ir.Assume)]
    return (len(body) == 1 and isinstance(body[0], ir.Halt)
            and "NotImplementedError" in body[0].what)


class SymExec(MemoryExec):
    """Statements and expressions; loops (s_While) and calls (e_Call) are added by
    executor.Executor, which sits above loops.py and calls.py that build on this class."""

    def __init__(self, program: ir.Program, fn: ir.Function, *, mode: str, unroll: int = 8,
                 options=None, checker=None) -> None:
        self.program, self.fn, self.mode, self.unroll = program, fn, mode, unroll
        self.options = options
        self.checker = checker            # callable(list[BoolRef]) -> solver.Result (inference)
        self.lang = fn.language
        self.counter = 0
        self.scratch = 0                  # >0: exploratory run, record nothing
        self.infer = True                 # False: loops get no Houdini invariants (a quick,
                                          # coarser abstraction: still sound for proofs)
        self.skip_infer: frozenset = frozenset()    # id()s of loops that get none either
        self.inputs: dict[str, z3.ExprRef] = {}
        self.input_types: dict[str, ir.Type] = {}
        self.pre: list = []
        self.obligations: list[Obligation] = []
        self.nondets: list[Fresh] = []
        self.arrays: dict[str, z3.ArrayRef] = {}    # pointer parameter -> its elements
        self.element_reads: list = []               # (array, index term, type, guard)
        self.externals: list[Fresh] = []
        self.imprecision: list[tuple[str, ir.Span]] = []
        self.loop_records: list = []
        self.abstracted_loops = 0          # loops (of any inlined frame) run by invariants
        self.head_visits: dict[int, list] = {}
        self.cut_guards: list = []
        self.call_sites: list[CallSite] = []
        self.calls_out: list = []         # every call this function makes (OutCall)
        self.frames: list[FnFrame] = []
        self.consts_seen: set[int] = {0, 1}
        # k-induction (modes 'kbase'/'kstep'): the loop unrolled from its entry / from an
        # arbitrary invariant state; other loops are abstracted as in mode 'abstract'
        self.kind_target: Optional[int] = None
        self.kind_k = 1
        self.kind_key = None
        self.kind_phase = ""
        self.kind_assumptions: list = []
        # id(loop) -> [(label, term builder)]: more Houdini candidates (engine/chc.py)
        self.extra_invariants: dict = {}
        from ..callgraph import sccs
        # functions mutually recursive with this one: never inlined, calls recorded
        self.scc = next((c for c in sccs(program) if fn.name in c and
                         (len(c) > 1 or fn.name in _self_callees(fn))), set())

    # ------------------------------------------------------------------ helpers
    def fresh(self, name: str, t: ir.Type) -> z3.ExprRef:
        self.counter += 1
        return E.const(f"{name}@{self.counter}", t)

    @property
    def recording(self) -> bool:
        return self.scratch == 0 and len(self.frames) == 1

    def oblige(self, ob: Obligation) -> None:
        if not self.recording or z3.is_false(ob.guard):
            return
        if self.mode == "kstep":       # k-induction step: see loops._k_target
            if self.kind_phase == "assume":
                if ob.key == self.kind_key:
                    self.kind_assumptions.append(z3.Implies(ob.guard, ob.ok))
                return
            if self.kind_phase != "check":
                return
        self.obligations.append(ob)

    def assume(self, st: State, ok: z3.BoolRef, exits: bool, ub: bool = False) -> None:
        """Continue only where ok holds; the other paths end (exits=True: they leave every
        enclosing loop, e.g. an exception or abort; ub=True: undefined behaviour, recorded
        so a non-termination witness never relies on it)."""
        if z3.is_true(ok):
            return
        if exits:
            self._exit(conj(st.pc, z3.Not(ok)))
        elif ub:
            bad = conj(st.pc, z3.Not(ok))
            for fr in self.frames:
                for lf in fr.loops:
                    lf.ub.append(bad)
        st.pc = conj(st.pc, ok)

    def _exit(self, guard: z3.BoolRef) -> None:
        if z3.is_false(guard):
            return
        for fr in self.frames:
            for lf in fr.loops:
                lf.exits.append(guard)

    def note_unknown(self, what: str, span: ir.Span) -> None:
        if (what, span) not in self.imprecision:
            self.imprecision.append((what, span))

    # ------------------------------------------------------------------ entry
    def run(self) -> State:
        fn = self.fn
        entry: dict = {}
        for name, t in self.program.globals.items():
            if fn.name == "main" and self.lang == "c" and name in self.program.global_init:
                entry[name] = E.literal(self.program.global_init[name], t)
            else:
                entry[name] = E.const(name, t)
                self.inputs[name], self.input_types[name] = entry[name], t
        for p in fn.params:
            entry[p.name] = E.const(p.name, p.type)
            self.inputs[p.name], self.input_types[p.name] = entry[p.name], p.type
        st = State(dict(entry), TRUE)
        self.frames.append(FnFrame(fn, dict(entry)))
        for r in fn.requires:
            if r.origin == ir.MEMORY_CONTRACT:    # used by the frontend's bounds checks
                continue
            c = self.expr(r.expr, st)
            self.pre.append(c)
        st.pc = TRUE
        out = self.block(fn.body, st)
        frame = self.frames[-1]
        if not out.dead:
            frame.returns.append((out, None))
        for rs, value in frame.returns:
            self.check_ensures(rs, value)
        self.frames.pop()
        return out

    def check_ensures(self, st: State, value) -> None:
        fn = self.fn
        for ens in fn.ensures:
            env = st.copy()
            if value is not None:
                env.vars[ir.RESULT] = value
            elif fn.ret is not None:
                env.vars[ir.RESULT] = self.fresh("noreturnvalue", fn.ret)
            ok = self.expr(ens.expr, env)
            self.oblige(Obligation("contract", "ensures", ens.span, env.pc, ok,
                                   message=ens.text, text=ens.text))

    # ------------------------------------------------------------------ statements
    cancel = None                         # CancelToken/Budget checked at every statement

    def block(self, stmts: list, st: State) -> State:
        for s in stmts:
            if st.dead:
                break
            if self.cancel is not None:       # unrolling and inlining stop at the deadline
                self.cancel.check()
            st = self.stmt(s, st)
        return st

    def stmt(self, s: ir.Stmt, st: State) -> State:
        m = getattr(self, "s_" + type(s).__name__)
        return m(s, st)

    def s_Assign(self, s: ir.Assign, st: State) -> State:
        v = self.expr(s.value, st)
        st.vars[s.target] = v
        return st

    def s_If(self, s: ir.If, st: State) -> State:
        c = self.expr(s.cond, st)
        a = self.block(s.then, st.copy(conj(st.pc, c)))
        b = self.block(s.orelse, st.copy(conj(st.pc, z3.Not(c))))
        return merge([a, b])

    def s_Assert(self, s: ir.Assert, st: State) -> State:
        if s.kind == "bounds":         # an element access: undefined behaviour if outside
            return self._bounds(s, st)
        ok = self.expr(s.cond, st)
        if len(self.frames) == 1 and is_entry_assert(self.fn, s):
            # a precondition: the callers are blamed (calls.py); here only information
            self.oblige(Obligation("contract", "precondition", s.span, st.pc, ok,
                                   message=assert_text(self.fn, s), severity=ENTRY_SEVERITY))
        elif len(self.frames) == 1 and s.kind in ir.RUNTIME_CHECKS:
            # IndexError / KeyError: an overflow-kind finding, like C's out-of-bounds
            self.oblige(Obligation("overflow", s.kind, s.span, st.pc, ok, message=s.message))
        elif len(self.frames) == 1:
            self.oblige(Obligation("contract", s.kind, s.span, st.pc, ok, message=s.message))
        self.assume(st, ok, exits=True)
        return st

    def s_Assume(self, s: ir.Assume, st: State) -> State:
        ok = self.expr(s.cond, st)
        self.assume(st, ok, exits=True)
        return st

    def s_Return(self, s: ir.Return, st: State) -> State:
        v = self.expr(s.value, st) if s.value is not None else None
        self.frames[-1].returns.append((st.copy(), v))
        for lf in self.frames[-1].loops:      # a return leaves this function's loops
            lf.exits.append(st.pc)
        return st.copy(FALSE)

    def s_Break(self, s, st: State) -> State:
        self.frames[-1].loops[-1].breaks.append(st.copy())
        return st.copy(FALSE)

    def s_Continue(self, s, st: State) -> State:
        self.frames[-1].loops[-1].continues.append(st.copy())
        return st.copy(FALSE)

    def s_Halt(self, s: ir.Halt, st: State) -> State:
        self._exit(st.pc)
        return st.copy(FALSE)

    def s_ExprStmt(self, s: ir.ExprStmt, st: State) -> State:
        self.expr(s.expr, st)
        return st

    def s_Havoc(self, s: ir.Havoc, st: State) -> State:
        self.note_unknown(s.what, s.span)
        fn = self.frames[-1].fn
        for t in s.targets:
            if t in fn.arrays:
                st.vars[t] = self.fresh_array(t, fn.arrays[t])
                continue
            ty = fn.locals.get(t) or self.program.globals.get(t) or ir.MATH_INT
            c = self.fresh(t, ty)
            st.vars[t] = c
            if self.scratch == 0:
                self.externals.append(Fresh(c, ty, st.pc, s.what, s.span))
        return st

    # ------------------------------------------------------------------ expressions
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
