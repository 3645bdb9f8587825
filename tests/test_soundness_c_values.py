"""Differential soundness of values the C lowering cannot model exactly, against gcc.

Random (seeded) one-line functions convert pointer differences (pointers into one array,
and through struct members), struct members and array elements to narrower signed
types, or do arithmetic on them; others use `const` objects.  Each runs under gcc +
UBSan on boundary inputs next to a twin that computes the same expression without the
narrowing cast:

* a "no value-changing conversion" proof is wrong if some run changed the value;
* a proof of an undefined-behaviour property is wrong if UBSan reports that line;
* a counterexample must not name a `const` object as an input, and must make UBSan report
  its line when its inputs are run.
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

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc (UBSan)")

STRUCT = ("struct S { char *start; char *end; int n; long l; unsigned short u;"
          " int *arr; };")
NARROW = ["signed char", "short", "int"]
POINTERISH = ["q - p", "s->end - s->start", "(p + i) - q", "s->end - p",
              "(s->end - s->start) / 2", "&p[i] - &q[0]"]
MEMBERS = ["s->n", "s->l", "s->u", "s->n - s->u", "p[i]", "s->arr[i]", "*s->arr",
           "s->l / 2"]
OFFSETS = [0, 1, 127, 128, 255, 256, 32767, 32768, 65535, 65536, 99999]
N_VALUES = [0, 1, 127, 128, 300, 32768, 2147483647, -2147483647 - 1]
L_VALUES = [0, 200, 1 << 40, -(1 << 35)]


def functions(seed: int) -> list[tuple[str, str]]:
    """[(cast target, expression)] of one file."""
    r = random.Random(seed)
    out = []
    for _ in range(12):
        e = r.choice(POINTERISH + MEMBERS)
        if r.random() < 0.3:
            e = f"({e}) {r.choice(['+', '-', '*'])} {r.choice(['1', 'i', '2'])}"
        out.append((r.choice(NARROW), e))
    return out


HARNESS = r"""
#include <stdio.h>
#include <stdlib.h>
%(struct)s
static char buf[100000];
static int ints[8] = {0, 1, -1, 2147483647, -2147483647 - 1, 300, 128, 70000};
%(protos)s
%(twins)s
int main(void) {
  setvbuf(stdout, 0, _IONBF, 0); setvbuf(stderr, 0, _IONBF, 0);
  for (int k = 0; k < 100000; k++) buf[k] = (char)(k * 7);
  long a, b, n, l; int i, f;
  while (scanf("%%d %%ld %%ld %%ld %%ld %%d", &f, &a, &b, &n, &l, &i) == 6) {
    struct S s = {buf + a, buf + b, (int)n, l, (unsigned short)n, ints + (i & 3)};
    char *p = buf + a, *q = buf + b;
    long long got = 0, exact = 0;
    fprintf(stderr, "@CASE\n");
    switch (f) {
%(calls)s
    }
    printf("%%d %%lld %%lld\n", f, got, exact);
  }
  return 0;
}
"""


def build(cases):
    lines = [STRUCT]
    for k, (t, e) in enumerate(cases):
        lines.append(f"long long f{k}(struct S *s, char *p, char *q, int i)"
                     f" {{ return ({t})({e}); }}")
    return "\n".join(lines) + "\n"


def run_cases(source: str, cases, inputs) -> list[tuple[set, int, int]]:
    protos = "\n".join(f"long long f{k}(struct S *, char *, char *, int);"
                       for k in range(len(cases)))
    twins = "\n".join(f"long long g{k}(struct S *s, char *p, char *q, int i)"
                      f" {{ return (long long)({e}); }}" for k, (_, e) in enumerate(cases))
    calls = "\n".join(f"      case {k}: got = f{k}(&s, p, q, i); exact = g{k}(&s, p, q, i);"
                      f" break;" for k in range(len(cases)))
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "case.c"), "w") as fh:
            fh.write(source)
        with open(os.path.join(tmp, "main.c"), "w") as fh:
            fh.write(HARNESS % {"struct": STRUCT, "protos": protos, "twins": twins,
                                "calls": calls})
        exe = os.path.join(tmp, "case")
        subprocess.run(["gcc", "-std=gnu11", "-O0", "-w", "-fsanitize=undefined",
                        "-fsanitize-recover=all", "-fno-sanitize=alignment,pointer-overflow",
                        "case.c", "main.c", "-o", exe], check=True, cwd=tmp,
                       capture_output=True, text=True)
        feed = "".join(" ".join(map(str, x)) + "\n" for x in inputs)
        env = {"UBSAN_OPTIONS": "print_stacktrace=0:halt_on_error=0",
               "PATH": os.environ.get("PATH", "")}
        out = subprocess.run([exe], input=feed, capture_output=True, text=True, cwd=tmp,
                             env=env, timeout=60)
    sites = [ubsan_sites(part) for part in out.stderr.split("@CASE")[1:]]
    values = [tuple(int(v) for v in ln.split()[1:]) for ln in out.stdout.splitlines()]
    return [(s, g, x) for s, (g, x) in zip(sites, values)]


@pytest.mark.parametrize("seed", range(3))
def test_pointer_and_member_values_are_never_proved_wrongly(seed):
    cases = functions(seed)
    source = build(cases)
    rep = analyze_source(source, "case.c", Options(timeout_ms=2000))
    assert not [f for f in rep.findings if f.property == "internal"]
    r = random.Random(seed)
    inputs = [(k, r.choice(OFFSETS), r.choice(OFFSETS), r.choice(N_VALUES),
               r.choice(L_VALUES), r.choice([0, 1, 5])) for k in range(len(cases))
              for _ in range(30)]
    runs = run_cases(source, cases, inputs)
    assert len(runs) == len(inputs)
    by_line: dict = {}
    for f in rep.findings:
        by_line.setdefault(f.span.line, []).append(f)
    changed = ub = 0
    for (k, *_), (sites, got, exact) in zip(inputs, runs):
        line = k + 2
        fs = by_line.get(line, [])
        if got != exact and not sites:
            changed += 1
            conv = [f.status for f in fs if f.property == "conversion"]
            assert "proved" not in conv, f"{source.splitlines()[k + 1]}: {got} != {exact}"
        if line in {ln for ln, _ in sites}:
            ub += 1
            ubf = [f.status for f in fs if f.property != "conversion" and f.kind == "overflow"]
            assert any(s != "proved" for s in ubf), source.splitlines()[k + 1]
    assert changed > 0           # the oracle saw value-changing conversions


CONST_SRC = """static const int K = {k};
static const long L = {l};
const unsigned char U = {u};
int f0(int x) {{ return x * K + 1; }}
long f1(long x) {{ return x + L; }}
int f2(int x) {{ static const short M = {m}; return (x >> 1) * M; }}
int f3(int x) {{ const int N = K + {m}; return x - N; }}
int f4(int x) {{ return x / (U - {u}); }}
"""


@pytest.mark.parametrize("seed", range(3))
def test_const_objects_are_not_inputs(seed):
    r = random.Random(100 + seed)
    vals = dict(k=r.choice([0, 1, 2, 1000, -3]), l=r.choice([0, 1, 1 << 40, -5]),
                u=r.choice([0, 7, 255]), m=r.choice([0, 1, 3, 30000]))
    source = CONST_SRC.format(**vals)
    rep = analyze_source(source, "case.c", Options(timeout_ms=3000))
    consts = {"K", "L", "U", "M", "N"}
    xs = [0, 1, -1, 2, 1000, 65536, 2**31 - 1, -2**31, 2**31 - 2, -2**31 + 1]
    with tempfile.TemporaryDirectory() as tmp:
        main = source + "#include <stdio.h>\n#include <stdlib.h>\nint main(int c, char **v)" \
            " { int f = atoi(v[1]); long x = atol(v[2]); switch (f) {" + "".join(
                f" case {k}: (void)f{k}(x); break;" for k in range(5)) + " } return 0; }\n"
        with open(os.path.join(tmp, "case.c"), "w") as fh:
            fh.write(main)
        subprocess.run(["gcc", "-std=gnu11", "-O0", "-w", "-fsanitize=undefined",
                        "-fsanitize-recover=all", "case.c", "-o", "case"], check=True,
                       cwd=tmp, capture_output=True)

        def ub_lines(k, x):
            p = subprocess.run([os.path.join(tmp, "case"), str(k), str(x)], cwd=tmp,
                               capture_output=True, text=True, timeout=30)
            return {ln for ln, _ in ubsan_sites(p.stderr)} | (
                {k + 4} if p.returncode < 0 else set())   # SIGFPE: x / 0 trapped

        ub_props = [f for f in rep.findings
                    if f.kind == "overflow" and f.property != "conversion"]
        for f in ub_props:
            assert f.status != "unknown", f"{f.message}: constants only, should be decided"
            if f.status == "counterexample":
                assert not set(f.counterexample.inputs) & consts, f.message
                k = int(f.function[1:])
                assert f.span.line in ub_lines(k, f.counterexample.inputs["x"]), f.message
        for k in range(5):
            for x in xs:
                for line in ub_lines(k, x):
                    statuses = [f.status for f in ub_props if f.span.line == line]
                    assert "counterexample" in statuses, (source.splitlines()[line - 1], x)
