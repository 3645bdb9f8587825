"""Path conditions at control-flow joins (engine/state.py join_pcs): equivalent to the
disjunction of the incoming paths, but with their common conjuncts factored out, so a
function with many branches in a row keeps a path condition of linear size (z3's
preprocessing walks the old Or(And(P, c), And(P, Not c)) terms as trees: simplejson's
functions ran out of their time budget on trivially satisfiable queries)."""
from __future__ import annotations

import z3
from hypothesis import given, settings, strategies as st

from veriline.analyses import api
from veriline.analyses.engine.state import State, conj, disj, join_pcs, merge

ATOMS = [z3.Bool(f"b{i}") for i in range(4)] + [z3.Int("x") > 0, z3.Int("x") < 5]


def equivalent(a, b) -> bool:
    s = z3.Solver()
    s.add(a != b)
    return s.check() == z3.unsat


def tree_size(t, cap: int = 100_000) -> int:
    """Nodes of t counted as a tree (shared subterms counted each time), up to cap."""
    count, todo = 0, [t]
    while todo and count < cap:
        x = todo.pop()
        count += 1
        todo.extend(x.children())
    return count


literal = st.builds(lambda i, neg: z3.Not(ATOMS[i]) if neg else ATOMS[i],
                    st.integers(0, len(ATOMS) - 1), st.booleans())
path = st.lists(literal, min_size=0, max_size=4)


@settings(max_examples=60, deadline=None)
@given(st.lists(path, min_size=1, max_size=3), path)
def test_join_is_the_disjunction(rests, prefix):
    common = z3.BoolVal(True)
    for c in prefix:
        common = conj(common, c)
    pcs = []
    for r in rests:
        pc = common
        for c in r:
            pc = conj(pc, c)
        pcs.append(pc)
    assert equivalent(join_pcs(pcs), disj(pcs))


def test_branch_sides_join_to_the_common_condition():
    p, c = ATOMS[0], ATOMS[4]
    assert join_pcs([conj(p, c), conj(p, z3.Not(c))]).eq(p)
    assert join_pcs([p, conj(p, c)]).eq(p)
    assert join_pcs([z3.BoolVal(False), conj(p, c)]).eq(conj(p, c))
    assert equivalent(join_pcs([conj(p, c), conj(ATOMS[1], c)]),
                      z3.Or(z3.And(p, c), z3.And(ATOMS[1], c)))


def test_many_branches_in_a_row_keep_the_path_condition_small():
    x = z3.Int("x")
    st_ = State({"x": x}, x > 0)
    for i in range(40):
        c = z3.Bool(f"u{i}")
        a = State({"x": st_.vars["x"] + 1}, conj(st_.pc, c))
        b = State(dict(st_.vars), conj(st_.pc, z3.Not(c)))
        st_ = merge([a, b])
    assert st_.pc.eq(x > 0)
    assert tree_size(st_.pc) < 10


SEQUENTIAL_BRANCHES = "int __VERIFIER_nondet_int(void);\nint f(int n) {\n    int k = 0;\n" + \
    "".join("    if (__VERIFIER_nondet_int()) k = k + 1;\n" for _ in range(24)) + \
    "    return n + k;\n}\n"


def test_sequential_unknown_branches_are_decided():
    rep = api.analyze_source(SEQUENTIAL_BRANCHES, "t.c", api.Options(timeout_ms=10000))
    got = sorted((f.span.line, f.status) for f in rep.findings if f.kind == "overflow")
    assert got == [(4 + i, "proved") for i in range(24)] + [(28, "counterexample")]


def test_range_facts_cover_each_assertions_constants_every_time():
    from veriline.analyses import ir
    from veriline.analyses.engine import encode as E
    from veriline.analyses.engine.encoding_modes import int_model, range_facts
    INT, UCHAR = ir.IntT(32, True, "int"), ir.IntT(8, False, "unsigned char")
    with int_model(True):
        x, y = E.const("x", INT), E.const("y", UCHAR)
        pc = z3.And(x > 0, y < x)
        want = {z3.And(x >= -2**31, x <= 2**31 - 1).sexpr(), z3.And(y >= 0, y <= 255).sexpr()}
        for _ in range(3):          # the same terms again: remembered, same answer
            assert {f.sexpr() for f in range_facts([pc, x != 3])} == want
        assert {f.sexpr() for f in range_facts([x != 3])} == \
            {z3.And(x >= -2**31, x <= 2**31 - 1).sexpr()}


def test_counterexample_guards_are_evaluated_once_per_term():
    from veriline.analyses.engine.context import _Held

    class CountingModel:
        evals = 0

        def eval(self, term):
            self.evals += 1
            return z3.is_true(z3.simplify(z3.substitute(term, (z3.Bool("g"), z3.BoolVal(True)))))

    m = CountingModel()
    held = _Held(m)
    g, h = z3.Bool("g"), z3.Not(z3.Bool("g"))
    assert [held(t) for t in (g, g, h, g, h)] == [True, True, False, True, False]
    assert m.evals == 2
