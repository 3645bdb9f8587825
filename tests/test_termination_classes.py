"""Loop classes the ranking search decides (engine/termination.py, engine/ranking.py):
loops no path goes around (`do { } while (0)` macros, bodies that always break or
return) and conditions that are an integer's truth (`while (n) n /= 10`)."""
import textwrap

import pytest

from veriline.analyses.api import Options, analyze_source
from findings_kit import one_per_function

TERM = Options(analyses=frozenset({"termination"}))

C = textwrap.dedent('''
    extern void ext0(void);
    extern int rd(void);
    struct S { int *p; };
    int macro(struct S *s) { do { ext0(); s->p = 0; } while (0); return 0; }
    int first_pass(int n) { while (1) { if (rd()) break; return 1; } return 0; }
    int polls(int n) { while (1) { if (rd()) break; } return 0; }
    int digits(int n) { int c = 0; while (n) { n /= 10; c++; } return c; }
    int digits_u(unsigned n) { int c = 0; while (n) { n /= 10; c++; } return c; }
    int toggles(int n) { while (n) { n = -n; } return 0; }
''')

PY = textwrap.dedent('''
    import foo

    def first_pass(n: int) -> int:
        while True:
            x = foo.bar()
            if x:
                return 1
            break
        return 0

    def polls(n: int) -> int:
        while True:
            x = foo.bar()
            if x:
                return 1
        return 0

    def digits(n: int) -> int:
        c = 0
        while n:
            n //= 10
            c += 1
        return c
''')


def _by_function(text, path):
    rep = analyze_source(text, path, TERM)
    return one_per_function(rep.findings, lambda f: f.kind == "termination")


@pytest.fixture(scope="module")
def c():
    return _by_function(C, "classes.c")


@pytest.fixture(scope="module")
def py():
    return _by_function(PY, "classes.py")


NEVER = ("terminates: no path goes around the loop (every pass leaves it: the condition is "
         "false after the body, or it breaks or returns)")


def test_do_while_zero_terminates(c):
    assert c["macro"].status == "proved"
    assert c["macro"].message.startswith(NEVER)


def test_body_that_always_leaves_terminates(c, py):
    assert c["first_pass"].status == "proved"
    assert c["first_pass"].message == NEVER + (" (assuming the call to `rd` returns; it "
                                               "is judged separately)")
    assert py["first_pass"].status == "proved"
    assert py["first_pass"].details["assumes_return"] == ["foo.bar"]


def test_polling_loop_stays_unknown(c, py):
    assert c["polls"].status == "unknown"
    assert py["polls"].status == "unknown"


def test_truth_condition_ranks_by_absolute_value(c):
    assert c["digits"].status == "proved"
    assert c["digits"].details["measure"] == ["|n|"]
    assert c["digits_u"].status == "proved"


def test_truth_condition_is_not_a_proof_when_it_does_not_shrink(c, py):
    assert c["toggles"].status != "proved"
    # Python floors: -1 // 10 == -1, so `while n: n //= 10` runs forever for n < 0
    assert py["digits"].status != "proved"
