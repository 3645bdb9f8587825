"""KeyError on local dicts whose keys are known (frontends/python_known_dicts): a missing
key is ✗ with concrete inputs (re-run on the real code), a present one ✓, a dict that
escapes (passed on, aliased, stored into in a loop, deleted from) stays "don't know"."""
import textwrap

import pytest

from veriline.analyses.api import Options, analyze_source


def key_findings(src: str, replay: bool = True):
    rep = analyze_source(textwrap.dedent(src), "t.py", Options(timeout_ms=4000, replay=replay))
    return [f for f in rep.findings if f.kind == "overflow" and f.property == "index"]


def confirmed(f) -> dict:
    assert f.status == "counterexample", f.message
    assert f.counterexample.confirmed is True, f.counterexample.replay_note
    assert "KeyError" in f.counterexample.replay_note
    return f.counterexample.inputs


def test_int_key_outside_a_literal_dict_is_a_counterexample():
    [f] = key_findings("""
    def f(x: int) -> int:
        d = {1: 10, 2: 20, "a": 3}
        return d[x]
    """)
    assert confirmed(f)["x"] not in (1, 2)
    assert f.message.startswith("KeyError: d[x] (read) may be missing")


def test_guarded_key_is_proved():
    fs = key_findings("""
    def g(x: int) -> int:
        d = {1: 10, 2: 20}
        if 1 <= x <= 2:
            return d[x]
        if x in d:
            return d[x] + 1
        return d[1]
    """)
    assert [(f.span.line, f.status) for f in fs] == [(5, "proved"), (7, "proved"), (8, "proved")]


def test_missing_string_literal_key():
    fs = key_findings("""
    def k(x: int) -> int:
        d = {"a": 1, "b": 2}
        if x > 0:
            return d["a"]
        return d["c"]
    """)
    assert [(f.span.line, f.status) for f in fs] == [(5, "proved"), (6, "counterexample")]
    assert confirmed(fs[1])["x"] <= 0


def test_dict_built_in_the_function():
    [f] = key_findings("""
    def h(x: int, y: int) -> int:
        d = {}
        d[x] = 1
        if y > 3:
            d[5] = 2
        return d[y]
    """)
    inputs = confirmed(f)
    assert inputs["y"] != inputs["x"] and not (inputs["y"] == 5 and inputs["y"] > 3)


def test_stored_keys_make_it_present():
    assert [(f.span.line, f.status) for f in key_findings("""
    def h(x: int) -> int:
        d = dict()
        d[x] = 1
        d[7] = 2
        return d[x] + d[7]
    """)] == [(6, "proved"), (6, "proved")]


def test_length_of_a_known_dict_is_exact():
    rep = analyze_source(textwrap.dedent("""
    def n(x: int) -> int:
        d = {1: 0, 2: 0}
        d[x] = 5
        assert len(d) == 2 or x not in (1, 2)
        assert len(d) >= 2
        return len(d)
    """), "t.py", Options(timeout_ms=4000))
    assert [f.status for f in rep.findings if f.kind == "contract"] == ["unknown", "proved"]


@pytest.mark.parametrize("escape", [
    "helper(d)", "e = d", "del d[1]", "for i in range(3):\n            d[i] = 0",
    "d.update({5: 1})", "d.pop(1)", "d = {2: 1}", "d[3]: int = 1", "d[3], y = 1, 2",
    "print(d)", "e = [d]",
])
def test_a_dict_that_escapes_is_not_known(escape):
    fs = key_findings(f"""
    def m(x: int) -> int:
        d = {{1: 2}}
        {escape}
        return d[3]
    """, replay=False)
    assert [f.status for f in fs if "d[3]" in f.message] == ["unknown"]


def test_key_error_caught_by_the_handler():
    fs = analyze_source(textwrap.dedent("""
    def n(x: int) -> int:
        d = {1: 2}
        try:
            v = d[x]
        except KeyError:
            v = -1
        assert v != -1
        return v
    """), "t.py", Options(timeout_ms=4000, replay=True)).findings
    got = [(f.property, f.status) for f in fs if f.kind != "termination"]
    assert got == [("assert", "counterexample")]
    f = [f for f in fs if f.property == "assert"][0]
    assert f.counterexample.confirmed is True and f.counterexample.inputs["x"] != 1


def test_a_key_that_may_be_none_is_not_modelled():
    rep = analyze_source(textwrap.dedent("""
    from typing import Optional

    def f(x: Optional[int], y: int) -> int:
        d = {}
        d[x] = 1
        if y in d:
            assert y != x
        return 0
    """), "t.py", Options(timeout_ms=4000))
    assert [f.status for f in rep.findings if f.kind == "contract"] == ["unknown"]


# ------------------------------------------------------------------ soundness on random code

def _random_body(rng) -> list[str]:
    keys = rng.sample([0, 1, 2, -1, 5], rng.randint(0, 3))
    lines = ["c = 0", "d = {" + ", ".join(f"{k}: {k}" for k in keys) + "}"]
    for _ in range(rng.randint(2, 5)):
        kind = rng.choice(["store", "branch_store", "read", "in", "len"])
        key = rng.choice(["a", "b", "0", "1", "5", "a + 0"])
        if kind == "store" and key != "a + 0":
            lines.append(f"d[{key}] = 1")
        elif kind == "branch_store" and key != "a + 0":
            lines += [f"if {rng.choice(['a > b', 'b == 1', 'a < 0'])}:", f"    d[{key}] = 2"]
        elif kind == "read":
            lines.append(f"t = d[{key}]")        # (the value is not modelled)
        elif kind == "in":
            lines += [f"if {key} in d:", "    c = c + 1"]
        else:
            lines.append(f"c = c + len(d)")
    return lines


@pytest.mark.parametrize("seed", range(12))
def test_random_key_error_verdicts_are_sound(seed):
    import random
    rng = random.Random(seed)
    src = "def f(a: int, b: int) -> int:\n" + "".join(
        f"    {ln}\n" for ln in _random_body(rng)) + "    return c\n"
    rep = analyze_source(src, "t.py", Options(timeout_ms=4000))
    fs = [f for f in rep.findings if f.kind == "overflow" and f.property == "index"]
    ns: dict = {}
    exec(compile(src, "t.py", "exec"), ns)

    def raised_at(a, b):
        try:
            ns["f"](a, b)
        except KeyError as exc:
            return exc.__traceback__.tb_next.tb_lineno
        return None
    lines = {raised_at(a, b) for a in range(-3, 7) for b in range(-3, 7)}
    for f in fs:
        if f.status == "proved":
            assert f.span.line not in lines, (src, f.message)
        elif f.status == "counterexample":
            i = f.counterexample.inputs
            assert raised_at(i["a"], i["b"]) == f.span.line, (src, f.message)
        else:           # known dicts with int keys: always decided
            raise AssertionError((src, f.message))
