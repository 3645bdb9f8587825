"""Pointer parameters of static functions that every caller points at one object (issue #13):
exact verdicts, and an out-of-bounds counterexample confirmed by gcc + ASan."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest

from veriline.analyses.api import Options, analyze_source
from findings_kit import by_function

SRC = r"""
typedef long ssize;
static int find(int k, ssize *out, int *flag) { *out = k; if (k > 3) *flag = 1; return 0; }
static int scan(int k, ssize *next) { return find(k, next, 0); }
static int scan2(int k, ssize *next) { int f; return find(k, next, &f); }
int api(int k) { ssize n; int f = 0; scan2(k, &n); return scan(k, &n) + find(k, &n, &f); }
static void wrongtype(long *p) { *p = 1; }
int api2(void) { int a[2]; wrongtype((long *)a); return 0; }
static void narrower(long *p) { *p = 1; }
int api3(void) { int x; narrower(&x); return 0; }
static void from_array(int *p) { *p = 1; }
int api4(void) { int a[3]; from_array(a); return 0; }
static int as_value(int *p) { return *p; }
int (*table[1])(int *) = {as_value};
int api5(void) { int x = 0; return as_value(&x); }
void public_fn(int *p) { *p = 1; }
int api6(void) { int x; public_fn(&x); return x; }
static void moved(int *p) { p++; *p = 1; }
int api7(void) { int x; moved(&x); return 0; }
static int global_target(int *p) { return *p; }
int g;
int api8(void) { return global_target(&g); }
"""


@pytest.fixture(scope="module")
def found() -> dict:
    rep = analyze_source(SRC, "t.c", Options(timeout_ms=4000))
    return by_function(rep.findings, lambda f: f.property == "bounds")


def test_out_parameter_passed_as_address_of_a_local_is_proved(found):
    [out] = [f for f in found["find"] if "`*out`" in f.message]
    assert out.status == "proved"
    assert out.message == "no out-of-bounds access in `*out` (for the inputs its callers pass)"
    assert [f.status for f in found["global_target"]] == ["proved"]


def test_a_null_argument_leaves_the_size_unknown(found):
    flag = [f for f in found["find"] if "*flag" in f.message]
    assert [f.status for f in flag] == ["unknown"]
    assert flag[0].reason == ("size of the object flag points to is unknown; add "
                              "`requires \\valid(flag + (0 .. n-1));`")


@pytest.mark.parametrize("fn", ["wrongtype", "narrower", "from_array", "as_value",
                                "public_fn"])
def test_other_arguments_and_functions_stay_unknown(found, fn):
    [f] = found[fn]
    assert f.status == "unknown" and f.reason.startswith("size of the object p points to")


def test_a_moved_parameter_is_not_the_callers_object(found):
    [f] = found["moved"]
    assert f.status == "unknown" and "reassigned" in f.reason


READER = r"""
static int rd(int *p, int i) { if (i < 0) return 0; return p[i]; }
int api(int i) { int x = 5; return rd(&x, i); }
"""


def test_reading_past_the_one_object_is_a_counterexample():
    rep = analyze_source(READER, "t.c", Options(timeout_ms=4000))
    [f] = [f for f in rep.findings if f.property == "bounds"]
    assert f.status == "counterexample"
    i = f.counterexample.inputs["i"]
    assert i >= 1 and f.counterexample.values_at_failure == {"index": i, "size": 1}


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc (ASan)")
def test_asan_confirms_the_counterexample():
    rep = analyze_source(READER, "t.c", Options(timeout_ms=4000))
    [f] = [f for f in rep.findings if f.property == "bounds"]
    i = f.counterexample.inputs["i"]
    main = "#include <stdlib.h>\nint api(int);\nint main(int c, char **v) " \
           "{ return api(atoi(v[1])); }\n"
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in (("t.c", READER), ("main.c", main)):
            with open(os.path.join(tmp, name), "w") as fh:
                fh.write(text)
        exe = os.path.join(tmp, "t")
        subprocess.run(["gcc", "-O0", "-g", "-fsanitize=address", "t.c", "main.c", "-o", exe],
                       check=True, cwd=tmp, capture_output=True)
        env = {"ASAN_OPTIONS": "detect_leaks=0", "PATH": os.environ.get("PATH", "")}
        bad = subprocess.run([exe, str(min(i, 1))], capture_output=True, text=True, env=env)
        ok = subprocess.run([exe, "0"], capture_output=True, text=True, env=env)
    assert "stack-buffer-overflow" in bad.stderr and "t.c:2" in bad.stderr
    assert ok.returncode == 5
