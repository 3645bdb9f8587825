"""Replay of counterexamples on the user's real code (CPython subprocess, gcc + UBSan)."""
from __future__ import annotations

import os
import shutil

import pytest

from veriline.analyses import ir
from veriline.analyses.replay import Expect, replay_c, replay_python

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "examples")
I, U = ir.C_INT, ir.C_UINT
INT_MAX = 2**31 - 1
needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")


def example(rel: str) -> tuple[str, str]:
    path = os.path.join(EXAMPLES, rel)
    with open(path, encoding="utf-8") as fh:
        return fh.read(), path


def py(rel, qualname, inputs, expect, **kw):
    src, path = example(rel)
    return replay_python(src, path, qualname, inputs, expect, **kw)


def c(rel, function, params, inputs, expect, **kw):
    src, path = example(rel)
    return replay_c(src, path, function, params, inputs, expect, **kw)


# ------------------------------------------------------------------ Python examples

def test_safe_div_assert_fires_before_division():
    r = py("python/contracts.py", "safe_div", {"a": 1, "b": 0},
           Expect("exception", exception="AssertionError", line=22))
    assert r.confirmed is True and "AssertionError" in r.note
    r = py("python/contracts.py", "safe_div", {"a": 1, "b": 0},
           Expect("exception", exception="ZeroDivisionError", line=23))
    assert r.confirmed is False
    r = py("python/contracts.py", "safe_div", {"a": 7, "b": 2},
           Expect("exception", exception="AssertionError", line=22))
    assert r.confirmed is False and "returned 3" in r.note


def test_my_abs_postcondition():
    r = py("python/contracts.py", "my_abs", {"x": -1}, Expect("postcondition", expr="__return__ >= 0"))
    assert r.confirmed is True
    r = py("python/contracts.py", "my_abs", {"x": 3}, Expect("postcondition", expr="result >= 0"))
    assert r.confirmed is False


def test_g2_nontermination():
    r = py("python/subtract_loop.py", "g2", {"x": 5, "y": 0}, Expect("nontermination"),
           timeout_s=1.0)
    assert r.confirmed is True
    r = py("python/subtract_loop.py", "g2", {"x": 5, "y": 2}, Expect("nontermination"),
           timeout_s=1.0)
    assert r.confirmed is False


def test_old_values_and_unsaved_buffer(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("def inc(x):\n    return x\n")        # the file on disk is stale
    src = "def inc(x: int) -> int:\n    x = x + 1\n    return x\n"
    ok = replay_python(src, str(path), "inc", {"x": 4},
                       Expect("postcondition", expr="__return__ == __old__.x + 1"))
    assert ok.confirmed is False
    bad = replay_python(src, str(path), "inc", {"x": 4},
                        Expect("postcondition", expr="__return__ == OLD.x"))
    assert bad.confirmed is True


def test_methods_and_load_errors(tmp_path):
    src = ("class A:\n    def m(self, x):\n        assert x > 0\n        return x\n"
           "class B:\n    def __init__(self, k):\n        pass\n    def m(self, x):\n"
           "        return x\n    @staticmethod\n    def s(x):\n        return 1 // x\n")
    path = str(tmp_path / "cls.py")
    r = replay_python(src, path, "A.m", {"x": 0}, Expect("exception", exception="AssertionError",
                                                          line=3))
    assert r.confirmed is True
    r = replay_python(src, path, "B.m", {"x": 0}, Expect("exception", exception="AssertionError"))
    assert (r.confirmed, r.note) == (False, "B.m(x=0) returned 0")    # B(k) is not needed
    r = replay_python(src, path, "B.s", {"x": 0}, Expect("exception", exception="ZeroDivisionError",
                                                          line=12))
    assert r.confirmed is True
    r = replay_python("import not_a_module_xyz\ndef f(x):\n    return x\n", path, "f", {"x": 1},
                      Expect("exception", exception="AssertionError"))
    assert r.confirmed is None and "not_a_module_xyz" in r.note
    r = replay_python("while True:\n    pass\n", path, "f", {"x": 1}, Expect("nontermination"),
                      timeout_s=0.5)
    assert r.confirmed is None and "loading" in r.note


def test_numpy_overflow(tmp_path):
    pytest.importorskip("numpy")
    src = ("import numpy as np\n\ndef add(x: np.int32, y: np.int32) -> np.int32:\n"
           "    return x + y\n")
    path = str(tmp_path / "npmod.py")
    r = replay_python(src, path, "add", {"x": INT_MAX, "y": 1}, Expect("overflow", line=4))
    assert r.confirmed is True and "overflow" in r.note
    r = replay_python(src, path, "add", {"x": 1, "y": 1}, Expect("overflow", line=4))
    assert r.confirmed is False


# ------------------------------------------------------------------ C examples

@needs_gcc
def test_midpoint_bad_ubsan():
    r = c("c/midpoint.c", "midpoint_bad", [("lo", I), ("hi", I)], {"lo": INT_MAX, "hi": INT_MAX},
          Expect("ub", line=5, contains="signed integer overflow"))
    assert r.confirmed is True and "runtime error: signed integer overflow" in r.note
    r = c("c/midpoint.c", "midpoint_bad", [("lo", I), ("hi", I)], {"lo": 1, "hi": 3},
          Expect("ub", line=5))
    assert r.confirmed is False


@needs_gcc
def test_clamp_assert():
    params = [("v", I), ("lo", I), ("hi", I)]
    r = c("c/asserts.c", "clamp", params, {"v": 0, "lo": 1, "hi": 0}, Expect("assert", line=4))
    assert r.confirmed is True
    r = c("c/asserts.c", "clamp", params, {"v": 0, "lo": 0, "hi": 1}, Expect("assert", line=4))
    assert r.confirmed is False


@needs_gcc
def test_c_postcondition_and_nontermination():
    params = [("lo", I), ("hi", I)]
    post = "lo <= \\result && \\result <= hi"
    r = c("c/midpoint.c", "midpoint_good", params, {"lo": 0, "hi": INT_MAX},
          Expect("postcondition", expr=post))
    assert r.confirmed is False
    r = c("c/midpoint.c", "midpoint_good", params, {"lo": 0, "hi": 10},
          Expect("postcondition", expr="\\result == \\old(hi) + 1"))
    assert r.confirmed is True
    r = c("c/subtract_loop.c", "g2", [("x", I), ("y", I)], {"x": 5, "y": 0},
          Expect("nontermination"), timeout_s=1.0)
    assert r.confirmed is True
    r = c("c/unsigned_loop.c", "count_up", [("n", U)], {"n": 2**32 - 1},
          Expect("nontermination"), timeout_s=1.0)
    assert r.confirmed is True
    r = c("c/unsigned_loop.c", "count_up", [("n", U)], {"n": 7}, Expect("nontermination"))
    assert r.confirmed is False


SVCOMP = """extern int __VERIFIER_nondet_int(void);
extern void __VERIFIER_assume(int);
void reach_error();
static int twice(int x) { return 2 * x; }
int main() {
    int x = __VERIFIER_nondet_int();
    __VERIFIER_assume(x > 0);
    if (twice(x) == 10)
        reach_error();
    return 1 << x;
}
"""


@needs_gcc
def test_svcomp_main_with_nondet(tmp_path):
    path = str(tmp_path / "sv.c")
    r = replay_c(SVCOMP, path, "main", [], {}, Expect("assert", line=9), nondet=[5])
    assert r.confirmed is True
    r = replay_c(SVCOMP, path, "main", [], {}, Expect("assert", line=9), nondet=[4])
    assert r.confirmed is False
    r = replay_c(SVCOMP, path, "main", [], {}, Expect("assert", line=9), nondet=[-1])
    assert r.confirmed is False and "assume" in r.note
    r = replay_c(SVCOMP, path, "main", [], {}, Expect("ub", line=10, contains="shift"),
                 nondet=[40])
    assert r.confirmed is True
    r = replay_c(SVCOMP, path, "main", [], {}, Expect("assert", line=9), nondet=[])
    assert r.confirmed is None
    r = replay_c(SVCOMP, path, "twice", [("x", I)], {"x": 5},
                 Expect("postcondition", expr="\\result == 2 * x"))
    assert r.confirmed is False


@needs_gcc
def test_compile_error_and_globals(tmp_path):
    path = str(tmp_path / "bad.c")
    r = replay_c("int f(int x) { return x +; }\n", path, "f", [("x", I)], {"x": 1},
                 Expect("ub", line=1))
    assert r.confirmed is None and "error" in r.note
    src = "int g;\nint f(int x) { return x / g; }\n"
    r = replay_c(src, path, "f", [("x", I)], {"x": 1, "g": 0}, Expect("ub", line=2))
    assert r.confirmed is True and "division by zero" in r.note


def test_expect_for_maps_finding_properties():
    from veriline.analyses.replay import expect_for
    assert expect_for("python", "assert", 22) == Expect("exception", exception="AssertionError",
                                                          line=22)
    assert expect_for("python", "ensures", 6, "__return__ >= 0").expr == "__return__ >= 0"
    assert expect_for("c", "signed-overflow", 5) == Expect("ub", line=5,
                                                               contains="signed integer overflow|negation of")
    assert expect_for("c", "loop", 12).kind == "nontermination"
    assert expect_for("c", "conversion", 3) is None
    assert expect_for("python", "requires-call", 3) is None
