"""Loop termination modulo callees (engine/termination.py): a loop's ranking function
proves "finitely many iterations" with its callees' returns assumed (named in the message
and in details.assumes_return); what an unknown call may change (globals, C locals whose
address escaped, Python container lengths, attributes) must break the proof; a
non-termination ✗ stays a real witness; recursion through unknown code stays unknown."""
import textwrap

import pytest

from veriline.analyses.api import Options, analyze_source
from findings_kit import by_function

TERM = Options(analyses=frozenset({"termination"}))

PY = textwrap.dedent('''
    import foo

    def counter_loop(n: int) -> int:
        i = 0
        while i < n:
            foo.bar(i)
            i += 1
        return i

    def two_callees(n: int) -> int:
        while n > 0:
            foo.bar(n)
            stuck()
            n -= 1
        return 0

    def stuck() -> int:
        while True:
            pass
        return 0

    def uses_stuck_strictly(n: int) -> int:
        return n + 1

    def self_attr_ok(x: int) -> int:
        return x

    class Box:
        def drain(self) -> int:
            while self.n > 0:
                foo.bar(self)
                self.n -= 1
            return 0

        def drain_alone(self) -> int:
            while self.n > 0:
                self.n -= 1
            return 0

    def over_list(xs: list[int]) -> int:
        s = 0
        for x in xs:
            foo.bar()
            s += 1
        return s

    def over_list_pure(xs: list[int]) -> int:
        s = 0
        for x in xs:
            s += 1
        return s

    def index_loop(xs: list[int]) -> int:
        i = 0
        while i < len(xs):
            foo.bar(xs)
            i += 1
        return i

    def spins_calling(x: int) -> int:
        while x > 0:
            foo.bar()
        return x

    def spins_plain(x: int) -> int:
        while x > 0:
            x = x + 0
        return x

    def helper(x: int) -> int:
        return x + 1

    def spins_with_helper(x: int) -> int:
        while x > 0:
            helper(x)
        return x

    def stuck_inside(x: int) -> int:
        while x > 0:
            stuck()
        return x

    def nonlocal_bump(n: int) -> int:
        i = 0
        def bump():
            nonlocal i
            i -= 1
        while i < n:
            bump()
            i += 1
        return i

    def closure_reads(n: int) -> int:
        i = 0
        def peek():
            return i
        while i < n:
            peek()
            i += 1
        return i

    def range_with_call(n: int) -> int:
        s = 0
        for i in range(n):
            foo.bar(i)
            s += 1
        return s

    def callback_recursion(n: int) -> int:
        if n <= 0:
            return 0
        foo.apply(callback_recursion, n + 1)
        return callback_recursion(n - 1)

    def plain_recursion(n: int) -> int:
        if n <= 0:
            return 0
        foo.log(n)
        return plain_recursion(n - 1)

    def outer_strict(n: int) -> int:
        return counter_loop(n)
''')

C = textwrap.dedent('''
    extern void ext(int *p);
    extern void ext0(void);
    extern int rd(void);
    extern void leak(int *p);
    int g;
    int *gp;

    void write_through(void) { *gp = 0; }
    int counter(int n) { int i = 0; while (i < n) { ext0(); i++; } return i; }
    int for_loop(int n) { for (int i = 0; i < n; i++) { ext0(); } return 0; }
    int passed(int n) { int i = 0; while (i < n) { ext(&i); i++; } return i; }
    int escaped(int n) { int i = 0; leak(&i); while (i < n) { ext0(); i++; } return i; }
    int escaped_local(int n) { int i = 0; gp = &i; while (i < n) { write_through(); i++; }
                               return i; }
    int global_rank(void) { while (g > 0) { ext0(); g--; } return 0; }
    int through_memory(int *p) { while (*p > 0) { ext0(); (*p)--; } return 0; }
    int maybe_continue(int n) { while (n > 0) { if (rd()) continue; n--; } return 0; }
    int static_local(int n) { static int c; c = n; while (c > 0) { ext0(); c--; } return 0; }
''')


@pytest.fixture(scope="module")
def py():
    return by_function(analyze_source(PY, "modular.py", TERM).findings)


@pytest.fixture(scope="module")
def c():
    return by_function(analyze_source(C, "modular.c", TERM).findings)


def one(d, name):
    fs = [f for f in d[name] if f.property == "loop"] or d[name]
    assert len(fs) == 1, [f.message for f in fs]
    return fs[0]


def test_counter_loop_calling_unknown_is_proved_with_the_assumption(py):
    f = one(py, "counter_loop")
    assert f.status == "proved"
    assert f.message == ("terminates: n - i decreases by at least 1 each iteration and stays "
                         ">= 0 (assuming the call to `foo.bar` returns; it is judged "
                         "separately)")
    assert f.details["assumes_return"] == ["foo.bar"]
    assert f.details["measure"] == ["n - i"]


def test_several_assumed_callees_are_listed(py):
    f = one(py, "two_callees")
    assert f.status == "proved"
    assert f.details["assumes_return"] == ["foo.bar", "stuck"]
    assert "(assuming the calls to `foo.bar`, `stuck` return; they are judged separately)" \
        in f.message


def test_a_callee_that_never_returns_keeps_its_own_counterexample(py):
    assert one(py, "stuck").status == "counterexample"


def test_loop_without_callees_has_no_assumption(py):
    f = one(py, "Box.drain_alone")
    assert f.status == "proved"
    assert "assumes_return" not in f.details
    assert "assuming" not in f.message


def test_attribute_passed_to_unknown_call_is_not_proved(py):
    f = one(py, "Box.drain")
    assert f.status == "unknown"


def test_for_over_list_the_callee_may_grow_is_proved_only_under_the_stated_assumption(py):
    f = one(py, "over_list")
    assert f.status == "proved"         # foo.bar() could append to xs: stated
    assert "no other code adds to the list xs while the loop at line 43 runs" \
        in f.details["assumes"]
    assert one(py, "over_list_pure").status == "proved"


def test_length_read_after_unknown_call_is_not_a_ranking(py):
    assert one(py, "index_loop").status == "unknown"


def test_range_loop_calling_unknown_is_proved(py):
    f = one(py, "range_with_call")
    assert f.status == "proved"
    assert f.details["assumes_return"] == ["foo.bar"]


def test_nontermination_through_unknown_call_is_not_a_counterexample(py):
    f = one(py, "spins_calling")
    assert f.status == "unknown"
    assert f.reason.startswith("the loop runs forever when the call to unknown function "
                               "`foo.bar`")
    g = one(py, "spins_plain")
    assert g.status == "counterexample"
    assert g.counterexample.inputs == {"x": 1}


def test_loop_calling_a_returning_callee_keeps_its_counterexample(py):
    f = one(py, "spins_with_helper")
    assert f.status == "counterexample"
    assert f.counterexample.inputs == {"x": 1}


def test_loop_stuck_in_a_callee_is_not_a_counterexample_of_the_loop(py):
    """Every iteration hangs in `stuck` (which has its own ✗): the loop itself never goes
    around, which is what its finding says, with the assumption named."""
    f = one(py, "stuck_inside")
    assert f.status == "proved"
    assert f.details["assumes_return"] == ["stuck"]
    assert f.message.startswith("terminates: no path goes around the loop")


def test_local_a_nested_function_rebinds_is_not_a_ranking(py):
    """`nonlocal i` in a nested function: any call may change i (bump undoes i += 1)."""
    assert one(py, "nonlocal_bump").status == "unknown"
    f = one(py, "closure_reads")
    assert f.status == "proved"
    assert f.details["assumes_return"] == ["closure_reads.<locals>.peek"]


def test_recursion_through_a_callback_stays_unknown(py):
    f = one(py, "callback_recursion")
    assert f.property == "recursion"
    assert f.status == "unknown"
    assert f.reason == ("`callback_recursion` is used as a value and the call to the "
                        "unknown `foo.apply` may call it back")
    g = one(py, "plain_recursion")
    assert g.status == "proved"


def test_strict_termination_for_callers_is_unchanged():
    """terminates(name) — what a caller needs — still requires every call to return."""
    from veriline.analyses.api import parse
    from veriline.analyses.engine.context import FnContext
    from veriline.analyses.engine.termination import terminates
    prog = parse(PY, "modular.py")
    fn = prog.functions["outer_strict"]
    ctx = FnContext(prog, fn, TERM)
    verdicts: dict = {}
    assert terminates(ctx, "counter_loop", verdicts) is None      # calls foo.bar
    assert terminates(ctx, "two_callees", verdicts) is None
    assert terminates(ctx, "uses_stuck_strictly", verdicts) is True


@pytest.mark.parametrize("name", ["counter", "for_loop"])
def test_c_counter_loop_calling_unknown_is_proved(c, name):
    f = one(c, name)
    assert f.status == "proved"
    assert f.details["assumes_return"] == ["ext0"]


@pytest.mark.parametrize("name", ["passed", "escaped", "escaped_local", "global_rank",
                                  "through_memory", "maybe_continue", "static_local"])
def test_c_state_an_unknown_call_may_change_is_not_a_ranking(c, name):
    f = one(c, name)
    assert f.status == "unknown", f.message


def test_hover_names_the_assumed_callees():
    from veriline.analyses.api import parse
    from veriline.server import convert
    from veriline.server.scheduler import DocResults, FunctionResult
    text = textwrap.dedent('''
        import foo

        def counter_loop(n: int) -> int:
            i = 0
            while i < n:
                foo.bar(i)
                i += 1
            return i
    ''')
    rep = analyze_source(text, "/ex/h.py", TERM)
    prog = parse(text, "/ex/h.py")
    res = DocResults("file:///ex/h.py", 1, prog)
    res.functions["counter_loop"] = FunctionResult("counter_loop", "fp", rep.findings, True,
                                                   {})
    md = convert.hover_markdown(res, 6, 6, "while")
    assert "ranking function `n - i`" in md
    assert "Assuming the calls to `foo.bar` return (judged separately)" in md


def test_termination_keeps_its_share_when_safety_runs_out(monkeypatch):
    """A safety phase that never finishes (simulated) leaves termination decided, and
    each safety property keeps its own reason."""
    from veriline.analyses.api import parse
    from veriline.analyses.engine import driver
    from veriline.analyses.engine.budget import Budget

    def slow_safety(ctx, kinds, out):
        while True:                     # one query that would outlive the budget
            ctx.cancel.check()

    monkeypatch.setattr(driver, "_safety", slow_safety)
    monkeypatch.setattr(driver, "SAFETY_SHARE", 0.05)
    # the full judgement's share is what is tested (the quick pass would prove the loop)
    monkeypatch.setattr(driver, "_quick_termination", lambda *args: {})
    prog = parse(textwrap.dedent('''
        int count(int n) {
            int i = 0;
            while (i < n) { i++; }
            return i;
        }
    '''), "share.c")
    with Budget(30) as budget:
        found = driver.verify(prog, "count", Options(), budget)
    term = [f for f in found if f.kind == "termination"]
    assert [f.status for f in term] == ["proved"]
    assert term[0].details["measure"] == ["n - i"]
    safety = [f for f in found if f.kind != "termination"]
    assert safety and all(f.status == "unknown" for f in safety)
    assert all(f.reason.startswith("contracts and overflow used up their share (1.5 s) "
                                   "of the function's time budget of 30 s")
               for f in safety), [f.reason for f in safety]


HAVOC_C = textwrap.dedent('''
    extern void ext0(void);
    extern void leak(int *p);
    int g;
    int *gp;
    /*@ requires n >= 0;
        ensures \\result == n; */
    int wrapc(int n) { ext0(); return n; }
    void write_through(void) { *gp = 5; }
    int by_contract(void) { g = 1; wrapc(1); assert(g == 1); return 0; }
    int loop_by_contract(void) { while (g > 0) { wrapc(1); g--; } return 0; }
    int escaped(void) { int i = 0; leak(&i); i = 0; ext0(); assert(i == 0); return i; }
    int via_global(void) { int i = 0; gp = &i; i = 0; write_through(); assert(i == 0);
                           return i; }
    int not_escaped(void) { int i = 0; ext0(); assert(i == 0); return i; }
''')


@pytest.fixture(scope="module")
def havoc():
    rep = analyze_source(HAVOC_C, "havoc.c",
                         Options(analyses=frozenset({"contract", "termination"})))
    return {(f.function, f.kind): f for f in rep.findings}


@pytest.mark.parametrize("name", ["by_contract", "escaped", "via_global"])
def test_unknown_code_may_change_globals_and_escaped_locals(havoc, name):
    """Reached through a callee with a contract, or through an address taken earlier."""
    assert havoc[(name, "contract")].status == "unknown"


def test_unknown_call_leaves_a_local_without_address_alone(havoc):
    assert havoc[("not_escaped", "contract")].status == "proved"


def test_loop_ranked_by_a_global_a_contract_callee_may_change(havoc):
    assert havoc[("loop_by_contract", "termination")].status == "unknown"


def test_termination_running_out_names_the_whole_budget(monkeypatch):
    from veriline.analyses.api import parse
    from veriline.analyses.engine import driver, termination
    from veriline.analyses.engine.budget import Budget

    def spin(ctx, *args, **kw):
        while True:
            ctx.cancel.check()

    monkeypatch.setattr(driver, "_safety", spin)
    monkeypatch.setattr(termination, "check_termination", spin)
    monkeypatch.setattr(driver, "SAFETY_SHARE", 0.3)
    monkeypatch.setattr(driver, "_quick_termination", lambda *args: {})
    prog = parse("int count(int n) { int i = 0; while (i < n) { i++; } return i; }\n",
                 "whole.c")
    with Budget(3) as budget:
        found = driver.verify(prog, "count", Options(), budget)
    term = [f for f in found if f.kind == "termination"]
    assert [(f.status, f.reason) for f in term] == \
        [("unknown", "the function's time budget of 3 s ran out")]
    assert all(f.reason.startswith("contracts and overflow used up their share")
               for f in found if f.kind != "termination")
