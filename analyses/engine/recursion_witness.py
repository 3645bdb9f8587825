"""Non-termination of recursion: a recurrent set of argument tuples.

A set R over the parameters (by position, shared by every function of the recursive
cycle) such that (1) every run of a member entered with arguments in R reaches one of
its recursive calls, (2) every recursive call made from R passes arguments in R, and
(3) some input of the function under check is in R.  Then that input never returns: each
call makes another, forever.  E.g. `parity(n)` stepping by 2 from an odd negative n, or
`is_even`/`is_odd` from a negative n.

(1) and (2) are proved by z3 on the exact paths to the calls, so a member whose path
condition is over-approximated (loops abstracted by invariants, unknown functions, calls
by contract, unsupported constructs) gets no witness.  R is a conjunction of simple facts
(comparisons with constants and between parameters, parity) found by Houdini from a
sample chain of calls; the interpreter must then see the run recurse without returning.
"""
from __future__ import annotations

from dataclasses import dataclass

import time

import z3

from .. import callgraph, ir
from ..solver import recorder
from . import encode as E
from .encode_ops import compare

MAX_ROUNDS = 20
CHAIN = 4
QUERY_MS = 500        # per closure query: a witness is a bonus, never worth long solves
BUDGET_S = 2.0        # for the whole search


@dataclass
class Site:
    ctx: object          # FnContext of the calling member
    guard: z3.BoolRef    # the exact path condition of the call
    params: list         # the caller's parameter constants
    args: list           # the arguments' terms (same sorts: members share a signature)
    cur: list            # numeric values of params
    nxt: list            # numeric values of args


def _odd(x) -> z3.BoolRef:
    if z3.is_bv(x):
        return z3.Extract(0, 0, x) == 1
    return x % 2 == 1


def _facts(n: int, consts: list[int], like):
    """Candidate facts (label with {p0}.. placeholders, fn(values) -> BoolRef)."""
    out = []
    for i in range(n):
        p = f"{{p{i}}}"
        for c in consts:
            for sym, f in (("==", lambda a, b: a == b), (">=", lambda a, b: a >= b),
                           ("<=", lambda a, b: a <= b), (">", lambda a, b: a > b),
                           ("<", lambda a, b: a < b)):
                out.append((f"{p} {sym} {c}",
                            lambda vs, i=i, c=c, f=f: f(vs[i], _const(like, c))))
        out.append((f"{p} is odd", lambda vs, i=i: _odd(vs[i])))
        out.append((f"{p} is even", lambda vs, i=i: z3.Not(_odd(vs[i]))))
        for j in range(n):
            if i != j:
                out.append((f"{p} > {{p{j}}}", lambda vs, i=i, j=j: vs[i] > vs[j]))
                out.append((f"{p} == {{p{j}}}", lambda vs, i=i, j=j: vs[i] == vs[j]))
    return out


def _const(like, c: int):
    if z3.is_bv(like):
        return z3.BitVecVal(c % (1 << like.size()), like.size())
    return z3.IntVal(c)


def exact_paths(ctxs: dict, members: list[str], program: ir.Program) -> bool:
    """Are the members' paths to their calls exact (no over-approximation)?"""
    for name, c in ctxs.items():
        fn = program.functions[name]
        if callgraph.has_contract(fn):
            return False
        for callee in callgraph.callees(fn):
            target = program.functions.get(callee)
            if callee not in members and (target is None or callgraph.has_contract(target)):
                return False
        ab = c.abstract
        if ab.externals or ab.abstracted_loops or ab.nondets:
            return False
        if any(not what.startswith("result of the recursive call") for what, _ in ab.imprecision):
            return False
    return True


def recurrent_witness(ctx, members: list[str], ctxs: dict, sites: list[Site]):
    """(inputs, description) of a run that recurses forever, or None."""
    program = ctx.program
    fns = [program.functions[m] for m in members]
    sig = [p.type for p in ctx.fn.params]
    if not sig or any([p.type for p in f.params] != sig for f in fns):
        return None
    if not exact_paths(ctxs, members, program):
        return None
    entry = {}
    for name, c in ctxs.items():
        f = program.functions[name]
        entry[name] = E.numeric([(c.abstract.inputs[p.name], p.type) for p in f.params])
        if not any(s.ctx is c for s in sites):
            return None                   # a member that never recurses returns
    like = entry[ctx.fn.name][0]
    consts = sorted({0, 1, -1} | {v for v in ctx.abstract.consts_seen if abs(v) < 1 << 20},
                    key=abs)[:6]
    facts = _facts(len(sig), consts, like)
    deadline = time.monotonic() + BUDGET_S
    for hint in _hints(like, len(sig)):
        if time.monotonic() > deadline:
            return None
        alive = _sample(ctx, sites, entry[ctx.fn.name], facts, hint)
        found = _houdini(ctx, ctxs, sites, entry, alive, deadline) if alive else None
        if found is not None:
            return found
    return None


def _hints(like, n: int):
    """Conditions on the first call's arguments that steer the sample chain."""
    zero = _const(like, 0)
    out = [lambda vs: vs[0] < zero, lambda vs: vs[0] > zero]
    if n > 1:
        out += [lambda vs: vs[0] > vs[1], lambda vs: vs[0] < vs[1]]
    return out + [lambda vs: z3.BoolVal(True)]


def _sample(ctx, sites, cur, facts, hint):
    """Facts true along a chain of CHAIN self-calls of the function under check."""
    own = [s for s in sites if s.ctx is ctx]
    if not own:
        return []
    s = own[-1]
    raw, steps = [list(s.params)], [cur]
    conds = [hint(cur)]
    for _ in range(CHAIN):
        sub = list(zip(s.params, raw[-1]))
        conds.append(z3.substitute(s.guard, *sub))
        raw.append([z3.substitute(a, *sub) for a in s.args])
        steps.append([z3.substitute(a, *sub) for a in s.nxt])
    r = ctx.check(ctx.abstract.pre + conds, QUERY_MS)
    if r.status != "sat":
        return []
    alive = []
    for label, f in facts:
        try:
            if all(r.model.eval(f(vs)) is True for vs in steps):
                alive.append((label, f))
        except z3.Z3Exception:
            continue
    return alive


def _houdini(ctx, ctxs, sites, entry, alive, deadline):
    for _ in range(MAX_ROUNDS):
        if not alive or time.monotonic() > deadline:
            return None

        def R(vs, alive=alive):
            return z3.And(*[f(vs) for _, f in alive])
        broken = None
        for s in sites:                                     # (2) calls stay in R
            with recorder.role("recurrent set of arguments: a recursive call's arguments "
                               "are in it again"):
                r = s.ctx.check(s.ctx.abstract.pre + [R(s.cur), s.guard, z3.Not(R(s.nxt))], QUERY_MS)
            if r.status == "sat":
                broken = (r.model, s)
                break
            if r.status != "unsat":
                return None
        if broken is not None:
            model, s = broken
            keep = [(l, f) for l, f in alive if model.eval(f(s.nxt)) is True]
            if len(keep) == len(alive):
                return None
            alive = keep
            continue
        for name, c in ctxs.items():                        # (1) every run calls again
            own = [s.guard for s in sites if s.ctx is c]
            with recorder.role(f"recurrent set of arguments: every run of {name} entered "
                               f"in it reaches a recursive call"):
                closed = c.check(c.abstract.pre + [R(entry[name]), z3.Not(z3.Or(*own))],
                                 QUERY_MS).status == "unsat"
            if not closed:
                return None
        return _reach(ctx, R(entry[ctx.fn.name]), _minimal(ctx, entry[ctx.fn.name], alive))
    return None


def _minimal(ctx, cur, alive) -> list[str]:
    """Labels of the facts not implied by the others (a short description of R)."""
    keep = list(alive)
    for item in reversed(list(alive)):
        rest = [x for x in keep if x is not item]
        if rest and ctx.check([z3.And(*[f(cur) for _, f in rest]),
                               z3.Not(item[1](cur))], 500).status == "unsat":
            keep = rest
    return [l for l, _ in keep]


def _reach(ctx, in_r, labels):
    """Inputs of ctx.fn in R (within the parameters' types) that the interpreter sees
    recurse without returning, with a description of R."""
    ab = ctx.abstract
    ranges = []
    for p in ctx.fn.params:
        t = p.type
        if isinstance(t, ir.IntT) and t.bits is not None:
            v = ab.inputs[p.name]
            ranges += [compare("ge", v, E.literal(t.min, t), t),
                       compare("le", v, E.literal(t.max, t), t)]
    r = ctx.check(ab.pre + ranges + [in_r])
    if r.status != "sat":
        return None
    inputs = ctx.inputs_from(ab, r.model)
    out = ctx.replay_run(inputs, [], max_steps=100_000)
    if out.status not in ("stack", "nonterminating", "timeout"):
        return None             # the interpreter disagrees: never claim non-termination
    names = [p.name for p in ctx.fn.params]
    text = [l.format(**{f"p{i}": n for i, n in enumerate(names)}) for l in labels]
    return inputs, " and ".join(text), out.status
