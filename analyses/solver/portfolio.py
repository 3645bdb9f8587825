"""A portfolio of solvers for one query: z3 in-process for a first slice of the budget
(at most FIRST_MS), then, if it did not decide, z3, Bitwuzla and cvc5 raced in killable processes for the
rest.  The first definite answer wins.  A 'sat' from any solver is accepted only when its
model, read back into z3 terms, satisfies every assertion (so it can be turned into
concrete inputs and re-run on the interpreter like any z3 model).

A nonlinear integer query (backends.nonlinear_int) never runs in-process: z3 may overrun
any time limit on it, so its first slice runs in a killable forked child (forked.py).
"""
from __future__ import annotations

import select
import time
from typing import Callable, Optional

import z3

from . import backends as B, forked
from .query import Cancelled, Model, Result, free_consts

FIRST_MS = 1000             # z3 alone, in-process, first (z3 may overrun a long time
                            # limit on nonlinear integer queries; a killed process cannot)
MIN_RACE_MS = 250           # a remaining budget below this is not worth new processes
POLL_S = 0.01
FORCE: Optional[str] = None  # tests: every query to this solver first (if it can read it)


def solve(assertions: list, timeout_ms: int, z3_solve: Callable[[int], Result],
          cancel=None, only: Optional[tuple] = None,
          first_ms: Optional[int] = None) -> Result:
    """first_ms: z3's in-process slice (default FIRST_MS; 0: every solver in a process).
    only: the backends that may race (default: every installed one that reads the
    query's theory); ('z3',) keeps z3 alone but bounds its time by a killable process."""
    t0 = time.perf_counter()
    if FORCE is not None and FORCE in B.backends_for(assertions):
        res = race(assertions, [FORCE], timeout_ms, cancel)
        if res.status != "unknown":
            res.timeout_ms = timeout_ms
            return res
    risky = first_ms is None and forked.available() and B.nonlinear_int(assertions)
    if risky and [n for n in B.backends_for(assertions) if only is None or n in only] \
            == ["z3"]:
        first_ms = timeout_ms     # z3 alone: one child for the whole limit, no restart
    first_ms = min(FIRST_MS if first_ms is None else first_ms, timeout_ms)
    if first_ms > 0:          # 0: nothing in-process (a retry whose z3 may blow up)
        # a nonlinear query's first slice: z3 in a forked child, in-process z3 could
        # overrun its limit (forked.py); the other solvers' interpreters start only after
        r = race(assertions, ["z3"], first_ms, cancel) if risky else z3_solve(first_ms)
        if r.status != "unknown" or first_ms >= timeout_ms:
            r.timeout_ms = timeout_ms
            return r
    remaining = timeout_ms - int((time.perf_counter() - t0) * 1000)
    names = [n for n in B.backends_for(assertions) if only is None or n in only]
    if remaining < MIN_RACE_MS:     # not worth starting interpreters; a fork is cheap
        names = ["z3"] if "z3" in names and forked.available() and remaining >= 20 else []
        if not names:
            return _unknown(timeout_ms, t0, ["z3"])
    res = race(assertions, names, remaining, cancel)
    res.time_ms = (time.perf_counter() - t0) * 1000
    res.timeout_ms = timeout_ms
    if res.status == "unknown":
        return _unknown(timeout_ms, t0, ["z3"] + [n for n in names if n != "z3"])
    return res


def _unknown(timeout_ms: int, t0: float, names: list) -> Result:
    return Result("unknown", None, (time.perf_counter() - t0) * 1000,
                  reason=f"timeout after {timeout_ms} ms ({', '.join(names)})",
                  timeout_ms=timeout_ms)


def race(assertions: list, names: list, timeout_ms: int, cancel=None) -> Result:
    """Run the named backends in parallel processes; the first definite, checked answer."""
    if not names:
        return Result("unknown", None, 0.0, reason="no solver")
    t0 = time.perf_counter()
    procs = {}
    if "z3" in names and forked.available():     # no interpreter to start, no text
        procs["z3"] = forked.ForkedZ3(assertions, timeout_ms)
    spawned = [n for n in names if n not in procs]
    text = B.smt2(assertions) if spawned else ""
    procs.update((n, B.start(n, text, timeout_ms)) for n in spawned)
    # workers enforce their own limit too; a spawned one needs time to start first
    deadline = t0 + timeout_ms / 1000 + (0.5 if spawned else 0.1)
    try:
        while procs and time.perf_counter() < deadline:
            if cancel is not None and cancel.cancelled:
                raise Cancelled()
            for n, p in list(procs.items()):
                if p.poll() is None:
                    continue
                del procs[n]
                got = _accept(_answer(p), n, assertions)
                if got is not None:
                    got.time_ms = (time.perf_counter() - t0) * 1000
                    return got
            _wait(procs.values())
        return Result("unknown", None, (time.perf_counter() - t0) * 1000,
                      reason=f"timeout after {timeout_ms} ms")
    finally:
        for p in procs.values():
            p.stop() if isinstance(p, forked.ForkedZ3) else B.stop(p)


def _wait(procs) -> None:
    """Sleep POLL_S, or less when a forked child writes its answer."""
    fds = [p.fileno() for p in procs if isinstance(p, forked.ForkedZ3) and p.fileno() >= 0]
    if fds:
        select.select(fds, [], [], POLL_S)
    else:
        time.sleep(POLL_S)


def _answer(p) -> dict:
    return p.answer() if isinstance(p, forked.ForkedZ3) else B.answer(p)


def _accept(ans: dict, name: str, assertions: list) -> Optional[Result]:
    status = ans.get("status")
    if status == "unsat":
        return Result("unsat", None, solver=name)
    if status != "sat":
        return None
    values = dict(ans.get("model") or {})
    decls = _consts(ans.get("sorts"), values) if not ans.get("terms") else None
    if decls is None:
        decls = free_consts(assertions)
    for k, text in (ans.get("terms") or {}).items():     # arrays' contents (forked.py)
        if k in decls:
            try:
                values[k] = _term(decls[k], text)
            except (z3.Z3Exception, IndexError):
                return None
    model = Model(values=values, decls=decls)
    try:    # a model we cannot confirm in z3 is never used
        if all(model.eval(a) is True for a in assertions):
            return Result("sat", model, solver=name)
    except Exception:
        return None
    return None


def _term(const, text: str):
    """The value `text` (SMT-LIB) of const's sort, as a z3 term."""
    sort = const.sort().sexpr()
    got = z3.parse_smt2_string(f"(declare-const |v!| {sort}) (assert (= |v!| {text}))")
    return got[0].arg(1)


def _consts(sorts, values: dict) -> Optional[dict]:
    """The model's constants rebuilt from their names and sorts (forked.py sends them), or
    None when some sort is missing."""
    if not isinstance(sorts, dict) or set(sorts) != set(values):
        return None
    out = {}
    for name, sort in sorts.items():
        if sort == "int":
            out[name] = z3.Int(name)
        elif sort == "bool":
            out[name] = z3.Bool(name)
        elif isinstance(sort, int) and sort > 0:
            out[name] = z3.BitVec(name, sort)
        else:
            return None
    return out
