"""The solver layer: the only module that runs z3 queries.

It owns time limits, resource limits, cancellation, model extraction and the lemma cache,
so analyses only build formulas and read verdicts.  A verdict is 'sat', 'unsat' or
'unknown' (with the reason z3 gave, e.g. 'timeout').
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Optional

import z3
from z3 import z3core

from .recorder import active as _recording, core_text as _core_text, digest as _digest
from .canonical import query_key
from .backends import has_bitvectors, nonlinear_int


class Cancelled(Exception):
    """Raised when the caller's CancelToken fires (a newer edit superseded the work)."""


class CancelToken:
    """Set from another thread to abandon work; interrupts a running z3 query."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._ctx: Optional[z3.Context] = None
        self._lock = threading.Lock()
        self._children: list["CancelToken"] = []   # tokens derived from this one (budgets)

    def cancel(self) -> None:
        self._event.set()
        with self._lock:
            children = list(self._children)
            if self._ctx is not None:
                try:
                    self._ctx.interrupt()
                except Exception:   # pragma: no cover - z3 internals
                    pass
        for child in children:      # a query running under a derived token stops now too
            child.cancel()

    def adopt(self, child: "CancelToken") -> None:
        """Cancel child whenever this token is cancelled (at once if it already is)."""
        with self._lock:
            self._children.append(child)
        if self._event.is_set():
            child.cancel()

    def disown(self, child: "CancelToken") -> None:
        with self._lock:
            if child in self._children:
                self._children.remove(child)

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled()

    def _attach(self, ctx: Optional[z3.Context]) -> None:
        with self._lock:
            self._ctx = ctx


class Model:
    """A satisfying assignment: z3's own model, or one rebuilt from the cache."""

    def __init__(self, z3model: Optional[z3.ModelRef] = None,
                 values: Optional[dict[str, int]] = None,
                 decls: Optional[dict[str, z3.ExprRef]] = None) -> None:
        self._m = z3model
        self._values = values or {}
        self._decls = decls or {}
        self._rebuilt = z3model is None     # from values: as_dict gives them back
        if z3model is None and self._decls:
            self._m = _native(self._values, self._decls)

    def copy(self) -> "Model":
        """An independent copy: evaluating with model completion extends a z3 model."""
        m = Model.__new__(Model)
        m.__dict__.update(self.__dict__)
        if self._m is not None:
            m._m = self._m.translate(self._m.ctx)
        return m

    def eval(self, term: z3.ExprRef):
        """Value of term as a Python int/bool (bit-vectors as unsigned ints)."""
        if self._m is not None:
            v = self._m.eval(term, model_completion=True)
        else:
            # model completion: constants the query did not mention take a default value
            consts = free_consts([term])
            subs = [(c, const_like(c, self._values.get(n, 0))) for n, c in consts.items()]
            v = z3.simplify(z3.substitute(term, *subs)) if subs else z3.simplify(term)
            if not z3.is_bv_value(v) and not z3.is_int_value(v) and not z3.is_true(v) \
                    and not z3.is_false(v):
                v = _zero_divisions(v)
        return _py(v)

    def as_dict(self) -> dict[str, int]:
        if self._rebuilt:      # (terms, e.g. an array's contents, are not plain values)
            return {k: v for k, v in self._values.items() if not isinstance(v, z3.ExprRef)}
        out = {}
        for d in self._m.decls():
            if d.arity() == 0:
                out[d.name()] = _py(self._m[d])
        return out


def _native(values: dict, decls: dict) -> Optional[z3.ModelRef]:
    """A z3 model holding values (evaluating in it is native: a Houdini round evaluates
    hundreds of terms), or None when z3 does not take one of them.  Its completion
    matches the substitution in Model.eval: 0 / false for what it lacks, `x div 0` = 0."""
    try:
        ctx = z3.main_ctx()
        m = z3.ModelRef(z3.Z3_mk_model(ctx.ref()), ctx)
        for name, value in values.items():
            c = decls.get(name)
            if c is not None and c.ctx is ctx:
                m.update_value(c, const_like(c, value))
        return m
    except (z3.Z3Exception, TypeError, ValueError):
        return None


_INT_DIVISIONS = (z3.Z3_OP_IDIV, z3.Z3_OP_MOD, z3.Z3_OP_REM, z3.Z3_OP_DIV)


def _zero_divisions(v):
    """v with each integer division by zero read as 0.  SMT-LIB leaves `x div 0` open (any
    function of x); a model rebuilt from values (the cache, another solver, forked.py)
    fixes it as the constant 0 function, the same in every term it evaluates."""
    zeros, seen, todo = [], set(), [v]
    while todo:
        t = todo.pop()
        if t.get_id() in seen or not z3.is_app(t):
            continue
        seen.add(t.get_id())
        if t.decl().kind() in _INT_DIVISIONS and z3.is_int_value(t.arg(1)) \
                and t.arg(1).as_long() == 0:
            zeros.append((t, z3.IntVal(0) if t.sort() == z3.IntSort() else z3.RealVal(0)))
        else:
            todo.extend(t.children())
    return z3.simplify(z3.substitute(v, *zeros)) if zeros else v


def const_like(c: z3.ExprRef, value) -> z3.ExprRef:
    if isinstance(value, z3.ExprRef):      # a value that is a term (an array's contents)
        return value
    s = c.sort()
    if s.kind() == z3.Z3_BV_SORT:
        return z3.BitVecVal(int(value) % (1 << s.size()), s.size())
    if s.kind() == z3.Z3_BOOL_SORT:
        return z3.BoolVal(bool(value))
    return z3.IntVal(int(value))


def _py(v):
    if z3.is_true(v):
        return True
    if z3.is_false(v):
        return False
    if z3.is_bv_value(v):
        return v.as_long()
    if z3.is_int_value(v):
        return v.as_long()
    raise ValueError(f"not a constant: {v}")


@dataclass
class Result:
    status: str                      # 'sat' | 'unsat' | 'unknown'
    model: Optional[Model] = None
    time_ms: float = 0.0
    cached: bool = False
    reason: str = ""                 # for 'unknown': 'timeout after 5000 ms', ...
    timeout_ms: int = 0
    solver: str = "z3"               # which solver decided it (see portfolio.py)


@dataclass
class Stats:
    queries: int = 0
    solver_calls: int = 0
    cache_hits: int = 0
    solver_ms: float = 0.0


STATS = Stats()


def free_consts(terms) -> dict[str, z3.ExprRef]:
    """Uninterpreted constants (the query's variables) by name, in the order a depth-first
    walk meets them.  Walks z3's raw ASTs: the range facts of the integer model ask this
    of every new assertion, and a Python wrapper per node cost more than z3's solving."""
    Z = z3core
    seen: dict[str, z3.ExprRef] = {}
    todo = [(t.ctx, t.as_ast()) for t in terms]
    visited = set()
    while todo:
        ctx, p = todo.pop()
        c = ctx.ref()
        tid = Z.Z3_get_ast_id(c, p)
        if tid in visited:
            continue
        visited.add(tid)
        kind = Z.Z3_get_ast_kind(c, p)
        if kind == z3.Z3_QUANTIFIER_AST:
            todo.append((ctx, Z.Z3_get_quantifier_body(c, p)))
        elif kind != z3.Z3_APP_AST:
            continue
        else:
            n = Z.Z3_get_app_num_args(c, p)
            d = Z.Z3_get_app_decl(c, p)
            if n == 0 and Z.Z3_get_decl_kind(c, d) == z3.Z3_OP_UNINTERPRETED:
                seen[z3.z3._symbol2py(ctx, Z.Z3_get_decl_name(c, d))] = \
                    z3.z3._to_expr_ref(p, ctx)
            else:
                todo.extend((ctx, Z.Z3_get_app_arg(c, p, j)) for j in range(n))
    return seen


def check(assertions: list, *, timeout_ms: int = 5000, cache=None,
          cancel: Optional[CancelToken] = None, rlimit: int = 0,
          quick_ms: int = 0, racer=None, parts: Optional[tuple] = None) -> Result:
    """Decide the conjunction of assertions.  Uses and fills the lemma cache.

    parts: (index of the negated goal, number of the engine's own assertions) — only
    used to annotate the query when proofs are recorded (recorder.py).
    """
    res = _check(assertions, timeout_ms, cache, cancel, rlimit, quick_ms, racer)
    rec = _recording()
    if rec is not None:
        rec.add(assertions, res, parts)
    return res


def _check(assertions: list, timeout_ms: int, cache, cancel: Optional[CancelToken],
           rlimit: int, quick_ms: int, racer) -> Result:
    """check() without the recording.

    racer(assertions, timeout_ms, z3_solve, cancel): decides instead of z3 alone.
    quick_ms > 0: first try the solver alone for that long; a query it settles that fast is
    cheaper to re-solve than to canonicalize and look up, so only slower queries go through
    the cache."""
    if cancel is not None:
        cancel.check()
    STATS.queries += 1
    if cache is not None and 0 < quick_ms < timeout_ms:
        res = _solve(assertions, quick_ms, rlimit, cancel)
        if res.status != "unknown":
            res.timeout_ms = timeout_ms
            return res
    key = None
    if cache is not None:
        key, names = query_key(assertions, timeout_ms=timeout_ms)
        try:   # a failing cache or a malformed entry never breaks verification
            entry = cache.get(key)
            hit = _from_cache(entry, assertions, names, timeout_ms) if entry else None
        except Exception:
            entry = hit = None
        if hit is not None:
            STATS.cache_hits += 1
            return hit
        if entry and hasattr(cache, "note_rejected"):
            cache.note_rejected(key)   # stale or damaged: a miss, not a hit, in the stats
    if racer is not None:     # e.g. portfolio.solve: z3 first, then other solvers
        res = racer(assertions, timeout_ms, lambda ms: _solve(assertions, ms, rlimit, cancel),
                    cancel)
    else:
        res = _solve(assertions, timeout_ms, rlimit, cancel)
    if cache is not None and key is not None:
        try:
            cache.put(key, _to_cache(res, names, assertions))
        except Exception:   # a failing cache never breaks verification
            pass
    return res


def _solve(assertions: list, timeout_ms: int, rlimit: int,
           cancel: Optional[CancelToken]) -> Result:
    t0 = time.perf_counter()
    s = z3.SimpleSolver() if _linear_integers(assertions) else z3.Solver()
    s.set("timeout", int(timeout_ms))
    if rlimit:
        s.set("rlimit", int(rlimit))
    s.add(*assertions)
    if cancel is not None:
        cancel._attach(s.ctx)
    try:
        r = s.check()
    finally:
        if cancel is not None:
            cancel._attach(None)
    dt = (time.perf_counter() - t0) * 1000
    STATS.solver_calls += 1
    STATS.solver_ms += dt
    if cancel is not None and cancel.cancelled:
        raise Cancelled()
    if r == z3.sat:
        return Result("sat", Model(s.model()), dt, timeout_ms=timeout_ms)
    if r == z3.unsat:
        return Result("unsat", None, dt, timeout_ms=timeout_ms)
    why = s.reason_unknown()
    if why in ("timeout", "canceled") or "timeout" in why:
        why = f"timeout after {timeout_ms} ms"
    return Result("unknown", None, dt, reason=why, timeout_ms=timeout_ms)


def _linear_integers(assertions: list) -> bool:
    """Linear integer arithmetic (no bit-vectors, no nonlinear term): z3's SMT core then
    decides at once, while its default solver first runs the QF_LIA tactic, which on the
    integer model's type ranges (x in [-2^31, 2^31-1]) turns to bounded-integer
    preprocessing and took 30-300 ms on queries the core answers in under 1 ms (half of
    the z3 time on examples/).  Bit-vector and nonlinear queries keep the default solver
    (its bit-blasting and nlsat tactics are what decide them)."""
    return not has_bitvectors(assertions) and not nonlinear_int(assertions)


def _to_cache(res: Result, names: dict[str, str], assertions: Optional[list] = None) -> dict:
    entry = {"status": res.status, "time_ms": res.time_ms, "timeout_ms": res.timeout_ms,
             "reason": res.reason, "solver": res.solver}
    if res.status == "unsat" and assertions is not None:
        # the digest of the SMT-LIB text that was proved (recorder.core_text), so a shared
        # entry can be matched with an emitted obligation and re-checked by anyone
        entry["smt2_sha256"] = _digest(_core_text(assertions))
    if res.status == "sat" and res.model is not None:
        vals = res.model.as_dict()
        entry["model"] = {names[n]: v for n, v in vals.items() if n in names}
    return entry


def _from_cache(entry: dict, assertions: list, names: dict[str, str],
                timeout_ms: int) -> Optional[Result]:
    """Rebuild a Result from a cache entry; None when it cannot be trusted or reused."""
    status = entry.get("status")
    if status == "unknown":
        # a later run with a larger time limit retries
        if int(entry.get("timeout_ms", 0)) < timeout_ms:
            return None
        return Result("unknown", None, 0.0, cached=True, reason=entry.get("reason", ""),
                      timeout_ms=timeout_ms)
    if status == "unsat":
        return Result("unsat", None, 0.0, cached=True, timeout_ms=timeout_ms,
                      solver=str(entry.get("solver", "z3")))
    if status == "sat":
        back = {canon: orig for orig, canon in names.items()}
        values = {back[c]: v for c, v in (entry.get("model") or {}).items() if c in back}
        decls = free_consts(assertions)
        m = Model(values=values, decls=decls)
        try:   # re-check: a damaged entry must never become a wrong counterexample
            if all(m.eval(a) is True for a in assertions):
                return Result("sat", m, 0.0, cached=True, timeout_ms=timeout_ms,
                              solver=str(entry.get("solver", "z3")))
        except Exception:
            return None
        return None
    return None
