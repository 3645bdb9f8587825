"""Exact semantics of the concrete IR interpreter on hand-built IR."""
from __future__ import annotations

import pytest

from veriline.analyses import ir
from veriline.analyses.interp import run
from irkit import (I, U, M, B, sp, c, v, bin, un, cast, assign, ret, func, prog, one_expr)

INT_MAX, INT_MIN, UINT_MAX = 2**31 - 1, -2**31, 2**32 - 1
XY = [("x", I), ("y", I)]


def run_expr(e, inputs, params=XY, lang="c", **kw):
    return run(one_expr(e, params, lang=lang), "f", inputs, **kw)


# ------------------------------------------------------------------ arithmetic

def test_signed_overflow_stops_c_with_operands():
    out = run_expr(bin("add", v("x"), v("y"), line=2), {"x": INT_MAX, "y": 1})
    assert out.status == "violation"
    (viol,) = out.violations
    assert viol.kind == "signed-overflow" and viol.span.line == 2
    assert viol.values == {"left": INT_MAX, "right": 1}


def test_signed_overflow_wraps_when_not_stopping():
    out = run_expr(bin("add", v("x"), v("y")), {"x": INT_MAX, "y": 1}, stop_at_first=set())
    assert out.status == "returned" and out.value == INT_MIN
    assert [x.kind for x in out.violations] == ["signed-overflow"]


def test_signed_mul_and_neg_overflow():
    out = run_expr(bin("mul", v("x"), v("y")), {"x": 65536, "y": 65536}, stop_at_first=set())
    assert out.value == 0 and out.first.kind == "signed-overflow"
    out = run_expr(un("neg", v("x")), {"x": INT_MIN, "y": 0})
    assert out.status == "violation" and out.first.values == {"operand": INT_MIN}


def test_unsigned_wrap_is_recorded_not_stopping():
    p = [("x", U), ("y", U)]
    out = run_expr(bin("add", v("x", U), v("y", U)), {"x": UINT_MAX, "y": 2}, params=p)
    assert out.status == "returned" and out.value == 1
    assert out.first.kind == "unsigned-wrap"
    out = run_expr(bin("sub", v("x", U), v("y", U)), {"x": 0, "y": 1}, params=p)
    assert out.value == UINT_MAX
    out = run_expr(un("neg", v("x", U)), {"x": 1, "y": 0}, params=p)
    assert out.value == UINT_MAX


def test_inputs_are_converted_to_parameter_types():
    out = run_expr(v("x"), {"x": 2**32 + 5, "y": 0})
    assert out.value == 5
    out = run_expr(v("x", U), {"x": -1, "y": 0}, params=[("x", U), ("y", U)])
    assert out.value == UINT_MAX


@pytest.mark.parametrize("op,a,b,want", [
    ("div", -7, 2, -3), ("mod", -7, 2, -1), ("div", 7, -2, -3), ("mod", 7, -2, 1),
    ("floordiv", -7, 2, -4), ("floormod", -7, 2, 1), ("floordiv", 7, -2, -4),
    ("floormod", 7, -2, -1)])
def test_division_rounding(op, a, b, want):
    lang = "c" if op in ("div", "mod") else "python"
    t = I if lang == "c" else M
    out = run_expr(bin(op, v("x", t), v("y", t)), {"x": a, "y": b},
                   params=[("x", t), ("y", t)], lang=lang)
    assert out.status == "returned" and out.value == want


def test_division_by_zero_any_type():
    out = run_expr(bin("floordiv", v("x", M), v("y", M), line=3), {"x": 1, "y": 0},
                   params=[("x", M), ("y", M)], lang="python")
    assert out.status == "violation" and out.first.kind == "division-by-zero"
    assert out.first.values == {"left": 1, "right": 0} and out.first.span.line == 3
    out = run_expr(bin("mod", v("x"), v("y")), {"x": 1, "y": 0})
    assert out.first.kind == "division-by-zero"


@pytest.mark.parametrize("op,wrapped", [("div", INT_MIN), ("mod", 0)])
def test_int_min_div_minus_one(op, wrapped):
    out = run_expr(bin(op, v("x"), v("y")), {"x": INT_MIN, "y": -1})
    assert out.status == "violation" and out.first.kind == "div-overflow"
    assert out.first.values == {"left": INT_MIN, "right": -1}
    out = run_expr(bin(op, v("x"), v("y")), {"x": INT_MIN, "y": -1}, stop_at_first=set())
    assert out.value == wrapped


@pytest.mark.parametrize("op,a,b,t,value,kind", [
    ("shl", 1, 30, I, 2**30, None),
    ("shl", 1, 31, I, INT_MIN, "shift"),            # not representable in int
    ("shl", 1, 32, I, 1, "shift"),                   # count >= width
    ("shl", 1, -1, I, INT_MIN, "shift"),             # negative count
    ("shl", -1, 1, I, -2, "shift"),                  # negative left operand
    ("shr", -8, 1, I, -4, None),                     # arithmetic
    ("shr", INT_MIN, 31, I, -1, None),
    ("shl", 1, 31, U, 2**31, None),                  # unsigned: fine
    ("shl", 3, 31, U, 2**31, None),                  # unsigned: wraps silently
    ("shr", 2**31, 31, U, 1, None),                  # logical
])
def test_shifts(op, a, b, t, value, kind):
    out = run_expr(bin(op, v("x", t), v("y", I), t=t), {"x": a, "y": b},
                   params=[("x", t), ("y", I)], stop_at_first=set())
    assert out.value == value
    assert [x.kind for x in out.violations] == ([kind] if kind else [])


def test_bitwise_ops_and_bnot():
    out = run_expr(un("bnot", v("x", U)), {"x": 0, "y": 0}, params=[("x", U), ("y", U)])
    assert out.value == UINT_MAX
    out = run_expr(bin("bxor", v("x"), v("y")), {"x": -1, "y": 5})
    assert out.value == -6
    out = run_expr(bin("shl", v("x", M), v("y", M)), {"x": -3, "y": 100},
                   params=[("x", M), ("y", M)], lang="python")
    assert out.value == -3 * 2**100
    out = run_expr(bin("shr", v("x", M), v("y", M)), {"x": 1, "y": -1},
                   params=[("x", M), ("y", M)], lang="python")
    assert out.status == "violation" and out.first.kind == "shift"


def test_conversions():
    sc = ir.C_SCHAR
    out = run_expr(cast(v("x"), sc, line=4), {"x": 300, "y": 0})
    assert out.value == 44 and out.first.kind == "conversion" and out.first.span.line == 4
    out = run_expr(cast(v("x"), U), {"x": -1, "y": 0})
    assert out.value == UINT_MAX and not out.violations
    out = run_expr(cast(v("x"), ir.C_BOOL), {"x": 256, "y": 0})
    assert out.value == 1
    out = run_expr(cast(bin("lt", v("x"), v("y")), I), {"x": 1, "y": 2})
    assert out.value == 1
    out = run_expr(cast(cast(v("x"), B), M), {"x": -9, "y": 0})
    assert out.value == 1
    out = run_expr(cast(v("x"), ir.C_UCHAR), {"x": -1, "y": 0})
    assert out.value == 255 and not out.violations


def test_numpy_typed_python_overflow_records_but_continues():
    i32 = ir.IntT(32, True, "int32")
    out = run_expr(bin("add", v("x", i32), v("y", i32)), {"x": INT_MAX, "y": 1},
                   params=[("x", i32), ("y", i32)], lang="python")
    assert out.status == "returned" and out.value == INT_MIN
    assert out.first.kind == "signed-overflow"


# ------------------------------------------------------------------ control flow

def test_short_circuit_and_ite():
    guard = bin("and", bin("ne", v("x"), c(0)), bin("gt", bin("div", c(10), v("x")), c(1)))
    assert run_expr(cast(guard, I), {"x": 0, "y": 0}).value == 0
    assert run_expr(cast(guard, I), {"x": 2, "y": 0}).value == 1
    either = bin("or", bin("eq", v("x"), c(0)), bin("gt", bin("div", c(10), v("x")), c(1)))
    assert run_expr(cast(either, I), {"x": 0, "y": 0}).value == 1
    impl = bin("implies", bin("ne", v("x"), c(0)), bin("gt", bin("div", c(10), v("x")), c(1)))
    assert run_expr(cast(impl, I), {"x": 0, "y": 0}).value == 1
    ite = ir.Ite(cond=bin("eq", v("y"), c(0)), then=c(-1), orelse=bin("div", v("x"), v("y")),
                 type=I)
    assert run_expr(ite, {"x": 9, "y": 0}).value == -1
    assert run_expr(ite, {"x": 9, "y": 3}).value == 3


def test_for_loop_with_continue_and_update():
    # s = 0; for (i = 0; i < n; i++) { if (i % 2 == 0) continue; s += i; } return s;
    body = [ir.If(cond=bin("eq", bin("mod", v("i"), c(2)), c(0)), then=[ir.Continue()]),
            assign("s", bin("add", v("s"), v("i")), line=5)]
    loop = ir.While(cond=bin("lt", v("i"), v("n")), body=body,
                    update=[assign("i", bin("add", v("i"), c(1)), line=3)], span=sp(3))
    f = func("f", [("n", I)], [assign("s", c(0), 2), assign("i", c(0), 3), loop, ret(v("s"))],
             locals_={"s": I, "i": I})
    out = run(prog(f), "f", {"n": 10})
    assert out.status == "returned" and out.value == 1 + 3 + 5 + 7 + 9
    assert out.trace[0].values == {"n": 10} and out.trace[0].line == 1
    assert out.trace[1].line == 2 and out.trace[-1].values == {"i": 10}


def test_do_while_runs_once_and_break():
    loop = ir.While(cond=bin("lt", v("x"), c(0)), body=[assign("x", bin("add", v("x"), c(1)))],
                    do_while=True, span=sp(2))
    f = func("f", [("x", I)], [loop, ret(v("x"))])
    assert run(prog(f), "f", {"x": 5}).value == 6
    assert run(prog(f), "f", {"x": -3}).value == 0
    loop2 = ir.While(cond=ir.Const(value=1, type=B), span=sp(2), body=[
        ir.If(cond=bin("ge", v("x"), c(7)), then=[ir.Break()]),
        assign("x", bin("add", v("x"), c(1)))])
    g = func("f", [("x", I)], [loop2, ret(v("x"))])
    assert run(prog(g), "f", {"x": 0}).value == 7


def g2_program(lang="c"):
    t = I if lang == "c" else M
    loop = ir.While(cond=bin("gt", v("x", t), v("y", t)), span=sp(12),
                    body=[assign("x", bin("sub", v("x", t), v("y", t)), line=13)])
    return prog(func("g2", [("x", t), ("y", t)], [loop], ret_t=None, lang=lang, line=11),
                lang=lang)


@pytest.mark.parametrize("lang", ["c", "python"])
def test_cycle_detection(lang):
    out = run(g2_program(lang), "g2", {"x": 5, "y": 0})
    assert out.status == "nonterminating" and out.loop_span.line == 12
    assert out.cycle_state == {"x": 5, "y": 0}
    assert run(g2_program(lang), "g2", {"x": 5, "y": 2}).status == "returned"


def test_long_cycle_is_found_and_timeout_without_detection():
    # while (x != 0) x = (x + 1) % 1000;  from 1: reaches 0, ends.  From -1: cycles? no:
    # x = (x + 1) % 7 + 1 never reaches 0: a cycle of length 7 after a prefix.
    body = [assign("x", bin("add", bin("mod", bin("add", v("x"), c(1)), c(7)), c(1)))]
    loop = ir.While(cond=bin("ne", v("x"), c(0)), body=body, span=sp(2))
    p = prog(func("f", [("x", I)], [loop], ret_t=None))
    out = run(p, "f", {"x": 1000})
    assert out.status == "nonterminating" and 1 <= out.cycle_state["x"] <= 7
    out = run(p, "f", {"x": 1000}, detect_cycles=False, max_steps=5000)
    assert out.status == "timeout"


def test_unsigned_count_up_times_out():
    U_ = U
    loop = ir.While(cond=bin("le", v("i", U_), v("n", U_)), span=sp(4),
                    body=[assign("steps", bin("add", v("steps", U_), c(1, U_)), line=5)],
                    update=[assign("i", bin("add", v("i", U_), c(1, U_)), line=4)])
    f = func("count_up", [("n", U_)], [assign("steps", c(0, U_)), assign("i", c(0, U_)), loop,
                                        ret(v("steps", U_))], ret_t=U_,
             locals_={"steps": U_, "i": U_})
    assert run(prog(f), "count_up", {"n": 3}).value == 4
    assert run(prog(f), "count_up", {"n": UINT_MAX}, max_steps=2000).status == "timeout"


def test_nondet_inputs_do_not_count_as_a_cycle():
    # while (1) { if (nondet()) break; }
    loop = ir.While(cond=ir.Const(value=1, type=B), span=sp(2), body=[
        ir.If(cond=bin("ne", ir.Nondet(type=I), c(0)), then=[ir.Break()])])
    p = prog(func("f", [], [loop, ret(c(1))]))
    assert run(p, "f", {}, nondet=[0, 0, 0, 4]).value == 1
    assert run(p, "f", {}, nondet=[0, 0]).status == "needs_input"


def test_python_range_loop():
    # for i in range(0, n, 2): s += i   (hidden counter __i)
    loop = ir.While(cond=bin("lt", v("__i", M), v("n", M)), range_loop=True, span=sp(3), body=[
        assign("i", v("__i", M), 3),
        assign("__i", bin("add", v("__i", M), c(2, M)), 3),
        assign("s", bin("add", v("s", M), v("i", M)), 4)])
    f = func("f", [("n", M)], [assign("s", c(0, M)), assign("__i", c(0, M)), loop,
                                ret(v("s", M))], ret_t=M, lang="python",
             locals_={"s": M, "i": M, "__i": M})
    assert run(prog(f, lang="python"), "f", {"n": 9}).value == 0 + 2 + 4 + 6 + 8
    assert run(prog(f, lang="python"), "f", {"n": 10**30}, max_steps=1000).status == "timeout"


# ------------------------------------------------------------------ contracts, calls

def test_ensures_with_old_and_result():
    # int inc(int x) { x = x + 1; return x; }   params in ensures = entry values
    body = [assign("x", bin("add", v("x"), c(1))), ret(v("x"))]
    res = v(ir.RESULT)
    good = func("inc", [("x", I)], body,
                ensures=[bin("eq", res, bin("add", ir.Old(arg=v("x"), type=I), c(1))),
                         bin("eq", res, bin("add", v("x"), c(1)))])
    assert run(prog(good), "inc", {"x": 4}).status == "returned"
    bad = func("inc", [("x", I)], body, ensures=[bin("eq", res, v("x"))], line=7)
    out = run(prog(bad), "inc", {"x": 4})
    assert out.status == "violation" and out.first.kind == "ensures"
    assert out.first.span.line == 7 and out.first.values == {ir.RESULT: 5, "x": 4}


def test_top_level_requires_false_is_assume_failed():
    f = func("f", [("x", I)], [ret(v("x"))], requires=[bin("gt", v("x"), c(0))])
    assert run(prog(f), "f", {"x": 0}).status == "assume_failed"
    assert run(prog(f), "f", {"x": 1}).status == "returned"


def test_requires_call_and_callee_execution():
    g = func("g", [("a", I)], [ret(bin("mul", v("a"), c(2)))],
             requires=[bin("gt", v("a"), c(0))], ensures=[bin("eq", v(ir.RESULT), c(0))])
    call = ir.Call(func="g", args=(v("x"),), type=I, span=sp(9))
    f = func("f", [("x", I)], [ret(call)])
    out = run(prog(f, g), "f", {"x": 3})
    assert out.status == "returned" and out.value == 6        # callee ensures not checked
    out = run(prog(f, g), "f", {"x": 0})
    assert out.status == "violation" and out.first.kind == "requires-call"
    assert out.first.span.line == 9 and out.first.values == {"a": 0}


def test_recursion_and_stack_limit():
    # countdown(n) = n <= 0 ? 0 : 1 + countdown(n - 1)
    rec = ir.Call(func="countdown", args=(bin("sub", v("n", M), c(1, M)),), type=M)
    f = func("countdown", [("n", M)], [
        ir.If(cond=bin("le", v("n", M), c(0, M)), then=[ret(c(0, M))]),
        ret(bin("add", c(1, M), rec))], ret_t=M, lang="python")
    p = prog(f, lang="python")
    assert run(p, "countdown", {"n": 300}).value == 300
    assert run(p, "countdown", {"n": 10**6}).status == "stack"


def test_assert_reach_error_halt_assume():
    a = ir.Assert(cond=bin("le", v("x"), v("y")), span=sp(4))
    out = run(prog(func("f", XY, [a, ret(c(0))])), "f", {"x": 1, "y": 0})
    assert out.status == "violation" and out.first.kind == "assert"
    assert out.first.values == {"x": 1, "y": 0}
    r = ir.Assert(cond=ir.Const(value=0, type=B), kind="reach_error", span=sp(5))
    out = run(prog(func("f", XY, [ir.If(cond=bin("eq", v("x"), c(3)), then=[r])])), "f",
              {"x": 3, "y": 0})
    assert out.first.kind == "reach_error"
    isa = ir.Assert(cond=ir.Const(value=0, type=B), kind="isinstance", span=sp(3))
    assert run(prog(func("f", XY, [isa])), "f", {"x": 3, "y": 0}).first.kind == "assert"
    out = run(prog(func("f", XY, [ir.Halt(span=sp(2)), ret(c(1))])), "f", {"x": 0, "y": 0})
    assert out.status == "halted"
    assume = ir.Assume(cond=bin("gt", v("x"), c(0)), span=sp(2))
    out = run(prog(func("f", XY, [assume, ret(c(1))])), "f", {"x": 0, "y": 0})
    assert out.status == "assume_failed" and not out.violations


def test_unsupported_externals_and_havoc():
    ext = ir.Call(func="terminates", args=(), type=I, span=sp(6))
    f = func("f", [], [ret(bin("add", ext, ir.Unsupported(what="pointer", type=I)))])
    out = run(prog(f), "f", {})
    assert out.status == "unsupported" and "terminates" in out.message
    assert run(prog(f), "f", {}, externals=[2, 3]).value == 5
    assert run(prog(f), "f", {}, externals=[2]).status == "needs_input"
    h = func("f", [("x", I)], [ir.Havoc(targets=["x"], what="memcpy"), ret(v("x"))])
    assert run(prog(h), "f", {"x": 1}).status == "unsupported"
    assert run(prog(h), "f", {"x": 1}, externals=[2**32 + 7]).value == 7


def test_globals_and_unassigned_reads():
    f = func("f", [], [assign("g", bin("add", v("g"), c(1))), ret(v("g"))])
    p = prog(f, globals_={"g": I}, init={"g": 41})
    assert run(p, "f", {}).value == 42
    assert run(p, "f", {"g": 1}).value == 2
    u = func("f", [], [ret(v("nope"))])
    out = run(prog(u), "f", {})
    assert out.status == "unsupported" and "nope" in out.message
    assert run(prog(u), "g", {}).status == "unsupported"
    assert run(prog(func("f", XY, [ret(v("x"))])), "f", {"x": 1}).status == "needs_input"
