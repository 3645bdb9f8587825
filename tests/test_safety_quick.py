"""The quick safety pass (engine/safety_quick.py): properties proved on the abstract run
without inferred loop invariants, before the full judgement, so a function whose full
abstract run is slow keeps them (issue #13)."""
from __future__ import annotations

import textwrap

from veriline.analyses.api import Options, parse
from veriline.analyses.engine import driver, safety, safety_quick
from veriline.analyses.engine.encoding_modes import int_model, math_width
from veriline.analyses.engine.widths import contract_width
from veriline.analyses.engine.budget import Budget
from veriline.analyses.engine.context import FnContext
from veriline.analyses.engine.safety_quick import quick_safety, worth_it

C = textwrap.dedent('''
    int sum(void) {
        int i = 0;
        int s = 0;
        while (i < 10) {
            s = s + 1;
            i++;
        }
        return s;
    }
    int plain(int a) { if (a < 100) { return a + 1; } return 0; }
''')


def _quick(name: str):
    prog = parse(C, "quick.c")
    ctx = FnContext(prog, prog.functions[name], Options(), None)
    ctx.encoding = "int"
    out: list = []
    with math_width(contract_width(prog)), int_model(True):
        keys = quick_safety(ctx, {"overflow", "contract"}, out)
    return ctx, keys, out


def test_property_without_invariant_is_proved_quickly_and_the_other_is_left():
    """`i++` under `i < 10` needs no invariant; `s + 1` needs `s <= i` (Houdini)."""
    _, keys, out = _quick("sum")
    assert [(f.status, f.span.line, f.details["abstraction"]) for f in out] == \
        [("proved", 7, "no inferred invariants")]
    assert len(keys) == 1


def test_full_judgement_still_proves_the_rest_once(monkeypatch):
    monkeypatch.setattr(safety_quick, "QUICK_MIN_STATEMENTS", 0)   # small: see below
    found = driver.verify(parse(C, "quick.c"), "sum", Options())
    ov = sorted((f.span.line, f.status) for f in found if f.kind == "overflow")
    assert ov == [(6, "proved"), (7, "proved")]
    quick = [f.span.line for f in found if f.details.get("abstraction")
             and f.kind == "overflow"]
    assert quick == [7]


def test_quick_proofs_survive_a_full_judgement_that_never_ends(monkeypatch):
    def spin(ctx, *args, **kw):
        while True:
            ctx.cancel.check()

    monkeypatch.setattr(safety, "check_safety", spin)
    monkeypatch.setattr(safety_quick, "QUICK_MIN_STATEMENTS", 0)
    with Budget(3) as budget:
        found = driver.verify(parse(C, "quick.c"), "sum", Options(), budget)
    ov = sorted((f.span.line, f.status, f.property) for f in found if f.kind == "overflow")
    assert ov == [(6, "unknown", "budget"), (7, "proved", "signed-overflow")]
    assert [f.status for f in found if f.kind == "termination"] == ["proved"]


def test_quick_run_only_for_large_functions_with_loops(monkeypatch):
    prog = parse(C, "quick.c")
    ctx = {n: FnContext(prog, prog.functions[n], Options(), None) for n in ("plain", "sum")}
    assert not worth_it(ctx["sum"])         # 6 statements: the full run is cheap
    monkeypatch.setattr(safety_quick, "QUICK_MIN_STATEMENTS", 6)
    assert worth_it(ctx["sum"])
    assert not worth_it(ctx["plain"])       # no loop: the quick run is the full one
    monkeypatch.setattr(safety_quick, "QUICK_MIN_STATEMENTS", 7)
    assert not worth_it(ctx["sum"])
