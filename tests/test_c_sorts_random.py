"""Hypothesis: random C functions over mixed integer types never give an internal error,
and their overflow proofs survive gcc -fsanitize=undefined.

Each example is a small file: prototyped external functions returning each type, a
defined helper with a pointer parameter (so call arguments must bind by position), and
one-line functions `R fK(TA a, TB b, TC c, int *p) { return E; }` where E mixes casts,
shifts by counts of other types, comparisons, ternaries, `*p`/`p[i]`, calls to the
prototyped, undeclared and defined functions.  The analysis must give no internal error.
With gcc available the functions also run under UBSan on boundary inputs (external
functions return boundary values too): when UBSan reports undefined behaviour on a line,
the analysis must not have proved every undefined-behaviour property of that line.
(Counterexamples are not replayed here: gcc narrows `char / char` and folds `e / e`, so
UBSan misses some real ones; the engine's interpreter confirms each already.)
"""
from __future__ import annotations

import itertools
import os
import random
import shutil
import subprocess
import tempfile
import zlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_overflow_differential import ubsan_sites
from veriline.analyses.api import Options, analyze_source

TYPES = {  # C spelling: (bits, signed)
    "char": (8, True), "signed char": (8, True), "unsigned char": (8, False),
    "short": (16, True), "unsigned short": (16, False), "int": (32, True),
    "unsigned": (32, False), "long": (64, True), "unsigned long": (64, False),
    "long long": (64, True), "unsigned long long": (64, False), "_Bool": (1, False),
}
NAMES = list(TYPES)
EXTERNS = ["char", "unsigned short", "int", "unsigned", "long", "unsigned long",
           "long long", "_Bool"]          # ext0..ext7 return these (a long argument)
N_UNDECLARED = 2                          # u0, u1: implicitly declared, return int
UB_PROPS = {"signed-overflow", "division-by-zero", "div-overflow", "shift"}
BIN_OPS = ["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>",
           "<", "<=", ">", ">=", "==", "!=", "&&", "||"] + ["+", "-", "*", "<<"] * 3
PARAM_TYPES = NAMES + ["int", "long", "int", "long", "long long"] * 2
CONSTS = ["0", "1", "2", "3", "7", "31", "32", "63", "-1", "1u", "3u", "2l", "5ul",
          "1ll", "0x7fffffff", "0xffffffffu", "255", "'a'"]
HELPER = ("static long helper(const char *s, int x, unsigned long y)"
          " { return x + (long)(y & 0xffff); }")
HELPER_LINE = 2 + len(EXTERNS)


@st.composite
def expressions(draw, depth: int = 3) -> str:
    if depth == 0 or draw(st.integers(0, 9)) < 2:
        if draw(st.integers(0, 9)) < 7:
            return draw(st.sampled_from(["a", "b", "c", "*p", "p[1]"]))
        return draw(st.sampled_from(CONSTS))
    kind = draw(st.sampled_from(["bin"] * 8 + ["cast"] * 2 + ["unary", "ternary", "call"]))
    sub = expressions(depth - 1)
    if kind == "bin":
        return f"({draw(sub)} {draw(st.sampled_from(BIN_OPS))} {draw(sub)})"
    if kind == "cast":
        return f"(({draw(st.sampled_from(NAMES))}){draw(sub)})"
    if kind == "unary":
        return f"({draw(st.sampled_from(['-', '~', '!']))} {draw(sub)})"
    if kind == "ternary":
        return f"({draw(sub)} ? {draw(sub)} : {draw(sub)})"
    which = draw(st.sampled_from(["ext", "ext", "undeclared", "helper", "ptrdiff"]))
    if which == "ext":
        return f"ext{draw(st.integers(0, len(EXTERNS) - 1))}({draw(sub)})"
    if which == "undeclared":
        return f"u{draw(st.integers(0, N_UNDECLARED - 1))}({draw(sub)})"
    if which == "helper":
        return f"helper(\"s\", {draw(sub)}, {draw(sub)})"
    return f"((int)((p + 2) - p) * {draw(sub)})"


@st.composite
def programs(draw) -> tuple[str, list]:
    """(source, [(name, ret, param types, line)])."""
    lines = ["/* generated */"]
    lines += [f"{t} ext{i}(long);" for i, t in enumerate(EXTERNS)]
    lines.append(HELPER)
    funcs = []
    for k in range(draw(st.integers(1, 3))):
        ret = draw(st.sampled_from(NAMES))
        ps = [draw(st.sampled_from(PARAM_TYPES)) for _ in range(3)]
        body = draw(expressions())
        lines.append(f"{ret} f{k}({ps[0]} a, {ps[1]} b, {ps[2]} c, int *p)"
                     f" {{ return {body}; }}")
        funcs.append((f"f{k}", ret, ps, len(lines)))
    return "\n".join(lines) + "\n", funcs


HARNESS = r"""
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
unsigned long long ext_value;
%(externs)s
int u0() { return (int)ext_value; }
int u1() { return (int)ext_value + 1; }
%(protos)s
static sigjmp_buf jb;
static void on_fpe(int s) { (void)s; siglongjmp(jb, 1); }
int main(void) {
  struct sigaction sa; memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_fpe; sa.sa_flags = SA_NODEFER; sigaction(SIGFPE, &sa, 0);
  setvbuf(stderr, 0, _IONBF, 0);
  int arr[4] = {1, -2, 2147483647, -2147483647 - 1};
  char line[512]; int n = 0;
  while (fgets(line, sizeof line, stdin)) {
    int f; unsigned long long a, b, c, e;
    if (sscanf(line, "%%d %%llu %%llu %%llu %%llu", &f, &a, &b, &c, &e) != 5) continue;
    ext_value = e;
    fprintf(stderr, "@CASE %%d\n", n++);
    if (sigsetjmp(jb, 1) == 0) {
      switch (f) {
%(calls)s
      }
    }
  }
  return 0;
}
"""


def boundary(t: str) -> list[int]:
    bits, signed = TYPES[t]
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    cands = {lo, lo + 1, -1, 0, 1, 2, 31, 32, 63, hi - 1, hi}
    return sorted(v for v in cands if lo <= v <= hi)


def run_under_ubsan(source: str, funcs: list, cases: list) -> list[set]:
    """UBSan sites reported for each case (function index, a, b, c, external value)."""
    externs = "\n".join(f"{t} ext{i}(long x) {{ (void)x; return ({t})ext_value; }}"
                        for i, t in enumerate(EXTERNS))
    protos = "\n".join(f"{r} {n}({', '.join(ps)}, int *);" for n, r, ps, _ in funcs)
    calls = "\n".join(
        f"        case {i}: (void){n}(({ps[0]})a, ({ps[1]})b, ({ps[2]})c, arr); break;"
        for i, (n, r, ps, _) in enumerate(funcs))
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "case.c"), "w") as fh:
            fh.write(source)
        with open(os.path.join(tmp, "main.c"), "w") as fh:
            fh.write(HARNESS % {"externs": externs, "protos": protos, "calls": calls})
        exe = os.path.join(tmp, "case")
        subprocess.run(["gcc", "-std=gnu11", "-O0", "-w", "-fsanitize=undefined",
                        "-fsanitize-recover=all", "-fno-sanitize=alignment",
                        "case.c", "main.c", "-o", exe], check=True, cwd=tmp,
                       capture_output=True, text=True)
        feed = "".join(f"{f} {a % 2**64} {b % 2**64} {c % 2**64} {e % 2**64}\n"
                       for f, a, b, c, e in cases)
        env = {"UBSAN_OPTIONS": "print_stacktrace=0:halt_on_error=0",
               "PATH": os.environ.get("PATH", "")}
        out = subprocess.run([exe], input=feed, capture_output=True, text=True, cwd=tmp,
                             env=env, timeout=60)
    parts = out.stderr.split("@CASE ")[1:]
    return [ubsan_sites(part) for part in parts]


def sample_cases(funcs: list, seed: int, per_function: int = 24) -> list:
    r = random.Random(seed)
    ext_values = [0, 1, 2, 31, 2**31 - 1, 2**63 - 1, -1, -(2**63)]
    cases = []
    for i, (_, _, ps, _) in enumerate(funcs):
        grid = list(itertools.product(*(boundary(t) for t in ps), ext_values))
        for a, b, c, e in r.sample(grid, min(per_function, len(grid))):
            cases.append((i, a, b, c, e))
    return cases


@settings(max_examples=int(os.environ.get("CSORTS_EXAMPLES", "15")), deadline=None,
          derandomize=True, suppress_health_check=list(HealthCheck))
@given(programs())
def test_random_mixed_type_functions(prog):
    source, funcs = prog
    rep = analyze_source(source, "case.c", Options(timeout_ms=1500))
    frontend = [e.message for e in rep.program.errors if "internal" in e.message]
    assert frontend == [], source
    internal = [f.message for f in rep.findings
                if f.property == "internal" or "internal error" in f.message
                or "internal error" in (f.reason or "")]
    assert internal == [], source
    assert {n for n, *_ in funcs} <= set(rep.program.functions)
    if shutil.which("gcc") is None:
        return
    ub_by_line: dict = {}
    for f in rep.findings:
        if set(f.property.split("+")) & UB_PROPS:
            ub_by_line.setdefault(f.span.line, []).append(f.status)
    helper_open = any(s != "proved" for s in ub_by_line.get(HELPER_LINE, []))
    cases = sample_cases(funcs, zlib.crc32(source.encode()))
    results = run_under_ubsan(source, funcs, cases)
    for (i, a, b, c, e), sites in zip(cases, results):
        for line in {ln for ln, _ in sites}:
            statuses = ub_by_line.get(line, [])
            if line == funcs[i][3] and not helper_open:
                assert statuses and any(s != "proved" for s in statuses), (
                    f"UBSan reports undefined behaviour at line {line} for "
                    f"{funcs[i][0]}({a}, {b}, {c}) with externals = {e}, but every "
                    f"property there is proved:\n{source}")
