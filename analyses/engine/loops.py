"""Loops: abstraction by invariants (proofs) and bounded unrolling (counterexamples).

Abstract mode: the variables the loop assigns are replaced by fresh values constrained by
the loop's invariants — the user's (checked: initially true and preserved) and inferred ones
(Houdini: the strongest conjunction of candidate facts that holds on entry and is preserved
by one iteration).  One iteration of the body then runs from that state, so every property
checked in the body holds in every iteration, and the code after the loop sees
invariants ∧ ¬cond.  BMC mode: the loop is unrolled `unroll` times and longer paths are cut
(counterexamples found this way are real; `cut_guards` tell whether the cut lost paths).
"""
from __future__ import annotations

import z3

from .. import ir
from ..callgraph import assigned
from .state import FALSE, LoopRecord, Obligation, State, conj, merge
from .budget import tick
from .symexec import LoopFrame


def run_loop(ex, loop: ir.While, st: State) -> State:
    if loop.do_while:   # peel the first iteration: it runs without testing cond
        st, extra_exits = _iteration(ex, loop, st, test=False)
    else:
        extra_exits = []
    if ex.mode == "bmc":
        out = _unroll(ex, loop, st)
    elif ex.kind_target == id(loop) and ex.mode in ("kbase", "kstep"):
        out = _k_target(ex, loop, st)
    else:
        out = _abstract(ex, loop, st)
    return merge([out] + extra_exits)


def _k_target(ex, loop: ir.While, st: State) -> State:
    """k-induction for the properties inside one loop.  Base ('kbase'): they hold in the
    first k iterations from the loop's (over-approximated) entry states.  Step ('kstep'):
    from any state satisfying the invariants, if the property held in k consecutive
    iterations it holds in the next.  Nothing after the loop is explored (dead state)."""
    k = ex.kind_k
    if ex.mode == "kbase":
        s = st
        for _ in range(k):
            if s.dead:
                break
            s, _ = _iteration(ex, loop, s)
        return st.copy(FALSE)
    modified = loop_writes(ex.program, loop, ex.frames[-1].fn)
    head = _havoc(ex, ex.frames[-1].fn, modified, st)
    for inv in loop.invariants:
        head.pc = conj(head.pc, ex.expr(inv.expr, head))
    for _, term in (_infer(ex, loop, st, head, modified) if not st.dead else []):
        head.pc = conj(head.pc, term(head.vars))
    s = head
    ex.kind_phase = "assume"
    for _ in range(k):
        if s.dead:
            break
        s, _ = _iteration(ex, loop, s)
    ex.kind_phase = "check"
    if not s.dead:
        _iteration(ex, loop, s)
    ex.kind_phase = ""
    return st.copy(FALSE)


def _iteration(ex, loop: ir.While, st: State, test: bool = True, frame=None):
    """One pass of cond/body/update.  Returns (state continuing to the next iteration,
    states leaving the loop: cond false or break)."""
    frame = frame or LoopFrame()
    exits = []
    if test:
        c = ex.expr(loop.cond, st)
        exits.append(st.copy(conj(st.pc, z3.Not(c))))
        st = st.copy(conj(st.pc, c))
    ex.frames[-1].loops.append(frame)
    try:
        body_out = ex.block(loop.body, st)
        cont = merge([body_out] + frame.continues)
        frame.continues = []
        after = ex.block(loop.update, cont) if not cont.dead else cont
    finally:
        ex.frames[-1].loops.pop()
    exits.extend(frame.breaks)
    frame.breaks = []
    return after, exits


# ---------------------------------------------------------------------- bounded unrolling

def _unroll(ex, loop: ir.While, st: State) -> State:
    depth = sum(len(f.loops) for f in ex.frames)
    k = ex.unroll if depth == 0 else max(2, ex.unroll // (2 * depth))
    exits = []
    visits = ex.head_visits.setdefault(id(loop), []) if ex.recording else None
    for i in range(k):
        if st.dead:
            break
        _check_invariants(ex, loop, st, "invariant-init" if i == 0 else "invariant-preserved")
        if visits is not None:
            visits.append((i, dict(st.vars), st.pc))
        st, out = _iteration(ex, loop, st)
        exits.extend(out)
    if not st.dead:
        if visits is not None:
            visits.append((k, dict(st.vars), st.pc))
        ex.scratch += 1
        try:
            probe = st.copy()
            c = ex.expr(loop.cond, probe)
        finally:
            ex.scratch -= 1
        ex.cut_guards.append(conj(probe.pc, c))
    return merge(exits) if exits else st.copy(FALSE)


def _check_invariants(ex, loop: ir.While, st: State, prop: str) -> None:
    """Concrete runs: each user invariant must hold at every visit of the loop head;
    once checked it is assumed (later properties are judged under the spec)."""
    for inv in loop.invariants:
        ok = ex.expr(inv.expr, st)
        verb = "holds on entry" if prop == "invariant-init" else "is preserved"
        ex.oblige(Obligation("contract", prop, inv.span, st.pc, ok,
                             message=f"loop invariant {inv.text} {verb}", text=inv.text))
        ex.assume(st, ok, exits=False)


# ---------------------------------------------------------------------- abstraction

def loop_writes(program: ir.Program, loop: ir.While, fn: ir.Function = None) -> list[str]:
    """Variables one iteration may change: assigned ones, plus globals written by the
    functions it calls (all globals for unknown functions), plus fn's C locals whose
    address escaped when a call may write through a pointer (calls.may_write_memory)."""
    from ..callgraph import calls_in
    from .calls import assigned_globals, may_write_memory
    out = dict.fromkeys(assigned(loop.body + loop.update))
    for c in calls_in([loop.cond] + loop.body + loop.update):
        if c.func in program.functions:
            out.update(dict.fromkeys(sorted(assigned_globals(program, c.func))))
        else:
            out.update(dict.fromkeys(program.globals))
        if fn is not None and fn.address_taken and (
                fn.language != "c" or may_write_memory(program, c.func)):
            out.update(dict.fromkeys(sorted(fn.address_taken)))
    return list(out)


def _abstract(ex, loop: ir.While, st: State) -> State:
    if ex.scratch == 0:
        ex.abstracted_loops += 1
    modified = loop_writes(ex.program, loop, ex.frames[-1].fn)
    fn = ex.frames[-1].fn
    user = loop.invariants
    for inv in user:
        ok = ex.expr(inv.expr, st.copy())
        ex.oblige(Obligation("contract", "invariant-init", inv.span, st.pc, ok,
                             message=f"loop invariant {inv.text} holds on entry", text=inv.text))
    head = _havoc(ex, fn, modified, st)
    for inv in user:
        head.pc = conj(head.pc, ex.expr(inv.expr, head))
    inferred = _infer(ex, loop, st, head, modified) if not st.dead else []
    inv_terms = [term(head.vars) for _, term in inferred]
    for t in inv_terms:
        head.pc = conj(head.pc, t)
    frame = LoopFrame()
    cond_probe = head.copy()
    ex.scratch += 1
    try:
        cond = ex.expr(loop.cond, cond_probe)
    finally:
        ex.scratch -= 1
    back, exits = _iteration(ex, loop, head.copy(), frame=frame)
    for inv in user:
        ok = ex.expr(inv.expr, back.copy())
        ex.oblige(Obligation("contract", "invariant-preserved", inv.span, back.pc, ok,
                             message=f"loop invariant {inv.text} is preserved", text=inv.text))
    if ex.recording:
        ex.loop_records.append(LoopRecord(
            loop=loop, entry=st.copy(), head=head, cond=cond, back=back,
            exits=list(frame.exits) + [e.pc for e in exits[1:]], modified=modified,
            invariants=[i.text for i in user] + [lbl for lbl, _ in inferred], ub=list(frame.ub),
            callees=set(frame.callees), inv_terms=inv_terms))
    return merge(exits)


def _havoc(ex, fn: ir.Function, names: list[str], st: State) -> State:
    h = st.copy()
    for n in names:
        if n in fn.arrays:                # a local array the loop stores into
            h.vars[n] = ex.fresh_array(n, fn.arrays[n])
            continue
        t = fn.locals.get(n) or ex.program.globals.get(n)
        if t is None:
            old = st.vars.get(n)
            t = _type_of(old) if old is not None else ir.MATH_INT
        h.vars[n] = ex.fresh(n, t)
    return h


def _type_of(term) -> ir.Type:
    s = term.sort()
    if s.kind() == z3.Z3_BOOL_SORT:
        return ir.BOOL
    if s.kind() == z3.Z3_BV_SORT:
        return ir.IntT(s.size(), True, f"bv{s.size()}")
    return ir.MATH_INT


def _infer(ex, loop, entry: State, head: State, modified: list[str]):
    """Houdini over candidate facts; returns [(label, fn(vars) -> BoolRef)].  Each
    candidate's term is built once per state; rounds only drop candidates."""
    from .invariants import candidates
    if ex.checker is None or not modified or not ex.infer or id(loop) in ex.skip_infer:
        return []
    cands = []
    extra = ex.extra_invariants.get(id(loop), [])
    for lbl, t in candidates(ex, loop, entry, head, modified) + list(extra):
        tick(ex.cancel)
        try:
            cands.append((lbl, t, t(entry.vars)))
        except KeyError:       # about a variable that has no value before the loop
            continue
    if not cands:
        return []
    pre = ex.pre
    alive = list(range(len(cands)))
    # initiation: drop candidates false in some entry state
    for _ in range(len(cands) + 1):
        tick(ex.cancel)
        if not alive:
            return []
        r = ex.checker(pre + [entry.pc, z3.Or(*[z3.Not(cands[i][2]) for i in alive])])
        if r.status == "unsat":
            break
        if r.status != "sat":
            return []
        alive = [i for i in alive if r.model.eval(cands[i][2]) is True]
    # consecution: one scratch iteration from the havocked head
    ex.scratch += 1
    try:
        back, _ = _iteration(ex, loop, head.copy(), frame=LoopFrame())
    finally:
        ex.scratch -= 1
    if back.dead:
        return [(cands[i][0], cands[i][1]) for i in alive]
    at_head = {i: cands[i][1](head.vars) for i in alive}
    at_back = {i: cands[i][1](back.vars) for i in alive}
    for _ in range(len(alive) + 1):
        tick(ex.cancel)
        if not alive:
            return []
        r = ex.checker(pre + [back.pc] + [at_head[i] for i in alive]
                       + [z3.Or(*[z3.Not(at_back[i]) for i in alive])])
        if r.status == "unsat":
            return [(cands[i][0], cands[i][1]) for i in alive]
        if r.status != "sat":
            return []
        alive = [i for i in alive if r.model.eval(at_back[i]) is True]
    return []
