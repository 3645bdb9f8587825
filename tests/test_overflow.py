"""Overflow / undefined-behaviour findings on small C and Python programs: exact verdicts,
properties, severities and counterexample values.

Each C function below is analysed once (module fixture); tests pick findings by function
and operator text.  Counterexample values are checked by the property they must satisfy
(z3 may pick any witness), and against the values the finding reports at the failure.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from veriline.analyses.api import Options, analyze_source

INT_MIN, INT_MAX = -2**31, 2**31 - 1
LONG_MAX = 2**63 - 1
OVERFLOW_ONLY = Options(analyses=frozenset({"overflow"}))

C_SRC = r"""#include <limits.h>
int uchar_add(unsigned char a, unsigned char b) { return a + b; }
int int_mul(int a, int b) { return a * b; }
short short_add(short a, short b) {
    short c = a + b;
    return c;
}
int short_mul_int(short a, short b) { return a * b; }
int min_div(int a) { return a / -1; }
int min_mod(int a) { return a % -1; }
int sdiv(int a, int b) { return a / b; }
int smod(int a, int b) { return a % b; }
unsigned udiv(unsigned a, unsigned b) { return a / b; }
unsigned umod(unsigned a, unsigned b) { return a % b; }
int div_nonzero(int a, int b) { if (b != 0) return a / b; return 0; }
int div_safe(int a, int b) { if (b == 0 || (a == INT_MIN && b == -1)) return 0; return a / b; }
int shr_neg_count(int a, int b) { if (b < 0) return a >> b; return 0; }
unsigned shl_big_count(unsigned a, int b) { if (b >= 32) return a << b; return 0; }
int shl_int_31(void) { return 1 << 31; }
unsigned shl_uint_31(void) { return 1u << 31; }
int shl_negative(int a) { if (a < 0) return a << 1; return 0; }
int shl_ok(int a, int b) { if (a >= 0 && a <= 1 && b >= 0 && b < 31) return a << b; return 0; }
int shr_negative_value(int a) { return a >> 3; }
long long_plus_uint(long a, unsigned int b) { return a + b; }
int schar_inc(signed char c) { c++; return c; }
int neg(int x) { return -x; }
unsigned uneg(unsigned x) { return -x; }
unsigned uadd(unsigned a, unsigned b) { return a + b; }
int cast_schar(int x) { return (signed char)x; }
int guarded_mul(int a, int b) {
    if (a > -1000 && a < 1000 && b > -1000 && b < 1000)
        return a * b;
    return 0;
}
/*@ requires 0 <= a <= 1000 && 0 <= b <= 1000; */
int pre_mul(int a, int b) { return a * b; }
/*@ requires a < INT_MAX; */
int pre_inc(int a) { return a + 1; }
/*@ requires a <= INT_MAX; */
int weak_pre_inc(int a) { return a + 1; }
int pow5(int n) {
    int p = 1;
    for (int i = 0; i < 5; i++)
        p = p * n;
    return p;
}
"""


def overflow(findings, function=None, text=None, prop=None):
    out = [f for f in findings if f.kind == "overflow"
           and (function is None or f.function == function)
           and (text is None or f"`{text}`" in f.message)
           and (prop is None or f.property == prop)]
    return out


def only(findings, function, text=None, prop=None):
    got = overflow(findings, function, text, prop)
    assert len(got) == 1, [(f.property, f.status, f.message) for f in
                           overflow(findings, function)]
    return got[0]


@pytest.fixture(scope="module")
def c_findings():
    return analyze_source(C_SRC, "ops.c", OVERFLOW_ONLY).findings


def arith(findings, function, text=None):
    """The error-severity finding of one operation (not the conversion info finding)."""
    got = [f for f in overflow(findings, function, text) if f.severity == "error"]
    assert len(got) == 1, [(f.property, f.status, f.message) for f in got]
    return got[0]


# ------------------------------------------------------------------ promotions
def test_unsigned_char_add_is_an_int_add_that_cannot_overflow(c_findings):
    f = arith(c_findings, "uchar_add", "a + b")
    assert (f.status, f.property, f.severity) == ("proved", "signed-overflow", "error")
    assert f.message == "no signed overflow in `a + b`"
    assert (f.span.line, f.span.col, f.span.end_line, f.span.end_col) == (2, 58, 2, 63)


def test_int_mul_counterexample_gives_the_operands(c_findings):
    f = arith(c_findings, "int_mul", "a * b")
    assert (f.status, f.property) == ("counterexample", "signed-overflow")
    a, b = f.counterexample.inputs["a"], f.counterexample.inputs["b"]
    assert not INT_MIN <= a * b <= INT_MAX
    assert f.counterexample.values_at_failure == {"left": a, "right": b}
    assert f.message.startswith("int overflow in `a * b`: int_mul(")
    assert f.counterexample.call == f"int_mul({a}, {b})"


def test_short_arithmetic_is_promoted_but_the_assignment_back_narrows(c_findings):
    fs = overflow(c_findings, "short_add")
    assert len(fs) == 2
    add = arith(c_findings, "short_add", "a + b")
    assert add.status == "proved" and add.property == "signed-overflow"
    conv = only(c_findings, "short_add", prop="conversion")
    assert (conv.status, conv.severity) == ("counterexample", "info")
    assert conv.span.line == add.span.line == 5
    assert "implicit conversion from int to short changes the value" in conv.message
    assert "implementation-defined" in conv.message
    a, b = conv.counterexample.inputs["a"], conv.counterexample.inputs["b"]
    assert -2**15 <= a < 2**15 and -2**15 <= b < 2**15
    assert not -2**15 <= a + b < 2**15
    vals = conv.counterexample.values_at_failure
    assert vals["value"] == a + b
    assert vals["result"] == (a + b + 2**15) % 2**16 - 2**15


def test_short_times_short_fits_int(c_findings):
    # (-32768) * (-32768) = 2^30 < INT_MAX
    f = arith(c_findings, "short_mul_int", "a * b")
    assert f.status == "proved"


def test_report_conversions_off_drops_the_info_finding():
    src = "short f(short a, short b) { short c = a + b; return c; }\n"
    fs = analyze_source(src, "c.c", Options(analyses=frozenset({"overflow"}),
                                            report_conversions=False)).findings
    assert [(f.property, f.status) for f in overflow(fs)] == [("signed-overflow", "proved")]


# ------------------------------------------------------------------ division
@pytest.mark.parametrize("fn,text", [("min_div", "a / -1"), ("min_mod", "a % -1")])
def test_int_min_divided_by_minus_one(c_findings, fn, text):
    f = arith(c_findings, fn, text)
    assert (f.status, f.property) == ("counterexample", "div-overflow")
    assert f.counterexample.inputs == {"a": INT_MIN}
    assert f.counterexample.values_at_failure == {"left": INT_MIN, "right": -1}
    assert "int minimum divided by -1" in f.message


@pytest.mark.parametrize("fn,text", [("sdiv", "a / b"), ("smod", "a % b"),
                                     ("udiv", "a / b"), ("umod", "a % b")])
def test_division_by_zero_signed_and_unsigned(c_findings, fn, text):
    f = arith(c_findings, fn, text)
    assert f.status == "counterexample"
    assert f.property in ("division-by-zero", "div-overflow")
    inp = f.counterexample.inputs
    if f.property == "division-by-zero":
        assert inp["b"] == 0 and f.counterexample.values_at_failure["right"] == 0
        assert "division by zero" in f.message
    else:                                  # the other undefined case of a signed division
        assert fn in ("sdiv", "smod") and (inp["a"], inp["b"]) == (INT_MIN, -1)


def test_unsigned_division_by_zero_is_undefined_too(c_findings):
    f = arith(c_findings, "udiv", "a / b")
    assert (f.property, f.counterexample.inputs["b"]) == ("division-by-zero", 0)


def test_guarded_division_still_has_int_min_by_minus_one(c_findings):
    f = arith(c_findings, "div_nonzero", "a / b")
    assert (f.status, f.property) == ("counterexample", "div-overflow")
    assert f.counterexample.inputs == {"a": INT_MIN, "b": -1}


def test_fully_guarded_division_is_proved(c_findings):
    f = arith(c_findings, "div_safe", "a / b")
    assert f.status == "proved"
    assert f.property == "division-by-zero+div-overflow"
    assert f.message == ("no division by zero or overflow in division (minimum / -1) "
                         "in `a / b`")


# ------------------------------------------------------------------ shifts
def test_negative_shift_count(c_findings):
    f = arith(c_findings, "shr_neg_count", "a >> b")
    assert (f.status, f.property) == ("counterexample", "shift")
    assert f.counterexample.inputs["b"] < 0
    assert "shift count out of range for int" in f.message


def test_shift_count_at_least_the_width_even_unsigned(c_findings):
    f = arith(c_findings, "shl_big_count", "a << b")
    assert (f.status, f.property) == ("counterexample", "shift")
    assert f.counterexample.inputs["b"] >= 32
    assert "unsigned int" in f.message


def test_one_shifted_into_the_sign_bit_of_int_is_undefined(c_findings):
    f = arith(c_findings, "shl_int_31", "1 << 31")
    assert (f.status, f.property) == ("counterexample", "shift")
    assert f.counterexample.inputs == {}
    assert f.counterexample.values_at_failure == {"left": 1, "right": 31}
    assert "left shift of a negative value or past the range of int" in f.message


def test_one_shifted_into_the_top_bit_of_unsigned_is_fine(c_findings):
    f = arith(c_findings, "shl_uint_31", "1u << 31")
    assert (f.status, f.property) == ("proved", "shift")


def test_left_shift_of_a_negative_value(c_findings):
    f = arith(c_findings, "shl_negative", "a << 1")
    assert (f.status, f.property) == ("counterexample", "shift")
    assert f.counterexample.inputs["a"] < 0
    assert f.counterexample.values_at_failure["left"] == f.counterexample.inputs["a"]


def test_in_range_left_shift_is_proved(c_findings):
    assert arith(c_findings, "shl_ok", "a << b").status == "proved"


def test_right_shift_of_a_negative_value_is_not_undefined(c_findings):
    # implementation-defined (arithmetic shift on gcc), never an overflow error
    assert [f for f in overflow(c_findings, "shr_negative_value")
            if f.status != "proved"] == []


# ------------------------------------------------------------------ conversions
def test_long_plus_unsigned_int_is_a_long_add(c_findings):
    f = arith(c_findings, "long_plus_uint", "a + b")
    assert (f.status, f.property) == ("counterexample", "signed-overflow")
    a, b = f.counterexample.inputs["a"], f.counterexample.inputs["b"]
    assert 0 <= b < 2**32 and a + b > LONG_MAX
    assert f.message.startswith("long overflow")


def test_signed_char_increment(c_findings):
    add = arith(c_findings, "schar_inc", "c++")
    assert add.status == "proved"          # done in int: 127 + 1 is fine
    conv = only(c_findings, "schar_inc", prop="conversion")
    assert (conv.status, conv.severity) == ("counterexample", "info")
    assert conv.counterexample.inputs == {"c": 127}
    assert conv.counterexample.values_at_failure == {"value": 128, "result": -128}


def test_explicit_narrowing_cast(c_findings):
    conv = only(c_findings, "cast_schar", prop="conversion")
    assert (conv.status, conv.severity) == ("counterexample", "info")
    assert "explicit cast from int to signed char" in conv.message
    assert not -128 <= conv.counterexample.inputs["x"] <= 127


def test_negation(c_findings):
    f = arith(c_findings, "neg", "-x")
    assert (f.status, f.property) == ("counterexample", "signed-overflow")
    assert f.counterexample.inputs == {"x": INT_MIN}
    assert f.counterexample.values_at_failure == {"operand": INT_MIN}


@pytest.mark.parametrize("fn,text", [("uneg", "-x"), ("uadd", "a + b")])
def test_unsigned_arithmetic_wraps_without_undefined_behaviour(c_findings, fn, text):
    f = arith(c_findings, fn, text)
    assert (f.status, f.property) == ("proved", "unsigned-arith")
    assert f.message == f"no undefined behaviour in `{text}`: unsigned arithmetic wraps (defined)"
    assert not [g for g in overflow(c_findings, fn) if g.property == "unsigned-wrap"]


def test_report_unsigned_wrap_adds_info_findings():
    src = "unsigned add(unsigned a, unsigned b) { return a + b; }\n" \
          "unsigned sub(unsigned a, unsigned b) { if (a >= b) return a - b; return 0; }\n"
    fs = analyze_source(src, "w.c", Options(analyses=frozenset({"overflow"}),
                                            report_unsigned_wrap=True)).findings
    wrap = only(fs, "add", prop="unsigned-wrap")
    assert (wrap.status, wrap.severity) == ("counterexample", "info")
    a, b = wrap.counterexample.inputs["a"], wrap.counterexample.inputs["b"]
    assert a + b >= 2**32
    assert "unsigned wrap-around in unsigned int" in wrap.message
    assert arith(fs, "add", "a + b").status == "proved"       # still no UB
    assert only(fs, "sub", prop="unsigned-wrap").status == "proved"


# ------------------------------------------------------------------ guards, contracts, loops
def test_guard_rules_overflow_out(c_findings):
    assert arith(c_findings, "guarded_mul", "a * b").status == "proved"


def test_acsl_requires_rules_overflow_out(c_findings):
    assert arith(c_findings, "pre_mul", "a * b").status == "proved"
    assert arith(c_findings, "pre_inc", "a + 1").status == "proved"
    f = arith(c_findings, "weak_pre_inc", "a + 1")
    assert f.status == "counterexample" and f.counterexample.inputs == {"a": INT_MAX}


def test_loop_overflow_found_by_unrolling(c_findings):
    f = arith(c_findings, "pow5", "p * n")
    assert f.status == "counterexample"
    n = f.counterexample.inputs["n"]
    assert any(not INT_MIN <= n ** k <= INT_MAX for k in range(2, 6))
    left, right = f.counterexample.values_at_failure["left"], \
        f.counterexample.values_at_failure["right"]
    assert right == n and not INT_MIN <= left * right <= INT_MAX


def test_subtract_loop_guard_proves_and_unguarded_overflows():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(root, "examples", "c", "subtract_loop.c")) as fh:
        fs = analyze_source(fh.read(), "subtract_loop.c", OVERFLOW_ONLY).findings
    g = arith(fs, "g", "x - y")
    assert g.status == "proved"
    g2 = arith(fs, "g2", "x - y")
    assert (g2.status, g2.property) == ("counterexample", "signed-overflow")
    x, y = g2.counterexample.inputs["x"], g2.counterexample.inputs["y"]
    assert x > y and y < 0                     # the loop is entered; x - y > INT_MAX
    left, right = (g2.counterexample.values_at_failure[k] for k in ("left", "right"))
    assert right == y and left - right > INT_MAX


SVCOMP = r"""extern int __VERIFIER_nondet_int(void);
extern void __VERIFIER_assume(int cond);
int main(void) {
    int x = __VERIFIER_nondet_int();
    int y = __VERIFIER_nondet_int();
    __VERIFIER_assume(x > 0);
    __VERIFIER_assume(y > 0);
    return x + y;
}
"""


def test_svcomp_main_nondet_counterexample():
    f = arith(analyze_source(SVCOMP, "sv.c", OVERFLOW_ONLY).findings, "main", "x + y")
    assert (f.status, f.property) == ("counterexample", "signed-overflow")
    cex = f.counterexample
    assert cex.inputs == {}
    assert len(cex.nondet) == 2
    x, y = cex.nondet
    assert x > 0 and y > 0 and x + y > INT_MAX
    assert cex.values_at_failure == {"left": x, "right": y}
    assert cex.to_json()["nondet"] == [x, y]


def test_svcomp_assume_rules_overflow_out():
    src = SVCOMP.replace("x > 0", "x > 0 && x < 1000000").replace("y > 0", "y > 0 && y < 7")
    f = arith(analyze_source(src, "sv.c", OVERFLOW_ONLY).findings, "main", "x + y")
    assert f.status == "proved"


# ------------------------------------------------------------------ suppressions
def test_suppression_comments_remove_findings_on_their_line():
    src = ("int a(int x, int y) { return x * y; } // veriline: ignore[overflow]\n"
           "int b(int x, int y) {\n"
           "    // veriline: ignore[overflow]\n"
           "    return x * y;\n"
           "}\n"
           "int c(int x, int y) { return x * y; } // veriline: ignore[contract]\n"
           "int d(int x, int y) { return x * y; } // veriline: ignore\n"
           "int e(int x, int y) { return x * y; }\n")
    fs = overflow(analyze_source(src, "s.c", OVERFLOW_ONLY).findings)
    assert sorted(f.function for f in fs) == ["c", "e"]
    assert all(f.status == "counterexample" for f in fs)


# ------------------------------------------------------------------ Python
PY_SRC = '''import numpy as np


def fdiv(a: int, b: int) -> int:
    return a // b


def fmod(a: int, b: int) -> int:
    return a % b


def gdiv(a: int, b: int) -> int:
    if b != 0:
        return a // b
    return 0


def big(a: int, b: int) -> int:
    return a * b + 2 ** 70


def add8(a: np.int8, b: np.int8) -> np.int8:
    return a + b


def addu8(a: np.uint8, b: np.uint8) -> np.uint8:
    return a + b


def neg8(a: np.int8) -> np.int8:
    return -a


def pre8(a: np.int8, b: np.int8) -> np.int8:
    """
    pre: 0 <= a <= 50 and 0 <= b <= 50
    """
    return a + b


def mul16(a: np.int16, b: np.int16) -> np.int16:
    return a * b


def quiet(a: int, b: int) -> int:
    return a // b  # veriline: ignore[overflow]
'''


@pytest.fixture(scope="module")
def py_findings():
    return analyze_source(PY_SRC, "ops.py", OVERFLOW_ONLY).findings


@pytest.mark.parametrize("fn,text", [("fdiv", "a // b"), ("fmod", "a % b")])
def test_python_division_by_zero(py_findings, fn, text):
    f = only(py_findings, fn, text)
    assert (f.status, f.property, f.kind) == ("counterexample", "division-by-zero", "overflow")
    assert f.counterexample.inputs["b"] == 0
    assert f.counterexample.values_at_failure["right"] == 0


def test_python_guarded_division_proved(py_findings):
    f = only(py_findings, "gdiv", "a // b")
    assert (f.status, f.property) == ("proved", "division-by-zero")


def test_python_ints_never_overflow(py_findings):
    assert overflow(py_findings, "big") == []


def test_numpy_int8_add_overflows(py_findings):
    f = only(py_findings, "add8", "a + b")
    assert (f.status, f.property) == ("counterexample", "signed-overflow")
    a, b = f.counterexample.inputs["a"], f.counterexample.inputs["b"]
    assert -128 <= a <= 127 and -128 <= b <= 127 and not -128 <= a + b <= 127
    assert f.message.startswith("np.int8 overflow in `a + b`")


def test_numpy_uint8_wraps(py_findings):
    f = only(py_findings, "addu8", "a + b")
    assert (f.status, f.property) == ("proved", "unsigned-arith")


def test_numpy_int8_negation(py_findings):
    f = only(py_findings, "neg8", "-a")
    assert f.status == "counterexample" and f.counterexample.inputs == {"a": -128}


def test_numpy_precondition_rules_overflow_out(py_findings):
    assert only(py_findings, "pre8", "a + b").status == "proved"


def test_numpy_int16_mul(py_findings):
    f = only(py_findings, "mul16", "a * b")
    a, b = f.counterexample.inputs["a"], f.counterexample.inputs["b"]
    assert f.status == "counterexample" and not -2**15 <= a * b < 2**15


def test_python_suppression(py_findings):
    assert overflow(py_findings, "quiet") == []


def test_numpy_counterexample_really_overflows(py_findings):
    np = pytest.importorskip("numpy")
    f = only(py_findings, "add8", "a + b")
    a, b = f.counterexample.inputs["a"], f.counterexample.inputs["b"]
    with np.errstate(over="raise"):
        with pytest.raises(FloatingPointError):
            np.int8(a) + np.int8(b)


# ------------------------------------------------------------------ CLI
def test_cli_json_reports_overflow(tmp_path):
    p = tmp_path / "m.c"
    p.write_text("int mid(int lo, int hi) { return (lo + hi) / 2; }\n"
                 "unsigned u(unsigned a) { return a * 3u; }\n")
    r = subprocess.run([sys.executable, "-m", "veriline", "check", str(p), "--format", "json",
                        "--no-cache"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, r.stderr
    data = json.loads(r.stdout)
    ov = {(f["function"], f["status"], f["property"])
          for f in data["findings"] if f["kind"] == "overflow"}
    assert ("mid", "counterexample", "signed-overflow") in ov
    assert ("mid", "proved", "division-by-zero+div-overflow") in ov
    assert ("u", "proved", "unsigned-arith") in ov
