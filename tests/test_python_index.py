"""IndexError findings of Python subscripts and pop() on known sequences (python_index):
kind `overflow`, property `index`; exact verdicts and counterexample values."""
import os
import textwrap

import pytest

from veriline.analyses.api import Options, analyze_source


def index_findings(src: str, **opts):
    rep = analyze_source(textwrap.dedent(src), "t.py", Options(timeout_ms=4000, **opts))
    return [f for f in rep.findings if f.kind == "overflow" and f.property == "index"]


def verdicts(src: str) -> list[tuple[str, int, str]]:
    return [(f.function, f.span.line, f.status) for f in index_findings(src)]


def one(src: str, **opts):
    fs = index_findings(src, **opts)
    assert len(fs) == 1, fs
    return fs[0]


@pytest.mark.parametrize("body", [
    "    if 0 <= i < len(xs):\n        return xs[i]\n    return 0",
    "    if -len(xs) <= i < len(xs):\n        return xs[i]\n    return 0",
    "    if i < len(xs) and i >= 0 and xs[i] > 0:\n        return 1\n    return 0",
    "    return xs[i] if 0 <= i < len(xs) else 0",
    "    if not xs:\n        return 0\n    return xs[0] + xs[-1] + xs[len(xs) - 1]",
    "    if len(xs) > i >= 0:\n        xs[i] = 5\n    return 0",
    "    s = 0\n    for j in range(len(xs)):\n        s += xs[j]\n    return s",
    "    s = 0\n    for j in range(len(xs) - 1, -1, -1):\n        s += xs[j]\n    return s",
    "    for j in range(len(xs)):\n        xs[j] += 1\n        xs[j] = xs[j] * 2\n    return 0",
    "    j = len(xs) - 1\n    while j >= 0:\n        xs[j] = 0\n        j -= 1\n    return 0",
])
def test_typical_guarded_indexing_is_proved(body):
    src = "def f(xs: list[int], i: int) -> int:\n" + body + "\n"
    fs = index_findings(src)
    assert fs and all(f.status == "proved" for f in fs), [(f.status, f.message) for f in fs]


def test_binary_search_is_proved():
    fs = index_findings("""
    def bisect(xs: list[int], x: int) -> int:
        lo, hi = 0, len(xs)
        while lo < hi:
            mid = (lo + hi) // 2
            if xs[mid] < x:
                lo = mid + 1
            else:
                hi = mid
        return lo
    """)
    assert [(f.span.line, f.status) for f in fs] == [(6, "proved")]
    assert fs[0].message == "no IndexError in `xs[mid]`"


def test_first_of_a_possibly_empty_list():
    f = one("""
    def first(xs: list[int]) -> int:
        return xs[0]
    """)
    assert f.status == "counterexample"
    assert f.counterexample.call == "first([])"
    assert f.counterexample.inputs == {"xs": 0}
    assert f.counterexample.values_at_failure == {"len(xs)": 0}
    assert f.message == ("IndexError: xs[0] (read) out of range in `xs[0]`: first([]) "
                         "(len(xs) = 0)")


def test_off_by_one_in_a_loop():
    f = index_findings("""
    def shift(xs: list[int]) -> None:
        for i in range(len(xs)):
            xs[i] = xs[i + 1]
    """)[1]
    assert f.status == "counterexample"
    vals = f.counterexample.values_at_failure
    assert vals["i"] == vals["len(xs)"] - 1 >= 0
    n = f.counterexample.inputs["xs"]
    assert f.counterexample.call == "shift([" + ", ".join(["0"] * n) + "])"


def test_negative_index_beyond_the_length():
    f = one("""
    def last(s: str, k: int) -> int:
        if k < len(s):
            return s[k] == 'a'
        return 0
    """)
    assert f.status == "counterexample"
    vals = f.counterexample.values_at_failure
    assert vals["k"] < -vals["len(s)"]
    assert f.counterexample.call.startswith("last('")


def test_tuple_display_has_its_exact_length():
    src = """
    def pick(i: int) -> int:
        t = (1, 2, 3)
        if 0 <= i <= 2:
            return t[i]
        return t[i]
    """
    fs = index_findings(src)
    assert [(f.span.line, f.status) for f in fs] == [(5, "proved"), (6, "counterexample")]
    vals = fs[1].counterexample.values_at_failure
    assert vals["len(t)"] == 3 and not -3 <= vals["i"] < 3


def test_slices_and_unknown_containers_get_no_obligation():
    assert verdicts("""
    def f(xs: list[int], d: dict[int, int], o, i: int) -> int:
        a = xs[i:i + 2]
        b = d[i]
        c = o[i]
        return 0
    """) == [("f", 4, "unknown")]        # d[i]: a KeyError question, never an IndexError


def test_pop_from_an_empty_fresh_list():
    fs = index_findings("""
    def f(n: int) -> int:
        st = [1, 2]
        st.pop()
        st.pop()
        x = st.pop()
        return 0
    """)
    assert [(f.span.line, f.status) for f in fs] == [
        (4, "proved"), (5, "proved"), (6, "counterexample")]
    assert fs[2].message.startswith("IndexError: st.pop() from an empty list in `st.pop()`")
    assert fs[2].counterexample.values_at_failure == {"len(st)": 0}


def test_stack_drained_while_not_empty():
    assert verdicts("""
    def f(n: int) -> int:
        st = []
        for i in range(n):
            st.append(i)
        total = 0
        while len(st) > 0:
            total += st.pop()
        return total
    """) == [("f", 8, "proved")]


def test_pop_with_an_index():
    f = one("""
    def f(xs: list[int], i: int) -> int:
        return xs.pop(i)
    """)
    assert f.status == "counterexample"
    assert f.counterexample.values_at_failure in ({"len(xs)": 0, "i": 0},
                                                  {"len(xs)": 0, "i": -1}) or \
        not -f.counterexample.values_at_failure["len(xs)"] <= \
        f.counterexample.values_at_failure["i"] < f.counterexample.values_at_failure["len(xs)"]


def test_del_and_swap():
    fs = index_findings("""
    def f(xs: list[int], i: int, j: int) -> None:
        if 0 <= i < len(xs) and 0 <= j < len(xs):
            xs[i], xs[j] = xs[j], xs[i]
        del xs[0]
    """)
    assert [f.status for f in fs] == ["proved"] * 4 + ["counterexample"]
    assert fs[-1].counterexample.call == "f([], 0, 0)" or \
        fs[-1].counterexample.inputs["xs"] == 0


def test_length_after_an_unknown_call_is_unknown():
    f = one("""
    def f(xs: list[int]) -> int:
        if len(xs) > 0:
            g(xs)
            return xs[0]
        return 0
    """)
    assert f.status == "unknown"


def test_guard_with_a_call_is_unknown_not_wrong():
    f = one("""
    def f(xs: list[int], i: int) -> bool:
        return ok(i) and xs[i] > 0
    """)
    assert f.status == "unknown"


def test_replay_confirms_the_counterexample():
    f = one("""
    def first(xs: list[int]) -> int:
        return xs[0]
    """, replay=True)
    assert f.status == "counterexample"
    assert f.counterexample.confirmed is True, f.counterexample.replay_note
    assert "IndexError" in f.counterexample.replay_note


def test_an_element_read_but_not_used_does_not_block_a_counterexample():
    fs = index_findings("""
    def f(xs: list[int]) -> int:
        n = 0
        for x in xs:
            y = xs[n]
            n += 1
        return xs[n - 2]
    """)
    assert [(f.span.line, f.status) for f in fs] == [(5, "proved"), (7, "counterexample")]
    assert fs[1].counterexample.call in ("f([])", "f([0])")


def test_loop_element_not_used():
    rep = analyze_source(textwrap.dedent("""
    def g(xs: list[int]) -> int:
        n = 0
        for x in xs:
            n += 1
        assert n < 3
        return n
    """), "t.py", Options(timeout_ms=4000))
    f = next(f for f in rep.findings if f.kind == "contract")
    assert f.status == "counterexample"
    n = f.counterexample.inputs["xs"]
    assert n >= 3 and f.counterexample.call == "g([" + ", ".join(["0"] * n) + "])"


def test_element_used_stays_unknown():
    rep = analyze_source(textwrap.dedent("""
    def g(xs: list[int]) -> int:
        y = xs[0] if xs else 1
        assert y > 0
        return y
    """), "t.py", Options(timeout_ms=4000))
    f = next(f for f in rep.findings if f.kind == "contract")
    assert f.status == "unknown"


def test_index_error_caught_by_the_try_is_not_a_finding():
    src = """
    def f(xs: list[int], i: int) -> int:
        try:
            y = xs[i]
            assert i < len(xs)
        except (ValueError, IndexError):
            return -1
        return 0
    """
    assert index_findings(src) == []
    rep = analyze_source(textwrap.dedent(src), "t.py", Options(timeout_ms=4000))
    assert [(f.property, f.status) for f in rep.findings if f.kind == "contract"] == [
        ("assert", "proved")]


def test_index_error_not_caught_by_the_handler_stays_a_finding():
    f = one("""
    def g(xs: list[int], i: int) -> int:
        try:
            y = xs[i]
        except ValueError:
            return -1
        return 0
    """)
    assert f.status == "counterexample"       # ValueError does not catch IndexError
    assert f.counterexample.inputs == {"xs": 0, "i": -1}


# ------------------------------------------------------------------ KeyError, `in`

def test_key_error_proved_after_a_membership_test():
    fs = index_findings("""
    def f(d: dict[str, int], k: str) -> int:
        if k in d:
            return d[k]
        return 0
    """)
    assert [(f.status, f.message) for f in fs] == [("proved", "no KeyError in `d[k]`")]


def test_key_error_without_facts_is_unknown_never_a_counterexample():
    f = one("""
    def g(d: dict[str, int], k: str) -> int:
        return d[k]
    """)
    assert f.status == "unknown"
    assert f.message.startswith("KeyError in `d[k]`: don't know")


def test_key_stored_earlier_is_present():
    assert verdicts("""
    def h(k: int) -> int:
        d = {}
        d[k] = 1
        return d[k]
    """) == [("h", 5, "proved")]


def test_counting_idiom():
    assert verdicts("""
    def cnt(xs: list[int]) -> int:
        c = {}
        for x in xs:
            if x in c:
                c[x] += 1
            else:
                c[x] = 1
        return 0
    """) == [("cnt", 6, "proved")]


def test_key_error_caught_by_the_try():
    assert verdicts("""
    def f(d: dict[str, int], k: str) -> int:
        try:
            return d[k]
        except KeyError:
            return 0
    """) == []


def test_membership_is_consistent_until_a_change():
    rep = analyze_source(textwrap.dedent("""
    def same(xs: list[int], v: int) -> int:
        a = v in xs
        b = v in xs
        assert a == b
        return 0

    def changed(xs: list[int], v: int) -> int:
        a = v in xs
        xs.append(v)
        b = v in xs
        assert a == b
        return 0

    def rebound(ks: list[int], d: dict[int, int]) -> int:
        n = 0
        for k in ks:
            if k in d:
                n += 1
        assert n == 0 or n == len(ks)
        return n
    """), "t.py", Options(timeout_ms=4000))
    got = [(f.function, f.status) for f in rep.findings if f.kind == "contract"]
    assert got == [("same", "proved"), ("changed", "unknown"), ("rebound", "unknown")]


def test_is_none_on_a_container_parameter_without_none_is_false():
    fs = index_findings("""
    def f(xs: list[int]) -> int:
        if xs is None:
            return 0
        return xs[0]

    def g(xs: 'Optional[list[int]]') -> int:
        if xs is None:
            return 0
        return xs[0]

    def h(xs: list[int] = None) -> int:
        if xs is not None:
            return xs[0]
        return 0
    """)
    assert [(f.function, f.status) for f in fs] == [
        ("f", "counterexample"), ("g", "unknown"), ("h", "unknown")]
    assert fs[0].counterexample.call == "f([])"
    assert fs[1].reason == "depends on identity comparison at line 8"


# ------------------------------------------------------------------ soundness on random code

def _random_program(rng) -> list[str]:
    idx = ["a", "b", "-a", "a + b", "len(xs) - a", "c", "-1", "0", "len(xs)"]
    lines = ["c = 0", "d = {}"]
    for _ in range(rng.randint(2, 5)):
        e = rng.choice(idx)
        kind = rng.choice(["read", "guard", "store", "loop", "and", "in", "dict", "while"])
        if kind == "read":
            lines.append(f"y = xs[{e}]")
        elif kind == "guard":
            lines += [f"if {rng.choice(['0', '-len(xs)', '1'])} <= {e} < len(xs):",
                      f"    y = xs[{e}]", "    c = c + 1"]
        elif kind == "store":
            lines.append(f"xs[{e}] = a")
        elif kind == "loop":
            lines += ["for i in range(len(xs)):",
                      f"    y = xs[i {rng.choice(['- 1', '', '+ 1', '* 2'])}]", "    c = c + i"]
        elif kind == "and":
            lines += [f"if {e} < len(xs) and xs[{e}] == 0:", "    c = c + 2"]
        elif kind == "in":
            lines += ["if a in xs:", "    c = c + 1"]
        elif kind == "dict":
            lines += [rng.choice(["d[a] = 1", "if a in d:\n        c = c + d[a]", "c = c + d[b]"])]
        else:
            lines += ["lo, hi = 0, len(xs)", "while lo < hi:", "    mid = (lo + hi) // 2",
                      f"    if xs[mid {rng.choice(['', '+ 1', '- 1'])}] < a:",
                      "        lo = mid + 1", "    else:", "        hi = mid"]
    return lines


@pytest.mark.parametrize("seed", range(int(os.environ.get("VERILINE_INDEX_SEEDS", "12"))))
def test_random_index_verdicts_are_sound(seed):
    import random
    rng = random.Random(seed)
    body = _random_program(rng)
    src = "def f(xs: list[int], a: int, b: int) -> int:\n" + "".join(
        f"    {ln}\n" for ln in body) + "    return c\n"
    fs = index_findings(src)
    ns: dict = {}
    exec(compile(src, "t.py", "exec"), ns)

    def raised_at(xs, a, b):
        try:
            ns["f"](xs, a, b)
        except (IndexError, KeyError) as exc:
            tb = exc.__traceback__
            while tb.tb_next is not None:
                tb = tb.tb_next
            return tb.tb_lineno
        return None
    runs = [([rng.randint(-3, 3) for _ in range(n)], a, b)
            for n in range(6) for a in range(-6, 7) for b in (-2, 0, 3)]
    lines = {raised_at(*r) for r in runs}
    for f in fs:
        if f.status == "proved":
            assert f.span.line not in lines, (src, f.message)
        elif f.status == "counterexample":
            inputs = f.counterexample.inputs
            assert raised_at([0] * inputs["xs"], inputs["a"], inputs["b"]) == f.span.line, \
                (src, f.message)
