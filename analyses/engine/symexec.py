"""Symbolic execution of one IR function into z3 path conditions and obligations.

Paths are merged at joins (if-then-else terms), so a loop-free function becomes one formula.
Loops are either abstracted by invariants (mode 'abstract': sound for proofs) or unrolled
a bounded number of times (mode 'bmc': exact for counterexamples); see loops.py.
Calls use the callee's contract when it has one, else the callee is inlined (bounded).
Expressions are evaluated by sym_exprs.ExprExec, this class's base.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import z3

from .. import ir
from ..entry_asserts import ENTRY_SEVERITY, assert_text, is_entry_assert
from . import encode as E
from .state import FALSE, TRUE, CallSite, Fresh, Obligation, State, conj, merge
from .sym_exprs import ExprExec

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


class SymExec(ExprExec):
    """Statements (expressions: the base class, sym_exprs.py); loops (s_While) and calls
    (e_Call) are added by executor.Executor, which sits above loops.py and calls.py that
    build on this class."""

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
