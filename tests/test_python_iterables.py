"""`for` loops over finite iterables (python_iterables / python_for) and the container
methods and builtins they use (python_builtins): exact verdicts."""
import textwrap

import pytest

from veriline.analyses.api import Options, analyze_source


def verdicts(src: str, kind: str = "termination") -> list[tuple[str, int, str]]:
    rep = analyze_source(textwrap.dedent(src), "t.py", Options(timeout_ms=3000, assume_finite_iterables=False))
    return [(f.function, f.span.line, f.status) for f in rep.findings if f.kind == kind]


def one(src: str, kind: str = "termination"):
    rep = analyze_source(textwrap.dedent(src), "t.py", Options(timeout_ms=3000, assume_finite_iterables=False))
    fs = [f for f in rep.findings if f.kind == kind]
    assert len(fs) == 1, fs
    return fs[0]


@pytest.mark.parametrize("header, loop", [
    ("xs: list[int]", "for x in xs:"),
    ("xs: list", "for x in reversed(xs):"),
    ("s: str", "for c in s:"),
    ("s: str", "for c in s.split(','):"),
    ("d: dict[str, int]", "for k, v in d.items():"),
    ("d: dict", "for k in d.keys():"),
    ("t: tuple[int, ...]", "for x in t:"),
    ("s: set[int]", "for x in sorted(s, reverse=True):"),
    ("s: frozenset", "for x in s:"),
    ("xs: 'Optional[list[int]]'", "for x in xs:"),
    ("xs: list[int] | None", "for x in xs:"),
    ("xs: list[int], ys: str", "for a, b in zip(xs, ys):"),
    ("xs: list[int]", "for i, x in enumerate(xs, 1):"),
    ("n: int", "for x in [1, n, 3]:"),
    ("n: int", "for x in 'abc':"),
    ("n: int", "for x in {n: 1, 2: 3}:"),
    ("xs: list[int]", "for x in [y * 2 for y in xs if y > 0]:"),
    ("xs: list[int]", "for x in list(xs) + [1]:"),
])
def test_finite_iterables_terminate(header, loop):
    f = one(f"""
    from typing import Optional
    def f({header}) -> int:
        n = 0
        {loop}
            n += 1
        return n
    """)
    assert f.status == "proved", f.message
    assert f.message.startswith("terminates: a for-loop over ")


@pytest.mark.parametrize("header, pre, loop, body", [
    ("xs", "", "for x in xs:", "n += 1"),                         # unknown type: count()?
    ("xs: list[int]", "", "for x in xs:", "xs.append(x)"),          # grows it
    ("xs: list[int]", "ys = xs", "for x in xs:", "ys.append(x)"),   # through an alias
    ("xs: list[int], ys: list[int]", "", "for x in xs:", "ys.append(x)"),  # f(a, a)
    ("xs: list[int]", "", "for x in xs:", "xs += [x]"),
    ("xs: list[int]", "", "for x in xs:", "xs[len(xs):] = [x]"),
    ("xs: list[int]", "", "for x in xs:", "helper(xs)"),
    ("xs: list[int]", "", "for x in xs:", "helper([])"),            # may reach xs
    ("n: int", "out = [1]", "for x in out:", "out.append(x)"),
    ("n: int", "out = [1]", "for x in out:", "out.extend([x])"),
    # (`for x in itertools.count():` is an endless counter loop: test_python_count_loops)
    ("n: int", "import itertools", "for x in itertools.cycle([1]):", "n += 1"),
    ("xs: list[int]", "out = []", "for x in xs:", "out.extend(iter(int, 1))"),
])
def test_possibly_infinite_iterables_stay_unknown(header, pre, loop, body):
    f = one(f"""
    def helper(v):
        return 0

    def f({header}) -> int:
        n = 0
        {pre}
        {loop}
            {body}
        return n
    """)
    assert f.status == "unknown", f.message


def test_fresh_local_list_methods_terminate_and_keep_checks():
    src = """
    def f(xs: list[int], d: int) -> int:
        out = []
        seen = set()
        for x in xs:
            out.append(x // d)
            seen.add(x)
        for y in out:
            out2 = [y]
        return len(out)
    """
    term = verdicts(src)
    assert term == [("f", 5, "proved"), ("f", 8, "proved")]
    ov = verdicts(src, "overflow")
    assert [(fn, line) for fn, line, _ in ov] == [("f", 6)]
    assert ov[0][2] == "unknown"          # x // d: d == 0 needs a non-empty xs


def test_tuple_of_int_literals_is_exact():
    assert verdicts("""
    def f() -> int:
        s = 0
        for x in (1, 2, 3):
            s += x
        assert s == 6
        return s
    """, "contract") == [("f", 6, "proved")]
    f = one("""
    def g(a: int) -> int:
        for x in [1, 5, 2]:
            assert x < 5
        return a
    """, "contract")
    assert f.status == "counterexample"


def test_enumerate_index_is_exact():
    src = """
    def f(s: str, k: int) -> int:
        last = k
        for i, c in enumerate(s, k):
            assert i >= k
            last = i
        assert last >= k
        return last
    """
    assert verdicts(src, "contract") == [("f", 5, "proved"), ("f", 7, "proved")]


def test_elements_of_unknown_type_are_arbitrary():
    f = one("""
    def f(xs: list[int]) -> int:
        for x in xs:
            assert x > 0
        return 0
    """, "contract")
    assert f.status == "unknown"
    assert f.reason == "depends on an element of the list xs at line 3"


def test_len_is_non_negative_and_literal_lengths_are_known():
    assert verdicts("""
    def f(xs: list[int]) -> int:
        n = len(xs)
        assert n >= 0
        assert len("abc") == 3
        assert len((1, 2)) == 2
        return n
    """, "contract") == [("f", 4, "proved"), ("f", 5, "proved"), ("f", 6, "proved")]


def test_nested_finite_loops_and_break_else():
    assert verdicts("""
    def f(rows: list[list[int]]) -> int:
        n = 0
        for row in rows:
            for x in row:
                n += 1
        for c in "abc":
            if n > 3:
                break
        else:
            n = 0
        return n
    """) == [("f", 4, "proved"), ("f", 5, "proved"), ("f", 7, "proved")]


def test_integer_builtins():
    src = """
    import math
    def f(a: int, b: int, n: int) -> int:
        q, r = divmod(a, b)
        assert a == q * b + r
        g = math.gcd(a, b)
        assert g >= 0
        s = math.isqrt(n)
        assert s * s <= n
        assert math.factorial(n) >= 1
        return q
    """
    # isqrt's exact facts only hold when n >= 0 (a negative n raises, but the facts may
    # not prune that run: see the next test), so s * s <= n is not proved
    assert verdicts(src, "contract") == [("f", 5, "proved"), ("f", 7, "proved"),
                                         ("f", 9, "unknown"), ("f", 10, "proved")]
    div = verdicts(src, "overflow")
    assert div == [("f", 4, "counterexample")]      # divmod(a, 0)


def test_isqrt_facts_do_not_hide_earlier_failures():
    # the isqrt call is hoisted before check(n): its facts must not drop the n < 0 runs,
    # where check's precondition fails first
    f = one("""
    import math
    def check(n: int) -> int:
        \"\"\"
        pre: n >= 0
        \"\"\"
        return n
    def f(n: int) -> int:
        return check(n) + math.isqrt(n)
    """, "contract")
    assert (f.function, f.property, f.status) == ("f", "requires-call", "unknown")


@pytest.mark.parametrize("call, status", [
    ("sum(xs)", "proved"), ("sorted(xs)", "proved"), ("max(xs)", "proved"),
    ("sum(ys)", "unknown"), ("sorted(xs, key=k)", "unknown"), ("list(ys)", "unknown"),
    ("sorted(xs, key=len)", "proved"), ("any(x > 0 for x in xs)", "proved"),
])
def test_iterating_builtins_return_only_on_finite_iterables(call, status):
    f = one(f"""
    def f(xs: list[int], ys, k) -> int:
        n = 0
        for i in range(3):
            n = n + {call}
        return n
    """)
    assert f.status == status, f.message


def test_self_attributes_in_call_free_methods():
    src = """
    from dataclasses import dataclass

    @dataclass
    class Counter:
        count: int = 0
        limit: int = 10

        def bump(self) -> int:
            if self.count < self.limit:
                self.count += 1
            return self.count

        def clamp(self) -> int:
            self.count = min(self.count, self.limit)
            assert self.count <= self.limit
            return self.count

        def loop(self) -> int:
            n = 0
            while n < self.limit:
                n += 1
            return n

        def entry(self) -> int:
            assert self.count >= 0
            return 0

        def calls(self) -> int:
            self.count = 5
            self.reset()
            assert self.count == 5
            return 0

        def reset(self) -> None:
            self.count = 0

        def alias(self, other) -> int:
            self.count = 5
            other.count = 0
            assert self.count == 5
            return 0
    """
    rep = analyze_source(textwrap.dedent(src), "t.py", Options(timeout_ms=3000, assume_finite_iterables=False))
    got = [(f.function, f.kind, f.status) for f in rep.findings
           if f.kind in ("contract", "termination")]
    assert got == [("Counter.clamp", "contract", "proved"),
                   ("Counter.loop", "termination", "proved"),
                   ("Counter.entry", "contract", "unknown"),
                   ("Counter.calls", "contract", "unknown"),
                   ("Counter.alias", "contract", "unknown")]


def test_self_attributes_not_modelled_with_properties_or_hooks():
    src = """
    class P:
        @property
        def x(self) -> int:
            return 1

        @property
        def z(self) -> int:
            return compute()

        def f(self) -> int:
            assert self.x == 1
            return 0

        def h(self) -> int:
            assert self.z == 1
            return 0

    class G:
        def __getattr__(self, name):
            return 0

        def f(self) -> int:
            self.y = 1
            assert self.y == 1
            return 0
    """
    rep = analyze_source(textwrap.dedent(src), "t.py", Options(timeout_ms=3000, assume_finite_iterables=False))
    got = [(f.function, f.status) for f in rep.findings if f.kind == "contract"]
    # a simple property reads as its expression; one that calls code does not
    assert got == [("P.f", "proved"), ("P.h", "unknown"), ("G.f", "unknown")]


def test_is_none_on_names_that_always_hold_ints():
    assert verdicts("""
    def f(x: int, y=None, z: int = None) -> int:
        a = x + 1
        assert a is not None
        assert x is not None
        if y is None:
            assert False
        if z is None:
            assert False
        b = None
        assert b is None
        return 0
    """, "contract") == [("f", 4, "proved"), ("f", 5, "proved"), ("f", 7, "unknown"),
                         ("f", 9, "unknown"), ("f", 11, "unknown")]


@pytest.mark.parametrize("write", [
    "self.a, self.b = 5, 6", "for self.a in (5, 6): pass", "self.a: int = 5",
    "self.a += 5", "[0 for self.a in (5,)]",
])
def test_every_write_of_a_self_attribute_is_seen(write):
    f = one(f"""
    class K:
        def f(self) -> int:
            self.a = 0
            {write}
            assert self.a == 0
            return 0
    """, "contract")
    assert f.status == "unknown"


def test_lengths_are_variables():
    src = """
    def count(xs: list[int]) -> int:
        n = 0
        for x in xs:
            n += 1
        assert n == len(xs)
        return n

    def scan(s: str) -> int:
        i = 0
        while i < len(s):
            i += 1
        return i

    def local() -> int:
        out = []
        out.append(1)
        out.append(2)
        assert len(out) == 2
        return 0

    def strs(s: str) -> int:
        n = len(s)
        t = s
        s = s + "ab"
        assert len(t) == n and len(s) == n + 2
        return 0
    """
    rep = analyze_source(textwrap.dedent(src), "t.py", Options(timeout_ms=3000, assume_finite_iterables=False))
    assert [(f.function, f.kind, f.status) for f in rep.findings] == [
        ("count", "termination", "proved"), ("count", "contract", "proved"),
        ("scan", "termination", "proved"), ("local", "contract", "proved"),
        ("strs", "contract", "proved")]


@pytest.mark.parametrize("change", [
    "ys.append(1)", "helper(xs)", "if helper(ys):\n            pass", "xs[0:0] = [1]",
    "del xs[0]", "xs += [1]", "zs = xs\n        zs.append(1)", "[helper(ys) for v in ys]",
    "while helper(ys):\n            break",
])
def test_whatever_may_change_a_list_resets_its_length(change):
    f = one(f"""
    def helper(v) -> int:
        return 0

    def f(xs: list[int], ys: list[int]) -> int:
        n = len(xs)
        {change}
        assert len(xs) == n
        return n
    """, "contract")
    assert f.status == "unknown", f.message


def test_loop_count_is_arbitrary_when_the_body_may_change_the_list():
    f = one("""
    def f(xs: list[int], ys: list[int]) -> int:
        n = 0
        m = len(xs)
        for x in xs:
            ys.append(x)        # xs may be ys: the loop runs forever or m times
            n += 1
        assert n == m
        return n
    """, "contract")
    assert f.status == "unknown"


@pytest.mark.parametrize("pre, loop", [
    ("g = (v for v in xs)", "for x in g:"),
    ("", "for x in (v for v in xs):"),
    ("e = enumerate(xs)", "for i, x in e:"),
    ("z = zip(xs, xs)", "for x, y in z:"),
])
def test_lazy_views_of_a_list_that_grows_stay_unknown(pre, loop):
    f = one(f"""
    def f(xs: list[int]) -> int:
        {pre}
        {loop}
            xs.append(1)
        return 0
    """)
    assert f.status == "unknown"


def test_a_generator_loop_over_a_list_may_not_end():
    # the consumer may append to xs between two yields
    assert verdicts("""
    def gen(xs: list[int], s: str):
        for x in xs:
            yield x
        for c in s:
            yield c
    """) == [("gen", 3, "unknown"), ("gen", 5, "proved")]


def test_reads_inside_calls_and_copies_of_anything():
    assert verdicts("""
    def f(parts: list[str], d) -> int:
        out = []
        for p in parts:
            out.append(', '.join(parts) + str(len(parts)))
            out.append('{}'.format(p))
        remaining = set(d)
        for k in remaining:
            out.append(k)
        for q in parts:
            s = ', '.join(d)
        return len(out)
    """) == [("f", 4, "proved"), ("f", 8, "proved"), ("f", 10, "unknown")]
