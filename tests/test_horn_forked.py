"""Spacer runs in a killable forked child (solver/horn.py over solver/forked.py): an
overrun is "unknown: CHC solver: timeout after N ms" and its child is killed and reaped,
a cancel kills it too, the answer's interpretation comes back as the very term an
in-process run gives, cache hits never fork, and without os.fork Spacer runs in-process.
No wall-clock assertions: the hang is a test job that ignores every limit."""
from __future__ import annotations

import os
import threading
import time

import pytest
import z3

from veriline.analyses.solver import Cancelled, CancelToken, forked, horn
from veriline.analyses.solver.horn import HornClause, solve_horn

pytestmark = pytest.mark.skipif(not forked.available(), reason="no os.fork")

I, N = z3.Ints("i n")
INV = z3.Function("Inv", z3.IntSort(), z3.IntSort(), z3.BoolSort())
SAFE = [HornClause([N >= 0], INV(0, N)), HornClause([INV(I, N), I < N], INV(I + 1, N)),
        HornClause([INV(I, N), I > N])]


@pytest.fixture
def children(monkeypatch):
    """Every ForkedCall started, to check each was reaped."""
    started = []
    real = forked.ForkedCall.__init__

    def spy(self, job, timeout_ms):
        real(self, job, timeout_ms)
        started.append(self)
    monkeypatch.setattr(forked.ForkedCall, "__init__", spy)
    return started


def reaped(call) -> bool:
    try:
        os.kill(call.pid, 0)
    except ProcessLookupError:
        return call.poll() is not None
    return False


def hang(*_args):
    time.sleep(3600)        # as Spacer can: past its limit, deaf to interrupts


def test_an_overrunning_spacer_is_killed_and_reaped(monkeypatch, children):
    monkeypatch.setattr(horn, "_spacer_answer", hang)
    out = solve_horn(SAFE, [INV], timeout_ms=90)
    assert (out.status, out.reason) == ("unknown", "CHC solver: timeout after 90 ms")
    assert len(children) == len(horn.SEEDS)         # each seed's run killed in turn
    assert all(reaped(c) for c in children)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)                  # no zombie left


def test_a_real_query_past_a_tiny_limit_is_unknown(children):
    """y == x*x needs a nonlinear invariant: Spacer cannot settle it in 30 ms."""
    x, y = z3.Ints("x y")
    sq = z3.Function("Sq", z3.IntSort(), z3.IntSort(), z3.BoolSort())
    clauses = [HornClause([x == 0, y == 0], sq(x, y)),
               HornClause([sq(x, y)], sq(x + 1, y + 2 * x + 1)),
               HornClause([sq(x, y), y != x * x])]
    out = solve_horn(clauses, [sq], timeout_ms=30)
    assert (out.status, out.reason) == ("unknown", "CHC solver: timeout after 30 ms")
    assert children and all(reaped(c) for c in children)


def test_a_cancel_kills_the_child(monkeypatch, children):
    monkeypatch.setattr(horn, "_spacer_answer", hang)
    token = CancelToken()
    threading.Timer(0.2, token.cancel).start()
    with pytest.raises(Cancelled):
        solve_horn(SAFE, [INV], timeout_ms=3_600_000, cancel=token)
    assert len(children) == 1 and reaped(children[0])


def test_the_forked_answer_is_the_in_process_term(children):
    here = horn._solve_here(SAFE, [INV], {"Inv"}, 5000, 0, None)
    there = horn._solve_forked(SAFE, [INV], {"Inv"}, 5000, 0, None)
    assert (here.status, there.status) == ("sat", "sat")
    assert there.interpretation["Inv"].eq(here.interpretation["Inv"])   # the same term
    assert [str(x) for x in there.args["Inv"]] == ["chc!Inv!0", "chc!Inv!1"]
    bad = SAFE[:2] + [HornClause([INV(I, N), I == 3])]
    assert solve_horn(bad, [INV], timeout_ms=5000).status == "unsat"
    assert len(children) == 2 and all(reaped(c) for c in children)


def test_negative_numerals_come_back_as_numerals():
    x = z3.Int("chc!P!0")
    p = z3.Function("P", z3.IntSort(), z3.BoolSort())
    f = z3.And(x * -2 + 3 <= -1, x != -7)
    got = horn._rebuilt([p], {"P": f.sexpr()}).interpretation["P"]
    assert "(- 2)" in f.sexpr() and got.eq(f)


def test_cache_hits_never_fork(tmp_path, monkeypatch, children):
    from veriline.analyses.cache import open_cache
    cache = open_cache(str(tmp_path / "c.sqlite"))
    assert solve_horn(SAFE, [INV], timeout_ms=5000, cache=cache).status == "sat"
    assert len(children) == 1
    assert solve_horn(SAFE, [INV], timeout_ms=5000, cache=cache).status == "sat"
    assert len(children) == 1


def test_without_fork_spacer_runs_in_process(monkeypatch, children):
    monkeypatch.setattr(forked, "available", lambda: False)
    out = solve_horn(SAFE, [INV], timeout_ms=5000)
    assert out.status == "sat" and children == []
    x = out.args["Inv"]
    assert z3.Solver().check(out.interpretation["Inv"], x[0] > x[1]) == z3.unsat


def test_a_child_that_fails_is_an_unknown_naming_the_chc_solver(monkeypatch, children):
    def boom(*_args):
        raise MemoryError()
    monkeypatch.setattr(horn, "_spacer_answer", boom)
    out = solve_horn(SAFE, [INV], timeout_ms=5000)
    assert (out.status, out.reason) == ("unknown", "CHC solver: z3: out of memory")
    assert len(children) == 1 and reaped(children[0])
