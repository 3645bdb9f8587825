"""The solver portfolio: portable SMT-LIB text, each backend on its own, checked models,
missing solvers skipped, and the `solver` field of findings."""
import pytest
import z3

from veriline.analyses.api import Options, analyze_source
from veriline.analyses.engine.driver import merge_definite
from veriline.analyses.findings import Finding, finding_from_json
from veriline.analyses.ir import Span
from veriline.analyses.solver import backends as B
from veriline.analyses.solver import check, forked, portfolio
from findings_kit import one_per_function


def need(name):
    if not B.installed(name):
        pytest.skip(f"{name} is not installed")


def test_theory_of_a_query():
    x, b = z3.Int("x"), z3.BitVec("b", 8)
    assert B.theory([x > 1]) == "int"
    assert B.theory([b > 1]) == "bv"
    assert B.theory([z3.BV2Int(b) == x]) == "mixed"
    assert B.theory([z3.Bool("p")]) == "bool"
    assert "bitwuzla" not in B.backends_for([x > 1])
    assert B.backends_for([z3.BV2Int(b) == x]) == ["z3"]


def test_smt2_text_has_no_z3_only_operators():
    a, b = z3.BitVecs("a b", 32)
    q = [z3.Not(z3.And(z3.BVMulNoOverflow(a, b, True), z3.BVMulNoUnderflow(a, b),
                       z3.BVMulNoOverflow(a, b, False)))]
    text = B.smt2(q)
    assert "noovfl" not in text and "noudfl" not in text
    assert "(bvsmulo a b)" in text and "(bvumulo a b)" in text
    assert "declare-fun bvsmulo" not in text


@pytest.mark.parametrize("name", ["z3", "bitwuzla", "cvc5"])
def test_each_backend_decides_a_bit_vector_query_and_its_model_is_checked(name):
    need(name)
    a, b = z3.BitVecs("a@1 b", 16)
    overflow = z3.Not(z3.And(z3.BVMulNoOverflow(a, b, True), z3.BVMulNoUnderflow(a, b)))
    r = portfolio.race([a > 200, b > 200, overflow], [name], 5000)
    assert r.status == "sat" and r.solver == name
    va, vb = r.model.eval(a), r.model.eval(b)
    assert 200 < va < 32768 and 200 < vb < 32768 and va * vb > 32767
    r = portfolio.race([a > 0, a < 100, b > 0, b < 100, overflow], [name], 5000)
    assert r.status == "unsat" and r.solver == name


@pytest.mark.parametrize("name", ["z3", "cvc5"])
def test_integer_backends_decide_nonlinear_integer_queries(name):
    need(name)
    x, y = z3.Ints("x y")
    r = portfolio.race([x * x == 49 * y * y, x > 0, y > 3, y < 10], [name], 5000)
    assert r.status == "sat" and r.model.eval(x) == 7 * r.model.eval(y)
    r = portfolio.race([x * x < 0], [name], 5000)
    assert r.status == "unsat"


def test_a_model_that_does_not_satisfy_the_query_is_refused():
    x = z3.Int("x")
    assert portfolio._accept({"status": "sat", "model": {"x": 3}}, "cvc5", [x > 5]) is None
    ok = portfolio._accept({"status": "sat", "model": {"x": 6}}, "cvc5", [x > 5])
    assert ok.status == "sat" and ok.solver == "cvc5" and ok.model.eval(x) == 6
    assert portfolio._accept({"status": "unknown"}, "cvc5", [x > 5]) is None


def test_missing_solvers_are_skipped(monkeypatch):
    monkeypatch.setattr(B, "installed", lambda name: name == "z3")
    b = z3.BitVec("b", 8)
    assert B.backends_for([b > 1]) == ["z3"]
    assert portfolio.race([b > 1], [], 1000).status == "unknown"


@pytest.mark.parametrize("name", ["z3", "cvc5"])
def test_a_solver_process_over_its_memory_cap_answers_unknown(name, monkeypatch):
    """Each raced solver's address space is capped (worker.cap_memory); one that cannot
    live within it is an unknown answer, never an error (the same query decides under the
    default cap)."""
    need(name)
    if name == "z3" and forked.available():
        pytest.skip("z3 runs in a forked child: test_solver_forked checks its cap")
    x = z3.Int("x")
    monkeypatch.setenv("VERILINE_SOLVER_MEMORY_MB", "48")
    r = portfolio.race([x * x == 16, x < 0], [name], 5000)
    assert r.status == "unknown"
    monkeypatch.delenv("VERILINE_SOLVER_MEMORY_MB")
    r = portfolio.race([x * x == 16, x < 0], [name], 5000)
    assert r.status == "sat" and r.model.eval(x) == -4


def test_a_broken_worker_answer_is_unknown_not_an_error():
    assert portfolio._accept({"status": "sat", "model": {"x": "junk"}}, "z3",
                             [z3.Int("x") > 0]) is None


def test_z3_answers_first_when_it_can():
    x = z3.Int("x")
    r = check([x > 2, x < 4], timeout_ms=2000, racer=portfolio.solve)
    assert r.status == "sat" and r.solver == "z3" and r.model.eval(x) == 3


def test_the_race_decides_what_z3_leaves_open(monkeypatch):
    """z3's in-process slice answers unknown (simulated); the raced solvers decide."""
    from veriline.analyses.solver.query import Result
    x = z3.Int("x")
    r = portfolio.solve([x * x == 16, x < 0], 3000,
                        lambda ms: Result("unknown", reason="timeout"))
    assert r.status == "sat" and r.model.eval(x) == -4


def test_findings_record_the_solver_and_encoding():
    src = "int inc(int a) { return a + 1; }\nint mask(int a) { return (a & 255) + 1; }\n"
    fs = analyze_source(src, "f.c", Options(analyses=frozenset({"overflow"}))).findings
    by = one_per_function(fs)
    assert by["inc"].status == "counterexample" and by["inc"].solver == "z3/int"
    assert by["mask"].status == "proved" and by["mask"].solver.endswith("/bv")
    d = by["inc"].to_json()
    assert d["solver"] == "z3/int" and finding_from_json(d).solver == "z3/int"
    py = analyze_source("def f(a: int) -> int:\n    assert a * a >= 0\n    return a\n", "f.py",
                        Options(analyses=frozenset({"contract"}))).findings
    assert [f.solver for f in py] == ["z3/int"]


def _f(status, prop="signed-overflow", col=1):
    return Finding(file="f.c", function="f", kind="overflow", status=status,
                   span=Span(1, col, 1, col + 3), message=status, property=prop)


def test_merge_takes_only_definite_verdicts_for_the_same_operation():
    first = [_f("unknown", "division-by-zero+div-overflow"), _f("proved", col=9),
             _f("unknown", col=20)]
    second = [_f("counterexample", "div-overflow"), _f("counterexample", col=9),
              _f("unknown", col=20)]
    got = merge_definite(first, second)
    assert [g.status for g in got] == ["counterexample", "proved", "unknown"]
    assert got[0] is second[0] and got[1] is first[1]
    other = [_f("proved", "shift")]
    assert merge_definite([_f("unknown")], other)[0].status == "unknown"
