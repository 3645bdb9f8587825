"""Headers: gcc's/libc's own where pycparser reads them, veriline's as fallback, empty
stubs (reported) for headers found nowhere, the fake Python.h for CPython extension
modules, and array element reads of known integer type (tail[11] << 24)."""
from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from veriline.analyses import api, ir
from veriline.analyses.frontends import c_preprocess, c_source_text

needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")
needs_libc_headers = pytest.mark.skipif(not os.path.exists("/usr/include/stdio.h"),
                                        reason="libc development headers not installed")


def verdicts(src: str, path: str = "t.c", kind: str = "overflow", **kw):
    rep = api.analyze_source(src, path, api.Options(timeout_ms=10000, **kw))
    return rep, sorted((f.function, f.span.line, f.status) for f in rep.findings
                       if f.kind == kind and f.property != "conversion")


# ------------------------------------------------------------------ system headers

@needs_gcc
@needs_libc_headers
def test_system_header_types_and_limits():
    src = ("#include <sys/types.h>\n#include <limits.h>\n#include <stdint.h>\n"
           "ssize_t next(ssize_t a) { return a + 1; }\n"
           "int below(int x) { if (x < INT_MAX) return x + 1; return 0; }\n"
           "uint16_t wide(uint16_t a) { return a * a; }\n")
    rep, got = verdicts(src)
    assert rep.program.errors == []
    assert rep.program.functions["next"].params[0].type == ir.IntT(64, True, "long")
    assert got == [("below", 5, "proved"), ("next", 4, "counterexample"),
                   ("wide", 6, "counterexample")]
    cex = next(f for f in rep.findings if f.function == "next").counterexample
    assert cex.inputs == {"a": 2**63 - 1}


@needs_gcc
def test_preprocessor_warnings_are_not_failures():
    src = ('#warning "just a warning"\n#define X 1\n#undef X\n#define X 2\n'
           "int f(int a) { return a / X; }\n")
    rep, got = verdicts(src)
    assert rep.program.errors == [] and got == [("f", 5, "proved")]


@needs_gcc
def test_missing_headers_are_reported_and_the_run_goes_on(tmp_path):
    inc = tmp_path / "inc"
    inc.mkdir()
    (inc / "outer.h").write_text("#include <inner/missing.h>\n#define K 3\n")
    src = ('#include "nowhere.h"\n#include "outer.h"\n'
           "int f(int a) { return a * K; }\n")
    rep = api.analyze_source(src, str(tmp_path / "t.c"),
                             api.Options(c_flags=(f"-I{inc}",)))
    msgs = [(e.span.line, e.message) for e in rep.program.errors]
    assert msgs == [
        (1, "preprocessor: header nowhere.h not found: treated as empty — give its directory "
            "with -I"),
        (2, f"preprocessor: header inner/missing.h not found: treated as empty (included "
            f"from {inc}/outer.h:1) — give its directory with -I")]
    assert [(f.function, f.status) for f in rep.findings] == [("f", "counterexample")]


@needs_gcc
def test_unparseable_header_names_file_and_line_and_other_items_survive(tmp_path):
    inc = tmp_path / "inc"
    inc.mkdir()
    (inc / "weird.h").write_text("int ok_decl;\nthis is not C;\nint also_ok(int);\n")
    src = '#include "weird.h"\nint f(int a) { return a + 1; }\n'
    rep = api.analyze_source(src, str(tmp_path / "t.c"), api.Options(c_flags=(f"-I{inc}",)))
    assert any(f"{inc}/weird.h:2" in e.message for e in rep.program.errors)
    assert [(f.function, f.status) for f in rep.findings] == [("f", "counterexample")]


@needs_gcc
def test_fallback_to_veriline_headers_when_system_ones_do_not_parse(tmp_path, monkeypatch):
    broken = tmp_path / "sys"
    broken.mkdir()
    (broken / "string.h").write_text("__weird_builtin_type size_t strlen(const char *);\n")
    real = c_preprocess.gcc_args

    def with_broken_system(path, dm, flags=(), system=True, stub_dir=None, python=True):
        args = real(path, dm, flags, system, stub_dir, python)
        return args[:-1] + ["-isystem", str(broken)] + args[-1:] if system else args
    monkeypatch.setattr(c_preprocess, "gcc_args", with_broken_system)
    src = "#include <string.h>\nint f(const char *s, int n) { return n - 1; }\n"
    rep = api.analyze_source(src, "t.c")
    assert [e.message for e in rep.program.errors] == [
        f"system header not understood ({broken}/string.h:1:1: Invalid function definition): "
        "using veriline's own headers"]
    assert [(f.function, f.status) for f in rep.findings] == [("f", "counterexample")]


@needs_gcc
def test_fake_headers_alone_cover_common_libc(tmp_path):
    src = ("#include <math.h>\n#include <float.h>\n#include <stdarg.h>\n#include <string.h>\n"
           "#include <errno.h>\n#include <ctype.h>\n#include <stdio.h>\n#include <limits.h>\n"
           "int f(int x) { if (x == INT_MIN) return 0; return -x; }\n")
    code, _, _ = c_source_text.scan_comments(src)
    pp = c_preprocess.preprocess(code, str(tmp_path / "t.c"), system=False)
    assert pp.errors == [] and not pp.system
    from pycparser import c_parser
    c_parser.CParser().parse(pp.text, "<stdin>")


def test_header_prefix_is_parsed_once(monkeypatch):
    from veriline.analyses.frontends import c_prefix
    src = "#include <stdio.h>\n#include <stdlib.h>\nint g(int a) { return a - 1; }\n"
    first = api.parse(src, "a.c")
    calls = []
    real = c_prefix.c_parser.CParser.parse
    monkeypatch.setattr(c_prefix.c_parser.CParser, "parse",
                        lambda self, text, name="": calls.append(len(text)) or
                        real(self, text, name))
    second = api.parse(src.replace("a - 1", "a - 2"), "a.c")
    assert list(first.functions) == list(second.functions) == ["g"]
    full = c_preprocess.preprocess(c_source_text.scan_comments(src)[0], "a.c").text
    assert len(calls) == 1 and calls[0] * 5 < len(full)   # the user's part (+ stubs) only


# ------------------------------------------------------------------ CPython extension

EXTENSION = r"""
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>
#include <stdint.h>

typedef struct { PyObject_HEAD Py_ssize_t count; } Counter;

static uint32_t rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

static long scale(long x, long factor) { return x * factor; }

static PyObject *py_scale(PyObject *self, PyObject *args) {
    long x, factor;
    if (!PyArg_ParseTuple(args, "ll", &x, &factor))
        return NULL;
    if (factor == 0) {
        PyErr_SetString(PyExc_ValueError, "factor must not be 0");
        return NULL;
    }
    return PyLong_FromLong(scale(x, factor));
}

static PyObject *py_bytes(PyObject *self, PyObject *arg) {
    if (!PyBytes_Check(arg)) { PyErr_SetString(PyExc_TypeError, "bytes"); return NULL; }
    return Py_BuildValue("n", PyBytes_GET_SIZE(arg));
}

static PyObject *py_none(PyObject *self, PyObject *unused) { Py_RETURN_NONE; }

static PyMemberDef members[] = {
    {"count", T_PYSSIZET, offsetof(Counter, count), READONLY, "count"}, {NULL}};

static PyMethodDef methods[] = {
    {"scale", py_scale, METH_VARARGS, "x * factor"},
    {"size", py_bytes, METH_O, NULL},
    {"none", py_none, METH_NOARGS, NULL},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moddef = {PyModuleDef_HEAD_INIT, "ext", NULL, -1, methods};

PyMODINIT_FUNC PyInit_ext(void) {
    PyObject *m = PyModule_Create(&moddef);
    if (m == NULL) return NULL;
    if (PyModule_AddIntConstant(m, "SEED", 42) < 0) { Py_DECREF(m); return NULL; }
    return m;
}
"""


@needs_gcc
def test_cpython_extension_module_parses_and_its_integers_are_checked():
    rep, got = verdicts(EXTENSION, "ext.c")
    assert rep.program.errors == []
    assert list(rep.program.functions) == ["rotl", "scale", "py_scale", "py_bytes", "py_none",
                                           "PyInit_ext"]
    assert ("scale", 11, "counterexample") in got
    assert ("rotl", 9, "counterexample") in got        # r = 0: x >> 32 is undefined
    cex = next(f for f in rep.findings if f.function == "scale").counterexample
    assert abs(cex.inputs["x"] * cex.inputs["factor"]) > 2**63 - 1


# ------------------------------------------------------------------ array element reads

TAIL = """\
#include <stdint.h>
uint32_t tail_block(const uint8_t *data, int len) {
    const uint8_t *tail = data;
    uint32_t k1 = 0;
    switch (len & 3) {
    case 3: k1 ^= tail[2] << 16;
    case 2: k1 ^= tail[1] << 8;
    case 1: k1 ^= tail[0];
    }
    return k1;
}
uint32_t mix(const uint8_t *tail) {
    uint32_t k = 0;
    k ^= tail[11] << 24;
    return k;
}
"""


@needs_gcc
def test_tail_read_shift_overflows_and_ubsan_agrees(tmp_path):
    rep, got = verdicts(TAIL)
    assert ("mix", 14, "counterexample") in got
    assert ("tail_block", 6, "proved") in got and ("tail_block", 7, "proved") in got
    f = next(f for f in rep.findings if f.function == "mix" and f.status == "counterexample")
    (value,) = f.counterexample.nondet                  # the element tail[11]
    assert 128 <= value <= 255
    # the same input on the real code, compiled with UBSan
    src = tmp_path / "mix.c"
    src.write_text(TAIL + "int main(void) { uint8_t buf[12] = {0}; buf[11] = %d;\n"
                   "  return (int)(mix(buf) & 1); }\n" % value)
    exe = tmp_path / "mix"
    subprocess.run(["gcc", "-fsanitize=undefined", "-fno-sanitize-recover=all", "-O0",
                    str(src), "-o", str(exe)], check=True, capture_output=True)
    run = subprocess.run([str(exe)], capture_output=True, text=True, timeout=30)
    assert run.returncode != 0
    assert "mix.c:14" in run.stderr and "runtime error: left shift" in run.stderr


@needs_gcc
def test_element_reads_are_one_value_per_element():
    src = ("void reach_error(void);\n"
           "int same(const int *a) { int x = a[0]; int y = *a; int z = *(a + 3);\n"
           "  if (x != y || z != a[3]) reach_error(); return 0; }\n")
    rep, got = verdicts(src, kind="contract")
    assert got == [("same", 3, "proved")]


@needs_gcc
def test_element_reads_after_memory_changes_stay_unknown():
    src = ("void reach_error(void);\nvoid touch(int *);\n"
           "int called(int *a) { int x = a[0]; touch(a); if (x != a[0]) reach_error(); return 0; }\n"
           "int written(int *a, int *b) { int x = a[0]; b[0] = x + 1; if (x != a[0]) reach_error();"
           " return 0; }\n"
           "int moved(const int *a) { int x = a[0]; a++; if (x != a[0]) reach_error(); return 0; }\n"
           "int shift(const int *a) { return a[0] << 1; }\n")
    rep, got = verdicts(src, kind="contract")
    assert got == [("called", 3, "unknown"), ("moved", 5, "unknown"), ("written", 4, "unknown")]
    _, over = verdicts(src)
    assert ("shift", 6, "counterexample") in over


@needs_gcc
def test_local_tail_pointer_like_murmurhash3():
    src = ("#include <stdint.h>\n"
           "uint32_t tail32(const void *key, int len) {\n"
           "  const uint8_t *data = (const uint8_t *)key;\n"
           "  const int nblocks = len / 4;\n"
           "  const uint8_t *tail = (const uint8_t *)(data + nblocks * 4);\n"
           "  uint32_t k1 = 0;\n"
           "  switch (len & 15) { case 12: k1 ^= tail[11] << 24; case 1: k1 ^= tail[0]; }\n"
           "  return k1;\n}\n"
           "static const uint8_t table[2] = {1, 2};\n"
           "int known(void) { const uint8_t *t = table; return t[1] << 24; }\n"
           "int two(const uint8_t *p) { const uint8_t *q = p; return (q[0] << 24) + p[0]; }\n")
    rep, got = verdicts(src)
    assert ("tail32", 7, "counterexample") in got
    # a pointer into a table the function knows, or two names for one array: not inputs
    assert [g for g in got if g[0] in ("known", "two") and g[2] == "counterexample"] == []


def test_huge_data_tables_are_blanked_but_lines_and_code_kept():
    from veriline.analyses.frontends.c_tables import TABLE_CHARS, shrink_tables
    rows = ",\n".join("{%d, %d}" % (i, i + 1) for i in range(TABLE_CHARS // 4))
    src = ("static const int small[3] = {1, 2, 3};\n"
           f"static const struct {{ int a, b; }} big[] = {{\n{rows}\n}};\n"
           'const char *s = "= { not a table";\n'
           "int f(int x) { int t[2] = {x, x}; return x * 2; }\n")
    out = shrink_tables(src)
    assert out.count("\n") == src.count("\n") and len(out) == len(src) + 1
    assert "{1, 2, 3}" in out and "{x, x}" in out and '"= { not a table"' in out
    assert "big[] = {0" in out and "{5, 6}" not in out
    prog = api.parse(src, "tables.c")
    assert prog.errors == [] and list(prog.functions) == ["f"]
    assert prog.functions["f"].span.line == src.count("\n")


@needs_gcc
def test_element_reads_before_a_final_write_and_pure_callees():
    src = ("#include <stdint.h>\n"
           "static uint32_t rot(uint32_t x) { return (x << 1) | (x >> 31); }\n"
           "void hash(const uint8_t *key, void *out) {\n"
           "  uint32_t h = rot(key[0]);\n"
           "  h ^= key[3] << 24;\n"
           "  *(uint32_t *)out = h;\n}\n"
           "void early(const uint8_t *key, uint8_t *out) {\n"
           "  out[0] = 1;\n"
           "  uint32_t h = key[3] << 24;\n"
           "  *(uint32_t *)out = h;\n}\n")
    rep, got = verdicts(src)
    assert ("hash", 5, "counterexample") in got
    # a write before the read: out may be key, so key[3] is no longer an input
    assert ("early", 10, "unknown") in got
