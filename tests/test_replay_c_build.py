"""--replay of C with the file's build: the frontend's -I/-D (CLI, compile_commands.json),
CPython extensions (Python.h, libpython or unresolved symbols), pointer parameters the
counterexample leaves free passed as NULL — and a run that is not the real program
(a NULL we passed, a missing symbol) is never a confirmation."""
from __future__ import annotations

import io
import json
import os
import shutil
import sysconfig
from contextlib import redirect_stdout

import pytest

from veriline import check_cli
from veriline.analyses import api, ir
from veriline.analyses.replay import Expect, replay_c
from veriline.analyses.replay import c_compile
from veriline.analyses.replay.c_params import declared_params

needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")
_PY_INC = sysconfig.get_paths().get("include") or ""
needs_python_h = pytest.mark.skipif(
    shutil.which("gcc") is None or not os.path.isfile(os.path.join(_PY_INC, "Python.h")),
    reason="gcc or Python.h (the CPython headers) not installed")
U = ir.C_UINT

EXTENSION = r"""#include <Python.h>

typedef struct { Py_ssize_t refs; PyObject *items[32]; } Node;

Node *push_tail(unsigned int level, unsigned int count, Node *parent, PyObject *tail) {
    int sub = ((count - 1) >> level) & 31;
    Node *copy = PyMem_Malloc(sizeof(Node));
    copy->items[sub] = tail;
    return copy;
}

static PyObject *size_of(PyObject *self, PyObject *args) {
    return PyLong_FromLong(0);
}
"""


def _cexs(report) -> dict:
    return {f.function: f for f in report.findings if f.status == "counterexample"}


@needs_python_h
def test_extension_module_ub_is_confirmed_by_gcc(tmp_path):
    path = tmp_path / "ext.c"
    path.write_text(EXTENSION)
    f = _cexs(api.analyze_file(str(path), api.Options(replay=True)))["push_tail"]
    cx = f.counterexample
    assert (f.property, f.span.line) == ("shift", 6)
    assert cx.inputs["level"] >= 32
    assert cx.confirmed is True
    assert cx.replay_note == (
        f"push_tail({cx.inputs['level']}, {cx.inputs['count']}, NULL, NULL): ext.c:6: "
        f"runtime error: shift exponent {cx.inputs['level']} is too large for 32-bit type "
        "'unsigned int'")


@needs_python_h
def test_extension_without_libpython_links_with_unresolved_symbols(tmp_path, monkeypatch):
    monkeypatch.setattr(c_compile, "_libpython", lambda: [])
    monkeypatch.setattr(c_compile, "_cache_dir", lambda: str(tmp_path))
    path = str(tmp_path / "ext.c")
    params = [("level", U), ("count", U)]
    want = Expect("ub", line=6, contains="shift")
    r = replay_c(EXTENSION, path, "push_tail", params, {"level": 40, "count": 7}, want,
                 arity=4)
    assert r.confirmed is True and "shift exponent 40 is too large" in r.note
    # no UB: PyMem_Malloc is unresolved, the call crashes: that tells nothing
    r = replay_c(EXTENSION, path, "push_tail", params, {"level": 3, "count": 7}, want,
                 arity=4)
    assert r.confirmed is None
    assert r.note.endswith("(not a real run: parent, tail passed as NULL; libpython is "
                           "absent: Python API symbols are unresolved)")


@needs_gcc
def test_unresolved_function_crash_is_not_confirmed(tmp_path, monkeypatch):
    monkeypatch.setattr(c_compile, "_cache_dir", lambda: str(tmp_path))
    src = "int helper(int);\nint f(unsigned s) {\n    int k = helper(1);\n" \
          "    return 1 << s;\n}\n"
    path = str(tmp_path / "ext.c")
    want = Expect("ub", line=4, contains="shift")
    r = replay_c(src, path, "f", [("s", U)], {"s": 40}, want, arity=1)
    assert r.confirmed is None
    assert r.note == "f(40) ended with exit status -11 (not a real run: unresolved symbols)"


@needs_gcc
def test_null_for_a_free_pointer_is_never_a_confirmation(tmp_path):
    src = "struct S { int n; };\nint get(struct S *p, int x) {\n    int k = p->n;\n" \
          "    return k + x * 2;\n}\n"
    path = str(tmp_path / "p.c")
    want = Expect("ub", line=4, contains="signed integer overflow|negation of")
    r = replay_c(src, path, "get", [("x", ir.C_INT)], {"x": 2**30}, want, arity=2)
    assert r.confirmed is None
    assert r.note == ("get(NULL, 1073741824): p.c:3: runtime error: member access within "
                      "null pointer of type 'struct S' (not a real run: p passed as NULL)")


@needs_gcc
def test_parameters_that_cannot_be_built_say_so(tmp_path):
    src = "int f(double d, int x) {\n    return x + 1;\n}\n"
    r = replay_c(src, str(tmp_path / "d.c"), "f", [("x", ir.C_INT)], {"x": 2**31 - 1},
                 Expect("ub", line=2), arity=2)
    assert r.confirmed is None
    assert r.note == ("the function has parameters the driver cannot build (of `double d`, "
                      "`int x` only the integer ones have values: floats, structs and "
                      "typedef'd pointers are not built)")


def test_declared_params_reads_the_definition():
    src = ("/* f(int no) { */\nint f(int a, char *b, int (*cb)(int, int), long c[3],\n"
           "      const struct S * restrict s) __attribute__((noinline)) {\n"
           "    return f(a, b, cb, c, s);\n}\nint g(void) { return 0; }\n")
    ps = declared_params(src, "f")
    assert [(p.name, p.pointer) for p in ps] == [("a", False), ("b", True), ("cb", True),
                                                 ("c", True), ("s", True)]
    assert declared_params(src, "g") == []
    assert declared_params("int h(a) int a; { return a; }\n", "h") is None


FLAGGED = """#include "scale.h"
#ifndef SCALE
#error "SCALE must be defined"
#endif
int scale(int x) {
    return x * SCALE * FACTOR;
}
"""


def _check_json(*argv) -> dict:
    out = io.StringIO()
    with redirect_stdout(out):
        check_cli.main([*argv, "--no-cache", "--replay", "--format", "json"])
    return json.loads(out.getvalue())


def _scale_findings(doc: dict) -> list[dict]:
    """`x * SCALE` and `x * SCALE * FACTOR` may each overflow: two ✗ on line 6."""
    fs = [f for f in doc["findings"] if f["status"] == "counterexample"]
    assert sorted((f["function"], f["property"], f["range"]["start"]["line"]) for f in fs) \
        == [("scale", "signed-overflow", 6)] * 2
    return fs


@needs_gcc
def test_replay_compiles_with_the_cli_flags(tmp_path):
    inc = tmp_path / "inc"
    inc.mkdir()
    (inc / "scale.h").write_text("#define FACTOR 3\n")
    src = tmp_path / "scale.c"
    src.write_text(FLAGGED)
    for f in _scale_findings(_check_json(str(src), "-I", str(inc), "-D", "SCALE=4")):
        cx = f["counterexample"]
        assert cx["confirmed"] is True
        assert cx["replay_note"] == (
            f"scale({cx['inputs']['x']}): scale.c:6: runtime error: signed integer overflow: "
            f"{cx['inputs']['x']} * 12 cannot be represented in type 'int'")
    # without the flags the frontend cannot parse it; a replay with other flags says why
    r = replay_c(FLAGGED, str(src), "scale", [("x", ir.C_INT)], {"x": 2**30},
                 Expect("ub", line=6), arity=1, cflags=("-I" + str(inc),))
    assert r.confirmed is None
    assert r.note.startswith("compilation failed: gcc -std=gnu11 ")
    assert r.note.endswith('error: #error "SCALE must be defined"')


@needs_gcc
def test_replay_compiles_with_compile_commands(tmp_path):
    inc = tmp_path / "inc"
    inc.mkdir()
    (inc / "scale.h").write_text("#define FACTOR 5\n")
    src = tmp_path / "scale.c"
    src.write_text(FLAGGED)
    (tmp_path / "compile_commands.json").write_text(json.dumps([
        {"directory": str(tmp_path), "file": "scale.c",
         "command": "cc -Iinc -DSCALE=2 -std=c99 -c scale.c -o scale.o"}]))
    for f in _scale_findings(_check_json(str(src))):
        cx = f["counterexample"]
        assert cx["confirmed"] is True
        assert cx["replay_note"] == (
            f"scale({cx['inputs']['x']}): scale.c:6: runtime error: signed integer overflow: "
            f"{cx['inputs']['x']} * 10 cannot be represented in type 'int'")


@needs_gcc
def test_a_path_that_tests_the_null_pointer_refutes_nothing(tmp_path):
    src = "int f(int *p, int x) {\n    if (p == 0)\n        return 0;\n    return x + 1;\n}\n"
    r = replay_c(src, str(tmp_path / "n.c"), "f", [("x", ir.C_INT)], {"x": 2**31 - 1},
                 Expect("ub", line=4, contains="signed integer overflow"), arity=2)
    assert (r.confirmed, r.note) == (None, "f(NULL, 2147483647) returned normally "
                                           "(not a real run: p passed as NULL)")
