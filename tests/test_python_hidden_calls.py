"""Code inside expressions the Python frontend does not model (comprehensions, displays,
subscripts, f-strings) still runs: a call or an iteration there must not be ignored, or a
loop whose body never finishes would be "proved" to terminate."""
import textwrap

import pytest

from veriline.analyses.api import Options, analyze_source
from findings_kit import one_per_function

SRC = textwrap.dedent('''
    def spin(x: int) -> int:
        while True:
            pass
        return x

    def call_in_comprehension(n: int) -> int:
        i = 0
        while i < n:
            y = [spin(x) for x in range(3)]
            i += 1
        return i

    def call_in_display(n: int) -> int:
        i = 0
        while i < n:
            y = (spin(i), 1)
            i += 1
        return i

    def iteration_of_unknown(n: int, xs) -> int:
        i = 0
        while i < n:
            y = [x for x in xs]
            i += 1
        return i

    def pure_comprehension(n: int) -> int:
        i = 0
        while i < n:
            y = [abs(x) for x in range(n)]
            i += 1
        return i
''')


@pytest.fixture(scope="module")
def term():
    rep = analyze_source(SRC, "hidden.py", Options(analyses=frozenset({"termination"})))
    return one_per_function(rep.findings)


@pytest.mark.parametrize("name, what", [
    ("call_in_comprehension", "spin (in a list comprehension)"),
    ("iteration_of_unknown", "an iteration over what may be infinite (in a list comprehension)"),
])
def test_hidden_code_blocks_the_proof(term, name, what):
    f = term[name]
    assert f.status == "unknown"
    assert f.reason == f"depends on what the unknown function `{what}` does (it may not return)"


def test_a_call_in_a_display_is_named_like_any_call(term):
    """Only real calls there (no comprehension): the proof assumes them to return, like a
    call the IR models, and names them; their own termination is judged separately."""
    f = term["call_in_display"]
    assert f.status == "proved", f.message
    assert f.details["assumes_return"] == ["spin (called in a tuple)"]


def test_pure_finite_comprehension_still_proved(term):
    assert term["pure_comprehension"].status == "proved"
