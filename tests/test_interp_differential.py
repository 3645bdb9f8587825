"""Differential test: random small integer functions, rendered as IR and as real Python
and C source, must behave the same under interp.run and under CPython / gcc + UBSan.

Programs are a tiny AST of tuples (below) rendered three ways.  For C, every statement
gets its own line so the interpreter's violation line must equal UBSan's report line.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile

import pytest
from hypothesis import HealthCheck, Phase, given, settings, strategies as st

from veriline.analyses import ir
from veriline.analyses.interp import run

INT_MIN, INT_MAX = -2**31, 2**31 - 1
PARAMS = ("a", "b", "c")
LOCALS = ("t0", "t1")
UB = {"signed-overflow", "div-overflow", "shift", "division-by-zero"}

# ------------------------------------------------------------------ generator
# expr: ("var", n) | ("const", v, ty) | ("bin", op, l, r, ty) | ("un", op, a, ty)
#       | ("cast", a, ty) | ("ite", cond, a, b, ty)      ty: "i" int / "u" unsigned / "m" math
# cond: ("cmp", op, l, r) | ("logic", op, c1, c2)
# stmt: ("assign", n, e) | ("if", cond, then, else) | ("loop", k, body) | ("break", cond)
#       | ("continue", cond)

C_OPS = ["add", "sub", "mul", "div", "mod", "band", "bor", "bxor", "shl", "shr"]
PY_OPS = ["add", "sub", "mul", "floordiv", "floormod", "band", "bor", "bxor", "shl", "shr"]
CMPS = ["lt", "le", "gt", "ge", "eq", "ne"]
EDGE = [INT_MIN, INT_MAX, -1, 0, 1, 2, 31, 32, 65536, -65536]


def has_var(e) -> bool:
    return e[0] == "var" or any(isinstance(x, tuple) and has_var(x) for x in e[1:])


@st.composite
def exprs(draw, lang, ty, names, depth):
    if depth <= 0 or draw(st.integers(0, 3)) == 0:
        if ty in ("i", "m") and draw(st.integers(0, 3)) > 0:
            return ("var", draw(st.sampled_from(names)))
        if ty == "u":
            return ("const", draw(st.sampled_from([0, 1, 2, 31, 2**31, 2**32 - 1])), "u")
        return ("const", draw(st.sampled_from(EDGE if lang == "c" else EDGE + [10**20])), ty)
    kind = draw(st.sampled_from(["bin", "bin", "bin", "un", "ite"] + (["cast"] if lang == "c" else [])))
    sub = lambda t: exprs(lang, t, names, depth - 1)   # noqa: E731
    if kind == "bin":
        op = draw(st.sampled_from(C_OPS if lang == "c" else PY_OPS))
        left = draw(sub(ty))
        if lang == "python" and op == "shl":
            right = ("const", draw(st.integers(0, 40)), "m")
        else:
            right = draw(sub("i" if lang == "c" and op in ("shl", "shr") else ty))
        if not (has_var(left) or has_var(right)):      # keep gcc from folding it away
            left = ("var", names[0]) if ty != "u" else ("cast", ("var", names[0]), "u")
        return ("bin", op, left, right, ty)
    if kind == "un":
        arg = draw(sub(ty))
        if not has_var(arg):
            arg = ("var", names[0]) if ty != "u" else ("cast", ("var", names[0]), "u")
        return ("un", draw(st.sampled_from(["neg", "bnot"])), arg, ty)
    if kind == "cast":
        other = "u" if ty == "i" else "i"
        return ("cast", draw(sub(other)), ty)
    return ("ite", draw(conds(lang, names, depth - 1)), draw(sub(ty)), draw(sub(ty)), ty)


@st.composite
def conds(draw, lang, names, depth):
    if depth > 0 and draw(st.integers(0, 4)) == 0:
        return ("logic", draw(st.sampled_from(["and", "or"])), draw(conds(lang, names, depth - 1)),
                draw(conds(lang, names, depth - 1)))
    ty = "m" if lang == "python" else draw(st.sampled_from(["i", "i", "u"]))
    return ("cmp", draw(st.sampled_from(CMPS)), draw(exprs(lang, ty, names, 1)),
            draw(exprs(lang, ty, names, 1)))


@st.composite
def stmts(draw, lang, names, depth, in_loop, size):
    out = []
    for _ in range(draw(st.integers(1, size))):
        k = draw(st.integers(0, 9))
        ty = "m" if lang == "python" else "i"
        if k <= 5 or depth == 0:
            out.append(("assign", draw(st.sampled_from(LOCALS + PARAMS)),
                        draw(exprs(lang, ty, names, 2))))
        elif k <= 7:
            out.append(("if", draw(conds(lang, names, 1)),
                        draw(stmts(lang, names, depth - 1, in_loop, 2)),
                        draw(stmts(lang, names, depth - 1, in_loop, 2))))
        elif k == 8:
            i = f"i{depth}"
            out.append(("loop", i, draw(st.integers(0, 4)),
                        draw(stmts(lang, names + (i,), depth - 1, True, 3))))
        elif in_loop:
            jump = "continue" if lang == "c" and draw(st.booleans()) else "break"
            out.append((jump, draw(conds(lang, names, 0))))
    return out


@st.composite
def programs(draw, lang):
    names = PARAMS + LOCALS
    body = draw(stmts(lang, names, 2, False, 4))
    return body, draw(exprs(lang, "m" if lang == "python" else "i", names, 2))


inputs = st.tuples(*[st.one_of(st.integers(-6, 6), st.sampled_from(EDGE),
                               st.integers(INT_MIN, INT_MAX)) for _ in PARAMS])

# ------------------------------------------------------------------ renderers

TYPES = {"i": ir.C_INT, "u": ir.C_UINT, "m": ir.MATH_INT}
C_SYM = {"add": "+", "sub": "-", "mul": "*", "div": "/", "mod": "%", "band": "&", "bor": "|",
         "bxor": "^", "shl": "<<", "shr": ">>", "lt": "<", "le": "<=", "gt": ">", "ge": ">=",
         "eq": "==", "ne": "!=", "and": "&&", "or": "||", "neg": "-", "bnot": "~"}
PY_SYM = dict(C_SYM, floordiv="//", floormod="%", **{"and": "and", "or": "or"})


class Renderer:
    """Renders one program to (IR Function, source lines); line numbers match."""

    def __init__(self, lang: str, name: str, first_line: int):
        self.lang, self.name, self.lines = lang, name, []
        self.first = first_line
        self.sym = C_SYM if lang == "c" else PY_SYM

    def line(self, text: str, indent: int) -> ir.Span:
        self.lines.append("    " * indent + text)
        n = self.first + len(self.lines) - 1
        return ir.Span(n, 1, n, 2)

    def opaque(self, text: str, ty: str) -> str:
        """C: every intermediate value goes through K(), so gcc cannot fold across it
        (it rewrites e.g. -a >= -c into c >= a, dropping the overflow check)."""
        if self.lang != "c":
            return text
        return f"K{text}" if ty == "i" else f"KU{text}"

    def expr(self, e, span):
        tag = e[0]
        if tag == "var":
            return ir.Var(name=e[1], type=TYPES["m" if self.lang == "python" else "i"], span=span), e[1]
        if tag == "const":
            v, ty = e[1], e[2]
            # C: through a noinline identity, or gcc folds constants (and the UB) away
            text = (f"KU({v}u)" if ty == "u" else "K(-2147483647-1)" if v == INT_MIN
                    else f"K({v})") if self.lang == "c" else f"({v})"
            return ir.Const(value=v, type=TYPES[ty], span=span), text
        if tag == "bin":
            (l, lt), (r, rt) = self.expr(e[2], span), self.expr(e[3], span)
            return (ir.Binary(op=e[1], left=l, right=r, type=TYPES[e[4]], span=span),
                    self.opaque(f"({lt} {self.sym[e[1]]} {rt})", e[4]))
        if tag == "un":
            a, at = self.expr(e[2], span)
            return (ir.Unary(op=e[1], arg=a, type=TYPES[e[3]], span=span),
                    self.opaque(f"({self.sym[e[1]]}{at})", e[3]))
        if tag == "cast":
            a, at = self.expr(e[1], span)
            cname = "int" if e[2] == "i" else "unsigned"
            return ir.Cast(arg=a, type=TYPES[e[2]], explicit=True, span=span), f"(({cname}){at})"
        if tag == "ite":
            (c, ct), (a, at), (b, bt) = (self.expr(e[1], span), self.expr(e[2], span),
                                         self.expr(e[3], span))
            text = f"({ct} ? {at} : {bt})" if self.lang == "c" else f"({at} if {ct} else {bt})"
            return ir.Ite(cond=c, then=a, orelse=b, type=TYPES[e[4]], span=span), text
        if tag in ("cmp", "logic"):
            (l, lt), (r, rt) = self.expr(e[2], span), self.expr(e[3], span)
            return (ir.Binary(op=e[1], left=l, right=r, type=ir.BOOL, span=span),
                    f"({lt} {self.sym[e[1]]} {rt})")
        raise AssertionError(e)

    def block(self, body, indent) -> list:
        out = []
        for s in body:
            out += self.stmt(s, indent)
        if not body and self.lang == "python":
            self.line("pass", indent)
        return out

    def stmt(self, s, ind) -> list:
        c = self.lang == "c"
        if s[0] == "assign":
            span = self.line("", ind)
            e, text = self.expr(s[2], span)
            self.lines[-1] += f"{s[1]} = {text}" + (";" if c else "")
            return [ir.Assign(target=s[1], value=e, span=span)]
        if s[0] in ("break", "continue"):
            span = self.line("", ind)
            cond, text = self.expr(s[1], span)
            self.lines[-1] += f"if ({text}) {s[0]};" if c else f"if {text}: {s[0]}"
            return [ir.If(cond=cond, then=[ir.Break() if s[0] == "break" else ir.Continue()],
                          span=span)]
        if s[0] == "if":
            span = self.line("", ind)
            cond, text = self.expr(s[1], span)
            self.lines[-1] += f"if ({text}) {{" if c else f"if {text}:"
            then = self.block(s[2], ind + 1)
            self.line("} else {" if c else "else:", ind)
            orelse = self.block(s[3], ind + 1)
            if c:
                self.line("}", ind)
            return [ir.If(cond=cond, then=then, orelse=orelse, span=span)]
        i, k = s[1], s[2]
        t = TYPES["i" if c else "m"]
        span = self.line(f"for ({i} = 0; {i} < {k}; {i}++) {{" if c else f"{i} = 0", ind)
        if not c:
            span = self.line(f"while {i} < {k}:", ind)
        iv = ir.Var(name=i, type=t, span=span)
        body = self.block(s[3], ind + 1)
        upd = [ir.Assign(target=i, span=span, value=ir.Binary(
            op="add", left=iv, right=ir.Const(value=1, type=t), type=t, span=span))]
        if c:
            self.line("}", ind)
        else:
            self.line(f"{i} = {i} + 1", ind + 1)
            body += upd
            upd = []
        return [ir.Assign(target=i, value=ir.Const(value=0, type=t), span=span),
                ir.While(cond=ir.Binary(op="lt", left=iv, right=ir.Const(value=k, type=t),
                                        type=ir.BOOL, span=span),
                         body=body, update=upd, span=span)]

    def function(self, prog) -> ir.Function:
        body, result = prog
        c = self.lang == "c"
        t = TYPES["i" if c else "m"]
        loc = {n: t for n in PARAMS + LOCALS + ("i0", "i1", "i2")}
        self.line(f"static int {self.name}(int a, int b, int c) {{" if c
                  else f"def {self.name}(a, b, c):", 0)
        span = self.line("int t0 = 0, t1 = 0, i0 = 0, i1 = 0, i2 = 0;" if c
                         else "t0 = t1 = i0 = i1 = i2 = 0", 1)
        init = [ir.Assign(target=n, value=ir.Const(value=0, type=t), span=span)
                for n in LOCALS + ("i0", "i1", "i2")]
        stmts_ = self.block(body, 1)
        span = self.line("", 1)
        e, text = self.expr(result, span)
        self.lines[-1] += f"return {text}" + (";" if c else "")
        if c:
            self.line("}", 0)
        return ir.Function(name=self.name, params=[ir.Param(name=n, type=t) for n in PARAMS],
                           ret=t, body=init + stmts_ + [ir.Return(value=e, span=span)],
                           span=ir.Span(self.first, 1, self.first, 2), language=self.lang,
                           locals=loc)


# ------------------------------------------------------------------ tests

@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(programs("python"), st.lists(inputs, min_size=3, max_size=3))
def test_python_agrees_with_interpreter(prog, input_list):
    r = Renderer("python", "f", 1)
    fn = r.function(prog)
    program = ir.Program(path="d.py", language="python", functions={"f": fn})
    ns: dict = {}
    exec(compile("\n".join(r.lines) + "\n", "d.py", "exec"), ns)
    for a, b, c in input_list:
        out = run(program, "f", {"a": a, "b": b, "c": c})
        try:
            want, err = ns["f"](a, b, c), None
        except (ZeroDivisionError, ValueError) as exc:
            want, err = None, exc
        if err is None:
            assert out.status == "returned" and out.value == want, (r.lines, a, b, c, out)
        else:
            assert out.status == "violation", (r.lines, a, b, c, out)
            kind = "division-by-zero" if isinstance(err, ZeroDivisionError) else "shift"
            assert out.first.kind == kind


BATCH = 6


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")
@settings(max_examples=10, deadline=None, database=None,   # shrinking recompiles: skip it
          phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(programs("c"), st.lists(inputs, min_size=4, max_size=4)),
                min_size=BATCH, max_size=BATCH))
def test_c_agrees_with_interpreter_and_ubsan(batch):
    lines, fns = [
        "static int __attribute__((noinline)) K(int v) { return v; }",
        "static unsigned __attribute__((noinline)) KU(unsigned v) { return v; }"], []
    for k, (prog, _) in enumerate(batch):
        r = Renderer("c", f"f{k}", len(lines) + 1)
        fns.append(r.function(prog))
        lines += r.lines
    table = ", ".join(f"f{k}" for k in range(len(batch)))
    lines += ["#include <stdio.h>", "#include <stdlib.h>",
              f"static int (*fns[])(int, int, int) = {{{table}}};",
              "int main(int argc, char **argv) {",
              "    int r = fns[atoi(argv[1])]((int)strtoll(argv[2], 0, 10),"
              " (int)strtoll(argv[3], 0, 10), (int)strtoll(argv[4], 0, 10));",
              '    printf("%d\\n", r);', "    return 0;", "}"]
    program = ir.Program(path="d.c", language="c", functions={f.name: f for f in fns})
    with tempfile.TemporaryDirectory() as tmp:
        src, exe = os.path.join(tmp, "d.c"), os.path.join(tmp, "d")
        with open(src, "w") as fh:
            fh.write("\n".join(lines) + "\n")
        subprocess.run(["gcc", "-std=gnu11", "-O0", "-w", "-fsanitize=undefined",
                        "-fno-sanitize-recover=all", src, "-o", exe], check=True)
        for k, (_, input_list) in enumerate(batch):
            for a, b, c in input_list:
                out = run(program, f"f{k}", {"a": a, "b": b, "c": c})
                proc = subprocess.run([exe, str(k), str(a), str(b), str(c)],
                                      capture_output=True, text=True, timeout=20)
                ctx = "\n".join(map(str, [fns[k].name, (a, b, c), out.status, out.value,
                                          out.violations, proc.stdout, proc.stderr[-300:],
                                          *[lines[v.span.line - 1] for v in out.violations]]))
                if out.status == "returned":
                    assert proc.returncode == 0, ctx
                    assert int(proc.stdout) == out.value, ctx
                else:
                    stop = out.violations[-1]      # the one that ended the run
                    assert out.status == "violation" and stop.kind in UB, ctx
                    assert "runtime error" in proc.stderr, ctx
                    line = int(proc.stderr.split("runtime error")[0].split(":")[-3])
                    assert line == stop.span.line, ctx


# ------------------------------------------------------------------ Python for loops
# Source-level programs (through the frontend): for loops over tuple displays of ints,
# enumerate over string literals, divmod, len of literals; the IR interpreter must agree
# with CPython on every input.

@st.composite
def loop_programs(draw, depth=0):
    lines = []
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["tuple", "enum", "divmod", "len", "assign"]
                                    + (["nested"] if depth == 0 else [])))
        var = f"x{depth}"
        if kind in ("tuple", "nested"):
            elems = draw(st.lists(st.integers(-4, 6), min_size=0, max_size=4))
            disp = "(" + ", ".join(map(str, elems)) + ("," if len(elems) == 1 else "") + ")"
            if draw(st.booleans()):
                disp = "[" + ", ".join(map(str, elems)) + "]"
            lines.append(f"for {var} in {disp}:")
            op = draw(st.sampled_from(["+", "-", "*", "//", "%"]))
            lines.append(f"    c = c {op} ({var} + a)")
            if draw(st.booleans()):
                lines.append(f"    if c > {var} * b:")
                lines.append(f"        {draw(st.sampled_from(['break', 'continue', 'c = c - 1']))}")
            if kind == "nested":
                lines += ["    " + ln for ln in draw(loop_programs(depth + 1))]
        elif kind == "enum":
            text = draw(st.text(alphabet="abc", max_size=4))
            start = draw(st.integers(-2, 3))
            lines.append(f"for i{depth}, ch in enumerate({text!r}, {start}):")
            lines.append(f"    c = c + i{depth} * a - b")
        elif kind == "divmod":
            lines.append("q, r = divmod(c, b)")
            lines.append("c = q - r + a")
        elif kind == "len":
            text = draw(st.text(alphabet="xy", max_size=5))
            lines.append(f"c = c + len({text!r}) * len((1, a))")
        else:
            lines.append(f"c = c {draw(st.sampled_from(['+', '-', '*']))} b")
    return lines


@settings(max_examples=25, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(loop_programs(), st.lists(st.tuples(st.integers(-6, 6), st.integers(-6, 6)),
                                 min_size=3, max_size=3))
def test_python_for_loops_agree_with_cpython(body, input_list):
    from veriline.analyses.frontends.python_frontend import parse_python
    src = "def f(a: int, b: int) -> int:\n    c = a\n" + "".join(
        f"    {ln}\n" for ln in body) + "    return c\n"
    program = parse_python(src, "loops.py")
    assert not program.functions["f"].unsupported or all(
        "element of" in w for w, _ in program.functions["f"].unsupported), src
    ns: dict = {}
    exec(compile(src, "loops.py", "exec"), ns)
    for a, b in input_list:
        out = run(program, "f", {"a": a, "b": b}, externals=[0] * 64)
        try:
            want, err = ns["f"](a, b), None
        except ZeroDivisionError as exc:
            want, err = None, exc
        if err is None:
            assert out.status == "returned" and out.value == want, (src, a, b, out)
        else:
            assert out.status == "violation" and out.first.kind == "division-by-zero", \
                (src, a, b, out)


# ------------------------------------------------------------------ Python list indexing
# Source-level programs with a list parameter (its counterexample value is its length, a
# list of zeros) and a local list display: reads, stores, pops, appends, guarded and
# loop indices.  The interpreter must raise ("index") exactly where CPython raises
# IndexError, and otherwise return the same value.

INDEXES = ["a", "b", "-a", "a + b", "len(xs) - a", "c", "-1", "0", "2", "len(xs)", "-len(xs)"]


@st.composite
def index_programs(draw):
    lines = ["c = 0", f"ys = [{', '.join(map(str, draw(st.lists(st.integers(0, 3), max_size=3))))}]"]
    for _ in range(draw(st.integers(1, 4))):
        e = draw(st.sampled_from(INDEXES))
        seq = draw(st.sampled_from(["xs", "ys"]))
        kind = draw(st.sampled_from(["read", "guard", "store", "loop", "pop", "append",
                                     "and", "assign"]))
        if kind == "read":
            lines.append(f"y = {seq}[{e}]")
        elif kind == "guard":
            lo = draw(st.sampled_from(["0", f"-len({seq})", "1"]))
            lines += [f"if {lo} <= {e} < len({seq}):", f"    y = {seq}[{e}]", "    c = c + 1"]
        elif kind == "store":
            lines.append(f"{seq}[{e}] = a")
        elif kind == "loop":
            k = draw(st.sampled_from(["- 1", "", "+ 1"]))
            lines += [f"for i in range(len({seq})):", f"    y = {seq}[i {k}]", "    c = c + i"]
        elif kind == "pop":
            lines.append("y = ys.pop()" if draw(st.booleans()) else
                         "if ys:\n        ys.pop()\n        c = c + 3")
        elif kind == "append":
            lines.append("ys.append(b)")
        elif kind == "and":
            lines += [f"if {e} < len({seq}) and {e} >= 0 and len({seq}) > 0:",
                      f"    {seq}[{e}] = b", "    c = c + 2"]
        else:
            lines.append(f"c = c + len({seq})")
    return lines


@settings(max_examples=int(os.environ.get("VERILINE_DIFF_EXAMPLES", "40")), deadline=None,
          database=None, suppress_health_check=list(HealthCheck))
@given(index_programs(), st.lists(st.tuples(st.integers(0, 4), st.integers(-5, 5),
                                            st.integers(-5, 5)), min_size=3, max_size=3))
def test_python_list_indexing_agrees_with_cpython(body, input_list):
    from veriline.analyses.frontends.python_frontend import parse_python
    src = "def f(xs: list[int], a: int, b: int) -> int:\n" + "".join(
        f"    {ln}\n" for ln in body) + "    return c\n"
    program = parse_python(src, "lists.py")
    ns: dict = {}
    exec(compile(src, "lists.py", "exec"), ns)
    for n, a, b in input_list:
        out = run(program, "f", {"xs": n, "a": a, "b": b})
        try:
            want, err = ns["f"]([0] * n, a, b), None
        except IndexError as exc:
            want, err = None, exc
        if err is None:
            assert out.status == "returned" and out.value == want, (src, n, a, b, out)
        else:
            assert out.status == "violation" and out.first.kind == "index", (src, n, a, b, out)
            line = err.__traceback__.tb_next.tb_lineno
            assert out.first.span.line == line, (src, n, a, b, out)
