"""Loop invariants from constrained Horn clauses (engine/chc.py, solver/horn.py).

Each proof here was "unknown: loop needs an invariant" before (asserted with the CHC step
switched off), and every invariant Spacer returns is re-checked by Houdini before use.
Verdicts are exact; of the invariant shown, the facts the proof needs are checked."""
import os

import pytest
import z3

import veriline.analyses.engine.chc as chc
from veriline.analyses.api import Options, analyze_source, parse
from veriline.analyses.solver.horn import HornClause, HornResult, solve_horn
from findings_kit import one_per_function

DATA = os.path.join(os.path.dirname(__file__), "data")
SAFETY = frozenset({"contract", "overflow"})
# a generous per-query limit: Spacer usually answers in well under a second, but its search
# is chaotic and a loaded CI machine must not turn a proof into "don't know"
OPTS = Options(cache=None, analyses=SAFETY, timeout_ms=10000)
NEEDS = "loop needs an invariant: no counterexample within 8 iterations"


def _run(name, enabled=True, source=None):
    path = os.path.join(DATA, name)
    text = source if source is not None else open(path).read()
    old = chc.ENABLED
    chc.ENABLED = enabled
    try:
        rep = analyze_source(text, path, OPTS)
    finally:
        chc.ENABLED = old
    return {(f.function, f.kind, f.span.line): f for f in rep.findings}


@pytest.fixture(scope="module")
def c():
    return _run("chc_cases.c")


@pytest.fixture(scope="module")
def py():
    return _run("chc_cases.py")


def _conjuncts(f) -> set:
    """The shown invariant's conjuncts (Spacer's answer depends on its search, which is
    chaotic: the tests check the facts the proof needs, not the whole formula)."""
    return set(f.details["invariants"][0].split(" ∧ "))


# ------------------------------------------------------------------ the three patterns (C)

def test_congruence_from_stepping_by_two(c):
    f = c[("step2", "contract", 6)]
    assert f.status == "proved"
    assert f.message == "assertion holds for all inputs (with inferred invariant i % 2 == 0)"
    assert f.details["invariants"] == ["i % 2 == 0"]
    assert c[("step2", "overflow", 5)].status == "proved"      # i += 2 (n <= 1000)


def test_counter_and_accumulator(c):
    post = c[("accumulate", "contract", 20)]
    assert post.status == "proved"
    assert post.message.startswith("assertion holds for all inputs (with inferred invariant ")
    assert "s == 2*i" in _conjuncts(post)
    add = c[("accumulate", "overflow", 19)]          # s += 2: needs s == 2*i and n <= 1000
    assert add.status == "proved"
    assert add.message.startswith("no signed overflow in `s += 2` (with inferred invariant ")


def test_overflow_needing_a_parameter_dependent_bound(c):
    """Spacer finds `s <= 2*i + c` here in well under a second in a fresh process, but its
    search is chaotic: after other queries in the same process (the order of variables
    and terms differs) it may run out of time on the very same clauses.  So: a proof with
    the inferred invariant, or "don't know" because the CHC solver ran out of time —
    never a counterexample, never a proof without the invariant."""
    f = c[("accumulate_overflow_only", "overflow", 27)]
    if f.status == "proved":
        assert f.message.startswith("no signed overflow in `s += 2` (with inferred invariant ")
        assert f.details["note"].startswith("loop invariant inferred by z3's CHC engine")
    else:
        assert f.status == "unknown" and f.reason.endswith("CHC solver: timeout after 10000 ms")


def test_overflow_needing_a_parameter_dependent_bound_in_a_fresh_process():
    """The same function alone in a new process: Spacer's answer is then the proof."""
    import subprocess
    import sys
    code = ("from veriline.analyses.api import Options, parse, verify_function\n"
            f"p = parse(open({os.path.join(DATA, 'chc_cases.c')!r}).read(), 'chc_cases.c')\n"
            "fs = verify_function(p, 'accumulate_overflow_only', Options(cache=None, "
            "analyses=frozenset({'contract', 'overflow'}), timeout_ms=10000))\n"
            "print([f.status for f in fs if 's += 2' in f.message])\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=300, cwd=os.path.dirname(DATA))
    assert out.stdout.strip() == "['proved']", out.stderr[-2000:]


def test_relation_with_an_unread_parameter(c):
    """j == m + 3*i: m is not read in the loop, but it is a predicate argument."""
    for kind, line in (("overflow", 34), ("contract", 35)):
        f = c[("shifted", kind, line)]
        assert f.status == "proved"
        assert _conjuncts(f) & {"j == 3*i + m", "j == m + 3*i"}


def test_all_were_unknown_without_chc():
    off = _run("chc_cases.c", enabled=False)
    for key in (("step2", "contract", 6), ("accumulate", "contract", 20),
                ("accumulate", "overflow", 19), ("accumulate_overflow_only", "overflow", 27),
                ("shifted", "contract", 35), ("shifted", "overflow", 34)):
        assert off[key].status == "unknown"
        assert off[key].reason.startswith(NEEDS)
    offp = _run("chc_cases.py", enabled=False)
    for key in (("step2", "contract", 5), ("triple", "contract", 15),
                ("countdown", "contract", 25)):
        assert offp[key].status == "unknown"


# ------------------------------------------------------------------ false properties, limits

def test_false_properties_get_counterexamples_not_proofs(c):
    wrong = c[("accumulate_wrong", "contract", 43)]
    assert wrong.status == "counterexample"
    assert wrong.counterexample.inputs == {"n": 5}     # (any n: s == 2n, never 2n + 1)
    assert wrong.counterexample.confirmed is None or wrong.counterexample.confirmed
    big = c[("big_steps", "overflow", 50)]
    assert big.status == "counterexample"
    assert big.counterexample.inputs == {"n": 3}
    assert big.counterexample.values_at_failure == {"left": 2000000000, "right": 1000000000}


def test_real_overflow_far_away_stays_unknown(c):
    """i += 2 overflows for n = INT_MAX after ~10^9 iterations: no ✓, an honest ?."""
    f = c[("step2_unbounded", "overflow", 12)]
    assert f.status == "unknown"
    assert f.reason.startswith(NEEDS + ", and the inferred invariants do not prove it; ")
    assert c[("step2_unbounded", "contract", 13)].status == "proved"


def test_nonlinear_invariant_stays_unknown_with_reason(c, py):
    f = c[("product", "contract", 60)]
    assert f.status == "unknown"
    assert f.reason.startswith(NEEDS + ", and the inferred invariants do not prove it; ")
    sq = py[("square", "contract", 45)]
    assert sq.status == "unknown" and "CHC solver" in sq.reason


# ------------------------------------------------------------------ Python

def test_python_loops(py):
    assert py[("step2", "contract", 5)].details["invariants"] == ["i % 2 == 0"]
    assert py[("step2", "contract", 5)].status == "proved"
    t = py[("triple", "contract", 15)]
    assert t.status == "proved" and "s == 3*i" in _conjuncts(t)
    d = py[("countdown", "contract", 25)]
    assert d.status == "proved" and _conjuncts(d) & {"2*k + t == 2*n", "t + 2*k == 2*n"}
    w = py[("wrong", "contract", 35)]
    assert w.status == "counterexample" and w.counterexample.inputs == {"n": 3}


# ------------------------------------------------------------------ soundness guard

BAD_INVARIANTS = [
    ("false", lambda xs: z3.BoolVal(False)),            # not initially true
    ("i <= 0", lambda xs: xs[0] <= 0),                  # initially true, not preserved
    ("i >= 0", lambda xs: xs[0] >= 0),                  # inductive, does not prove it
]


@pytest.mark.parametrize("label,make", BAD_INVARIANTS, ids=[b[0] for b in BAD_INVARIANTS])
def test_a_wrong_invariant_from_spacer_never_proves(monkeypatch, label, make):
    """Spacer 'returns' an invariant that would prove the real overflow of i += 2 (or a
    useless one): the re-check drops it, the verdict stays unknown."""
    def fake(clauses, preds, **kw):
        out = HornResult("sat")
        for p in preds:
            xs = [z3.Const(f"x{k}", p.domain(k)) for k in range(p.arity())]
            out.interpretation[p.name()], out.args[p.name()] = make(xs), xs
        return out
    monkeypatch.setattr(chc, "solve_horn", fake)
    src = ("void f(int n) {\n    int i = 0;\n    while (i < n) i += 2;\n}\n")
    got = analyze_source(src, "/tmp/chc_guard.c", OPTS).findings
    f = next(f for f in got if f.kind == "overflow" and f.span.line == 3)
    assert f.status == "unknown"
    if label == "i >= 0":
        assert f.reason.endswith("; the inferred invariant i >= 0 does not prove it")
    else:
        assert f.reason.endswith("did not pass the invariant checks")


def test_spacer_unsat_is_only_a_hint(monkeypatch):
    monkeypatch.setattr(chc, "solve_horn", lambda clauses, preds, **kw: HornResult("unsat"))
    got = _run("chc_cases.py", source="def f(n: int) -> int:\n    i = 0\n    while i < n:\n"
                                      "        i += 2\n    assert i % 2 == 0\n    return i\n")
    f = got[("f", "contract", 5)]
    assert f.status == "unknown" and "derivation of the failure" in f.reason


# ------------------------------------------------------------------ solver layer, hover

def test_solve_horn_answers():
    i, n = z3.Ints("i n")
    inv = z3.Function("Inv", z3.IntSort(), z3.IntSort(), z3.BoolSort())
    base = [HornClause([n >= 0], inv(0, n)),
            HornClause([inv(i, n), i < n], inv(i + 1, n))]
    safe = solve_horn(base + [HornClause([inv(i, n), i > n])], [inv], timeout_ms=5000)
    assert safe.status == "sat"
    x = safe.args["Inv"]
    # the interpretation excludes the bad states and contains the initial ones
    assert z3.Solver().check(safe.interpretation["Inv"], x[0] > x[1]) == z3.unsat
    s = z3.Solver()
    s.add(z3.substitute(safe.interpretation["Inv"], (x[0], z3.IntVal(0))), x[1] >= 0,
          z3.Not(z3.substitute(safe.interpretation["Inv"], (x[0], z3.IntVal(0)))))
    assert s.check() == z3.unsat
    bad = solve_horn(base + [HornClause([inv(i, n), i == 3])], [inv], timeout_ms=5000)
    assert bad.status == "unsat"


def test_spacer_answers_go_into_the_lemma_cache(tmp_path):
    """A second identical Horn query is answered from the cache (no Spacer call) with an
    equivalent interpretation; a damaged entry is a miss, solved again."""
    from veriline.analyses.cache import open_cache
    from veriline.analyses.solver.query import STATS
    i, n = z3.Ints("i n")
    inv = z3.Function("Inv", z3.IntSort(), z3.IntSort(), z3.BoolSort())
    clauses = [HornClause([n >= 0], inv(0, n)), HornClause([inv(i, n), i < n], inv(i + 1, n)),
               HornClause([inv(i, n), i > n])]
    cache = open_cache(str(tmp_path / "c.sqlite"))
    first = solve_horn(clauses, [inv], timeout_ms=5000, cache=cache)
    assert first.status == "sat"
    calls, hits = STATS.solver_calls, STATS.cache_hits
    again = solve_horn(clauses, [inv], timeout_ms=5000, cache=cache)
    assert (STATS.solver_calls, STATS.cache_hits) == (calls, hits + 1)
    assert again.status == "sat" and [str(x) for x in again.args["Inv"]] == \
        [str(x) for x in first.args["Inv"]]
    s = z3.Solver()
    s.add(again.interpretation["Inv"] != first.interpretation["Inv"])
    assert s.check() == z3.unsat
    bad = solve_horn(clauses[:2] + [HornClause([inv(i, n), i == 3])], [inv],
                     timeout_ms=5000, cache=cache)
    assert bad.status == "unsat"
    assert solve_horn(clauses[:2] + [HornClause([inv(i, n), i == 3])], [inv],
                      timeout_ms=5000, cache=cache).status == "unsat"
    assert STATS.cache_hits == hits + 2
    # damage every entry: each lookup is then a miss and Spacer runs again
    import veriline.analyses.solver.horn as horn
    key = horn._cache_key(clauses, [inv], {"Inv"})
    cache.put(key, {"horn": 1, "status": "sat", "interpretation": {"Inv": "(and"}})
    calls = STATS.solver_calls
    redo = solve_horn(clauses, [inv], timeout_ms=5000, cache=cache)
    assert redo.status == "sat" and STATS.solver_calls > calls


def test_hover_shows_the_inferred_invariant():
    from veriline.server import convert
    from veriline.server.scheduler import DocResults, FunctionResult
    path = os.path.join(DATA, "chc_cases.py")
    text = open(path).read()
    prog = parse(text, path)
    res = DocResults("file:///chc_cases.py", 1, prog)
    rep = analyze_source(text, path, OPTS)
    res.functions["step2"] = FunctionResult(
        "step2", "fp", [f for f in rep.findings if f.function == "step2"], True, {})
    md = convert.hover_markdown(res, 5, 5, "assert")
    assert "Inferred loop invariant (z3's CHC engine, re-checked): `i % 2 == 0`" in md


# ------------------------------------------------------------------ termination

TERM = Options(cache=None, analyses=frozenset({"termination"}), timeout_ms=2000)
EVEN_DOWN_C = """void even_down(int n) {
    if (n < 0 || n > 1000) return;
    int x = 2 * n;
    while (x != 0) x -= 2;
}

void up_to(int n) {
    if (n < 0 || n > 1000) return;
    int i = 0;
    while (i != 2 * n) i += 2;
}

void odd_start(int n) {
    if (n < 0 || n > 1000) return;
    int x = 2 * n + 1;
    while (x != 0) x -= 2;
}
"""
EVEN_DOWN_PY = """def even_down(n: int) -> None:
    if n < 0:
        return
    x = 2 * n
    while x != 0:
        x -= 2
"""


def _term(src, path, enabled=True):
    old = chc.ENABLED
    chc.ENABLED = enabled
    try:
        return one_per_function(analyze_source(src, path, TERM).findings)
    finally:
        chc.ENABLED = old


def test_ranking_supported_by_an_inferred_congruence():
    got = _term(EVEN_DOWN_C, "/tmp/chc_term.c")
    f = got["even_down"]
    assert f.status == "proved"
    assert f.message.startswith("terminates: x decreases by at least 1 each iteration and "
                                "stays >= 0 (with inferred invariant ")
    assert "x % 2 == 0" in f.message
    assert "x % 2 == 0 (inferred)" in f.details["invariants"]
    g = got["up_to"]
    assert g.status == "proved" and g.details["measure"] == ["(2 * n) - i"]
    assert "i <= 2*n (inferred)" in g.details["invariants"]
    # x odd: the loop never ends (x goes below 0 and on): a witness, not a proof
    odd = got["odd_start"]
    assert odd.status == "counterexample"
    assert 0 <= odd.counterexample.inputs["n"] <= 1000      # (z3's model: any n will do)
    py = _term(EVEN_DOWN_PY, "/tmp/chc_term.py")["even_down"]
    assert py.status == "proved" and "x % 2 == 0 (inferred)" in py.details["invariants"]


def test_termination_was_unknown_without_chc():
    got = _term(EVEN_DOWN_C, "/tmp/chc_term.c", enabled=False)
    for name in ("even_down", "up_to"):
        assert got[name].status == "unknown"
        assert got[name].reason.startswith("no ranking function found")


def test_a_wrong_invariant_never_proves_termination(monkeypatch):
    """'x >= 0' would make x a ranking function of the odd loop, which never ends: the
    re-check drops it."""
    def fake(clauses, preds, **kw):
        out = HornResult("sat")
        for p in preds:
            xs = [z3.Const(f"x{k}", p.domain(k)) for k in range(p.arity())]
            out.interpretation[p.name()], out.args[p.name()] = xs[0] >= 0, xs
        return out
    monkeypatch.setattr(chc, "solve_horn", fake)
    src = EVEN_DOWN_C.split("void odd_start")[1]
    f = _term("void odd_start" + src, "/tmp/chc_term_odd.c")["odd_start"]
    assert f.status == "counterexample"


# ------------------------------------------------------------------ random loops

def test_random_loops_proofs_hold_on_real_runs():
    """Counter/accumulator loops with random constants and postconditions: every ✓ (most
    now come from CHC invariants) holds for n in [-10, 60), every ✗ fails when run."""
    import random
    r = random.Random(3)
    proved = 0
    for _ in range(12):
        a, b, c, d = r.randint(-3, 5), r.randint(-3, 3), r.randint(-4, 6), r.randint(1, 3)
        m = r.randint(2, 4)
        post = r.choice([f"s == {c}*((i - {b}) // {d}) + {a}", f"s % {m} == {a % m}",
                         f"i % {d} == {b % d}", f"s <= {c} * i + {abs(a) + 3}",
                         f"i <= n + {d - 1}", f"i < n + {d - 1}",
                         f"(s - {a}) % {max(1, abs(c))} == 0"])
        src = (f"def f(n: int) -> int:\n    s = {a}\n    i = {b}\n    while i < n:\n"
               f"        s += {c}\n        i += {d}\n    assert {post}\n    return s\n")
        f = next(f for f in analyze_source(src, "/tmp/chc_rand.py", OPTS).findings
                 if f.kind == "contract")
        ns: dict = {}
        exec(src, ns)
        if f.status == "proved":
            proved += 1
            for n in range(-10, 60):
                ns["f"](n)                  # raises AssertionError if the ✓ were wrong
        elif f.status == "counterexample":
            with pytest.raises(AssertionError):
                ns["f"](f.counterexample.inputs["n"])
    assert proved >= 6


def test_an_unchanged_loop_gets_spacer_s_answer_from_the_cache(tmp_path, monkeypatch):
    """With the function-level cache out of the way (as when another part of the function
    changed), the same loop's Horn query is a cache hit and the proof is the same."""
    import veriline.analyses.api as api
    import veriline.analyses.solver.horn as horn
    from veriline.analyses.cache import open_cache
    monkeypatch.setattr(api, "cached_findings", lambda *a, **k: None)
    monkeypatch.setattr(api, "_file_from_cache", lambda *a, **k: None)
    looked = []

    def spy(*a, **k):
        hit = real(*a, **k)
        looked.append(hit is not None)
        return hit
    real = horn._from_cache
    monkeypatch.setattr(horn, "_from_cache", spy)
    src = open(os.path.join(DATA, "chc_cases.c")).read().split("void step2_unbounded")[0]
    opts = Options(cache=open_cache(str(tmp_path / "c.sqlite")), analyses=SAFETY,
                   timeout_ms=10000)
    first = analyze_source(src, "/tmp/chc_cached.c", opts).findings
    assert looked and not any(looked)
    looked.clear()
    again = analyze_source(src, "/tmp/chc_cached.c", opts).findings
    assert looked and all(looked)
    shown = [(f.kind, f.span.line, f.status, f.message) for f in first]
    assert shown == [(f.kind, f.span.line, f.status, f.message) for f in again]
    assert ("contract", 6, "proved",
            "assertion holds for all inputs (with inferred invariant i % 2 == 0)") in shown
