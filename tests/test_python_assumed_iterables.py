"""`for` loops over iterables from outside the function: finite under the stated
assumption "the iterable X is finite (yields finitely many items)"
(python_assumed_iterables), never for what the file shows may be infinite, never when
the body feeds what it iterates; strict mode (assume_finite_iterables=False) keeps them
"don't know"."""
import textwrap

import pytest

from veriline.analyses.api import Options, analyze_source, parse
from veriline.config import options_from_settings
from findings_kit import one_per_function

STRICT = Options(timeout_ms=3000, assume_finite_iterables=False)


def loops(src: str, options: Options = Options(timeout_ms=3000)) -> list:
    rep = analyze_source(textwrap.dedent(src), "t.py", options)
    return [f for f in rep.findings if f.kind == "termination"]


def one(src: str, options: Options = Options(timeout_ms=3000)):
    fs = loops(src, options)
    assert len(fs) == 1, [f.message for f in fs]
    return fs[0]


@pytest.mark.parametrize("header, loop, code", [
    ("seq", "for x in seq:", "seq"),
    ("d", "for k, v in d.items():", "d.items()"),
    ("seq", "for i, x in enumerate(seq):", "enumerate(seq)"),
    ("a, b", "for x, y in zip(a, b):", "zip(a, b)"),
    ("f", "for line in f.readlines():", "f.readlines()"),
    ("qualname", "for part in qualname.split('.'):", "qualname.split('.')"),
    ("f, seq", "for y in map(f, seq):", "map(f, seq)"),
    ("seq", "for y in sorted(seq):", None),         # an eager copy: finite, no assumption
])
def test_outside_iterables_terminate_under_the_stated_assumption(header, loop, code):
    src = f"""
    def f_({header}):
        n = 0
        {loop}
            n += 1
        return n
    """
    f = one(src)
    assert f.status == "proved", f.message
    if code is None:
        assert "assuming the iterable" not in f.message
        assert all("finite" not in a for a in f.details.get("assumes", []))
        return
    text = f"the iterable {code} is finite (yields finitely many items)"
    assert f"assuming {text}" in f.message
    assert text in f.details["assumes"]
    assert f.details["assumes_finite"] == text
    fn = parse(textwrap.dedent(src), "t.py").functions["f_"]
    assert text in fn.assumptions            # the function's hover lists it
    strict = one(src, STRICT)
    assert strict.status == "unknown"
    assert "it may be an infinite iterator" in strict.reason
    assert all("finite" not in a for a in strict.details.get("assumes", []))


def test_the_assumption_is_stated_once_per_iterable_and_only_with_a_proof():
    fs = loops("""
    def f(seq):
        n = 0
        for x in seq:
            n += 1
        for y in seq:
            n += 2
        return n
    """)
    assert [f.status for f in fs] == ["proved", "proved"]
    assert fs[0].details["assumes"] == ["the unannotated parameter seq holds ints",
                                        "the iterable seq is finite (yields finitely many items)"]


def _fn(src: str, name: str):
    return [f for f in loops(src) if f.function == name]


@pytest.mark.parametrize("pre, loop", [
    # (`for x in itertools.count():` itself: an endless counter loop, test_python_count_loops)
    ("", "for x in itertools.cycle(seq):"),
    ("", "for x in itertools.repeat(1):"),
    ("", "for x in cycle(seq):"),
    ("", "for x in iter(seq.pop, None):"),
    ("it = itertools.count(5)", "for x in it:"),
    ("it = itertools.count(5)\n    it2 = it", "for x in it2:"),
    ("", "for x in zip(seq, itertools.count()):"),
    ("", "for x in (y * 2 for y in itertools.repeat(3)):"),
    ("", "for x in forever():"),
    ("", "for x in Box():"),                # a class of this file: its __iter__ is ours
    ("", "for x in self_counter.counter:"),  # an attribute bound to count() in the file
])
def test_infinite_sources_stay_unknown(pre, loop):
    src = f"""
import itertools
from itertools import cycle


def forever():
    while True:
        yield 1


class Box:
    def __iter__(self):
        return iter([])


class Holder:
    def __init__(self):
        self.counter = itertools.count()


def g(seq, self_counter):
    n = 0
    {pre}
    {loop}
        n += 1
    return n
"""
    fs = _fn(src, "g")
    assert [f.status for f in fs] == ["unknown"], [f.message for f in fs]
    assert "it may be an infinite iterator" in fs[0].reason


@pytest.mark.parametrize("header, pre, body", [
    ("seq", "", "seq.append(x)"),                 # grows it
    ("seq", "ys = seq", "ys.append(x)"),          # through an alias
    ("seq, ys", "", "ys.append(x)"),              # f(a, a)
    ("seq, ys", "", "ys[len(ys):] = [x]"),
    ("seq", "", "seq += [x]"),
    ("q", "it = iter(q)", "q.append(x)"),         # an iterator the body feeds
    ("gen", "", "gen.send(x)"),
    ("seq", "add = lambda v: seq.append(v)", "add(x)"),
    ("seq", "add = seq.append", "add(x)"),
])
def test_a_body_that_feeds_what_it_iterates_stays_unknown(header, pre, body):
    loop = "for x in it:" if pre.startswith("it =") else "for x in seq:" \
        if "seq" in header else "for x in gen:"
    f = one(f"""
    def f({header}):
        n = 0
        {pre}
        {loop}
            {body}
        return n
    """)
    assert f.status == "unknown", f.message


def test_attributes_the_body_changes_stay_unknown():
    fs = loops("""
    class C:
        def grow(self):
            for x in self.items:
                self.items.append(x)

        def count(self):
            n = 0
            for x in self.items:
                n += len(self.items)
            return n
    """)
    assert [(f.function, f.status) for f in fs] == [("C.grow", "unknown"), ("C.count", "proved")]
    assert "the iterable self.items is finite" in fs[1].message


def test_module_level_displays_are_finite_without_an_assumption():
    fs = loops("""
    PLURALS = [("a", "b"), ("c", "d")]
    NAMES = ("x", "y")
    REBOUND = [1, 2]
    GROWN = [1]


    def rebind():
        global REBOUND
        REBOUND = [3]


    def plural(word):
        n = 0
        for rule, repl in PLURALS:
            n += 1
        for name in NAMES:
            n += 1
        return n


    def rebound():
        n = 0
        for x in REBOUND:
            n += 1
        return n


    def grows():
        for x in GROWN:
            GROWN.append(x)
    """)
    got = {(f.function, f.span.line): f for f in fs}
    plural = [f for f in fs if f.function == "plural"]
    assert [f.status for f in plural] == ["proved", "proved"]
    assert "the list PLURALS, which is finite" in plural[0].message
    assert "the tuple NAMES, which is finite" in plural[1].message
    assert all("yields finitely" not in f.message for f in plural)
    (rebound,) = [f for f in fs if f.function == "rebound"]
    assert rebound.status == "proved"       # a name from outside: under the assumption
    assert "the iterable REBOUND is finite" in rebound.message
    (grows,) = [f for f in fs if f.function == "grows"]
    assert grows.status == "unknown"
    assert len(got) == 4


def test_a_known_list_whose_body_calls_unknown_code_is_finite_under_an_assumption():
    src = """
    import re
    PLURALS = [("a", "b")]


    def pluralize(word):
        for rule, repl in PLURALS:
            if re.search(rule, word):
                return re.sub(rule, repl, word)
        return word
    """
    f = one(src)
    assert f.status == "proved", f.message
    text = "no other code adds to the list PLURALS while the loop at line 7 runs"
    assert text in f.message and text in f.details["assumes"]
    strict = one(src, STRICT)
    assert strict.status == "unknown"
    assert "the body calls code that may change it" in strict.reason


def test_a_caller_of_a_function_with_an_assumed_loop_is_judged_modulo_that_callee():
    fs = loops("""
    def count(seq):
        n = 0
        for x in seq:
            n += 1
        return n


    def rec(k, seq):
        if k <= 0:
            return 0
        return rec(k - 1, [count(seq)])
    """)
    assert [(f.function, f.status) for f in fs] == [("count", "proved"), ("rec", "proved")]


def test_the_option_reaches_options_and_the_cache_key():
    assert options_from_settings({}, with_cache=False).assume_finite_iterables is True
    o = options_from_settings({"assume-finite-iterables": False}, with_cache=False)
    assert o.assume_finite_iterables is False
    assert o.key() != options_from_settings({}, with_cache=False).key()


def _overflow(src: str) -> list:
    rep = analyze_source(textwrap.dedent(src), "t.py", Options(timeout_ms=3000))
    return [(f.span.line, f.status) for f in rep.findings if f.kind == "overflow"]


def test_str_methods_on_str_values_are_no_unknown_calls():
    # the receiver's IndexError is checked; the method's result is arbitrary but the call
    # returns and changes nothing, so later checks stay decided
    assert _overflow("""
    def g(s: str, t: str) -> str:
        if s[0].upper() == t[1:].strip().lower():
            return s[0]
        return t
    """) == [(3, "counterexample"), (4, "proved")]
    assert _overflow("""
    def h(s: str) -> str:
        u = s[0].upper()
        return s[0]
    """) == [(3, "counterexample"), (4, "proved")]


def test_methods_on_values_of_unknown_type_stay_unknown_calls():
    fs = analyze_source(textwrap.dedent("""
    def h(s: str, xs) -> int:
        u = xs[0].upper()
        return 10 // (len(s) + 1)
    """), "t.py", Options(timeout_ms=3000)).findings
    assert [(f.kind, f.status) for f in fs if f.kind == "overflow"] == [("overflow", "proved")]
    rep = analyze_source(textwrap.dedent("""
    def k(s: str, xs) -> int:
        n = len(s)
        xs[0].upper()
        assert n == len(s)
        return n
    """), "t.py", Options(timeout_ms=3000))
    (c,) = [f for f in rep.findings if f.kind == "contract"]
    assert c.status == "proved"      # s is a str: no call changes its length


def test_item_stores_and_set_or_dict_updates_do_not_feed_a_loop():
    # a dict or set that changes size while iterated raises; xs[i] = v never grows a list
    fs = loops("""
    def f(d, out, seen):
        for k, v in d.items():
            out[k] = v
            seen.add(k)
            seen.update([v])
        return out
    """)
    assert [f.status for f in fs] == ["proved"], [f.message for f in fs]


def test_a_generator_over_a_known_list_terminates_if_no_other_code_adds_to_it():
    src = """
    def gen(xs: list[int]):
        for x in xs:
            yield x
    """
    f = one(src)
    assert f.status == "proved", f.message
    assert "no other code adds to the list xs while the loop at line 3 runs" \
        in f.details["assumes"]
    assert one(src, STRICT).status == "unknown"
    fed = one("""
    def gen(xs: list[int]):
        for x in xs:
            xs.append(x)
            yield x
    """)
    assert fed.status == "unknown"


def test_zip_with_one_finite_argument_is_finite_without_an_assumption():
    f = one("""
    import itertools


    def f(xs: list[int]) -> int:
        n = 0
        for i, x in zip(itertools.count(), xs):
            n += 1
        return n
    """)
    assert f.status == "proved", f.message
    assert not any("finite" in a for a in f.details.get("assumes", []))


def test_infinite_sources_are_judged_per_function_and_per_class():
    src = """
import itertools


class Plain:
    x = 1


class Counter:
    def __iter__(self):
        return itertools.count()


class Sub(Counter):
    pass


def other():
    it = itertools.count()
    return next(it)


def over_param(it):
    n = 0
    for x in it:                # `it` is infinite in other(), not here
        n += 1
    return n


def over_plain(p):
    n = 0
    obj = Plain()
    for x in obj:               # no __iter__ of ours: Python's (a TypeError) or outside
        n += 1
    return n


def over_sub():
    n = 0
    for x in Sub():
        n += 1
    return n
"""
    got = one_per_function(loops(src), lambda f: f.function != "other", lambda f: f.status)
    assert got == {"over_param": "proved", "over_plain": "proved", "over_sub": "unknown"}


def test_a_lookup_key_is_not_what_the_loop_iterates():
    f = [x for x in loops("""
    def join(d, seq, keyf):
        for item in seq:
            key = keyf(item)
            for match in d[key]:
                yield (match, item)
    """) if x.span.line == 5]
    assert [x.status for x in f] == ["proved"], [x.message for x in f]
    assert "the iterable d[key] is finite" in f[0].message


def test_calls_of_the_files_functions_that_cannot_feed_a_list():
    src = """
def width(s):
    return len(s) + 1


def push(xs, v):
    xs.append(v)


def relay(xs, v):
    push(xs, v)


def total(rows):
    n = 0
    for r in rows:
        n += width(r)           # width grows nothing
    return n


def feed(rows):
    for r in rows:
        relay(rows, r)          # feeds rows (through push)
"""
    got = one_per_function(loops(src), value=lambda f: f.status)
    assert got == {"total": "proved", "feed": "unknown"}


def test_a_method_of_a_call_result_is_a_callee_judged_separately():
    f = one("""
    def f(lines):
        n = 0
        for line in lines:
            if line.strip().startswith("x"):
                n += 1
        return n
    """)
    assert f.status == "proved", f.message
    assert f.details["assumes_return"] == ["line.strip().startswith"]
    g = one("""
    def g(xs):
        n = 0
        for x in xs:
            n += sum(y for y in x)
        return n
    """)
    assert g.status == "unknown"            # the generator's iteration is g's own code


def test_subscripts_of_immutable_sequences_inside_displays_get_exact_checks():
    assert _overflow("""
    def f(s: str, t: str) -> None:
        if s[0] == t[0]:
            log(("{}".format(s[0]), t[1:], t[0]))
        log([s[-1] for _ in t] and s[5])
    """) == [(3, "counterexample"), (3, "counterexample"), (4, "proved"), (4, "proved"),
             (5, "unknown"), (5, "unknown")]
    # a comprehension's element may run zero times: never an exact check (f('', ''))
    assert _overflow("""
    def f(s: str, t: str) -> None:
        log([s[0] for _ in t])
    """) == [(3, "unknown")]
