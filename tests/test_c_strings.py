"""C string literals as values (issue #13): `"abc"[i]` reads and bounds, pointers to
literals, `char buf[] = "abc"` with its size and contents.  Exact verdicts and values;
out-of-bounds ✗ confirmed by gcc + AddressSanitizer when gcc is present."""
from __future__ import annotations

import os
import shutil

import pytest

from veriline.analyses.api import Options, analyze_source
from findings_kit import by_function

needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None and not os.environ.get("CI"),
                               reason="gcc not installed")

SRC = r"""
int hex_ok(unsigned c) {
    char x = "0123456789abcdef"[c & 0xf];
    assert(x != 'g');
    return x;
}
int hex_bad(unsigned c) {
    return "0123456789abcdef"[c & 0x1f];
}
int digit(unsigned i) {
    if (i < 10) return "0123456789"[i] - '0' + 2147483639;
    return 0;
}
int ptr_ok(int i) {
    const char *p = "xyz";
    if (i < 0 || i > 3) return 0;
    assert(p[3] == 0);
    return p[i];
}
int ptr_bad(int i) {
    const char *p = "xyz";
    if (i < 0) return 0;
    return p[i];
}
int buf_content(int k) {
    char buf[] = "hello";
    if (k < 0 || k >= (int)sizeof(buf)) return 0;
    assert(buf[5] == 0 && buf[1] == 'e');
    buf[0] = 'j';
    assert(buf[0] == 'j');
    return buf[k];
}
int buf_len(void) {
    char s[] = "abc";
    int n = 0;
    while (s[n] != 0) n++;
    assert(n == 3);
    return n;
}
"""


@pytest.fixture(scope="module")
def found():
    return by_function(analyze_source(SRC, "t.c", Options()).findings)


def _one(found, fn, prop, text=""):
    [f] = [f for f in found[fn] if f.property == prop and text in f.message]
    return f


def test_masked_index_into_a_literal_is_in_bounds_and_read(found):
    assert _one(found, "hex_ok", "bounds").status == "proved"
    assert _one(found, "hex_ok", "assert").status == "proved"


def test_index_past_the_nul_is_a_counterexample(found):
    f = _one(found, "hex_bad", "bounds")
    assert f.status == "counterexample"
    assert f.counterexample.values_at_failure["size"] == 17
    assert f.counterexample.values_at_failure["index"] >= 17


def test_literal_characters_are_exact_values(found):
    assert _one(found, "digit", "signed-overflow", "- '0'`").status == "proved"
    f = _one(found, "digit", "signed-overflow", "+ 2147483639")
    assert f.status == "counterexample"
    assert f.counterexample.inputs == {"i": 9}
    assert f.counterexample.values_at_failure["left"] == 9


def test_pointer_to_a_literal_has_the_literal_size(found):
    # (regression: such a pointer was once read as an input array `p[3] = 1`)
    assert all(f.status == "proved" for f in found["ptr_ok"] if f.property == "bounds")
    assert all(f.status == "proved" for f in found["ptr_ok"] if f.property == "assert")
    f = _one(found, "ptr_bad", "bounds")
    assert f.status == "counterexample" and f.counterexample.inputs == {"i": 4}


def test_array_initialized_by_a_literal_has_its_size_and_contents(found):
    asserts = [f for f in found["buf_content"] if f.property == "assert"]
    assert [f.status for f in asserts] == ["proved", "proved"]
    assert all(f.status == "proved" for f in found["buf_content"] if f.property == "bounds")


def test_strlen_loop_over_a_literal_array(found):
    assert _one(found, "buf_len", "assert").status == "proved"


@needs_gcc
def test_replay_confirms_a_read_past_a_literal(tmp_path):
    src = r"""
int rd(int i) {
    if (i < 0) return 0;
    return "abc"[i];
}
"""
    path = tmp_path / "lit.c"
    path.write_text(src)
    rep = analyze_source(src, str(path), Options(replay=True))
    [f] = [f for f in rep.findings if f.property == "bounds"]
    assert f.status == "counterexample"
    assert f.counterexample.inputs == {"i": 4}
    assert f.counterexample.confirmed is True


def test_a_huge_table_blanked_before_parsing_gets_no_size_from_its_initializer():
    items = ", ".join(str(k % 100) for k in range(3000))
    src = f"int table[] = {{{items}}};\nint rd(int i) {{ if (i < 0) return 0; return table[i]; }}\n"
    [f] = [f for f in analyze_source(src, "t.c", Options()).findings
           if f.property == "bounds"]
    assert f.status == "unknown"          # not "size 1": the table was blanked to {0}
