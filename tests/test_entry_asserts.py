"""Entry asserts: preconditions checked at every call site, information in the function
itself, assumed for the rest of its body; private helpers judged in their callers' contexts."""
import subprocess
import sys
import textwrap

from veriline.analyses.api import Options, analyze_source, parse
from veriline.analyses.entry_asserts import entry_asserts

OPTS = Options(analyses=frozenset({"contract", "overflow"}))


def findings(text, path="m.py", **kw):
    rep = analyze_source(textwrap.dedent(text), path, Options(**{**OPTS.__dict__, **kw}))
    return rep.findings


def one(fs, function, prop, line=None):
    got = [f for f in fs if f.function == function and f.property == prop
           and (line is None or f.span.line == line)]
    assert len(got) == 1, [(f.function, f.property, f.span.line, f.message) for f in fs]
    return got[0]


def test_which_asserts_are_entry_asserts():
    prog = parse(textwrap.dedent('''
        def a(m: int, flag: bool) -> int:
            """Docstring first is fine."""
            assert 1 <= m <= 6
            assert m != 3, "no march"
            assert m != 4
            y = m
            assert y > 0
            return y

        def b(x: int) -> int:
            y = x
            assert x > 0
            return y

        def c(x: int) -> int:
            assert x > b(x)
            return x
    '''), "m.py")
    a = prog.functions["a"]
    assert [s.span.line for s in entry_asserts(a)] == [4, 5, 6]
    assert entry_asserts(prog.functions["b"]) == []     # something comes before it
    assert entry_asserts(prog.functions["c"]) == []     # calls a function


def test_caller_that_breaks_the_entry_assert_is_blamed():
    fs = findings('''
        def safe_div(a: int, b: int) -> int:
            assert b != 0
            return a // b

        def average(total: int, count: int) -> int:
            return safe_div(total, count)

        def halve(x: int) -> int:
            return safe_div(x, 2)
    ''')
    own = one(fs, "safe_div", "precondition")
    assert (own.status, own.kind, own.severity) == ("counterexample", "contract", "info")
    assert own.counterexample.inputs["b"] == 0
    assert own.message.startswith("entry assert `assert b != 0` (a precondition) fails: ")
    # the division after it is judged under the assert: no division-by-zero finding
    div = [f for f in fs if f.function == "safe_div" and f.kind == "overflow"]
    assert [f.status for f in div] == ["proved"]
    bad = one(fs, "average", "requires-call")
    assert (bad.status, bad.kind, bad.severity) == ("counterexample", "contract", "error")
    assert bad.counterexample.inputs["count"] == 0
    total = bad.counterexample.inputs["total"]
    assert bad.message == (f"precondition of safe_div (assert b != 0) fails: "
                           f"average({total}, 0)")
    assert bad.related[0].span.line == 3
    assert bad.span.line == 7
    ok = one(fs, "halve", "requires-call")
    assert ok.status == "proved"
    assert bad.details["judgement"] == "modular"


def test_all_callers_satisfy_it_no_error_anywhere():
    fs = findings('''
        def half(n: int) -> int:
            assert n >= 0
            return n // 2

        def quarter(n: int) -> int:
            if n < 0:
                n = -n
            return half(half(n))
    ''')
    errors = [f for f in fs if f.status == "counterexample" and f.severity == "error"]
    assert errors == []
    own = one(fs, "half", "precondition")
    assert (own.status, own.severity) == ("counterexample", "info")
    assert own.counterexample.inputs["n"] < 0
    calls = [f for f in fs if f.function == "quarter" and f.property == "requires-call"]
    assert [f.status for f in calls] == ["proved", "proved"]


def test_private_helper_is_judged_in_its_callers_contexts():
    fs = findings('''
        def _days(m: int) -> int:
            assert 1 <= m <= 6
            return 100 // (m - 7)

        def spring(k: int) -> int:
            if 0 <= k < 3:
                return _days(k + 1)
            return 0

        def _scale(x: int) -> int:
            return 10 // x

        def use_scale(a: int) -> int:
            if a > 0:
                return _scale(a)
            return _scale(a - 1)
    ''')
    own = one(fs, "_days", "precondition")
    assert own.status == "proved" and own.details["judgement"] == "callers"
    assert own.message == ("entry assert `assert 1 <= m <= 6` (a precondition) holds "
                           "(for the inputs its callers pass)")
    div = [f for f in fs if f.function == "_scale" and f.kind == "overflow"]
    assert [(f.status, f.details["judgement"]) for f in div] == [("proved", "callers")]
    assert one(fs, "spring", "requires-call").status == "proved"


def test_private_helper_counterexample_comes_with_the_callers_inputs():
    fs = findings('''
        def _scale(x: int) -> int:
            return 10 // x

        def bad_scale(a: int) -> int:
            return _scale(a + 1)
    ''')
    div = [f for f in fs if f.function == "_scale" and f.kind == "overflow"][0]
    assert div.status == "counterexample" and div.details["judgement"] == "callers"
    assert div.counterexample.inputs == {"x": 0}
    assert div.details["via"] == "bad_scale(-1)"
    assert div.message.endswith("(reached from bad_scale(-1))")


def test_private_helper_used_as_a_value_stays_modular():
    fs = findings('''
        def _scale(x: int) -> int:
            return 10 // x

        def use(a: int) -> int:
            if a > 0:
                return _scale(a)
            return 1

        CALLBACK = _scale
    ''')
    div = [f for f in fs if f.function == "_scale" and f.kind == "overflow"][0]
    assert div.status == "counterexample" and div.details["judgement"] == "modular"
    assert div.counterexample.inputs == {"x": 0}


def test_c_entry_assert_and_static_helper():
    text = '''
        #include <assert.h>
        static int pct(int v, int hi) {
            assert(hi > 0);
            return v * 100 / hi;
        }
        int clamp(int v, int lo, int hi) {
            assert(lo <= hi);
            return v < lo ? lo : (v > hi ? hi : v);
        }
        int fraction(int v) {
            return pct(clamp(v, 0, 10), 10);
        }
        int clamp_percent(int v, int hi) {
            return clamp(v, 0, hi);
        }
    '''
    fs = findings(text, "m.c")
    pre = one(fs, "pct", "precondition")
    assert pre.status == "proved" and pre.details["judgement"] == "callers"
    mul = [f for f in fs if f.function == "pct" and f.kind == "overflow" and f.span.line == 5]
    assert mul and all(f.status == "proved" for f in mul), [f.message for f in mul]
    assert one(fs, "clamp", "precondition").severity == "info"
    assert one(fs, "clamp", "precondition").status == "counterexample"
    bad = one(fs, "clamp_percent", "requires-call")
    assert bad.status == "counterexample" and bad.counterexample.inputs["hi"] < 0
    assert bad.message.startswith("precondition of clamp (assert lo <= hi) fails: "
                                  "clamp_percent(")
    calls = [f for f in fs if f.function == "fraction" and f.property == "requires-call"]
    assert sorted(f.status for f in calls) == ["proved", "proved"]


def test_check_exit_code_ignores_information(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("def half(n: int) -> int:\n    assert n >= 0\n    return n // 2\n\n\n"
                   "def quarter(n: int) -> int:\n    return half(abs(n)) // 2\n")
    out = subprocess.run([sys.executable, "-m", "veriline", "check", "--no-cache",
                          "--format", "json", str(src)], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    src.write_text(src.read_text() + "\n\ndef oops(n: int) -> int:\n    return half(n)\n")
    out = subprocess.run([sys.executable, "-m", "veriline", "check", "--no-cache",
                          "--format", "json", str(src)], capture_output=True, text=True)
    assert out.returncode == 1, out.stdout


def test_calls_the_ir_does_not_hold_keep_a_private_helper_modular():
    from veriline.analyses.judgement import judgement_mode
    prog = parse(textwrap.dedent('''
        def _a(x: int) -> int:
            return 10 // x

        def _b(x: int) -> int:
            return 10 // x

        def _c(x: int) -> int:
            return 10 // x

        def user(k: int) -> int:
            def inner() -> int:
                return _a(0)
            return _a(k + 1) + _b(1) + _c(2)

        Y = _b(0)
    '''), "m.py")
    assert judgement_mode(prog, "_a") == "modular"     # a call in a nested def
    assert judgement_mode(prog, "_b") == "modular"     # a call at module level
    assert judgement_mode(prog, "_c") == "callers"
    c = parse(textwrap.dedent('''
        static int helper(int x);
        static int helper(int x) { return 10 / x; }
        static int unused(int x) { return x; }
        int api(int y) { return helper(y + 1); }
    '''), "m.c")
    assert judgement_mode(c, "helper") == "callers"    # a prototype is not a call
    assert judgement_mode(c, "unused") == "modular"


def test_private_helper_entry_assert_broken_by_a_caller():
    fs = findings('''
        def _h(x: int) -> int:
            assert x > 0
            return x

        def user(k: int) -> int:
            return _h(k)
    ''')
    own = one(fs, "_h", "precondition")
    assert (own.status, own.severity, own.details["judgement"]) == (
        "counterexample", "info", "callers")
    k = own.counterexample.inputs["x"]
    assert k <= 0 and own.details["via"] == f"user({k})"
    bad = one(fs, "user", "requires-call")
    assert bad.status == "counterexample" and bad.severity == "error"
    assert bad.counterexample.inputs["k"] <= 0


def test_fingerprint_of_a_private_helper_follows_its_callers():
    from veriline.analyses.api import fingerprint
    base = '''
        def _scale(x: int) -> int:
            return 10 // x

        def use(a: int) -> int:
            if a > 0:
                return _scale(a)
            return 0

        def other(b: int) -> int:
            return b
    '''
    fp = lambda text: fingerprint(parse(textwrap.dedent(text), "m.py"), "_scale", OPTS)
    assert fp(base) == fp(base.replace("return b", "return b + 1"))
    assert fp(base) != fp(base.replace("a > 0", "a >= 0"))
    assert fp(base) != fp(base.replace("return b", "return _scale(b)"))


def test_private_helper_verdict_matches_the_callers_ranges():
    """Differential: a helper that divides by (x - c), called under lo <= a <= hi with
    x = a + d (and from a second caller with a constant), fails iff some caller reaches
    x == c; the verdict in callers' contexts must say exactly that."""
    from hypothesis import given, settings, strategies as st

    @settings(max_examples=12, deadline=None, derandomize=True)
    @given(st.integers(-5, 5), st.integers(0, 6), st.integers(-4, 4), st.integers(-12, 12),
           st.integers(-12, 12))
    def check(lo, width, d, c, k):
        hi = lo + width
        text = f'''
            def _h(x: int) -> int:
                return 100 // (x - ({c}))

            def f(a: int) -> int:
                if {lo} <= a and a <= {hi}:
                    return _h(a + ({d}))
                return 0

            def g() -> int:
                return _h({k})
        '''
        fs = [x for x in findings(text) if x.function == "_h" and x.kind == "overflow"]
        reachable = lo + d <= c <= hi + d or k == c
        assert [x.details["judgement"] for x in fs] == ["callers"]
        assert fs[0].status == ("counterexample" if reachable else "proved"), (text, fs[0])
        if reachable:
            assert fs[0].counterexample.inputs == {"x": c}
    check()


def test_a_caller_that_catches_the_assertion_error_breaks_nothing():
    """Python: a failing entry assert raises AssertionError; a caller whose enclosing try
    catches it (AssertionError, Exception, bare except, a tuple naming it) does not break
    the precondition; one whose handler cannot catch it (ValueError) does.  Replay
    confirms the ✗ that is left."""
    fs = findings('''
        def half(n: int) -> int:
            assert n % 2 == 0
            return n // 2

        def use_exc(n: int) -> int:
            try:
                return half(n)
            except Exception:
                return 0

        def use_bare(n: int) -> int:
            try:
                r = half(n)
            except:
                r = 0
            return r

        def use_tuple(n: int) -> int:
            try:
                return half(n)
            except (KeyError, AssertionError):
                return 0

        def use_value(n: int) -> int:
            try:
                return half(n)
            except ValueError:
                return 0

        def after_the_try(n: int) -> int:
            try:
                r = 1
            except AssertionError:
                r = 0
            return half(n) + r
    ''', replay=True)
    calls = {f.function: f.status for f in fs if f.property == "requires-call"}
    assert calls == {"use_value": "counterexample", "after_the_try": "counterexample"}
    bad = one(fs, "use_value", "requires-call")
    assert bad.counterexample.inputs["n"] % 2 == 1
    assert bad.counterexample.confirmed is True
