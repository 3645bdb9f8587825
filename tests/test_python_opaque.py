"""Python values of unknown type (floats, strs, unknown functions' results, attributes)
are never reasoned about as ints (python_opaque): each property below held "for all ints"
and was proved before, though real Python breaks it.  Where every operand is an int on a
path, the verdicts and values stay exact."""
import textwrap

import pytest

from veriline.analyses.api import Options, analyze_source

WRONG_FOR_NON_INTS = {
    # name: (source, why it is false in Python)
    "float_literal": ("def f() -> int:\n    x = 0.5\n    assert x % 1 == 0\n    return 0\n",
                      "0.5 % 1 == 0.5"),
    "float_param": ("def f(x: float) -> int:\n    assert x % 1 == 0\n    return 0\n",
                    "f(0.5)"),
    "nan": ("def f(s: str) -> int:\n    v = float(s)\n    assert v == v\n    return 0\n",
            "f('nan')"),
    "sqrt": ("import math\n\ndef f(n: int) -> int:\n    v = math.sqrt(n)\n"
             "    assert v % 1 == 0\n    return 0\n", "f(2)"),
    "attribute": ("def f(o) -> int:\n    v = o.ratio\n    assert v % 1 == 0\n    return 0\n",
                  "o.ratio = 0.5"),
    "through_locals": ("def f(s: str) -> int:\n    v = float(s)\n    w = v + 1\n"
                       "    u = w - 1\n    assert u - v == 0\n    return 0\n", "f('1e16')"),
    "big_float_step": ("def f(x: float) -> int:\n    y = x + 1\n    assert y > x\n"
                       "    return 0\n", "f(1e16)"),
}


@pytest.mark.parametrize("name", sorted(WRONG_FOR_NON_INTS))
def test_no_proof_from_int_semantics_of_a_non_int(name):
    src, _why = WRONG_FOR_NON_INTS[name]
    rep = analyze_source(src, "t.py", Options(timeout_ms=3000))
    asserts = [f for f in rep.findings if f.property == "assert"]
    assert [f.status for f in asserts] == ["unknown"], [f.message for f in asserts]
    assert asserts[0].reason.startswith("depends on")


def test_a_float_counter_loop_is_not_proved_to_terminate():
    """x += 1 leaves x = 1e16 unchanged: the loop need not end."""
    src = textwrap.dedent("""
    def f(x: float, n: float) -> int:
        while x < n:
            x += 1
        return 0
    """)
    rep = analyze_source(src, "t.py", Options(timeout_ms=3000))
    assert [f.status for f in rep.findings if f.kind == "termination"] == ["unknown"]


def test_ints_on_a_path_keep_exact_verdicts_and_values():
    """c would be of unknown type after an iteration, but the loop never runs: c is a on
    every path, an int, so the proof stands (the flags are per path); the division still
    checks b.  (A path that is all ints beside one that is not: the KeyError handler's ✗
    in test_python_known_dicts.test_key_error_caught_by_the_handler, confirmed by replay.)"""
    src = textwrap.dedent("""
    def g(a: int, b: int) -> int:
        c = a
        for y in ():
            c = c + y
        assert c + 1 > c
        return c // b
    """)
    rep = analyze_source(src, "t.py", Options(timeout_ms=3000, replay=True))
    assert [f.status for f in rep.findings if f.property == "assert"] == ["proved"]
    zero = [f for f in rep.findings if "division by zero" in f.message]
    assert [f.status for f in zero] == ["counterexample"]
    assert zero[0].counterexample.inputs["b"] == 0


def test_int_code_is_unchanged():
    src = textwrap.dedent("""
    def f(a: int, b: int) -> int:
        c = a * 2
        assert c % 2 == 0
        assert c + 1 > c
        return c
    """)
    rep = analyze_source(src, "t.py", Options(timeout_ms=3000))
    assert [f.status for f in rep.findings if f.property == "assert"] == ["proved", "proved"]


def test_int_of_a_non_int_is_an_int_again():
    """int(len(s) / 3) is an int whatever the division gave: the loop counting it down
    terminates (webcolors' html5_parse_legacy_color); abs() of a float stays opaque."""
    src = textwrap.dedent("""
    def f(value: str) -> int:
        length = int(len(value) / 3)
        while length > 2:
            length -= 1
        return length

    def g(x: float) -> int:
        assert abs(x) >= 0
        return 0

    def h(a: int) -> int:
        assert abs(a) >= 0
        assert max(a, 3) >= 3
        return 0
    """)
    rep = analyze_source(src, "t.py", Options(timeout_ms=3000))
    got = {(f.function, f.kind): f.status for f in rep.findings
           if f.kind == "termination" or f.property == "assert"}
    assert got[("f", "termination")] == "proved"
    assert got[("g", "contract")] == "unknown"          # abs(nan) >= 0 is False
    assert [f.status for f in rep.findings if f.function == "h"] == ["proved", "proved"]


def test_a_function_of_the_file_returning_a_non_int():
    """half() returns a float: its callers do no int reasoning on the result either;
    inc() returns an int: its callers' proofs stand."""
    src = textwrap.dedent("""
    def half(x: int):
        return x / 2

    def use(x: int) -> int:
        assert half(x) % 1 == 0
        return 0

    def inc(x: int):
        return x + 1

    def use2(x: int) -> int:
        assert inc(x) > x
        return 0
    """)
    rep = analyze_source(src, "t.py", Options(timeout_ms=3000))
    got = {f.function: f.status for f in rep.findings if f.property == "assert"}
    assert got == {"use": "unknown", "use2": "proved"}


def test_long_chains_of_locals_and_calls():
    """Taint reaches through any number of locals and of the file's functions in a fixed
    number of lowerings (it used to need one per link and gave up after six)."""
    locals_chain = "\n".join(f"    v{k + 1} = v{k}" for k in range(12))
    calls_chain = "\n\n".join(f"def g{k}(x: int):\n    return g{k + 1}(x)" for k in range(10))
    src = (f"def f(s: str) -> int:\n    v0 = float(s)\n{locals_chain}\n"
           f"    assert v12 == v12\n    return 0\n\n"
           f"{calls_chain}\n\ndef g10(x: int):\n    return x / 2\n\n"
           f"def use(x: int) -> int:\n    assert g0(x) % 1 == 0\n    return 0\n")
    rep = analyze_source(src, "t.py", Options(timeout_ms=3000))
    got = {f.function: (f.status, f.reason) for f in rep.findings if f.property == "assert"}
    assert got["f"] == ("unknown", "depends on parameter s of type str (line 2)")
    assert got["use"][0] == "unknown"
