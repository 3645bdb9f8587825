"""Out-of-bounds obligations of C element accesses (issue #13): exact verdicts and values."""
from __future__ import annotations

import os
import shutil

import pytest

from veriline.analyses.api import Options, analyze_source, parse
from veriline.analyses.interp import run
from veriline.analyses.replay.c import judge
from veriline.analyses.replay.common import Expect, ProcessRun
from findings_kit import by_function, one_per_function

needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None and not os.environ.get("CI"),
                               reason="gcc not installed")

SRC = r"""
void zero_bad(void) {
    int buf[16];
    for (int i = 0; i <= 16; i++) buf[i] = 0;
}
void zero_ok(void) {
    int buf[16];
    for (int i = 0; i < 16; i++) buf[i] = 0;
}
/*@ requires n >= 0;
    requires \valid(a + (0 .. n-1)); */
void fill(int *a, int n) {
    for (int i = 0; i < n; i++) a[i] = 0;
}
/*@ requires n >= 0;
    requires \valid(a + (0 .. n-1)); */
void fill_bad(int *a, int n) {
    for (int i = 0; i <= n; i++) a[i] = 0;
}
int st4(int a[static 4]) { return a[4]; }
int st3(int a[static 4]) { return a[3]; }
int unk(int *p) { return *p; }
"""


def _bounds(src: str, options: Options = Options()) -> dict:
    rep = analyze_source(src, "t.c", options)
    return by_function(rep.findings, lambda f: f.property == "bounds")


@pytest.fixture(scope="module")
def found():
    return _bounds(SRC)


def test_local_array_off_by_one(found):
    [f] = found["zero_bad"]
    assert f.status == "counterexample"
    assert f.kind == "overflow" and f.severity == "error"
    assert f.counterexample.call == "zero_bad()"
    assert f.counterexample.values_at_failure == {"index": 16, "size": 16}
    assert f.message == ("out-of-bounds access in `buf[i]`: zero_bad() "
                         "(index = 16, size = 16)")


def test_local_array_correct_loop(found):
    [f] = found["zero_ok"]
    assert f.status == "proved"
    assert f.message == "no out-of-bounds access in `buf[i]`"


def test_valid_parameter_loop_is_proved(found):
    [f] = found["fill"]
    assert f.status == "proved"


def test_houdini_infers_the_loop_bounds_invariant(monkeypatch):
    """Shown on the loop's termination finding when the full judgement decides it (by
    default the loop is proved on the quick abstraction, which needs no invariant)."""
    from veriline.analyses.engine import driver
    rep = analyze_source(SRC, "t.c", Options())
    [quick] = [f for f in rep.findings if f.function == "fill" and f.property == "loop"]
    assert (quick.status, quick.details["abstraction"]) == ("proved", "no inferred invariants")
    monkeypatch.setattr(driver, "_quick_termination", lambda *args: {})
    rep = analyze_source(SRC, "t.c", Options())
    [loop] = [f for f in rep.findings if f.function == "fill" and f.property == "loop"]
    assert {"i >= 0", "i <= n"} <= set(loop.details["invariants"])


def test_valid_parameter_off_by_one(found):
    [f] = found["fill_bad"]
    assert f.status == "counterexample"
    n = f.counterexample.inputs["n"]
    assert f.counterexample.values_at_failure == {"index": n, "size": n}


def test_static_array_parameter(found):
    [bad] = found["st4"]
    assert bad.status == "counterexample"
    assert bad.counterexample.values_at_failure == {"index": 4, "size": 4}
    [ok] = found["st3"]
    assert ok.status == "proved"


def test_unknown_size_pointer(found):
    [f] = found["unk"]
    assert f.status == "unknown"
    assert f.reason == ("size of the object p points to is unknown; add "
                        "`requires \\valid(p + (0 .. n-1));`")


def test_unknown_size_findings_can_be_hidden():
    found = _bounds(SRC, Options(report_unknown_bounds=False))
    assert "unk" not in found
    assert [f.status for f in found["st4"]] == ["counterexample"]


def test_vla_parameter_and_valid_read():
    src = r"""
    int sum(int n, int a[n]) {
        int s = 0;
        for (int i = 0; i < n; i++) s ^= a[i];
        return s;
    }
    int last(int n, int a[n]) { return a[n]; }
    /*@ requires 0 <= i < n; requires \valid_read(a + (0 .. n-1)); */
    int get(const int *a, int n, int i) { return a[i]; }
    /*@ requires \valid_read(a + (0 .. n-1)); */
    int get_bad(const int *a, int n, int i) { return a[i]; }
    """
    found = _bounds(src)
    assert [f.status for f in found["sum"]] == ["proved"]
    [last] = found["last"]
    n = last.counterexample.inputs["n"]
    assert last.counterexample.values_at_failure == {"index": n, "size": n}
    assert [f.status for f in found["get"]] == ["proved"]
    [bad] = found["get_bad"]
    assert bad.status == "counterexample"
    ins = bad.counterexample.inputs
    assert not 0 <= ins["i"] < ins["n"]


def test_length_parameter_changed_in_body_uses_entry_value():
    src = r"""
    /*@ requires n > 0; requires \valid(a + (0 .. n-1)); */
    void f(int *a, int n) {
        int k = n - 1;
        n = n + 5;
        a[k] = 1;
    }
    /*@ requires n > 0; requires \valid(a + (0 .. n-1)); */
    void g(int *a, int n) {
        n = n + 5;
        a[n - 1] = 1;
    }
    """
    found = _bounds(src)
    assert [f.status for f in found["f"]] == ["proved"]
    [g] = found["g"]
    assert g.status == "counterexample"
    n = g.counterexample.inputs["n"]
    assert g.counterexample.values_at_failure == {"index": n + 4, "size": n}


def test_reassigned_pointer_and_struct_member_are_unknown():
    src = r"""
    struct S { int *data; };
    /*@ requires \valid(p + (0 .. 3)); */
    int f(int *p) { p++; return p[0]; }
    int g(struct S *s, int i) { return s->data[i]; }
    int h(int i) { int m[4][4]; return m[i][0]; }
    """
    found = _bounds(src)
    [f] = found["f"]
    assert f.status == "unknown" and "reassigned" in f.reason
    [g] = found["g"]
    assert g.status == "unknown" and "struct member" in g.reason
    inner = sorted(found["h"], key=lambda f: f.span.end_col)
    assert [f.status for f in inner] == ["counterexample", "unknown"]
    assert "multi-dimensional" in inner[1].reason


def test_address_of_one_past_the_end_is_not_an_access():
    src = r"""
    int end(void) { int buf[4]; int *e = &buf[4]; return e != 0; }
    """
    assert _bounds(src) == {}


def test_index_with_side_effect_is_evaluated_once():
    src = r"""
    /*@ ensures \result == 1; */
    int f(void) {
        int buf[4];
        int i = 0;
        buf[i++] = 7;
        return i;
    }
    """
    rep = analyze_source(src, "t.c", Options())
    st = {(f.property, f.status) for f in rep.findings if f.kind != "termination"}
    assert ("bounds", "proved") in st and ("ensures", "proved") in st


def test_valid_precondition_is_not_proved_at_call_sites():
    src = r"""
    /*@ requires n > 0; requires \valid(a + (0 .. n-1)); */
    int first(int *a, int n) { return a[0]; }
    int caller(int *p) { return first(p, 3); }
    """
    rep = analyze_source(src, "t.c", Options())
    calls = [f for f in rep.findings if f.function == "caller"
             and f.property == "requires-call"]
    st = {f.message.split(":")[1].strip(): f.status for f in calls}
    assert st == {"requires n > 0 holds for all inputs": "proved",
                  "requires \\valid(a + (0 .. n-1))": "unknown"}
    own = [f for f in rep.findings if f.function == "first" and f.property == "bounds"]
    assert [f.status for f in own] == ["proved"]


def test_interpreter_stops_at_an_out_of_bounds_access():
    src = "int f(int i) { int g[3]; if (i >= 0) return g[i] = 1; return 0; }"
    prog = parse(src, "t.c")
    out = run(prog, "f", {"i": 3})
    assert out.status == "violation"
    [v] = out.violations
    assert v.kind == "bounds" and v.values == {"index": 3, "size": 3}
    assert run(prog, "f", {"i": 2}, externals=[0, 0]).status == "returned"


def test_asan_report_is_read():
    err = ("==1==ERROR: AddressSanitizer: global-buffer-overflow on address 0x1\n"
           "READ of size 4 at 0x1 thread T0\n"
           "    #0 0x55d in rd t.c:4\n    #1 0x55e in main __veriline_driver.c:9\n")
    res = judge(ProcessRun(1, "", "\n__VERILINE__CALL\n" + err), Expect("bounds", line=4),
                "t.c", "rd(4)", 5.0)
    assert res.confirmed is True
    assert res.note == "rd(4): AddressSanitizer: global-buffer-overflow at t.c:4"
    res = judge(ProcessRun(1, "", err), Expect("bounds", line=5), "t.c", "rd(4)", 5.0)
    assert res.confirmed is False


@needs_gcc
def test_replay_confirms_out_of_bounds(tmp_path):
    src = r"""
int g[4];
int rd(int i) {
    if (i < 0) return 0;
    return *(g + i);
}
void zero_bad(void) {
    int buf[16];
    for (int i = 0; i <= 16; i++) buf[i] = 0;
}
"""
    path = tmp_path / "oob.c"
    path.write_text(src)
    rep = analyze_source(src, str(path), Options(replay=True))
    cexs = one_per_function(rep.findings,
                            lambda f: f.property == "bounds" and f.status == "counterexample")
    assert cexs["rd"].counterexample.inputs == {"i": 4}
    assert cexs["rd"].counterexample.confirmed is True
    assert cexs["zero_bad"].counterexample.confirmed is True
    assert "out of bounds" in cexs["zero_bad"].counterexample.replay_note


# ---------------------------------------------------------------- element values (a z3 array)

def test_element_value_overflow_shows_the_array_contents():
    src = r"""
    /*@ requires \valid_read(a + (0 .. n-1)); requires 0 <= i < n; */
    int elem(const int a[], int n, int i) { return a[i] + 1; }
    """
    rep = analyze_source(src, "t.c", Options())
    [f] = [f for f in rep.findings if f.property == "signed-overflow"]
    assert f.status == "counterexample"
    ins = f.counterexample.inputs
    i = ins["i"]
    assert 0 <= i < ins["n"]
    assert ins[f"a[{i}]"] == 2147483647
    assert f.counterexample.values_at_failure == {"left": 2147483647, "right": 1}
    assert f.counterexample.call == f"elem({ins['n']}, {i}) with a[{i}] = 2147483647"


def test_same_element_read_twice_is_one_value():
    src = r"""
    /*@ requires \valid_read(a + (0 .. n-1)); requires 0 < n; */
    int same(const int *a, int n, int i) {
        if (i < 0 || i >= n) return 0;
        return a[i] - a[i] + a[0] - a[0];
    }
    /*@ requires \valid_read(a + (0 .. n-1)); requires 0 < n; */
    int first(const int *a, int n, int i) {
        if (i != 0) return 0;
        return a[i] - a[0];
    }
    """
    rep = analyze_source(src, "t.c", Options())
    st = {(f.function, f.property, f.status) for f in rep.findings}
    assert ("same", "signed-overflow", "counterexample") not in st
    assert [f.status for f in rep.findings
            if f.property == "signed-overflow"] == ["proved"] * 4


def test_element_read_in_an_inlined_callee_is_not_a_counterexample():
    src = r"""
    static int at(const int *a, int i) { return a[i]; }
    int twice(const int *p) { return at(p, 1) + at(p, 1); }
    """
    rep = analyze_source(src, "t.c", Options())
    [f] = [f for f in rep.findings if f.function == "twice"
           and f.property.startswith("signed-overflow")]
    assert f.status == "unknown"


def test_interpreter_reads_element_inputs():
    src = "int f(const int *a, int i) { return a[i]; }"
    prog = parse(src, "t.c")
    assert run(prog, "f", {"i": 2, "a[2]": 41}).value == 41
    out = run(prog, "f", {"i": 3, "a[2]": 41})
    assert out.status == "needs_input" and "a[3]" in out.message


@needs_gcc
def test_replay_allocates_array_parameters_of_their_size(tmp_path):
    src = r"""
/*@ requires n >= 0; requires \valid(a + (0 .. n-1)); */
void fill_bad(int *a, int n) {
    for (int i = 0; i <= n; i++) a[i] = 0;
}
int st4(int a[static 4]) { return a[4]; }
/*@ requires \valid_read(a + (0 .. n-1)); requires 0 <= i < n; */
int elem(const int *a, int n, int i) { return a[i] + 1; }
int unk(int *p, int i) { return i + 1; }
"""
    path = tmp_path / "arr.c"
    path.write_text(src)
    rep = analyze_source(src, str(path), Options(replay=True))
    cexs = one_per_function(rep.findings, lambda f: f.status == "counterexample",
                            lambda f: f.counterexample)
    assert cexs["fill_bad"].confirmed is True
    assert "AddressSanitizer: heap-buffer-overflow at arr.c:4" in cexs["fill_bad"].replay_note
    assert cexs["st4"].confirmed is True
    assert cexs["elem"].confirmed is True          # a[i] = INT_MAX reached the real code
    assert "2147483647 + 1" in cexs["elem"].replay_note
    assert cexs["unk"].confirmed is True           # p, of no known size, passed as NULL
    assert cexs["unk"].replay_note.startswith("unk(NULL, 2147483647): arr.c:9: runtime "
                                              "error: signed integer overflow")


def test_sizeof_of_an_array_of_known_size():
    src = r"""
    void f(void) {
        char namebuf[64];
        namebuf[sizeof(namebuf) - 1] = 0;
        namebuf[sizeof(namebuf)] = 0;
    }
    """
    found = sorted(_bounds(src)["f"], key=lambda f: f.span.line)
    assert [f.status for f in found] == ["proved", "counterexample"]
    assert found[1].counterexample.values_at_failure == {"index": 64, "size": 64}
