"""Termination of the loop shapes common in real Python packages (issue #13): exact
verdicts, the measure or structural rule a proof names, and "don't know" / ✗ where the
loop may really run forever."""
import textwrap

import pytest

from veriline.analyses.api import Options, analyze_source
from findings_kit import one_per_function


def loops(src: str) -> list:
    rep = analyze_source(textwrap.dedent(src), "t.py", Options(timeout_ms=3000, assume_finite_iterables=False))
    return [f for f in rep.findings if f.kind == "termination"]


NL = "\n" + " " * 12      # a new line of a loop body in the sources below


def one(src: str):
    fs = loops(src)
    assert len(fs) == 1, fs
    return fs[0]


# ---------------------------------------------------------------- while over lengths

@pytest.mark.parametrize("header, setup, loop, body, measure", [
    ("s: str", "i = 0", "while i < len(s):", "i += 1", "len(s) - i"),
    ("t: tuple", "i = 0", "while i < len(t):", "i += 2", "len(t) - i"),
    ("xs: list[int]", "i = 0", "while i < len(xs):", "i += 1", "len(xs) - i"),
    ("xs: list", "", "while xs:", "xs.pop()", "len(xs)"),
    ("xs: list", "", "while len(xs) > 2:", "del xs[0]", "len(xs) - 2"),
    ("d: dict", "", "while d:", "k, v = d.popitem()", "len(d)"),
    ("xs: list", "", "while xs:", "xs = xs[1:]", "len(xs)"),
    ("s: str", "", "while s and s[-1] == ' ':", "s = s[:-1]", "len(s)"),
    ("s: str", "", "while len(s) > 1:", "s = s[2:]", "len(s) - 1"),
    ("s: str", "j = len(s) - 1", "while j >= 0 and s[j] == ' ':", "j -= 1", "j"),
    ("n: int", "i = 0", "while True:", f"i += 1{NL}if i >= n:{NL}    break", "n - i"),
    ("n: int", "i = 0", "while True:", f"if i > n or i == 100:{NL}    return i{NL}i += 2",
     "n - i + 1"),
])
def test_terminating_while_loops_name_their_measure(header, setup, loop, body, measure):
    f = one(f"""
    def f({header}) -> int:
        n = 0
        {setup}
        {loop}
            {body}
        return 0
    """ if "n: int" not in header else f"""
    def f({header}) -> int:
        {setup}
        {loop}
            {body}
        return 0
    """)
    assert f.status == "proved", f.message
    assert f"terminates: {measure} decreases" in f.message or \
        f"terminates: |{measure}| decreases" in f.message, f.message


@pytest.mark.parametrize("header, loop, body", [
    ("xs: list[int]", "while 0 < len(xs):", f"xs.append(1){NL}xs.pop()"),
    ("xs: list, ys: list", "while xs:", f"xs.pop(){NL}ys.append(1)"),   # ys may be xs
    ("xs: list", "while xs:", "xs.remove(helper(xs))"),     # the call may grow xs first
    ("xs: list", "while xs:", "helper(xs)"),
    ("xs", "while len(xs) > 0:", "xs.pop()"),       # unannotated: any object
])
def test_while_loops_that_may_not_shrink_stay_unknown(header, loop, body):
    fs = loops(f"""
    def helper(v):
        return 0

    def f({header}) -> int:
        {loop}
            {body}
        return 0
    """)
    assert [f.status for f in fs] == ["unknown"], [f.message for f in fs]


@pytest.mark.parametrize("header, setup, loop, body, call", [
    ("xs: list", "n = 0", "while xs:", "n += 1", "f([0])"),
    ("n: int", "i = 0", "while True:", f"i -= 1{NL}if i >= n:{NL}    break", "f(0)"),
])
def test_non_terminating_loops_have_a_witness(header, setup, loop, body, call):
    f = one(f"""
    def f({header}) -> int:
        {setup}
        {loop}
            {body}
        return 0
    """)
    assert f.status == "counterexample", f.message
    assert f.message.startswith(f"{call} never returns"), f.message


# ---------------------------------------------------------------- for loops

@pytest.mark.parametrize("header, pre, loop, body, what", [
    ("d: dict", "", "for k, v in d.items():",
     f"if v < 0:{NL}    raise ValueError('{{!r}} is negative'.format(k))", ".items(...)"),
    ("seq", "", "for x in sorted(seq):", "n += 1", "sorted(...)"),
    ("seq", "", "for x in list(seq):", "n += 1", "list(...)"),
    ("seq", "", "for x in [y for y in seq]:", "n += 1", "a list comprehension"),
    ("seq", "ys = sorted(seq, key=len)", "for y in ys:", "n += 1", "the list ys"),
    ("a, b", "", "for p in (helper(a), helper(b)):", "n += 1", "a tuple display"),
    ("xs: Sequence[int]", "", "for x in xs:", "n += 1", "the Sequence xs"),
    ("m: Mapping[str, int]", "", "for k, v in m.items():", "n += 1", ".items(...)"),
    ("m: collections.abc.Mapping", "", "for k in m:", "n += 1", "the Mapping m"),
    ("", "", "for u in Unit:", "n += 1", "the enum Unit"),
    ("fmts: list", "", "for u, f in zip(reversed(Unit), fmts):", "n += 1", "zip(...)"),
])
def test_finite_for_loops_terminate(header, pre, loop, body, what):
    fs = loops(f"""
    import collections.abc
    from enum import Enum
    from typing import Mapping, Sequence


    class Unit(Enum):
        A = 0
        B = 1


    def helper(v):
        return 0


    def f({header}) -> int:
        n = 0
        {pre}
        {loop}
            {body}
        return n
    """)
    assert len(fs) == 1, fs
    assert fs[0].status == "proved", fs[0].message
    assert fs[0].message.startswith(f"terminates: a for-loop over {what}, which is finite"), \
        fs[0].message


@pytest.mark.parametrize("header, pre, loop, body, why", [
    ("xs", "", "for x in xs:", "n += 1", "the parameter xs"),
    ("xs: Iterable[int]", "", "for x in xs:", "n += 1", "the parameter xs"),
    ("xs: Iterator[int]", "", "for x in xs:", "n += 1", "the parameter xs"),
    ("xs: Generator", "", "for x in xs:", "n += 1", "the parameter xs"),
    ("seq", "", "for x in (y for y in seq):", "n += 1", "an iterable"),
    ("", "", "for u in Weird:", "n += 1", "the name Weird"),        # metaclass=
    ("", "", "for u in Rebound:", "n += 1", "the name Rebound"),    # rebound name
    ("xs: Sequence[int]", "", "for x in xs:", "xs.count(x)", "the parameter xs"),
])
def test_possibly_infinite_for_loops_stay_unknown(header, pre, loop, body, why):
    fs = loops(f"""
    from enum import Enum
    from typing import Generator, Iterable, Iterator, Sequence


    class Meta(type):
        pass


    class Weird(Enum, metaclass=Meta):
        X = 1


    class Rebound(Enum):
        Y = 1


    Rebound = [1, 2]


    def f({header}) -> int:
        n = 0
        {pre}
        {loop}
            {body}
        return n
    """)
    assert len(fs) == 1, fs
    assert fs[0].status == "unknown", fs[0].message
    assert f"for loop over {why} at line" in fs[0].message, fs[0].message


@pytest.mark.parametrize("call, why", [
    ("helper(d)", "d is used in a way that may change it"),
    ("helper(0)", "the body calls a function of this file, which may grow it"),  # an alias
])
def test_dict_items_with_a_call_that_may_change_it_stays_unknown(call, why):
    f = one(f"""
    def helper(d):
        return 0

    def f(d: dict) -> int:
        n = 0
        for k, v in d.items():
            {call}
        return n
    """)
    assert f.status == "unknown", f.message
    assert f"for loop over d.items(...) at line 7 ({why})" in f.message, f.message


def test_a_copy_of_an_infinite_iterable_is_the_functions_own_call():
    """`for x in sorted(seq)`: the loop itself is finite, but building the copy is a call
    of the function that may not return: a caller that needs the function to return
    does not get it, and the call is named where the loop is used inside another loop."""
    fs = loops("""
    def srt(seq) -> int:
        n = 0
        for x in sorted(seq):
            n += 1
        return n

    def caller(seq) -> int:
        t = 0
        for i in range(3):
            t += srt(seq)
        return t
    """)
    by_fn = one_per_function(fs)
    assert by_fn["srt"].status == "proved"
    assert by_fn["caller"].status == "proved"
    assert by_fn["caller"].details["assumes_return"] == ["srt"]


def test_structural_verdicts_survive_an_exhausted_budget():
    """A range loop is decided before contracts and overflow, without the solver: with
    no time at all for the rest, its ✓ is still reported (the rest is "don't know")."""
    from veriline.analyses.api import parse, verify_function
    from veriline.analyses.engine.budget import Budget
    src = textwrap.dedent("""
    def f(n: int, s: str) -> int:
        t = 0
        for i in range(n):
            t += i
        j = 0
        while j < len(s):
            j += 1
        return t
    """)
    budget = Budget(0.0)
    try:
        found = verify_function(parse(src, "t.py"), "f", Options(timeout_ms=3000, assume_finite_iterables=False), budget)
    finally:
        budget.stop()
    fs = sorted((f.span.line, f.status, f.solver) for f in found if f.kind == "termination")
    assert fs == [(4, "proved", "structural"), (7, "unknown", "")], fs


@pytest.mark.parametrize("header, pre, loop, ok", [
    ("*funcs", "", "for f in funcs:", "the tuple funcs"),
    ("**kwargs", "", "for k, v in kwargs.items():", ".items(...)"),
    ("tag: str", "interpreters, abis = tag.split('-')", "for x in interpreters.split('.'):",
     ".split(...)"),
    ("version: str", "epoch, _, rest = version.rpartition('!')", "for x in rest:",
     "the str rest"),
    ("*dicts", "dicts = dicts[0] if len(dicts) == 1 else dicts", "for d in dicts:", None),
    ("tag", "a, b = tag.split('-')", "for x in a:", None),       # any object's split
    ("", "", "for u in Ordered:", "the enum Ordered"),            # @total_ordering
    ("", "", "for u in Wrapped:", None),                         # another decorator
])
def test_variadic_parameters_split_parts_and_decorated_enums(header, pre, loop, ok):
    fs = loops(f"""
    from enum import Enum
    from functools import total_ordering, wraps


    @total_ordering
    class Ordered(Enum):
        A = 0


    @wraps(len)
    class Wrapped(Enum):
        B = 0


    def f({header}) -> int:
        n = 0
        {pre}
        {loop}
            n += 1
        return n
    """)
    assert len(fs) == 1, fs
    if ok is None:
        assert fs[0].status == "unknown", fs[0].message
    else:
        assert fs[0].status == "proved", fs[0].message
        assert fs[0].message.startswith(f"terminates: a for-loop over {ok}, which is finite")


def test_len_of_a_variadic_parameter_is_a_ranking_term():
    f = one("""
    def f(*args) -> int:
        i = 0
        while i < len(args):
            i += 1
        return i
    """)
    assert f.status == "proved", f.message
    assert "len(args) - i decreases" in f.message


def test_a_call_inside_a_yield_is_a_callee_judged_separately():
    """`yield fmt.format(..)` is a real call (named, assumed to return), so are several
    calls (also of the file's functions, named together); a comprehension over what may
    be infinite inside the yield is this function's own code: it blocks."""
    fs = loops("""
    def helper(v):
        return v

    def gen(n: int, seq):
        for i in range(n):
            yield "{}-{}".format(i, helper(i))
        for j in range(n):
            yield "v{}".format(j)
        for k in range(n):
            yield [x for x in seq]
    """)
    assert [(f.span.line, f.status) for f in fs] == [(6, "proved"), (8, "proved"),
                                                      (10, "unknown")], fs
    assert fs[0].details["assumes_return"] == ["helper, str.format (called in a yield)"]
    assert fs[1].details["assumes_return"] == ["str.format"]


def test_structural_verdict_names_the_files_functions_it_assumes_return():
    fs = loops("""
    def helper(v):
        while v != 0:
            v -= 2
        return v

    def f(n: int) -> int:
        t = 0
        for i in range(n):
            t += helper(i)
        return t
    """)
    outer = next(f for f in fs if f.function == "f")
    assert outer.status == "proved", outer.message
    assert outer.details["assumes_return"] == ["helper"]
    assert outer.solver == "structural"


@pytest.mark.parametrize("between, body, status", [
    ("pass", "yield x", "proved"),                  # nobody else can reach out
    ("pass", "g(x)", "proved"),
    ("sink(out)", "yield x", "unknown"),            # escapes: sink may keep it
    ("alias = out", "g(x)", "unknown"),
    ("pass", "out.append(x)", "unknown"),           # grows it itself
    ("add = lambda: out.append(0)", "add()", "unknown"),    # a closure over out
])
def test_a_private_fresh_list_is_grown_only_by_its_own_function(between, body, status):
    fs = loops(f"""
    def f(n: int, g, sink):
        out = [1, 2]
        {between}
        for x in out:
            {body}
        return 0
    """)
    assert [x.status for x in fs] == [status], [x.message for x in fs]


def test_an_unannotated_parameter_is_not_a_container_before_it_is_rebound():
    """`for x in abis` before `abis = list(abis)`: abis is still the caller's object,
    which may be itertools.count() (it used to be taken for the later list)."""
    f = one("""
    def f(abis):
        n = 0
        for x in abis:
            n += 1
        abis = list(abis)
        return n
    """)
    assert f.status == "unknown", f.message
    assert "for loop over the parameter abis" in f.message


@pytest.mark.parametrize("before, loop_prefix, body, status", [
    (["xs = list(xs)"], "", "yield x", "proved"),
    (["xs = sorted(xs or [])"], "", "yield x", "proved"),
    (["xs = list(xs)", "if c:"], "    ", "yield x", "proved"),       # nested in an if
    (["if c:", "    xs = sorted(xs)"], "", "yield x", "unknown"),     # not on every path
    (["xs = list(xs)", "xs = iter(xs)"], "", "yield x", "unknown"),   # rebound since
    (["xs = list(xs)"], "", "xs.append(x)", "unknown"),              # grows it itself
    (["xs = list(xs)", "sink(xs)"], "", "yield x", "unknown"),        # escapes, yields
    (["xs = list(xs)", "sink(xs)"], "", "n = x", "proved"),           # escapes, no call
])
def test_a_copy_made_just_before_the_loop(before, loop_prefix, body, status):
    lines = "\n".join(f"        {b}" for b in before)
    fs = loops(f"""
    def f(xs, c: int, sink):
        n = 0
{lines}
        {loop_prefix}for x in xs:
        {loop_prefix}    {body}
        return n
    """)
    assert [x.status for x in fs] == [status], [x.message for x in fs]
    if status == "proved":
        assert "(a copy made before the loop)" in fs[0].message


def test_a_copy_inside_a_loop_that_rebinds_it_later_does_not_count():
    fs = loops("""
    def f(xs, n: int):
        xs = list(xs)
        for i in range(n):
            for x in xs:
                yield x
            xs = iter(xs)
    """)
    assert [(f.span.line, f.status) for f in fs] == [(4, "unknown"), (5, "unknown")]


def test_an_exit_test_that_calls_a_function_gives_no_candidate():
    """`if g(i) == 0: break` calls g: no measure is built from it (it could not be
    evaluated in a state); the counter's own exit still proves the loop."""
    fs = loops("""
    def f(n: int, g) -> int:
        i = 0
        while True:
            if g(i) == 0:
                break
            i += 1
            if i >= n:
                return i
        return 0
    """)
    assert [(x.status, x.message.split(" (")[0]) for x in fs] == [
        ("proved", "terminates: n - i decreases by at least 1 each iteration and stays >= 0")]


def test_a_loop_test_that_calls_a_method_is_unknown_not_an_internal_error():
    rep = analyze_source(textwrap.dedent("""
    def f(tok) -> int:
        n = 0
        while tok.check("X"):
            tok.read()
            n += 1
        return n
    """), "t.py", Options(timeout_ms=3000, assume_finite_iterables=False))
    assert [(f.kind, f.status) for f in rep.findings if f.kind == "termination"] == [
        ("termination", "unknown")]
    assert not [f for f in rep.findings if "internal error" in f.message]
