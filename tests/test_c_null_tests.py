"""Null tests of pointer parameters as one input each (issue #13): exact verdicts, and no
counterexample where NULL is no valid input or a caller in the file passes the pointer."""
from __future__ import annotations

import pytest

from veriline.analyses.api import Options, analyze_source
from findings_kit import by_function

INT_MAX, INT_MIN = 2**31 - 1, -2**31

SRC = r"""
#include <stddef.h>
int twice(int *p, int n) {
    int r = 0;
    if (p != NULL) r = 1;
    if (!p) r = 2;
    return r + n;
}
int agree(int *p, int n) {
    int r = 0;
    if (p) r = 1;
    if (p == 0 && r) n = n + 1;
    return n;
}
int cast(int *p, int x) {
    if (p == NULL && x > 0) return x;
    if ((char *)p == (void *)0) return x - 1;
    return 0;
}
int ternary(int *p, int x) { return x + (p ? 0 : 1); }
/*@ requires \valid(a + (0 .. 3)); */
int valid_arr(int *a, int x) { if (a == NULL) return x + 1; return 0; }
int stat(int a[static 2], int x) { if (a == NULL) return x + 1; return 0; }
int moved(int *p, int *q, int x) { if (x > 0) p = q; if (p == NULL) return x - 1; return 0; }
static int helper(int *p, int x) { if (p == 0) return x + 1; return x; }
int api(int x) { int y = 0; int *r = &y; return helper(r, x); }
int main(int argc, char **argv) { if (argv == NULL) return argc + 1; return 0; }
"""


@pytest.fixture(scope="module")
def found() -> dict:
    rep = analyze_source(SRC, "t.c", Options(timeout_ms=4000))
    return by_function(rep.findings, lambda f: f.kind == "overflow" and f.property != "bounds")


def test_the_null_test_is_an_input(found):
    [f] = found["twice"]
    assert f.status == "counterexample"
    assert f.counterexample.inputs == {"n": INT_MAX}
    assert f.counterexample.nondet == [1]                # p is not NULL: r = 1
    assert f.counterexample.values_at_failure == {"left": 1, "right": INT_MAX}


def test_two_tests_of_one_pointer_agree(found):
    assert [f.status for f in found["agree"]] == ["proved"]


def test_casts_between_pointer_types_keep_null(found):
    [f] = found["cast"]
    assert f.status == "counterexample"
    assert f.counterexample.inputs == {"x": INT_MIN} and f.counterexample.nondet == [0]


def test_conditional_on_a_pointer(found):
    [f] = found["ternary"]
    assert f.status == "counterexample"
    assert f.counterexample.inputs == {"x": INT_MAX} and f.counterexample.nondet == [0]


@pytest.mark.parametrize("fn", ["valid_arr", "stat", "moved", "helper", "main"])
def test_null_is_no_free_input_here(found, fn):
    [f] = found[fn]
    assert f.status == "unknown" and f.reason.startswith("depends on comparison")


def test_a_nonnull_attribute_turns_tracking_off():
    src = r"""
    __attribute__((nonnull)) int f(int *p, int x) { if (p == 0) return x + 1; return 0; }
    """
    rep = analyze_source(src, "t.c", Options())
    [f] = [f for f in rep.findings if f.kind == "overflow" and f.property != "bounds"]
    assert f.status == "unknown"


def test_a_path_around_an_unknown_member_read_is_a_counterexample():
    """The first model reads `kw->ob_size` (unknown); the engine asks again for a path that
    evaluates no unsupported value: kw NULL and nargs the minimum."""
    src = r"""
    typedef long Py_ssize_t;
    typedef struct { long ob_refcnt; void *ob_type; Py_ssize_t ob_size; } PyVarObject;
    void *unpack(Py_ssize_t n, PyVarObject *kw);
    Py_ssize_t getall(Py_ssize_t nargs, PyVarObject *kw) {
        Py_ssize_t noptargs = nargs + (kw ? kw->ob_size : 0) - 1;
        if (!unpack(nargs, kw))          /* unknown on every path, after the failure */
            return -1;
        return noptargs;
    }
    """
    rep = analyze_source(src, "t.c", Options(timeout_ms=4000))
    fs = sorted((f for f in rep.findings if f.kind == "overflow"), key=lambda f: f.span.end_col)
    assert [f.status for f in fs] == ["unknown", "counterexample"]
    assert "ob_size read through memory" in fs[0].reason
    cex = fs[1].counterexample
    assert cex.inputs == {"nargs": -2**63} and cex.nondet == [0]


@pytest.mark.parametrize("check", [
    "assert(p != NULL);",
    "assert(p);",
    "((p != NULL) ? (void)0 : __assert_fail(\"p != NULL\", \"t.c\", 3, \"f\"));",
])
def test_an_asserted_pointer_is_no_free_null_input(check):
    """`assert(p != NULL)` (as written, or as real <assert.h> expands it) says NULL is no
    valid input: no counterexample may pass NULL, neither for the assert nor later."""
    src = r"""
    #include <stddef.h>
    void __assert_fail(const char *, const char *, unsigned int, const char *);
    int f(int *p, int x) {
        CHECK
        if (p == NULL) return x + 1;
        return 0;
    }
    """.replace("CHECK", check)
    rep = analyze_source(src, "t.c", Options(timeout_ms=4000))
    assert not [f for f in rep.findings if f.status == "counterexample"]
    [f] = [f for f in rep.findings if f.kind == "overflow" and f.property != "bounds"]
    assert f.status == "unknown" and f.reason.startswith("depends on ")
