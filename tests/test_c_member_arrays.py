"""Bounds of arrays declared inside a struct, reached through any pointer (issue #13).

Exact verdicts and values first; then a seeded differential test against gcc + UBSan
(`-fsanitize=bounds` checks an index into a member array of known size): a proof is wrong
if some index makes UBSan report the line, and a counterexample's index must make it
report the line.
"""
from __future__ import annotations

import os
import random
import shutil
import subprocess
import tempfile

import pytest

from test_overflow_differential import ubsan_sites
from veriline.analyses.api import Options, analyze_source
from findings_kit import by_function, one_per_function

SRC = r"""
#define N 32
typedef struct { int hdr; void *a_array[N]; long count; } Arr;
typedef struct { long n; void *b_array[1]; } Bitmap;
struct Flex { long n; int data[]; };
struct Iter { void *nodes[7]; long pos[7]; signed char level; };
struct One { int a[1]; int n; };
struct Outer { long k; struct Iter it; };
struct P { int *data; long n; };
union U { int w[4]; char c[16]; };
int get(Arr *self, int i) { return self->a_array[i] != 0; }
int get_masked(Arr *self, unsigned i) { return self->a_array[i & 31] != 0; }
int get_b(Bitmap *b, int i) { if (i < 0 || i >= b->n) return 0; return b->b_array[i] != 0; }
int flex(struct Flex *f, int i) { if (i < 0 || i >= f->n) return 0; return f->data[i]; }
long pos(struct Iter *it, int lv) { if (lv < 0 || lv >= 7) return 0; return it->pos[lv]; }
long pos_bad(struct Iter *it, int lv) { if (lv < 0 || lv > 7) return 0; return it->pos[lv]; }
void put(struct Iter *it, int lv) { if (lv >= 0 && lv < 7) it->pos[lv] = 3; }
long deref(struct Iter *it, int k) { if (k < 0) return 0; return *(it->pos + k); }
long first(struct Iter *it) { return *it->pos; }
long level(struct Iter *it) { return it->pos[it->level]; }
int one(struct One *o, int i) { if (i < 0 || i > 1) return 0; return o->a[i]; }
long nested(struct Outer *o, int i) { if (i >= 0 && i < 7) return o->it.pos[i]; return 0; }
long local(int i) { struct Iter it = {0}; if (i >= 0 && i <= 7) return it.pos[i]; return 0; }
int member_pointer(struct P *p, int i) { if (i < 0 || i >= p->n) return 0; return p->data[i]; }
int in_union(union U *u, int i) { if (i < 0 || i >= 4) return 0; return u->w[i]; }
"""


@pytest.fixture(scope="module")
def found() -> dict:
    rep = analyze_source(SRC, "t.c", Options(timeout_ms=4000))
    return by_function(rep.findings, lambda f: f.property == "bounds")


def test_member_array_through_a_pointer_has_its_declared_size(found):
    [f] = found["get"]
    assert f.status == "counterexample"
    i = f.counterexample.inputs["i"]
    assert not 0 <= i <= 31
    assert f.counterexample.values_at_failure == {"index": i, "size": 32}
    assert [f.status for f in found["get_masked"]] == ["proved"]
    assert [f.status for f in found["pos"]] == ["proved"]
    assert [f.status for f in found["put"]] == ["proved"]
    assert [f.status for f in found["nested"]] == ["proved"]
    assert [f.status for f in found["in_union"]] == ["proved"]
    assert [f.status for f in found["first"]] == ["proved"]


def test_one_past_the_member_array_is_a_counterexample(found):
    [f] = found["pos_bad"]
    assert f.status == "counterexample"
    assert f.counterexample.inputs == {"lv": 7}
    assert f.counterexample.values_at_failure == {"index": 7, "size": 7}
    [d] = found["deref"]
    assert d.status == "counterexample"
    assert d.counterexample.values_at_failure == {"index": d.counterexample.inputs["k"],
                                                  "size": 7}
    [loc] = found["local"]
    assert loc.status == "counterexample" and loc.counterexample.inputs == {"i": 7}


def test_a_non_trailing_one_element_member_has_one_element(found):
    [f] = found["one"]
    assert f.status == "counterexample"
    assert f.counterexample.inputs == {"i": 1}
    assert f.counterexample.values_at_failure == {"index": 1, "size": 1}


def test_flexible_array_members_stay_unknown(found):
    [b] = found["get_b"]
    assert b.status == "unknown"
    assert b.reason == ("b_array is the struct's trailing array member declared [1] (the "
                        "flexible-array idiom): its size comes from the allocation, which "
                        "is not tracked")
    [f] = found["flex"]
    assert f.status == "unknown" and "trailing array member declared []" in f.reason


def test_pointer_members_and_unknown_indices_stay_unknown(found):
    [p] = found["member_pointer"]
    assert p.status == "unknown"
    assert p.reason == "size of the object a struct member points to is unknown"
    [lv] = found["level"]
    assert lv.status == "unknown" and "struct member level read through memory" in lv.reason


def test_python_tuple_items_are_a_flexible_array():
    src = r"""
    typedef struct { long ob_refcnt; void *ob_type; long ob_size; void *ob_item[1]; }
        PyTupleObject;
    void *second(PyTupleObject *t) { return t->ob_item[1]; }
    """
    rep = analyze_source(src, "t.c", Options())
    [f] = [f for f in rep.findings if f.property == "bounds"]
    assert f.status == "unknown" and "flexible-array idiom" in f.reason


def test_calling_through_a_function_pointer_is_no_element_access():
    src = r"""
    typedef int (*fn)(int);
    struct T { fn call; int (*direct)(int); };
    int use(struct T *t, fn f, int x) {
        int (*g)(int) = f;
        return (*t->call)(x) + (*t->direct)(x) + (*f)(x) + (*g)(x);
    }
    int deref(int *p) { return *p; }
    """
    rep = analyze_source(src, "t.c", Options())
    bounds = [(f.function, f.status) for f in rep.findings if f.property == "bounds"]
    assert bounds == [("deref", "unknown")]


# ---------------------------------------------------------------- differential, gcc + UBSan
needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc (UBSan)")

GUARDS = ["1", "i >= 0", "i >= 0 && i < {n}", "i >= 0 && i <= {n}", "i > 0 && i < {n} + 2",
          "i < {n}", "(unsigned)i < {n}u", "i >= -1 && i < {n} - 1"]
INDICES = ["i", "i + 1", "i - 1", "i & 3", "i % {n}", "2 * i", "{n} - 1 - i", "i / 2"]
SHAPES = ["s->arr[{e}]", "*(s->arr + ({e}))", "s->in.arr[{e}]"]
INPUTS = range(-20, 41)


def functions(seed: int) -> tuple[str, list[str]]:
    """A file of two struct types and 12 guarded accesses to a member array, and the same
    accesses written as subscripts (UBSan checks `a[e]`, not `*(a + e)`)."""
    r = random.Random(seed)
    n = r.choice([1, 3, 4, 8])
    lines = [f"struct In {{ long pre; int arr[{n}]; long post; }};",
             f"struct S {{ long a; int arr[{n}]; struct In in; long z; }};"]
    bodies, twins = [], []
    for k in range(12):
        guard = r.choice(GUARDS).format(n=n)
        index = r.choice(INDICES).format(n=n)
        shape = r.choice(SHAPES)
        bodies.append(f"if ({guard}) return {shape.format(e=index)}; return 0;")
        lines.append(f"int f{k}(struct S *s, int i) {{ {bodies[-1]} }}")
        sub = "s->in.arr[{e}]" if "in." in shape else "s->arr[{e}]"
        twins.append(f"int g{k}(struct S *s, int i) {{ if ({guard}) return "
                     f"{sub.format(e=index)}; return 0; }}")
    return "\n".join(lines) + "\n", bodies, "\n".join(twins)


HARNESS = r"""
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
%(source)s%(twins)s
int main(void) {
  setvbuf(stdout, 0, _IONBF, 0); setvbuf(stderr, 0, _IONBF, 0);
  static char room[4096];
  struct S *s = (struct S *)(room + 1024);
  int f, i;
  while (scanf("%%d %%d", &f, &i) == 2) {
    fprintf(stderr, "@CASE\n");
    pid_t child = fork();          /* UBSan reports a site once per process */
    if (child == 0) {
      switch (f) {
%(calls)s
      }
      _exit(0);
    }
    waitpid(child, 0, 0);
  }
  return 0;
}
"""


def ub_lines(source: str, twins: str, count: int, inputs: list[tuple[int, int]]) -> list[set]:
    """The lines UBSan reports for each (function, i) run of the subscript twins."""
    calls = "\n".join(f"        case {k}: g{k}(s, i); break;" for k in range(count))
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "case.c"), "w") as fh:
            fh.write(HARNESS % {"source": source, "twins": twins, "calls": calls})
        exe = os.path.join(tmp, "case")
        subprocess.run(["gcc", "-std=gnu11", "-O0", "-w", "-fsanitize=undefined",
                        "-fsanitize-recover=all", "-fno-sanitize=alignment",
                        "case.c", "-o", exe], check=True, cwd=tmp, capture_output=True)
        feed = "".join(f"{k} {i}\n" for k, i in inputs)
        env = {"UBSAN_OPTIONS": "print_stacktrace=0:halt_on_error=0",
               "PATH": os.environ.get("PATH", "")}
        out = subprocess.run([exe], input=feed, capture_output=True, text=True, cwd=tmp,
                             env=env, timeout=60)
    return [{line for line, _ in ubsan_sites(part)} for part in out.stderr.split("@CASE")[1:]]


@needs_gcc
@pytest.mark.parametrize("seed", range(4))
def test_member_array_bounds_agree_with_ubsan(seed):
    source, bodies, twins = functions(seed)
    rep = analyze_source(source, "case.c", Options(timeout_ms=4000))
    assert not [f for f in rep.findings if f.property == "internal"]
    verdict = one_per_function(rep.findings, lambda f: f.property == "bounds")
    assert len(verdict) == len(bodies)
    inputs = [(k, i) for k in range(len(bodies)) for i in INPUTS]
    runs = ub_lines(source, twins, len(bodies), inputs)
    assert len(runs) == len(inputs)
    decided = 0
    for k, body in enumerate(bodies):
        f = verdict[f"f{k}"]
        line = 20 + k        # 5 harness lines, 2 struct lines, f0..f11, then g0...
        bad = {i for (kk, i), lines in zip(inputs, runs) if kk == k and line in lines}
        if f.status == "proved":
            assert not bad, f"wrong proof: {body} fails for i in {sorted(bad)}"
        if f.status == "counterexample":
            i = f.counterexample.inputs["i"]
            if i in INPUTS:
                assert i in bad, f"{body}: i = {i} is not out of bounds under UBSan"
        decided += f.status != "unknown"
    assert decided == len(bodies)
