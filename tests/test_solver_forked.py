"""Nonlinear integer queries run only in a killable forked z3 (solver/forked.py): z3 may
overrun any time limit on them in-process.  Exact answers, models checked like any other
solver's, children always reaped."""
import os
import threading

import pytest
import z3

from veriline.analyses.solver import Cancelled, CancelToken, Model, backends as B, forked
from veriline.analyses.solver import portfolio
from veriline.analyses.solver.query import Result

pytestmark = pytest.mark.skipif(not forked.available(), reason="no os.fork")


def test_which_queries_are_nonlinear():
    x, y = z3.Ints("x y")
    assert B.nonlinear_int([x * y > 3])
    assert B.nonlinear_int([x / y == 2])
    assert B.nonlinear_int([x % (y + 1) == 0])
    assert not B.nonlinear_int([x * 3 + y > 2, x / 2 == 1, x % 7 == 3])
    # the engine's C division by a constant: `x / (2 >= 0 ? 2 : -2)`
    k = z3.If(z3.IntVal(2) >= 0, z3.IntVal(2), z3.IntVal(-2))
    assert not B.nonlinear_int([x / k == 1])
    a, b = z3.BitVecs("a b", 32)
    assert not B.nonlinear_int([a * b == 6])       # bit-vectors: z3 stops on time there
    # which queries have bit-vector terms (query.py gives the others to the SMT core)
    assert B.has_bitvectors([a * b == 6]) and B.has_bitvectors([x > 0, z3.BV2Int(a) > x])
    assert not B.has_bitvectors([x * y > 3, x > 0]) and not B.has_bitvectors([x > 0])


def _nonlinear_reference(assertions) -> bool:
    """The definition, written plainly over z3's Python wrappers."""
    def ground(t):
        return z3.is_int_value(t) or z3.is_rational_value(t) or z3.is_true(t) \
            or z3.is_false(t) or (z3.is_app(t) and t.num_args() > 0
                                  and t.decl().kind() != z3.Z3_OP_UNINTERPRETED
                                  and all(ground(a) for a in t.children()))

    def walk(t):
        if not z3.is_app(t):
            return False
        k = t.decl().kind()
        if k in (z3.Z3_OP_MUL, z3.Z3_OP_POWER) and \
                sum(not ground(a) for a in t.children()) >= 2:
            return True
        if k in (z3.Z3_OP_IDIV, z3.Z3_OP_MOD, z3.Z3_OP_REM, z3.Z3_OP_DIV) \
                and not ground(t.arg(1)):
            return True
        return any(walk(a) for a in t.children())
    return any(walk(a) for a in assertions)


def test_the_fast_walk_and_its_memo_agree_with_the_definition():
    """nonlinear_int walks raw ASTs and remembers linear subterms across calls: random
    terms that share subterms, asked in random order, get the definition's answer."""
    import random
    rnd = random.Random(7)
    xs = list(z3.Ints("p q r")) + [z3.IntVal(3), z3.IntVal(-2), z3.ToInt(z3.RealVal("1/2"))]
    pool = list(xs)
    for _ in range(400):
        a, b = rnd.choice(pool), rnd.choice(pool)
        op = rnd.choice(["+", "-", "*", "/", "%", "ite"])
        if op in "*/%" and rnd.random() < 0.9:
            b = rnd.choice(xs[3:])          # mostly by a literal: linear
        t = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
             "/": lambda: a / b, "%": lambda: a % b,
             "ite": lambda: z3.If(a > b, a, b)}[op]()
        pool.append(t)
        if len(pool) > 60 or (_nonlinear_reference([t == 0]) and rnd.random() < 0.7):
            pool.pop(rnd.randrange(len(xs), len(pool)))
        query = [t > rnd.randint(-5, 5)] + ([pool[-2] == 1] if rnd.random() < 0.5 else [])
        assert B.nonlinear_int(query) == _nonlinear_reference(query), query


def test_forked_child_answers_with_a_model_and_is_reaped():
    x = z3.Int("x")
    r = portfolio.race([x * x == 16, x < 0], ["z3"], 5000)
    assert r.status == "sat" and r.solver == "z3" and r.model.eval(x) == -4
    assert portfolio.race([x * x < 0], ["z3"], 5000).status == "unsat"
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)      # no child left behind


def test_an_array_in_the_model_comes_back_as_a_term():
    x = z3.Int("x")
    a = z3.Array("a", z3.IntSort(), z3.IntSort())
    q = [z3.Select(a, x) * x == 12, x > 2, x < 5, z3.Select(a, 5) == 7]
    r = portfolio.race(q, ["z3"], 5000)
    assert r.status == "sat"
    assert (r.model.eval(x), r.model.eval(z3.Select(a, 5))) == (4, 7)
    assert r.model.eval(z3.Select(a, x)) == 3


def test_a_nonlinear_query_never_runs_in_process():
    x, y = z3.Ints("x y")

    def in_process(ms):
        raise AssertionError("a nonlinear query ran in-process")
    r = portfolio.solve([x * y == 21, x > 1, y > x], 5000, in_process, only=("z3",))
    assert r.status == "sat" and (r.model.eval(x), r.model.eval(y)) == (3, 7)
    # a linear one still gets its in-process slice first
    seen = []
    r = portfolio.solve([x + y == 21], 5000,
                        lambda ms: seen.append(ms) or Result("unsat"), only=("z3",))
    assert r.status == "unsat" and seen == [portfolio.FIRST_MS]


def test_cancel_kills_the_child():
    """A hard query (x³ + y³ = z³) under a token cancelled from another thread: the race
    raises Cancelled and the child is killed and reaped."""
    x, y, z = z3.Ints("x y z")
    hard = [x * x * x + y * y * y == z * z * z, x > 0, y > 0, z > 0]
    token = CancelToken()
    timer = threading.Timer(0.3, token.cancel)
    timer.start()
    with pytest.raises(Cancelled):
        portfolio.race(hard, ["z3"], 60000, token)
    timer.cancel()
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_a_hard_query_is_unknown_at_its_limit():
    x, y, z = z3.Ints("x y z")
    hard = [x * x * x + y * y * y == z * z * z, x > 0, y > 0, z > 0]
    r = portfolio.race(hard, ["z3"], 300)
    assert r.status == "unknown"
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_a_wrong_model_from_the_child_is_refused():
    x = z3.Int("x")
    assert portfolio._accept({"status": "sat", "model": {"x": 1}, "terms": {}}, "z3",
                             [x * x == 4]) is None
    assert portfolio._accept({"status": "sat", "model": {}, "terms": {"x": "(junk"}}, "z3",
                             [x > 0]) is None


def test_a_rebuilt_model_reads_division_by_zero_as_zero():
    """SMT-LIB leaves x div 0 open; a model rebuilt from values fixes it as 0 (the same
    function in every term), instead of failing on a term that is not a value."""
    x, y = z3.Ints("x y")
    m = Model(values={"x": 7, "y": 0}, decls={"x": x, "y": y})
    assert m.eval(x / y) == 0 and m.eval(x % y) == 0
    assert m.eval(z3.If(y == 0, x, x / y)) == 7


def test_spacer_tries_one_seed_on_a_nonlinear_system(monkeypatch):
    """Spacer's time-out on nonlinear clauses comes from the arithmetic: one seed with its
    share of the limit, not every seed in turn (a linear system still gets them all)."""
    from veriline.analyses.solver import horn
    from veriline.analyses.solver.horn import HornClause, HornResult
    calls = []

    def fake(clauses, preds, names, timeout_ms, seed, cancel):
        calls.append((seed, timeout_ms))
        return HornResult("unknown", reason="CHC solver: timeout after 1 ms")
    monkeypatch.setattr(horn, "_solve_once", fake)
    r, n = z3.Ints("r n")
    inv = z3.Function("Inv", z3.IntSort(), z3.IntSort(), z3.BoolSort())
    square = [HornClause([n >= 0], inv(0, n)),
              HornClause([inv(r, n), r * r <= n], inv(r + 1, n)),
              HornClause([inv(r, n), r < 0])]
    got = horn.solve_horn(square, [inv], timeout_ms=900)
    assert got.status == "unknown" and calls == [(0, 300)]
    calls.clear()
    linear = [square[0], HornClause([inv(r, n), r <= n], inv(r + 1, n)), square[2]]
    horn.solve_horn(linear, [inv], timeout_ms=900)
    assert calls == [(0, 300), (1, 300), (2, 300)]


def test_the_child_caps_what_it_adds_to_its_address_space(monkeypatch):
    """The forked child inherits the parent's address space: its cap is that plus
    VERILINE_SOLVER_MEMORY_MB (an absolute cap below it would fail every query)."""
    import resource
    monkeypatch.setenv("VERILINE_SOLVER_MEMORY_MB", "64")
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            with open("/proc/self/statm") as f:
                have = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            forked._cap_memory()
            limit = resource.getrlimit(resource.RLIMIT_AS)[0]
            os.write(w, str(limit - have).encode())
        finally:
            os._exit(0)
    os.close(w)
    extra = int(os.read(r, 100))
    os.close(r)
    os.waitpid(pid, 0)
    assert 64 << 20 <= extra <= (64 << 20) + (4 << 20)


def test_a_nonlinear_query_gets_z3_alone_first(monkeypatch):
    """Portfolio: z3 in a child for the first slice, the other solvers only after it;
    int mode (z3 alone): one child for the whole limit."""
    x, y = z3.Ints("x y")
    calls = []

    def spy(assertions, names, timeout_ms, cancel=None):
        calls.append((list(names), timeout_ms))
        return Result("unknown", reason="timeout") if len(calls) == 1 else Result("unsat")
    monkeypatch.setattr(portfolio, "race", spy)
    monkeypatch.setattr(B, "installed", lambda name: name in ("z3", "cvc5"))

    def in_process(ms):
        raise AssertionError("a nonlinear query ran in-process")
    r = portfolio.solve([x * y == 21], 5000, in_process)
    assert r.status == "unsat"
    assert calls[0] == (["z3"], portfolio.FIRST_MS) and calls[1][0] == ["cvc5", "z3"]
    calls.clear()
    r = portfolio.solve([x * y == 21], 5000, in_process, only=("z3",))
    assert calls == [(["z3"], 5000)] and r.status == "unknown"


def test_the_child_holds_none_of_the_parents_files():
    """A killed `veriline check` worker must not leave a z3 child keeping its caller's
    pipes open: the child closes every inherited descriptor but its answer's."""
    import select
    x, y, z = z3.Ints("x y z")
    hard = [x * x * x + y * y * y == z * z * z, x > 0, y > 0, z > 0]
    r, w = os.pipe()
    child = forked.ForkedZ3(hard, 60000)
    try:
        os.close(w)                   # the only other writer is the child's inherited copy
        ready, _, _ = select.select([r], [], [], 30)
        assert ready and os.read(r, 1) == b""     # end of file: the child closed it
        assert child.poll() is None               # while still solving
    finally:
        child.stop()
        os.close(r)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)
