"""Random small integer functions: every 'proved' must survive random inputs on the real
code, and every counterexample must really fail when the real code runs on it."""
import random
import subprocess

import pytest

from veriline.analyses.api import Options, analyze_source

OPS = ["+", "-", "*"]


def rand_expr(r, vars_, depth=0):
    if depth > 2 or r.random() < 0.3:
        return r.choice(vars_ + [str(r.randint(-5, 9))])
    op = r.choice(OPS)
    return f"({rand_expr(r, vars_, depth + 1)} {op} {rand_expr(r, vars_, depth + 1)})"


def rand_cond(r, vars_):
    return f"{rand_expr(r, vars_, 1)} {r.choice(['<', '<=', '>', '>=', '==', '!='])} {rand_expr(r, vars_, 1)}"


def python_function(r, idx):
    vs = ["a", "b"]
    lines = [f"def f{idx}(a: int, b: int) -> int:"]
    lines.append(f"    c = {rand_expr(r, vs)}")
    vs = vs + ["c"]
    if r.random() < 0.6:
        lines.append(f"    if {rand_cond(r, vs)}:")
        lines.append(f"        c = {rand_expr(r, vs)}")
        lines.append("    else:")
        lines.append(f"        a = {rand_expr(r, vs)}")
    if r.random() < 0.4:
        lines.append(f"    for i in range({r.randint(0, 4)}):")
        lines.append(f"        c = c + {rand_expr(r, ['a', 'b', 'i'])}")
    lines.append(f"    assert {rand_cond(r, vs)}")
    lines.append("    return c")
    return "\n".join(lines) + "\n"


def c_function(r, idx):
    vs = ["a", "b"]
    lines = [f"int f{idx}(int a, int b) {{",
             "    __VERIFIER_assume(a > -100 && a < 100 && b > -100 && b < 100);",
             f"    int c = {rand_expr(r, vs)};"]
    vs = vs + ["c"]
    if r.random() < 0.6:
        lines.append(f"    if ({rand_cond(r, vs)}) c = {rand_expr(r, vs)}; else a = {rand_expr(r, vs)};")
    if r.random() < 0.4:
        lines.append(f"    for (int i = 0; i < {r.randint(0, 4)}; i++) c = c + {rand_expr(r, ['a', 'b', 'i'])};")
    lines.append(f"    assert({rand_cond(r, vs)});")
    lines.append("    return c;\n}")
    return "\n".join(lines) + "\n"


def asserts_of(src, findings):
    return [f for f in findings if f.kind == "contract" and f.property == "assert"]


@pytest.mark.parametrize("seed", range(4))
def test_python_proved_never_fails(seed):
    r = random.Random(seed)
    src = "".join(python_function(r, i) + "\n\n" for i in range(6))
    rep = analyze_source(src, f"rand{seed}.py", Options(timeout_ms=3000))
    ns = {}
    exec(compile(src, f"rand{seed}.py", "exec"), ns)
    checked = 0
    for f in asserts_of(src, rep.findings):
        fn = ns[f.function]
        if f.status == "proved":
            for _ in range(300):
                a, b = r.randint(-50, 50), r.randint(-50, 50)
                fn(a, b)          # must not raise AssertionError
            checked += 1
        elif f.status == "counterexample":
            with pytest.raises(AssertionError):
                fn(**f.counterexample.inputs)
            checked += 1
    assert checked >= 4


def c_source(seed):
    r = random.Random(100 + seed)
    fns = [c_function(r, i) for i in range(5)]
    return r, "#include <assert.h>\nextern void __VERIFIER_assume(int);\n" + "\n".join(fns)


@pytest.mark.parametrize("seed", range(2))
def test_c_encodings_never_disagree(seed):
    """The integer model, bit-vectors and the portfolio: no assertion or operation is
    proved in one and refuted in another."""
    _, src = c_source(seed)
    verdicts: dict = {}
    for mode in ("bv", "int", "portfolio"):
        rep = analyze_source(src, f"rand{seed}.c", Options(timeout_ms=3000, solver_mode=mode))
        for f in rep.findings:
            if f.status != "unknown" and f.kind != "termination":
                verdicts.setdefault((f.function, f.kind, f.span), {}).setdefault(
                    f.status, []).append(f"{mode}: {f.message} ({f.solver})")
    assert verdicts
    clashes = {k: v for k, v in verdicts.items() if len(v) > 1}
    assert not clashes, clashes


@pytest.mark.parametrize("mode", ["bv", "int", "portfolio"])
@pytest.mark.parametrize("seed", range(2))
def test_c_proved_never_fails(seed, mode, tmp_path):
    r, src = c_source(seed)
    rep = analyze_source(src, f"rand{seed}.c", Options(timeout_ms=3000, solver_mode=mode))
    calls = []
    for f in asserts_of(src, rep.findings):
        if f.status == "proved":
            pairs = [(r.randint(-99, 99), r.randint(-99, 99)) for _ in range(200)]
            calls.append((f.function, pairs, False))
        elif f.status == "counterexample":
            i = f.counterexample.inputs
            calls.append((f.function, [(i["a"], i["b"])], True))
    assert len(calls) >= 3
    for name, pairs, must_fail in calls:
        driver = tmp_path / f"{name}.c"
        body = "\n".join(f"    {name}({a}, {b});" for a, b in pairs)
        driver.write_text(src.replace("extern void __VERIFIER_assume(int);",
                                      "void __VERIFIER_assume(int c) { if (!c) exit(0); }")
                          .replace("#include <assert.h>", "#include <assert.h>\n#include <stdlib.h>")
                          + f"\nint main(void) {{\n{body}\n    return 0;\n}}\n")
        exe = tmp_path / name
        subprocess.run(["gcc", "-fsanitize=undefined", "-o", str(exe), str(driver)], check=True)
        out = subprocess.run([str(exe)], capture_output=True, text=True, timeout=20)
        if must_fail:
            assert out.returncode != 0 and "Assertion" in out.stderr, (name, pairs)
        else:
            assert out.returncode == 0, (name, out.stderr)
