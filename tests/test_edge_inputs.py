"""Boundary-value candidates for counterexample queries the solver gives up on
(engine/edge_inputs.py): exact values, the order tried, and no model that is not one."""
import z3

from veriline.analyses import ir
from veriline.analyses.api import Options, analyze_source
from veriline.analyses.engine import edge_inputs as EI

INT = ir.IntT(32, True, "int")
UCHAR = ir.IntT(8, False, "unsigned char")
BOOL_ = ir.IntT(1, False, "_Bool")


def test_boundary_values_of_each_type():
    assert EI.boundary_values(INT) == [0, 1, 2147483647, -1, 2, -2147483648, 2147483646,
                                       -2147483647]
    assert EI.boundary_values(UCHAR) == [0, 1, 255, 2, 254]
    assert EI.boundary_values(BOOL_) == [0, 1]
    assert EI.boundary_values(ir.IntT(None)) == [0, 1, -1, 2, -2]


def test_combinations_by_increasing_reach():
    assert list(EI.combinations([2, 3])) == [(0, 0), (0, 1), (1, 0), (0, 2), (1, 1), (1, 2)]
    got = list(EI.combinations([8, 8, 8]))
    assert len(got) == 512 and len(set(got)) == 512 and got[0] == (0, 0, 0)
    assert all(sum(a) <= sum(b) for a, b in zip(got, got[1:]))


def _int32(name):
    c = z3.Int(name)
    return c, [c >= -2**31, c <= 2**31 - 1]


def test_first_boundary_model_of_a_product_overflow():
    (x, rx), (y, ry) = _int32("x"), _int32("y")
    q = [x >= 0, y >= 0, x * y > 2**31 - 1] + rx + ry
    m = EI.edge_model(q, [(x, INT), (y, INT)])
    assert (m.eval(x), m.eval(y)) == (2147483647, 2147483647)
    assert all(m.eval(a) is True for a in q)


def test_no_model_when_no_boundary_value_fits_or_something_is_not_fixed():
    (x, rx), (y, ry) = _int32("x"), _int32("y")
    assert EI.edge_model([x * x == 49] + rx, [(x, INT)]) is None    # 7 is no boundary value
    z = z3.Int("z")             # z is not an input: the formula stays open, never guessed
    assert EI.edge_model([x * z > 5] + rx, [(x, INT)]) is None
    assert EI.edge_model([x == 1], []) is None


def test_bit_vector_inputs():
    a = z3.BitVec("a", 8)
    m = EI.edge_model([a * a == 4, z3.UGT(a, 2)], [(a, UCHAR)])
    assert m is not None and m.eval(a) == 254      # 254² = 4 (mod 256)


LCM = """
int lcm_unchecked(int a, int b) {
    if (a <= 0 || b <= 0) return 0;
    int g = a, h = b;
    while (h != 0) { int t = g % h; g = h; h = t; }
    return a * (b / g);
}
/*@ requires 0 < a && a <= 46340 && 0 < b && b <= 46340; */
int lcm_bounded(int a, int b) {
    int g = a, h = b;
    while (h != 0) { int t = g % h; g = h; h = t; }
    return a * (b / g);
}
"""


def test_a_gcd_loop_overflow_gets_a_confirmed_counterexample():
    fs = analyze_source(LCM, "lcm.c", Options(analyses=frozenset({"overflow"}),
                                              cache=None)).findings
    mul = [f for f in fs if f.function == "lcm_unchecked" and f.property == "signed-overflow"]
    assert [f.status for f in mul] == ["counterexample"]
    cex = mul[0].counterexample
    a, b = cex.inputs["a"], cex.inputs["b"]
    import math
    assert a > 0 and b > 0 and a * (b // math.gcd(a, b)) > 2**31 - 1
    bounded = [f for f in fs if f.function == "lcm_bounded" and f.property == "signed-overflow"]
    assert bounded and all(f.status != "counterexample" for f in bounded)


ISQRT = """
int isqrt_naive(int n) {
    int r = 0;
    while (r * r <= n) r++;
    return r - 1;
}
/*@ requires 0 <= n && n <= 1000000; */
int isqrt_small(int n) {
    int r = 0;
    while (r * r <= n) r++;
    return r - 1;
}
int isqrt_nondet(void) {
    int n = __VERIFIER_nondet_int();
    int r = 0;
    while (r * r <= n) r++;
    return r - 1;
}
"""


def _by(fs, function, prop="signed-overflow"):
    return [f for f in fs if f.function == function and f.property == prop
            and f.kind == "overflow"]


def test_an_overflow_beyond_the_unrolling_is_found_by_a_boundary_run():
    """r * r overflows for n = INT_MAX after 46,341 iterations (no unrolling gets there):
    the concrete run from the boundary input finds it, the values are the interpreter's."""
    fs = analyze_source(ISQRT, "isqrt.c", Options(analyses=frozenset({"overflow"}),
                                                  cache=None)).findings
    mul = _by(fs, "isqrt_naive")[0]
    assert mul.status == "counterexample"
    assert mul.counterexample.inputs == {"n": 2147483647}
    assert mul.counterexample.values_at_failure == {"left": 46341, "right": 46341}
    # within its requires no boundary input overflows: never a counterexample
    assert all(f.status != "counterexample" for f in _by(fs, "isqrt_small"))


def test_boundary_runs_only_where_the_inputs_are_the_whole_story():
    from veriline.analyses.api import parse
    from veriline.analyses.engine import boundary_runs
    from veriline.analyses.engine.encoding_modes import int_model, math_width
    from veriline.analyses.engine.widths import contract_width
    from veriline.analyses.engine.context import FnContext
    prog = parse(ISQRT, "isqrt.c")
    opts = Options(analyses=frozenset({"overflow"}), cache=None)
    with math_width(contract_width(prog)), int_model(True):
        nd = FnContext(prog, prog.functions["isqrt_nondet"], opts)
        assert boundary_runs.runs(nd) == []           # a nondet value: no runs
        small = FnContext(prog, prog.functions["isqrt_small"], opts)
        ran = [inputs["n"] for inputs, _, _ in boundary_runs.runs(small)]
        assert ran == [0, 1, 2]                       # only inputs within the requires
