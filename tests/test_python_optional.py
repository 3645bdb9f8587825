"""Int-or-None parameters (frontends/python_optional): `is None` tests, truthiness and
`x = x or k` narrow; arithmetic on a possibly-None value is never proved; counterexamples
on the int path are still found and re-run."""
import textwrap

import pytest

from veriline.analyses.api import Options, analyze_source


def contract(src: str, replay: bool = False):
    rep = analyze_source(textwrap.dedent(src), "t.py", Options(timeout_ms=4000, replay=replay))
    return [f for f in rep.findings if f.kind == "contract"]


@pytest.mark.parametrize("annotation", ["Optional[int]", "int | None", "None | int",
                                        "Union[int, None]", "int = None",
                                        "Optional[int] = None"])
def test_arithmetic_on_a_possibly_none_parameter_is_never_proved(annotation):
    [f] = contract(f"""
    from typing import Optional, Union

    def b(x: {annotation}) -> int:
        assert x + 1 > x
        return x
    """)
    assert f.status == "unknown"
    assert "whether this parameter is None: x" in f.reason


@pytest.mark.parametrize("annotation", ["Optional[int]", "int | None", "int = None"])
def test_is_none_narrows(annotation):
    fs = contract(f"""
    from typing import Optional

    def a(x: {annotation}) -> int:
        \"\"\"post: __return__ >= 0 or x < 0\"\"\"
        if x is None:
            return 0
        assert x + 1 > x
        return x + 1

    def d(x: {annotation}) -> int:
        if x is not None:
            assert x * x >= 0
            return x
        return 0
    """)
    assert [(f.function, f.property, f.status) for f in fs] == [
        ("a", "ensures", "proved"), ("a", "assert", "proved"), ("d", "assert", "proved")]


def test_or_default_and_truthiness_narrow():
    fs = contract("""
    from typing import Optional

    def c(x: Optional[int] = None) -> int:
        x = x or 0
        assert x + 1 > x
        return x

    def h(x: Optional[int]) -> int:
        if x:
            assert x != 0
            return 1
        assert x is None or x == 0
        return 0
    """)
    assert [(f.function, f.status) for f in fs] == [("c", "proved"), ("h", "proved"),
                                                    ("h", "proved")]


def test_counterexample_on_the_int_path_is_confirmed():
    [f] = contract("""
    from typing import Optional

    def e(x: Optional[int]) -> int:
        if x is None:
            x = 5
        assert x != 3
        return x
    """, replay=True)
    assert f.status == "counterexample"
    assert f.counterexample.inputs == {"x": 3}
    assert f.counterexample.confirmed is True, f.counterexample.replay_note


def test_rebinding_to_none_is_not_narrowed_away():
    [f] = contract("""
    from typing import Optional

    def g(x: Optional[int] = None) -> int:
        x = None
        if x is None:
            assert False
        return 0
    """)
    assert f.status == "unknown"


@pytest.mark.parametrize("annotation", ["Optional[int]", "int = None"])
def test_a_parameter_rebound_otherwise_stays_unmodelled(annotation):
    [f] = contract(f"""
    from typing import Optional

    def g(x: {annotation}) -> int:
        if x is None:
            return 0
        x += 1
        assert x != 0
        return x
    """)
    assert f.status == "unknown"
    assert f.reason == "depends on identity comparison at line 5"
