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


# ------------------------------------------------------------------ lists, str, for loops
ITERABLES = ["xs", "enumerate(xs)", "(1, -2, 3)", "[a, b]", "s", "zip(xs, s)",
             "sorted(xs)", "reversed(xs)", "out", "[v * 2 for v in xs if v > a]"]


def list_function(r, idx):
    """A function over an int list and a str: for loops over finite iterables, a fresh
    local list, asserts over the ints (elements of xs/s stay arbitrary to the verifier)."""
    lines = [f"def g{idx}(xs: list[int], s: str, a: int, b: int) -> int:",
             "    c = 0", "    out = [a]"]
    for _ in range(r.randint(1, 3)):
        it = r.choice(ITERABLES)
        target = {"enumerate(xs)": "i, v", "zip(xs, s)": "v, ch"}.get(it, "v")
        lines.append(f"    for {target} in {it}:")
        step = r.choice(["c = c + 1", "c = c + a", "out.append(c)", "c = c + len(out)",
                         "b = b - 1", "xs.append(c)" if r.random() < 0.2 else "c = c - b"])
        if step == "xs.append(c)":
            lines.append("        if len(xs) < 6:")
            lines.append(f"            {step}")
        else:
            lines.append(f"        {step}")
        if "i, v" in target and r.random() < 0.5:
            lines.append(f"        assert i {r.choice(['>=', '<', '>'])} {r.randint(-1, 2)}")
        if r.random() < 0.3:
            lines.append("        if c > 100:")
            lines.append("            break")
    lines.append(f"    assert {rand_cond(r, ['a', 'b', 'c'])}")
    lines.append("    return c")
    return "\n".join(lines) + "\n"


def _run_bounded(fn, args, limit=200_000):
    """Run fn(*args); 'timeout' after `limit` traced lines (a loop that may not end)."""
    import sys
    steps = [0]

    class Budget(Exception):
        pass

    def tracer(frame, event, arg):
        if event == "line":
            steps[0] += 1
            if steps[0] > limit:
                raise Budget()
        return tracer
    sys.settrace(tracer)
    try:
        fn(*args)
        return "ok"
    except AssertionError as e:
        return ("assert", e.__traceback__.tb_next.tb_lineno if e.__traceback__.tb_next
                else e.__traceback__.tb_lineno)
    except Budget:
        return "timeout"
    except Exception:
        return "raised"
    finally:
        sys.settrace(None)


@pytest.mark.parametrize("seed", range(2))
def test_python_lists_proved_never_fails(seed):
    r = random.Random(500 + seed)
    src = "".join(list_function(r, i) + "\n\n" for i in range(6))
    rep = analyze_source(src, f"lists{seed}.py", Options(timeout_ms=3000))
    ns = {}
    exec(compile(src, f"lists{seed}.py", "exec"), ns)
    decided = 0
    unproved = {f.function for f in rep.findings
                if f.kind == "termination" and f.status != "proved"}
    for f in rep.findings:
        fn = ns[f.function]
        if f.kind == "termination" and f.function in unproved:
            continue            # another loop of the function may run forever
        if f.status == "counterexample" and f.kind == "contract":
            inputs = f.counterexample.inputs
            if set(inputs) >= {"xs", "s", "a", "b"}:
                # a sequence parameter's counterexample value is its length (any elements)
                args = [[0] * inputs["xs"], "a" * inputs["s"], inputs["a"], inputs["b"]]
                out = _run_bounded(fn, args)
                assert out == ("assert", f.span.line), (f, out)
            decided += 1
        if f.status != "proved":
            continue
        decided += 1
        for _ in range(60):
            xs = [r.randint(-5, 5) for _ in range(r.randint(0, 5))]
            s = "".join(r.choice("abc") for _ in range(r.randint(0, 4)))
            out = _run_bounded(fn, [xs, s, r.randint(-9, 9), r.randint(-9, 9)])
            if f.kind == "termination":
                assert out != "timeout", (f, xs, s)
            elif f.kind == "contract":
                assert out != ("assert", f.span.line), (f, xs, s)
    assert decided >= 6
