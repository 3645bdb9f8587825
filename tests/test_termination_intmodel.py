"""C termination in the integer model (driver._int_model_fits): unsigned counters are
Ints in their range that wrap mod 2^n, so Spacer can support their rankings; functions
with bitwise operators keep bit-vectors; the verdicts of the shared examples do not
depend on the encoding."""
import os

from veriline.analyses.api import Options, analyze_source
from conftest import EXAMPLES
from findings_kit import one_per_function

SOURCE = """
unsigned evens(unsigned n) {
    unsigned x = 2 * n;
    unsigned k = 0;
    while (x != 0) {
        x -= 2;
        k++;
    }
    return k;
}

unsigned masked(unsigned n) {
    unsigned x = n & 0xff;
    while (x > 0) x--;
    return x;
}
"""
UNSIGNED_LOOP = os.path.join(EXAMPLES, "c", "unsigned_loop.c")    # count_up(_fixed)


def _loops(mode: str, source: str = SOURCE) -> dict:
    rep = analyze_source(source, "u.c", Options(solver_mode=mode, analyses=("termination",)))
    return one_per_function(rep.findings, keep=lambda f: f.property == "loop")


def test_unsigned_counter_stepping_by_two_is_proved_with_a_spacer_invariant():
    f = _loops("int")["evens"]
    assert (f.status, f.solver) == ("proved", "z3/int")
    assert f.message.startswith("terminates: x decreases by at least 1 each iteration and "
                                "stays >= 0 (with inferred invariant ")
    assert "x % 2 == 0" in f.message
    # on bit-vectors Spacer is not asked (it works on integers): no invariant, no proof
    assert _loops("bv")["evens"].status == "unknown"


def test_bitwise_operators_keep_bit_vectors():
    for mode in ("int", "bv"):
        f = _loops(mode)["masked"]
        assert (f.status, f.solver) == ("proved", "z3/bv")
        assert f.message == "terminates: x decreases by at least 1 each iteration and " \
                            "stays >= 0"


def test_wrapping_counter_verdicts_agree_in_both_encodings():
    for mode in ("int", "bv"):
        with open(UNSIGNED_LOOP) as fh:
            loops = _loops(mode, fh.read())
        bad, good = loops["count_up"], loops["count_up_fixed"]
        assert bad.status == "counterexample"
        assert bad.counterexample.inputs == {"n": 4294967295}
        assert bad.message == ("count_up(4294967295) never returns: n == 4294967295 and "
                               "steps == i stay true forever")
        assert good.status == "proved"
        assert bad.solver == good.solver == f"z3/{mode}"
