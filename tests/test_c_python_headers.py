"""CPython extension modules parse: with the machine's own Python.h when it has one, with
veriline's fake Python.h otherwise (VERILINE_PYTHON_INCLUDE=fake forces it), and what
cannot be preprocessed or parsed is a clear per-file error, never a crash.  Each source
below is a small reproduction of a failure shape seen in real packages (immutables,
zope.interface, setproctitle)."""
from __future__ import annotations

import shutil

import pytest

from veriline.analyses import api
from veriline.analyses.frontends import c_python_headers as pyh

needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")
needs_real = pytest.mark.skipif(not pyh.real_include_dirs(),
                                reason="no CPython headers on this machine")

# immutables/_map.c: PyObject_HEAD in a typedef'd struct, and va_start's pre-3.12 spelling
# behind `!defined(HAVE_STDARG_PROTOTYPES)` (a real pyconfig.h defines it)
HEAD_AND_STDARG = r"""
#include <stdint.h>
#include "Python.h"

typedef struct { PyObject_HEAD Py_ssize_t a_count; uint64_t a_mutid; } Node_Array;
typedef struct { PyObject_VAR_HEAD uint32_t b_bitmap; PyObject *b_array[1]; } Node_Bitmap;

static int
writer_write(void *w, const char *format, ...)
{
    va_list vargs;
#if PY_VERSION_HEX < 0x030C00A1 && !defined(HAVE_STDARG_PROTOTYPES)
    va_start(vargs);
#else
    va_start(vargs, format);
#endif
    PyObject *msg = PyUnicode_FromFormatV(format, vargs);
    va_end(vargs);
    return msg == NULL ? -1 : 0;
}

static Py_ssize_t node_count(Node_Array *node) { return node->a_count; }

static uint32_t bit_index(uint32_t bitmap, uint32_t bit) { return bitmap & (bit - 1); }

static int32_t next_count(int32_t count) { return count + 1; }
"""

# zope.interface: `(printfunc)0` in the tp_print slot of a static PyTypeObject
PRINTFUNC = r"""
#include <Python.h>
typedef struct { PyObject_HEAD PyObject *dict; } Spec;
static void Spec_dealloc(Spec *self) { Py_XDECREF(self->dict); }
static PyTypeObject SpecType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    /* tp_name      */ "_ext.Spec",
    /* tp_basicsize */ sizeof(Spec),
    /* tp_itemsize  */ 0,
    /* tp_dealloc   */ (destructor)Spec_dealloc,
    /* tp_print     */ (printfunc)0,
};
static int twice(int x) { return 2 * x; }
"""


def parsed(src: str, path: str = "ext.c"):
    program = api.parse(src, path)
    return program, [(e.span.line, e.message) for e in program.errors]


def overflow_verdicts(src: str, path: str = "ext.c"):
    rep = api.analyze_source(src, path, api.Options(timeout_ms=10000))
    return sorted((f.function, f.span.line, f.status) for f in rep.findings
                  if f.kind == "overflow" and f.property != "conversion")


@pytest.fixture(params=["real", "fake"])
def python_headers(request, monkeypatch):
    """Each test once with the machine's CPython headers, once with veriline's fakes."""
    if request.param == "real" and not pyh.real_include_dirs():
        pytest.skip("no CPython headers on this machine")
    if request.param == "fake":
        monkeypatch.setenv(pyh.ENV, "fake")
    return request.param


@needs_gcc
def test_object_head_structs_and_stdarg_parse(python_headers):
    program, errors = parsed(HEAD_AND_STDARG)
    assert errors == []
    assert list(program.functions) == ["writer_write", "node_count", "bit_index",
                                       "next_count"]
    assert overflow_verdicts(HEAD_AND_STDARG) == [("bit_index", 24, "proved"),
                                                  ("next_count", 26, "counterexample")]


@needs_gcc
def test_printfunc_slot_in_a_type_object_parses(python_headers):
    program, errors = parsed(PRINTFUNC)
    assert errors == []
    assert list(program.functions) == ["Spec_dealloc", "twice"]
    assert overflow_verdicts(PRINTFUNC) == [("twice", 13, "counterexample")]


def test_include_args_follow_the_override(monkeypatch, tmp_path):
    monkeypatch.setenv(pyh.ENV, "fake")
    assert pyh.include_args() == ["-I", pyh.FAKE_DIR]
    assert pyh.uses_real() is None
    (tmp_path / "Python.h").write_text("/* a Python.h */\n")
    monkeypatch.setenv(pyh.ENV, str(tmp_path))
    assert pyh.include_args() == ["-I", str(tmp_path)]
    assert pyh.include_args(real=False) == ["-I", pyh.FAKE_DIR]
    assert pyh.uses_real() == str(tmp_path)
    monkeypatch.setenv(pyh.ENV, str(tmp_path / "nowhere"))
    assert pyh.include_args() == ["-I", pyh.FAKE_DIR]


@needs_gcc
def test_real_python_h_that_does_not_parse_falls_back_to_the_fake(monkeypatch, tmp_path):
    (tmp_path / "Python.h").write_text("__weird_python_type PyObject *Py_Weird(void);\n")
    monkeypatch.setenv(pyh.ENV, str(tmp_path))
    program, errors = parsed(PRINTFUNC)
    assert len(errors) == 1
    assert errors[0][1].startswith(f"CPython header not understood ({tmp_path}/Python.h:1:")
    assert errors[0][1].endswith("using veriline's fake Python.h")
    assert list(program.functions) == ["Spec_dealloc", "twice"]


MACRO_MISUSE = """\
#define ADD(a, b) ((a) + (b))
int before(int x) { return x - 1; }
int broken(int x) {
    int y = ADD(x);
    return y;
}
static int table = ADD(1);
int after(int x) { return x + 1; }
"""


@needs_gcc
def test_macro_misuse_in_code_drops_only_the_items_holding_it():
    program, errors = parsed(MACRO_MISUSE, "m.c")
    assert list(program.functions) == ["before", "after"]
    assert "table" not in program.globals
    assert errors == [
        (4, 'preprocessor: macro "ADD" requires 2 arguments, but only 1 given: the '
            "declaration or function holding this line is skipped"),
        (7, 'preprocessor: macro "ADD" requires 2 arguments, but only 1 given: the '
            "declaration or function holding this line is skipped")]
    rep = api.analyze_source(MACRO_MISUSE, "m.c", api.Options(timeout_ms=10000))
    assert sorted((f.function, f.status) for f in rep.findings if f.kind == "overflow") == [
        ("after", "counterexample"), ("before", "counterexample")]


# setproctitle/darwin_set_process_name.c on Linux: a platform header found nowhere, and
# types from it the parser cannot know
MISSING_PLATFORM_HEADER = """\
#include <CoreFoundation/CoreFoundation.h>
#include <stdint.h>
CFTypeRef LSGetCurrentApplicationASN(void);
static int32_t bump(int32_t x) { return x + 1; }
"""


@needs_gcc
def test_missing_platform_header_is_a_per_file_error_not_a_crash():
    program, errors = parsed(MISSING_PLATFORM_HEADER, "darwin.c")
    assert errors[0] == (1, "preprocessor: header CoreFoundation/CoreFoundation.h not "
                            "found: treated as empty — give its directory with -I")
    assert [line for line, _ in errors[1:]] == [3]
    assert all(not m.startswith("internal error") for _, m in errors)
    assert list(program.functions) == ["bump"]
