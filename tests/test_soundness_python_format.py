"""Differential soundness of Python string formatting against real Python: `fmt % args`
is formatting (it divides nothing), while integer `%`, `//` inside the arguments still
divide.  Random (seeded) functions mix both; every "division by zero" verdict is checked
by running the function: proved => no sampled input raises ZeroDivisionError there,
counterexample => its inputs do; and no finding calls a formatting `%` a division."""
from __future__ import annotations

import random

import pytest

from veriline.analyses.api import Options, analyze_source

INT_EXPRS = ["a", "b", "a + b", "a // b", "a % b", "b % 3", "(a - b) // 2", "7 // (a | 1)"]
FORMATS = ["'x^%d' % ({e})", "'%d-%d' % ({e}, {f})", "('a' + '%s') % ({e})",
           "'%%d%s' % (({e}),)", "s % ({e})", "b'%d' % ({e})", "'v=%d' % {e} * 2"]


def make_function(r: random.Random, k: int) -> str:
    fmt = r.choice(FORMATS).format(e=r.choice(INT_EXPRS), f=r.choice(INT_EXPRS))
    guard = r.choice(["", "    if b == 0:\n        return 0\n"])
    tail = r.choice(["0", "a % (b + 1)", "len(t)"])
    return (f"def f{k}(a: int, b: int, s: str) -> int:\n{guard}"
            f"    t = {fmt}\n    return {tail}\n")


@pytest.mark.parametrize("seed", range(3))
def test_format_strings_are_not_divisions(seed):
    r = random.Random(seed)
    src = "\n\n".join(make_function(r, k) for k in range(8))
    rep = analyze_source(src, f"fmt{seed}.py", Options(timeout_ms=3000))
    assert not [f for f in rep.findings if f.property == "internal"]
    ns: dict = {}
    exec(compile(src, f"fmt{seed}.py", "exec"), ns)
    lines = src.splitlines()
    for f in rep.findings:
        if "division-by-zero" not in f.property.split("+"):
            continue
        text = lines[f.span.line - 1][f.span.col - 1:]
        assert not text.startswith(("'", "b'", "s %", "('")), f"formatting read as division: {f.message}"
        fn = ns[f.function]
        if f.status == "proved":
            for a in range(-4, 5):
                for b in range(-4, 5):
                    try:
                        fn(a, b, "%d")
                    except ZeroDivisionError as exc:    # must come from another site
                        line = exc.__traceback__.tb_next.tb_lineno
                        assert line != f.span.line or _other_division(rep, f), (f.message, a, b)
        elif f.status == "counterexample":
            inp = f.counterexample.inputs
            with pytest.raises(ZeroDivisionError):
                fn(inp["a"], inp["b"], "%d")


def _other_division(rep, proved) -> bool:
    """Another division on the same line that is not proved (it may be the one raising)."""
    return any(f.span.line == proved.span.line and f is not proved and
               "division-by-zero" in f.property and f.status != "proved"
               for f in rep.findings)
