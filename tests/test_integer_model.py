"""The integer model (engine/intmodel.py) against the bit-vector encoding, operator by
operator on random operands, and end to end on C functions."""
import z3
from hypothesis import given, settings, strategies as st

from veriline.analyses import ir
from veriline.analyses.api import Options, analyze_source
from veriline.analyses.engine import encode as E
from veriline.analyses.engine.encoding_modes import int_model, range_facts
from veriline.analyses.engine.encode_ops import arith, bit_not, negate
from veriline.analyses.engine.intmodel import uses_bitwise
from findings_kit import by_function, one_per_function

INT = ir.IntT(32, True, "int")
UINT = ir.IntT(32, False, "unsigned int")
SCHAR = ir.IntT(8, True, "signed char")
UCHAR = ir.IntT(8, False, "unsigned char")
LONG = ir.IntT(64, True, "long")
TYPES = [INT, UINT, SCHAR, UCHAR, LONG]
OPS = ["add", "sub", "mul", "div", "mod", "band", "bor", "bxor", "shl", "shr"]


def test_constant_shifts_are_arithmetic_and_agree_with_bit_vectors():
    for t in TYPES:
        for k in (0, 1, 5, t.bits - 1):
            for a in (t.min, t.min + 3, -7, -1, 0, 1, 77, t.max - 1, t.max):
                if not t.min <= a <= t.max:
                    continue
                for op in ("shl", "shr"):
                    got = {}
                    for im in (False, True):
                        with int_model(im):
                            x = E.const("x", t)
                            res, checks = arith(op, x, E.literal(k, t), t, t)
                            sub = (x, E.literal(a, t))
                            ok = all(_eval(z3.substitute(c.ok, sub)) for c in checks)
                            got[im] = (ok, E.to_python(_eval(z3.substitute(res, sub)), t)
                                       if ok else None)
                            if im:
                                assert "int2bv" not in str(res).lower()
                    assert got[False] == got[True], (t, op, a, k)


def value(t, draw_int):
    return draw_int


def _eval(term):
    v = z3.simplify(term)
    if z3.is_true(v) or z3.is_false(v):
        return z3.is_true(v)
    return v.as_long()


def _run(op, a, b, t, im):
    """(result as a typed int, {prop: ok}) of `a op b` with constants a, b of type t."""
    with int_model(im):
        x, y = E.const("x", t), E.const("y", t)
        res, checks = arith(op, x, y, t, t)
        subs = [(x, E.literal(a, t)), (y, E.literal(b, t))]
        oks = {}
        for c in checks:
            oks[c.prop] = oks.get(c.prop, True) and _eval(z3.substitute(c.ok, *subs))
        defined = all(oks.get(p, True) for p in ("division-by-zero", "div-overflow", "shift"))
        out = E.to_python(_eval(z3.substitute(res, *subs)), t) if defined else None
        return out, oks


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(OPS), st.sampled_from(TYPES), st.data())
def test_every_operator_agrees_with_bit_vectors(op, t, data):
    a = data.draw(st.integers(t.min, t.max))
    b = data.draw(st.one_of(st.integers(t.min, t.max), st.integers(-2, 40).filter(
        lambda v: t.min <= v <= t.max)))
    bv, bv_ok = _run(op, a, b, t, False)
    im, im_ok = _run(op, a, b, t, True)
    assert bv_ok == im_ok
    if all(bv_ok.values()) or (not t.signed and set(bv_ok) == {"unsigned-wrap"}):
        assert im == bv      # defined behaviour: the same value (unsigned: wrapped)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(TYPES), st.sampled_from(TYPES), st.data())
def test_conversions_agree_with_bit_vectors(src, dst, data):
    a = data.draw(st.integers(src.min, src.max))
    got = {}
    for im in (False, True):
        with int_model(im):
            x = E.const("x", src)
            r = E.convert(x, src, dst)
            got[im] = E.to_python(_eval(z3.substitute(r, (x, E.literal(a, src)))), dst)
            fits = _eval(z3.substitute(E.fits(x, src, dst), (x, E.literal(a, src))))
            assert fits == (dst.min <= a <= dst.max)
    assert got[False] == got[True]
    assert dst.min <= got[True] <= dst.max


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(TYPES), st.data())
def test_negation_and_complement_agree(t, data):
    a = data.draw(st.integers(t.min, t.max))
    outs = {}
    for im in (False, True):
        with int_model(im):
            x = E.const("x", t)
            neg, checks = negate(x, t)
            sub = (x, E.literal(a, t))
            ok = all(_eval(z3.substitute(c.ok, sub)) for c in checks)
            outs[im] = (E.to_python(_eval(z3.substitute(neg, sub)), t), ok,
                        E.to_python(_eval(z3.substitute(bit_not(x, t), sub)), t))
    (bv_neg, bv_ok, bv_not), (im_neg, im_ok, im_not) = outs[False], outs[True]
    assert bv_ok == im_ok and bv_not == im_not
    if bv_ok or not t.signed:      # signed: -INT_MIN is undefined, its value irrelevant
        assert bv_neg == im_neg


def test_constants_get_range_facts_only_in_the_integer_model():
    with int_model(True):
        x = E.const("x", SCHAR)
        facts = range_facts([x > 0])
        s = z3.Solver()
        s.add(facts + [x > 127])
        assert s.check() == z3.unsat
    with int_model(False):
        assert range_facts([E.const("x", SCHAR) > 0]) == []


CERT_MUL = """
#include <limits.h>
int checked_mul(int a, int b) {
    if (a > 0) {
        if (b > 0) { if (a > INT_MAX / b) return 0; }
        else { if (b < INT_MIN / a) return 0; }
    } else {
        if (b > 0) { if (a < INT_MIN / b) return 0; }
        else { if (a != 0 && b < INT_MAX / a) return 0; }
    }
    return a * b;
}
"""


def _by_snippet(findings, text):
    return [f for f in findings if text in f.message]


def test_cert_checked_multiplication_is_proved_by_the_integer_model():
    opts = Options(solver_mode="int", analyses=frozenset({"overflow"}), timeout_ms=3000)
    fs = analyze_source(CERT_MUL, "m.c", opts).findings
    mul = _by_snippet(fs, "`a * b`")
    assert [f.status for f in mul] == ["proved"]
    assert mul[0].solver == "z3/int"
    assert all(f.status == "proved" for f in fs)


SQUARE = """
/*@ requires -3037000499 <= n && n <= 3037000499;
    ensures \\result >= 0; */
long long sq(long long n) { return n * n; }
"""


def test_bounded_square_is_proved_and_unbounded_one_overflows():
    opts = Options(solver_mode="int", analyses=frozenset({"overflow", "contract"}))
    fs = analyze_source(SQUARE, "s.c", opts).findings
    assert sorted((f.property, f.status) for f in fs) == [
        ("ensures", "proved"), ("signed-overflow", "proved")]
    fs = analyze_source("long long sq(long long n) { return n * n; }", "s.c", opts).findings
    (f,) = fs
    n = f.counterexample.inputs["n"]
    assert f.status == "counterexample" and n * n > (1 << 63) - 1


UNSIGNED = """
#include <assert.h>
unsigned add(unsigned a, unsigned b) {
    unsigned s = a + b;
    if (s < a) return 0;
    assert(s >= b);
    return s;
}
unsigned char narrow(int x) {
    unsigned char c = (unsigned char)x;
    assert(c != 200);
    return c;
}
int sdiv(int a, int b) {
    if (b == 0) return 0;
    return a / b + a % b;
}
"""


def test_unsigned_wrap_truncating_division_and_conversions():
    opts = Options(solver_mode="int", analyses=frozenset({"overflow", "contract"}))
    fs = analyze_source(UNSIGNED, "u.c", opts).findings
    asserts = one_per_function(fs, lambda f: f.property == "assert")
    assert asserts["add"].status == "proved"
    cex = asserts["narrow"]
    assert cex.status == "counterexample" and cex.counterexample.inputs["x"] % 256 == 200
    div = [f for f in fs if f.function == "sdiv" and f.kind == "overflow"
           and f.status == "counterexample"]
    assert div and all(f.counterexample.inputs == {"a": -2147483648, "b": -1} for f in div)


BITWISE = """
unsigned mix(unsigned x) { x ^= x >> 16; x *= 0x45d9f3bu; return x; }
int plain(int a) { return a + 1; }
int caller(int a) { return (int)mix((unsigned)a); }
"""


def test_functions_with_bitwise_operators_use_bit_vectors():
    p = ir_program(BITWISE)
    assert uses_bitwise(p, "mix") and uses_bitwise(p, "caller")
    assert not uses_bitwise(p, "plain")
    opts = Options(solver_mode="portfolio", analyses=frozenset({"overflow"}))
    fs = analyze_source(BITWISE, "b.c", opts).findings
    encodings = by_function(fs, lambda f: f.status != "unknown", lambda f: f.solver.split("/")[1])
    assert set(encodings["mix"]) == {"bv"} and set(encodings["plain"]) == {"int"}


def ir_program(src):
    from veriline.analyses.api import parse
    return parse(src, "x.c")


def test_bit_vector_mode_is_todays_encoding():
    opts = Options(solver_mode="bv", analyses=frozenset({"overflow"}))
    (f,) = analyze_source("int inc(int a) { return a + 1; }", "i.c", opts).findings
    assert f.status == "counterexample" and f.solver == "z3/bv"
    assert f.counterexample.inputs == {"a": 2147483647}
