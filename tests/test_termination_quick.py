"""The quick termination pass (engine/termination_quick.py): loops proved on the abstract
run without inferred invariants, before contracts and overflow, so a slow safety phase or a
slow full judgement cannot leave them "don't know" (issue #13)."""
from __future__ import annotations

import textwrap

from veriline.analyses import callgraph
from veriline.analyses.api import Options, parse
from veriline.analyses.engine import driver, termination
from veriline.analyses.engine.encoding_modes import math_width, unbounded_signed
from veriline.analyses.engine.widths import contract_width
from veriline.analyses.engine.budget import Budget
from veriline.analyses.engine.context import FnContext
from veriline.analyses.engine.termination_quick import quick_verdicts

C = textwrap.dedent('''
    int count(int n) { int i = 0; while (i < n) { i++; } return i; }
    int step(int n) { int i = 0; int d = 1; while (i < n) { i = i + d; d = 1; } return i; }
    int parity(int n) { int i = 0; while (i != n) { i += 2; } return i; }
    int nested(int n) {
        int s = 0;
        for (int i = 0; i < n; i++) { int d = 1; int j = 0; while (j < n) { j += d; d = 1; } }
        return s;
    }
    int spin(int k) { while (k != 0) { k = k - 2; } return 0; }
    int calls(int n) { int i = 0; while (i < n) { spin(i); i++; } return i; }
''')


def _quick(name: str) -> dict:
    prog = parse(C, "quick.c")
    fn = prog.functions[name]
    ctx = FnContext(prog, fn, Options(), None)
    ctx.encoding = "int"
    with math_width(contract_width(prog)), unbounded_signed():
        found = quick_verdicts(ctx, {}, {})
    lines = {id(loop): loop.span.line for loop in callgraph.loops_in(fn.body)}
    return {lines[k]: f for k, f in found.items()}


def _spin(ctx, *args, **kw):
    while True:                 # a phase that would outlive any budget (simulated)
        ctx.cancel.check()


def test_loop_is_proved_while_safety_and_the_full_judgement_never_finish(monkeypatch):
    """The loop's own ranking function needs no invariant: its verdict does not wait for
    the rest of the function (here: safety and the full judgement that never end)."""
    monkeypatch.setattr(driver, "_safety", _spin)
    monkeypatch.setattr(termination, "check_termination", _spin)
    prog = parse(C, "quick.c")
    with Budget(3) as budget:
        found = driver.verify(prog, "count", Options(), budget)
    term = [f for f in found if f.kind == "termination"]
    assert [(f.status, f.details["measure"], f.details["abstraction"]) for f in term] == \
        [("proved", ["n - i"], "no inferred invariants")]
    assert term[0].details["judgement"] == "modular"
    assert all(f.status == "unknown" and f.property == "budget"
               for f in found if f.kind != "termination")


def test_quick_pass_proves_the_plain_counter():
    found = _quick("count")
    assert [(f.status, f.details["measure"]) for f in found.values()] == \
        [("proved", ["n - i"])]


def test_loop_needing_an_invariant_is_left_to_the_full_judgement():
    """`i + d` decreases only under the invariant d == 1 (Houdini): not proved quickly,
    proved by the full judgement."""
    assert _quick("step") == {}
    rep = driver.verify(parse(C, "quick.c"), "step", Options())
    term = [f for f in rep if f.kind == "termination"]
    assert [f.status for f in term] == ["proved"]
    assert "abstraction" not in term[0].details


def test_non_terminating_loop_is_never_proved_quickly():
    assert _quick("parity") == {}
    rep = driver.verify(parse(C, "quick.c"), "parity", Options())
    assert [f.status for f in rep if f.kind == "termination"] == ["counterexample"]


def test_outer_loop_waits_for_its_inner_loop():
    """The inner loop needs an invariant, so the outer one is not proved quickly either
    (its proof needs the inner loop's); both are proved by the full judgement."""
    assert _quick("nested") == {}
    rep = driver.verify(parse(C, "quick.c"), "nested", Options())
    assert [f.status for f in rep if f.kind == "termination"] == ["proved", "proved"]


def test_quick_proof_names_the_callee_it_assumes_returns():
    found = _quick("calls")
    assert [(f.status, f.details["assumes_return"]) for f in found.values()] == \
        [("proved", ["spin"])]
    assert "spin" in next(iter(found.values())).message


TWO = textwrap.dedent('''
    int two(int n) {
        int i = 0;
        while (i < n) { i++; }
        int j = 0;
        int d = 1;
        while (j < n) { j = j + d; d = 1; }
        return j;
    }
''')


def test_full_judgement_infers_invariants_only_where_a_loop_is_left(monkeypatch):
    """The first loop is proved quickly: the full judgement's run infers no invariant
    for it, and still proves the second loop with its invariant (d == 1)."""
    from veriline.analyses.engine import loops
    inferred = []
    real = loops._infer

    def spy(ex, loop, *args):
        out = real(ex, loop, *args)
        if ex.infer and ex.scratch == 0:
            inferred.append((loop.span.line, bool(out)))
        return out

    monkeypatch.setattr(loops, "_infer", spy)
    found = driver.verify(parse(TWO, "two.c"), "two", Options(analyses=frozenset(
        {"termination"})))
    term = [(f.span.line, f.status, "abstraction" in f.details)
            for f in found if f.kind == "termination"]
    assert term == [(4, "proved", True), (7, "proved", False)]
    assert inferred == [(4, False), (7, True)]


def test_settled_loops_are_those_enclosing_nothing_undecided():
    prog = parse(C, "quick.c")
    fn = prog.functions["nested"]
    outer, inner = callgraph.loops_in(fn.body)
    assert driver._settled_loops(fn, {id(outer): None}) == frozenset()
    assert driver._settled_loops(fn, {id(inner): None}) == frozenset({id(inner)})
    assert driver._settled_loops(fn, {id(outer): None, id(inner): None}) == \
        frozenset({id(outer), id(inner)})


def test_short_circuit_condition_gives_its_guard_as_a_ranking_candidate():
    """`while (idx <= end && digit(s[idx]))`: the frontend hoists the call into a
    short-circuit temporary, which hid `end - idx + 1` from the ranking candidates."""
    src = textwrap.dedent('''
        int digit(int c);
        int skip(const char *s, int idx, int end) {
            while (idx <= end && digit(s[idx])) idx++;
            return idx;
        }
    ''')
    prog = parse(src, "sc.c")
    ctx = FnContext(prog, prog.functions["skip"], Options(), None)
    ctx.encoding = "int"
    with math_width(contract_width(prog)), unbounded_signed():
        found = list(quick_verdicts(ctx, {}, {}).values())
    assert [(f.status, f.details["measure"]) for f in found] == \
        [("proved", ["end - idx + 1"])]


def test_safety_share_grows_with_the_loops_the_quick_pass_settled():
    """Termination keeps 20 % of the time for its loops: half of it when half of them
    are settled, none when all are (and the whole of it for recursion)."""
    prog = parse(TWO, "two.c")
    fn = prog.functions["two"]
    first, second = callgraph.loops_in(fn.body)
    ctx = FnContext(prog, fn, Options(), None)
    kinds = {"contract", "overflow", "termination"}
    with Budget(100) as parent:
        ctx.cancel = parent
        shares = []
        for early in ({}, {id(first): None}, {id(first): None, id(second): None}):
            share = driver._safety_slice(ctx, kinds, early)
            shares.append(None if share is None else round(share.seconds / 100, 1))
            if share is not None:
                share.stop()
    assert shares == [0.8, 0.9, None]
