"""`for v in itertools.count(start, step)` (python_for.lower_count_for): an endless loop
left only by break/return/exception, judged like `while True:` — proved when a ranking
exists, ✗ with concrete inputs (confirmed by running the code) when it never ends."""
import textwrap

from veriline.analyses.api import Options, analyze_source

SRC = '''
import itertools
from itertools import count


def spin(n: int) -> int:
    total = 0
    for i in itertools.count():
        total += 1
    return total


def first_square_above(n: int) -> int:
    for i in itertools.count():
        if i * i > n:
            return i
    return -1


def find(xs: list, v: int) -> int:
    for i in count():
        if i >= len(xs):
            return -1
        if xs[i] == v:
            return i
    return -2


def stepped(n: int, k: int) -> int:
    for i in count(10, k):
        if i > n:
            return i
    return 0


def down(n: int) -> int:
    for i in count(start=n, step=-2):
        if i < 0:
            return i
    return 1


def rebinds(n: int) -> int:
    for i in count():
        i = i + 2
        if i > n:
            return i
    return 0


def floats(n: int) -> float:
    for x in count(0.5):
        if x > n:
            return x
    return 0.0
'''


def _findings(replay: bool = False):
    rep = analyze_source(textwrap.dedent(SRC), "t.py", Options(timeout_ms=3000,
                                                                replay=replay))
    return {f.function: f for f in rep.findings if f.kind == "termination"}


def test_count_loops_get_exact_verdicts():
    fs = _findings()
    assert {n: f.status for n, f in fs.items()} == {
        "spin": "counterexample", "first_square_above": "proved", "find": "proved",
        "stepped": "counterexample", "down": "proved",
        # the body rebinds the loop variable / the start is a float: not modelled
        "rebinds": "unknown", "floats": "unknown"}
    assert fs["spin"].message.startswith("spin(")
    assert "never returns" in fs["spin"].message
    # count(10, 0) yields 10 for ever: only a zero step with n >= 10 hangs
    assert fs["stepped"].counterexample.inputs["k"] == 0
    assert fs["stepped"].counterexample.inputs["n"] >= 10
    # the loop variable itself is the counter: rankings speak of it, no hidden name
    assert "len(xs) - i" in fs["find"].message
    assert "$" not in fs["first_square_above"].message
    assert "itertools.count" in fs["rebinds"].reason


def test_count_loops_hang_when_run():
    fs = _findings(replay=True)
    for name in ("spin", "stepped"):
        cex = fs[name].counterexample
        assert cex.confirmed is True, (name, cex.replay_note)
        assert "still running" in cex.replay_note


def test_no_index_error_in_the_counted_search():
    rep = analyze_source(textwrap.dedent(SRC), "t.py", Options(timeout_ms=3000))
    index = [f for f in rep.findings if f.function == "find" and f.property == "index"]
    assert [f.status for f in index] == ["proved"]


GENERATORS = '''
import asyncio
import itertools


def naturals():
    for i in itertools.count(1):
        yield i


def naturals_w():
    i = 0
    while True:
        yield i
        i += 1


def firsts(n: int):
    i = 0
    while i < n:
        yield i
        i += 1


async def serve(n: int) -> None:
    while True:
        await asyncio.sleep(n)


def hangs_before_yielding(n: int):
    while n != 0:
        n = n
    yield n
'''


def test_a_generator_that_yields_for_ever_is_no_counterexample():
    """Calling an infinite generator returns at once; its loop running for ever is how
    it is written: "don't know" naming what was found, never ✗.  A loop that yields
    and ends is still proved; one that does not yield is judged as before."""
    rep = analyze_source(textwrap.dedent(GENERATORS), "g.py", Options(timeout_ms=3000))
    fs = {f.function: f for f in rep.findings if f.kind == "termination"}
    assert {n: f.status for n, f in fs.items()} == {
        "naturals": "unknown", "naturals_w": "unknown", "firsts": "proved",
        "serve": "unknown", "hangs_before_yielding": "counterexample"}
    for name in ("naturals", "naturals_w"):
        assert fs[name].reason.startswith("the loop yields or awaits: a generator's")
        assert fs[name].details["never_ends"].startswith(f"{name}() never ends: ")
        assert fs[name].counterexample is None
    assert fs["hangs_before_yielding"].counterexample.inputs["n"] != 0
