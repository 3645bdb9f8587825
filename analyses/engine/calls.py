"""Calls: use the callee's contract, inline a small callee without one, or treat an unknown
function's result as arbitrary.  Recursive calls without a contract return an arbitrary value
(sound for proofs; counterexamples through them are re-checked by the interpreter)."""
from __future__ import annotations

import z3

from .. import ir
from ..callgraph import assigned, has_contract
from ..entry_asserts import assert_text, entry_asserts
from . import encode as E
from .state import CallSite, Fresh, Obligation, OutCall, State, merge
from .symexec import MAX_INLINE_DEPTH, FnFrame, is_stub


# C library functions that write no object of the caller (no pointer argument is passed
# to them by the frontend without its own havoc)
_MEMORY_FREE = {"abs", "labs", "llabs", "strlen", "strcmp", "strncmp", "memcmp", "puts",
                "putchar", "assert", "abort", "exit", "_Exit", "__assert_fail",
                "__VERIFIER_nondet_int", "__VERIFIER_assume", "__VERIFIER_error",
                "reach_error", "__builtin_expect"}


def assigned_globals(program: ir.Program, name: str, seen=None) -> set[str]:
    """Globals a function (or its callees) may assign: all of them when it (transitively)
    calls an unknown function, which may assign any."""
    seen = set() if seen is None else seen
    if name in seen or name not in program.functions:
        return set()
    seen.add(name)
    fn = program.functions[name]
    out = set()
    from ..callgraph import callees
    for t in assigned(fn.body):
        if t in program.globals and t not in fn.locals:
            out.add(t)
    for c in callees(fn):
        g = program.functions.get(c)
        if g is None or is_stub(g):
            return set(program.globals)
        out |= assigned_globals(program, c, seen)
    return out


def may_write_memory(program: ir.Program, name: str, seen=None) -> bool:
    """Could a call to `name` change a C object of the caller through a pointer it got
    earlier (an escaped address)?  Unknown functions may; a function of the file may
    when it (or a callee) writes through a pointer (the frontend's Havoc)."""
    memo = program.__dict__.setdefault("_may_write_memory", {})
    if name in memo:
        return memo[name]
    top = seen is None
    seen = set() if seen is None else seen
    if name in seen:
        return False
    seen.add(name)
    out = _may_write(program, name, seen)
    if top or out:          # a cycle cut short is only final when seen from its top
        memo[name] = out
    return out


def _may_write(program: ir.Program, name: str, seen: set) -> bool:
    g = program.functions.get(name)
    if g is None or is_stub(g):
        return name not in _MEMORY_FREE
    from ..callgraph import callees
    if _has_havoc(g.body):
        return True
    return any(may_write_memory(program, c, seen) for c in callees(g))


def _has_havoc(node) -> bool:
    if isinstance(node, (list, tuple)):
        return any(_has_havoc(n) for n in node)
    if isinstance(node, ir.Havoc):
        return True
    if isinstance(node, ir.Stmt):
        return any(_has_havoc(v) for v in vars(node).values()
                   if isinstance(v, (list, tuple, ir.Stmt)))
    return False


def call(ex, e: ir.Call, st: State):
    res = _call(ex, e, st)
    caller = ex.frames[-1].fn
    if caller.address_taken and (caller.language != "c"
                                 or may_write_memory(ex.program, e.func)):
        for v in sorted(caller.address_taken):
            if v in caller.arrays:            # a local array whose address escaped
                st.vars[v] = ex.fresh_array(v, caller.arrays[v])
            elif v in st.vars:
                st.vars[v] = ex.fresh(v, caller.locals.get(v, ir.MATH_INT))
    return res


def _call(ex, e: ir.Call, st: State):
    args = [ex.expr(a, st) for a in e.args]
    # a pseudo-callee (code of the function itself the frontend names, e.g. "sorted of a
    # possibly infinite iterable") inside an inlined callee belongs to that callee, whose
    # own termination is judged separately: only loops of the current frame record it
    own_code = " " in e.func or "(" in e.func
    for fr in ex.frames:
        if own_code and fr is not ex.frames[-1]:
            continue
        for lf in fr.loops:
            lf.callees.add(e.func)
    callee = ex.program.functions.get(e.func)
    if callee is None or is_stub(callee):
        return _unknown_call(ex, e, st)
    if ex.scratch == 0 and len(ex.frames) == 1:
        ex.calls_out.append(OutCall(callee.name, st.pc, list(args),
                                    {g: st.vars[g] for g in ex.program.globals
                                     if g in st.vars}, e.span))
    _check_entry_asserts(ex, e, callee, args, st)
    recursive = callee.name in ex.scc or any(f.fn.name == callee.name for f in ex.frames)
    if recursive and ex.scratch == 0 and len(ex.frames) == 1:
        ex.call_sites.append(CallSite(dict(ex.frames[0].entry), callee.name, st.pc,
                                      args, e.span))
    if has_contract(callee):
        return _by_contract(ex, e, callee, args, st)
    if recursive or len(ex.frames) > MAX_INLINE_DEPTH:
        ex.note_unknown(f"result of the recursive call to `{e.func}` at line {e.span.line}",
                        e.span)
        _havoc_globals(ex, callee.name, st)
        return ex.fresh(f"ret_{e.func}", e.type)
    return _inline(ex, e, callee, args, st)


def _check_entry_asserts(ex, e: ir.Call, callee: ir.Function, args: list, st: State):
    """The callee's entry asserts are its preconditions: an obligation of this call (in
    the function being verified), then assumed (a failing assert ends the path)."""
    asserts = entry_asserts(callee)
    if not asserts:
        return
    env = State({**{g: st.vars[g] for g in ex.program.globals if g in st.vars},
                 **_bind(callee, args)}, st.pc)
    saved = ex.frames
    ex.frames = saved + [FnFrame(callee, dict(env.vars))]
    try:
        oks = [(a, ex.expr(a.cond, env)) for a in asserts]
    finally:
        ex.frames = saved
    for a, ok in oks:
        text = assert_text(callee, a)
        if e.asserts_caught:          # a failing one raises into the caller's handler
            ex.assume(st, ok, exits=True)
            continue
        ex.oblige(Obligation(
            "contract", "requires-call", e.span, st.pc, ok,
            message=f"precondition of {callee.name} ({text})", text=text,
            related=[(a.span, f"entry assert of {callee.name}: {text}")],
            entry_assert=a.span))
        ex.assume(st, ok, exits=True)


def _unknown_call(ex, e: ir.Call, st: State):
    what = f"call to unknown function `{e.func}` at line {e.span.line}"
    ex.note_unknown(what, e.span)
    for g, t in ex.program.globals.items():
        st.vars[g] = ex.fresh(g, t)
    if isinstance(e.type, ir.BoolT) or e.type is None:
        t = e.type or ir.MATH_INT
    else:
        t = e.type
    c = ex.fresh(f"ret_{e.func}", t)
    if ex.scratch == 0:
        ex.externals.append(Fresh(c, t, st.pc, what, e.span))
    return c


def _bind(callee: ir.Function, args: list) -> dict:
    return {p.name: a for p, a in zip(callee.params, args)}


def _by_contract(ex, e: ir.Call, callee: ir.Function, args: list, st: State):
    env = State({**st.vars, **_bind(callee, args)}, st.pc)
    saved = ex.frames
    ex.frames = saved + [FnFrame(callee, dict(env.vars))]
    try:
        for r in callee.requires:
            ok = ex.expr(r.expr, env)
            # (Python contract libraries raise AssertionError subclasses: icontract's
            # ViolationError, deal's ContractError; a handler may catch them)
            if len(saved) == 1 and not e.asserts_caught:
                ex.frames = saved
                ex.oblige(Obligation(
                    "contract", "requires-call", e.span, st.pc, ok,
                    message=f"precondition of {callee.name}: {r.text}", text=r.text,
                    related=[(r.span, f"precondition of {callee.name}")]))
                ex.frames = saved + [FnFrame(callee, dict(env.vars))]
            ex.assume(env, ok, exits=False)
        ret_t = callee.ret or ir.MATH_INT
        res = ex.fresh(f"ret_{callee.name}", ret_t)
        _havoc_globals(ex, callee.name, env)
        env.vars[ir.RESULT] = res
        for q in callee.ensures:
            ok = ex.expr(q.expr, env)
            ex.assume(env, ok, exits=False)
    finally:
        ex.frames = saved
    st.pc = env.pc
    for g in ex.program.globals:
        if g in env.vars:
            st.vars[g] = env.vars[g]
    return res


def _havoc_globals(ex, name: str, st: State) -> None:
    for g in assigned_globals(ex.program, name):
        st.vars[g] = ex.fresh(g, ex.program.globals[g])


def _inline(ex, e: ir.Call, callee: ir.Function, args: list, st: State):
    entry = {g: st.vars[g] for g in ex.program.globals if g in st.vars}
    entry.update(_bind(callee, args))
    frame = FnFrame(callee, dict(entry))
    ex.frames.append(frame)
    try:
        out = ex.block(callee.body, State(dict(entry), st.pc))
        if not out.dead:
            frame.returns.append((out, None))
    finally:
        ex.frames.pop()
    rets = frame.returns
    ret_t = callee.ret or ir.MATH_INT
    if not rets:
        st.pc = z3.BoolVal(False)
        return E.literal(0, ret_t)
    joined = merge([s for s, _ in rets])
    value = None
    for s, v in reversed(rets):
        v = v if v is not None else E.literal(0, ret_t)
        value = v if value is None else z3.If(s.pc, v, value)
    st.pc = joined.pc
    for g in ex.program.globals:
        if g in joined.vars:
            st.vars[g] = joined.vars[g]
    return value
