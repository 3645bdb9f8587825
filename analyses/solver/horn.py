"""Constrained Horn clauses: z3's Spacer asked for the interpretation of predicates.

The engine builds the clauses; this module only runs the query with the same time limit
and cancellation conventions as `query.check`.  What Spacer answers is never a verdict on
its own: a `sat` interpretation is a *candidate* invariant that the engine re-checks with
ordinary queries (initiation, consecution, the obligation), and an `unsat` (a derivation
of false) is only a hint that the property may fail.  Answers go into the lemma cache
(keyed by the clauses' canonical text): since they are only candidates and hints, an
entry can cost precision, never soundness.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Optional

import z3

from . import forked
from .backends import nonlinear_int
from .canonical import canonical_text, lemma_key
from .query import STATS, Cancelled, CancelToken, free_consts


@dataclass
class HornClause:
    """body (a conjunction of formulas, predicate applications among them) implies head
    (a predicate application, or None for false).  Free constants are universally
    quantified."""
    body: list
    head: Optional[z3.BoolRef] = None


@dataclass
class HornResult:
    status: str                      # 'sat' (safe, interpretations found) | 'unsat' | 'unknown'
    interpretation: dict = field(default_factory=dict)   # predicate name -> formula over args
    args: dict = field(default_factory=dict)             # predicate name -> [arg constants]
    time_ms: float = 0.0
    reason: str = ""


def _clause(c: HornClause, preds: set, ctx: z3.Context) -> z3.BoolRef:
    """The clause, universally closed, built in ctx.  The body is simplified there: Spacer
    rejects `div` whose divisor is not a literal (the engine's `x / (2 >= 0 ? 2 : -2)` of
    a C division by a constant)."""
    body = z3.And(*c.body) if c.body else z3.BoolVal(True)
    head = c.head if c.head is not None else z3.BoolVal(False)
    def tr(e):
        return e if e.ctx is ctx else e.translate(ctx)
    vs = [tr(v) for n, v in sorted(free_consts([body, head]).items()) if n not in preds]
    f = z3.Implies(z3.simplify(tr(body)), tr(head))
    return z3.ForAll(vs, f) if vs else f


SEEDS = (0, 1, 2)       # Spacer runs, each with its share of the time limit


def solve_horn(clauses: list[HornClause], preds: list[z3.FuncDeclRef], *,
               timeout_ms: int = 5000, cancel: Optional[CancelToken] = None,
               cache=None) -> HornResult:
    """Ask Spacer (global guidance on: it finds the parameter-dependent bounds that plain
    Spacer enumerates for a long time) whether the clauses are satisfiable.  Its search
    is chaotic (the same system is solved in 0.2 s or not in 5 s depending on the order
    of terms and its random seed), so it runs with a few seeds in turn (one for a
    nonlinear system), each with a share of the time limit, each in a fresh context (so
    the terms' order does not come from what the process asked z3 before; Spacer's answer
    can still vary between processes, which is why it is only ever a candidate)."""
    t0 = time.perf_counter()
    names = {p.name() for p in preds}
    key = _cache_key(clauses, preds, names) if cache is not None else None
    if key is not None:
        hit = _from_cache(cache, key, preds, timeout_ms)
        if hit is not None:
            return hit
    share = max(1, int(timeout_ms) // len(SEEDS))
    out = HornResult("unknown", reason="CHC solver: no answer")
    # Spacer generalises with linear arithmetic: on a nonlinear system (`r * r <= n`) a
    # time-out comes from the arithmetic, not from the search order a new seed changes
    seeds = SEEDS[:1] if nonlinear_int([x for c in clauses for x in c.body]) else SEEDS
    for seed in seeds:
        out = _solve_once(clauses, preds, names, share, seed, cancel)
        if out.status != "unknown" or "timeout" not in out.reason:
            break
    out.time_ms = _ms(t0)
    if out.status == "unknown" and "timeout" in out.reason:
        out.reason = f"CHC solver: timeout after {timeout_ms} ms"
    if key is not None:
        _to_cache(cache, key, out, timeout_ms)
    return out


def _args(p: z3.FuncDeclRef) -> list:
    return [z3.Const(f"chc!{p.name()}!{k}", p.domain(k)) for k in range(p.arity())]


def _cache_key(clauses, preds, names) -> Optional[str]:
    try:
        closed = [_clause(c, names, z3.main_ctx()) for c in clauses]
        text, _ = canonical_text(closed)
    except Exception:          # no key, no caching: never an error
        return None
    sig = ";".join(f"{p.name()}:{','.join(p.domain(k).sexpr() for k in range(p.arity()))}"
                   for p in preds)
    return lemma_key("horn", text, sig)


def _to_cache(cache, key: str, out: HornResult, timeout_ms: int) -> None:
    if out.status == "unknown" and "timeout" not in out.reason:
        return                 # an error, not a time-out: nothing worth remembering
    entry = {"horn": 1, "status": out.status, "reason": out.reason,
             "timeout_ms": int(timeout_ms), "time_ms": out.time_ms,
             "interpretation": {n: (f.sexpr() if f is not None else None)
                                for n, f in out.interpretation.items()}}
    try:
        cache.put(key, entry)
    except Exception:          # a failing cache never breaks verification
        pass


def _from_cache(cache, key: str, preds, timeout_ms: int) -> Optional[HornResult]:
    """The cached answer, or None (a miss, a shorter time-out than asked, a bad entry)."""
    try:
        entry = cache.get(key)
        if not entry or entry.get("horn") != 1:
            return None
        status = entry["status"]
        if status == "unknown":
            if int(entry["timeout_ms"]) < timeout_ms:
                return None    # a longer limit may get an answer
            return HornResult("unknown", reason=str(entry["reason"]))
        if status == "sat":
            out = _rebuilt(preds, entry["interpretation"])
        elif status == "unsat":
            out = HornResult(status)
        else:
            return None
        STATS.cache_hits += 1
        return out
    except Exception:          # a damaged entry is a miss
        return None


KILL_GRACE_MS = 100     # a forked Spacer is killed this long after its own limit


def _rebuilt(preds, texts: dict) -> HornResult:
    """A sat answer from its interpretations' SMT-LIB text (predicate name -> text or
    None), as the lemma cache and a forked Spacer give them."""
    out = HornResult("sat")
    for p in preds:
        xs = _args(p)
        text = texts[p.name()]
        out.args[p.name()] = xs
        if text is None:
            out.interpretation[p.name()] = None
            continue
        got = z3.parse_smt2_string(f"(assert {text})", decls={x.decl().name(): x for x in xs})
        out.interpretation[p.name()] = _numerals(got[0] if len(got) == 1 else z3.And(*got))
    return out


def _numerals(e, memo=None):
    """e with each `(- k)` read from text made the numeral -k again: SMT-LIB prints a
    negative numeral as unary minus, and the rebuilt term must be the very term Spacer
    gave (later queries, and so Spacer's chaotic search, are built from it)."""
    memo = {} if memo is None else memo
    key = e.get_id()
    if key not in memo:
        if z3.is_app_of(e, z3.Z3_OP_UMINUS) and z3.is_int_value(e.arg(0)):
            memo[key] = z3.IntVal(-e.arg(0).as_long(), e.ctx)
        elif z3.is_app(e) and e.num_args():
            memo[key] = e.decl()(*[_numerals(a, memo) for a in e.children()])
        else:
            memo[key] = e
    return memo[key]


def _solve_once(clauses, preds, names, timeout_ms: int, seed: int,
                cancel: Optional[CancelToken]) -> HornResult:
    """One Spacer run.  In a forked child where os.fork exists (forked.py): Spacer, like
    z3 on nonlinear integers, can overrun its time limit and ignore interrupts, and only
    a process can be stopped for sure.  The child inherits the clauses (no printing or
    parsing: it builds them in a fresh context, as the in-process run does) and answers
    with the interpretations as SMT-LIB text, read back as the lemma cache's are."""
    if cancel is not None:
        cancel.check()
    t0 = time.perf_counter()
    if forked.available():
        out = _solve_forked(clauses, preds, names, timeout_ms, seed, cancel)
    else:
        out = _solve_here(clauses, preds, names, timeout_ms, seed, cancel)
    STATS.solver_calls += 1
    STATS.solver_ms += _ms(t0)
    return out


def _solve_forked(clauses, preds, names, timeout_ms: int, seed: int,
                  cancel: Optional[CancelToken]) -> HornResult:
    call = forked.ForkedCall(lambda: _spacer_answer(clauses, preds, names, timeout_ms, seed),
                             timeout_ms)
    ans = forked.wait(call, time.monotonic() + (timeout_ms + KILL_GRACE_MS) / 1000, cancel)
    if ans is None:                        # overran its limit: killed
        return HornResult("unknown", reason=f"CHC solver: timeout after {timeout_ms} ms")
    status = ans.get("status")
    if status == "unsat":
        return HornResult("unsat")
    if status != "sat":     # Spacer's own unknown, or the child's failure ("z3: ...")
        why = str(ans.get("reason") or "no answer")
        return HornResult("unknown", reason=why if why.startswith("CHC solver")
                          else f"CHC solver: {why}")
    try:
        return _rebuilt(preds, ans["interpretation"])
    except Exception as exc:               # noqa: BLE001 - an unreadable answer: unknown
        return HornResult("unknown", reason=f"CHC solver: unreadable answer: {exc}"[:200])


def _spacer_answer(clauses, preds, names, timeout_ms: int, seed: int) -> dict:
    """In the forked child: Spacer's answer as JSON (interpretations as SMT-LIB text)."""
    got = _run_spacer(clauses, preds, names, timeout_ms, seed, None)
    if isinstance(got, HornResult):
        return {"status": got.status, "reason": got.reason}
    return {"status": "sat", "interpretation": {
        n: (f.sexpr() if f is not None else None) for n, (f, _xs) in got.items()}}


def _solve_here(clauses, preds, names, timeout_ms: int, seed: int,
                cancel: Optional[CancelToken]) -> HornResult:
    got = _run_spacer(clauses, preds, names, timeout_ms, seed, cancel)
    if cancel is not None and cancel.cancelled:
        raise Cancelled()
    if isinstance(got, HornResult):
        return got
    out = HornResult("sat")
    for p in preds:
        f, xs = got[p.name()]
        out.interpretation[p.name()] = f.translate(z3.main_ctx()) if f is not None else None
        out.args[p.name()] = xs
    return out


def _run_spacer(clauses, preds, names, timeout_ms: int, seed: int,
                cancel: Optional[CancelToken]):
    """Spacer on the clauses in a fresh context: a HornResult (unsat, unknown) or, when
    sat, {predicate name: (its formula in that context or None, its argument constants)}."""
    ctx = z3.Context()
    s = z3.SolverFor("HORN", ctx=ctx)
    s.set("timeout", int(max(1, timeout_ms)))
    s.set("fp.spacer.global", True)
    s.set("fp.spacer.random_seed", seed)
    for c in clauses:
        s.add(_clause(c, names, ctx))
    if cancel is not None:
        cancel._attach(s.ctx)
    try:
        r = s.check()
    except z3.Z3Exception as exc:          # an unsupported theory inside Spacer
        return HornResult("unknown", reason=f"CHC solver error: {exc}")
    finally:
        if cancel is not None:
            cancel._attach(None)
    if r == z3.unsat:
        return HornResult("unsat")
    if r != z3.sat:
        # Spacer's reason may hold a dump of the clause it failed on: the first line only
        why = (s.reason_unknown().strip().splitlines() or ["unknown"])[0].rstrip(": ")[:120]
        if "timeout" in why or why == "canceled":
            why = f"timeout after {timeout_ms} ms"
        elif why.startswith("Uninterpreted 'div'") or why.startswith("Uninterpreted 'mod'"):
            why = "no support for division or remainder by a variable"
        return HornResult("unknown", reason=f"CHC solver: {why}")
    m = s.model()
    out = {}
    for p in preds:
        xs = _args(p)
        out[p.name()] = (_interpretation(m, p.translate(ctx), [x.translate(ctx) for x in xs]),
                         xs)
    return out


def _interpretation(m: z3.ModelRef, p: z3.FuncDeclRef, xs: list):
    """The formula m gives p, over xs (Var(k) is argument k); None when it is not one
    formula (point entries) — model.eval is not used: it answers `true` for predicates
    Spacer's model has not yet been asked about."""
    fi = m[p]
    if fi is None:
        return z3.BoolVal(False, ctx=p.ctx)   # eliminated by Spacer: no state reaches it
    if isinstance(fi, z3.FuncInterp):
        if fi.num_entries():
            return None
        return z3.substitute_vars(fi.else_value(), *xs)
    return z3.substitute_vars(fi, *xs) if z3.is_expr(fi) else None


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000
