"""Recursion: non-termination by recurrent sets of arguments (engine/recursion_witness.py),
no witness where the path to the call is not exact, and linear measures by template."""
import textwrap

import pytest

from veriline.analyses.api import Options, analyze_source
from veriline.analyses.interp import run
from veriline.analyses.api import parse
from findings_kit import one_per_function

PY = textwrap.dedent('''
    def parity(n: int) -> int:
        if n == 0:
            return 0
        if n == 1:
            return 1
        return parity(n - 2)

    def is_even(n: int) -> bool:
        if n == 0:
            return True
        return is_odd(n - 1)

    def is_odd(n: int) -> bool:
        if n == 0:
            return False
        return is_even(n - 1)

    def spin(a: int, b: int) -> int:
        if a == b:
            return 0
        return spin(a + 1, b - 1)

    def down(n: int) -> int:
        if n <= 0:
            return 0
        return down(n - 1)

    def fib(n: int) -> int:
        if n < 2:
            return n
        return fib(n - 1) + fib(n - 2)

    def via_unknown(n: int) -> int:
        if n == 0:
            return 0
        if stop(n):
            return 1
        return via_unknown(n - 2)

    def up(n: int) -> int:
        if n > 100:
            return n
        return up(n + 3)

    def loops_first(n: int) -> int:
        i = 0
        while i < n:
            i += 1
        if n == 0:
            return 0
        return loops_first(n - 2)
''')

C = textwrap.dedent('''
    int parity(int n) {
        if (n == 0) return 0;
        if (n == 1) return 1;
        return parity(n - 2);
    }
''')


@pytest.fixture(scope="module")
def py():
    rep = analyze_source(PY, "rec.py", Options(analyses=("termination",)))
    return one_per_function(rep.findings, lambda f: f.property == "recursion")


def test_parity_descends_forever_from_odd_negative(py):
    f = py["parity"]
    assert f.status == "counterexample"
    assert f.counterexample.inputs == {"n": -1}
    assert f.message == "parity(-1) never returns: every call makes another with n <= 0 and n is odd"
    assert f.details["witness"] == {"kind": "recurrent-set",
                                    "description": "n <= 0 and n is odd", "semantics": "exact"}


def test_mutual_recursion_from_negative(py):
    for name in ("is_even", "is_odd"):
        f = py[name]
        assert f.status == "counterexample", f.message
        assert f.counterexample.inputs == {"n": -1}
        assert f.details["witness"]["description"] == "n < 0"


def test_two_parameters_moving_apart(py):
    f = py["spin"]
    assert f.status == "counterexample"
    a, b = f.counterexample.inputs["a"], f.counterexample.inputs["b"]
    assert a > b                       # they only move apart
    program = parse(PY, "rec.py")
    assert run(program, "spin", {"a": a, "b": b}).status == "stack"


def test_terminating_recursion_is_still_proved(py):
    assert py["down"].status == "proved"
    assert py["fib"].status == "proved"


def test_linear_measure_by_template(py):
    f = py["up"]
    assert f.status == "proved"
    assert f.details["measure"] == ["-n + 100"]
    assert f.message == ("terminates: -n + 100 decreases by at least 1 at each recursive call "
                         "and stays >= 0")


def test_no_witness_through_unknown_function_or_abstracted_loop(py):
    assert py["via_unknown"].status == "unknown"
    assert py["loops_first"].status != "counterexample"


def test_c_parity_is_judged_over_unbounded_integers():
    rep = analyze_source(C, "rec.c", Options(analyses=("termination",)))
    f = next(f for f in rep.findings if f.kind == "termination")
    assert f.status == "counterexample"
    assert f.counterexample.inputs == {"n": -1}
    assert f.details["witness"]["semantics"] == "unbounded"
    assert f.message.endswith("over unbounded integers (a real run may overflow a signed "
                              "integer first)")
