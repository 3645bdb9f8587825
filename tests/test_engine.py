"""Unit tests of the engine on small programs with known answers (exact verdicts/values)."""
import os

import pytest

from veriline.analyses.api import Options, analyze_file, analyze_source

DATA = os.path.join(os.path.dirname(__file__), "data")


def verdicts(path):
    rep = analyze_file(os.path.join(DATA, path), Options())
    return {(f.function, f.kind, f.span.line): f for f in rep.findings}


@pytest.fixture(scope="module")
def py():
    return verdicts("engine_cases.py")


@pytest.fixture(scope="module")
def c():
    return verdicts("engine_cases.c")


def status(fs, function, kind, line):
    return fs[(function, kind, line)].status


def test_python_callee_contracts(py):
    bad = py[("use_bad", "contract", 10)]
    assert bad.status == "counterexample" and bad.property == "requires-call"
    assert bad.counterexample.inputs["a"] < 0
    assert bad.related[0].message == "precondition of sq"
    assert status(py, "use_good", "contract", 17) == "proved"     # precondition at the call
    assert status(py, "use_good", "contract", 14) == "proved"     # from the callee's post
    assert status(py, "sq", "contract", 4) == "proved"


def test_python_inlining_floor_and_chains(py):
    assert status(py, "inlined", "contract", 25) == "proved"
    for line in (29, 31, 32):
        assert status(py, "floors", "contract", line) == "proved"
    assert status(py, "chain", "contract", 37) == "proved"
    rep = analyze_file(os.path.join(DATA, "engine_cases.py"), Options())
    assert {f.message for f in rep.findings if f.span.line == 31 and f.kind == "overflow"} == {
        "no division by zero in `a // b`", "no division by zero in `a % b`"}


def test_python_loops(py):
    assert py[("loops", "termination", 42)].message == (
        "terminates: a for-loop over range(...) whose counter the body cannot change")
    assert status(py, "loops", "termination", 44) == "proved"
    assert py[("halves", "termination", 55)].details["measure"] == ["n - 1"]
    grows = py[("grows", "termination", 61)]
    assert grows.status == "counterexample"
    assert grows.counterexample.inputs["x"] > 0
    assert grows.details["witness"]["kind"] == "recurrent-set"


def test_python_unsupported_is_unknown_with_reason(py):
    f = py[("unsupported", "contract", 51)]
    assert f.status == "unknown"
    assert f.reason == "depends on float division at line 50"


def test_c_contracts_and_calls(c):
    bad = c[("caller_bad", "contract", 16)]
    # any x <= 0 breaks it; which one depends on the solver's model (integer model: -8)
    x = bad.counterexample.inputs["x"]
    assert bad.status == "counterexample" and list(bad.counterexample.inputs) == ["x"]
    assert -8 <= x <= 0
    assert bad.message == f"precondition of mod_pos: requires b > 0 fails: caller_bad({x})"
    assert status(c, "caller_good", "contract", 21) == "proved"
    assert status(c, "caller_good", "contract", 22) == "proved"
    assert status(c, "mod_pos", "contract", 8) == "proved"
    assert status(c, "inc", "contract", 26) == "proved"
    ov = c[("inc", "overflow", 28)]
    assert ov.status == "counterexample"
    assert ov.counterexample.inputs == {"x": 2147483647}
    assert ov.counterexample.values_at_failure == {"left": 2147483647, "right": 1}


def test_c_svcomp_main(c):
    f = c[("main", "contract", 39)]
    assert f.status == "counterexample" and f.property == "reach_error"
    assert f.counterexample.nondet == [42]
    assert f.message == "reach_error() is reachable: main() with nondet values 42"


def test_c_unsupported_and_promotions(c):
    f = c[("ptr", "overflow", 33)]      # *p is any int (an input read through p)
    assert f.status == "counterexample" and f.counterexample.nondet == [2147483647]
    assert status(c, "narrow", "overflow", 44) == "proved"   # unsigned char + unsigned char: int


def test_c_recursion(c):
    for name, line in (("mutual_b", 48), ("mutual_a", 49)):
        f = c[(name, "termination", line)]
        assert f.status == "proved"
        assert f.message == ("terminates: n decreases by at least 1 at each call among "
                             "mutual_a, mutual_b and stays >= 0")
    f = c[("forever", "termination", 51)]
    assert f.status == "counterexample"
    assert f.message.endswith("never returns: it calls itself with the same arguments")


def test_syntax_error_keeps_other_functions():
    src = "def good(x: int) -> int:\n    assert x * x >= 0\n    return x\n\n\ndef bad(:\n    pass\n"
    rep = analyze_source(src, "half.py")
    assert [e.span.line for e in rep.program.errors] == [6]
    assert [(f.function, f.status) for f in rep.findings] == [("good", "proved")]


def test_suppression_comment():
    src = "def f(a: int, b: int) -> int:\n    return a // b  # veriline: ignore[overflow]\n"
    assert analyze_source(src, "s.py").findings == []
    src2 = src.replace("  # veriline: ignore[overflow]", "")
    [f] = analyze_source(src2, "s.py").findings
    assert f.status == "counterexample" and f.counterexample.inputs["b"] == 0


def test_loop_invariants_checked():
    src = """
/*@ requires n >= 0; ensures \\result == n; */
int count(int n) {
    int i = 0;
    /*@ loop invariant 0 <= i && i <= n; */
    while (i < n) i++;
    return i;
}
int twice(int n) {
    int i = 0, r = 0;
    /*@ loop invariant r == 2 * i + 1; */
    while (i < n) { i++; r += 2; }
    return r;
}
"""
    rep = analyze_source(src, "inv.c")
    by = {(f.function, f.property): f for f in rep.findings}
    assert by[("count", "ensures")].status == "proved"
    assert by[("count", "invariant-init")].status == "proved"
    assert by[("count", "invariant-preserved")].status == "proved"
    bad = by[("twice", "invariant-init")]
    assert bad.status == "counterexample" and bad.span.line == 11


def test_k_induction_proves_what_invariants_miss():
    rep = analyze_file(os.path.join(DATA, "kinduction.c"), Options())
    by = {(f.function, f.property): f for f in rep.findings}
    ok = by[("cyc", "assert")]
    assert ok.status == "proved" and ok.details["note"] == "proved by 1-induction"
    bad = by[("cyc_bad", "assert")]
    assert bad.status == "counterexample"
    # x runs 1, 3, 2, 6, 4, 5: the fifth iteration fails; nonzero nondet values keep looping
    assert len(bad.counterexample.nondet) == 5 and all(bad.counterexample.nondet)


def test_template_synthesis_finds_a_linear_ranking_function():
    """With no guessed candidates, the CEGIS template still finds and proves a measure."""
    from veriline.analyses import ir
    from veriline.analyses.api import parse
    from veriline.analyses.engine.context import FnContext
    from veriline.analyses.engine.ranking import find_ranking
    from veriline.analyses.engine.encoding_modes import unbounded_signed
    src = "void f(int x, int y) {\n    while (x > y) { x = x - 1; y = y + 2; }\n}\n"
    program = parse(src, "t.c")
    with unbounded_signed():            # as the driver judges C termination
        ctx = FnContext(program, program.functions["f"], Options())
        rec = ctx.abstract.loop_records[0]
        found = find_ranking(ctx.check, ctx.abstract.pre, rec.head, rec.back, [],
                             lexicographic=False,
                             template_vars=[("x", ir.C_INT), ("y", ir.C_INT)])
        assert found is not None and len(found) == 1
        import z3
        h, b = found[0].term(rec.head.vars), found[0].term(rec.back.vars)
        s = z3.Solver()
        s.add(ctx.abstract.pre + [rec.back.pc, z3.Not(z3.And(h >= 0, b <= h - 1))])
        assert s.check() == z3.unsat          # independently re-checked
    assert "x" in found[0].text and "y" in found[0].text


def test_multiphase_ranking():
    rep = analyze_file(os.path.join(DATA, "multiphase.c"), Options())
    [f] = [f for f in rep.findings if f.kind == "termination"]
    assert f.status == "proved"
    assert f.message == ("terminates in two phases: y decreases by at least 1 each iteration, "
                         "so it is >= 0 only finitely often; once it is negative, x + 1 "
                         "decreases by at least 1 and stays >= 0")
    assert f.details["measure"] == ["y", "x + 1"]


def test_svcomp_nontermination_over_unbounded_integers():
    """x odd and > 0, x -= 2 until x == 0: over unbounded ints it never stops (SV-COMP says
    false); a real run overflows first, which the message says."""
    rep = analyze_file(os.path.join(DATA, "svcomp_overflow_loop.c"), Options())
    [f] = [f for f in rep.findings if f.kind == "termination"]
    assert f.status == "counterexample"
    assert f.details["witness"]["semantics"] == "unbounded"
    [x] = f.counterexample.nondet
    assert x > 0 and x % 2 == 1
    assert "never returns over unbounded integers" in f.message
    assert f.message.endswith("(a real run may overflow a signed integer first)")
    # the exact-semantics examples keep their exact witnesses
    g2 = [f for f in analyze_file(os.path.join(os.path.dirname(DATA), "..", "examples", "c",
                                               "subtract_loop.c"), Options()).findings
          if f.function == "g2" and f.kind == "termination"][0]
    assert g2.details["witness"]["semantics"] == "exact"
