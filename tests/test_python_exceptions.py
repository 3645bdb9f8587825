"""Exceptions inside Python `try` statements (frontends/python_try): a handler that
catches the class (or a base, a bare except, a tuple) takes the jump; one that does not
match lets it go; one naming a class the tool does not know makes what depends on it
"don't know"; `finally` runs on raise / return / break paths.  Exact verdicts; every ✗
re-run on the real code (--replay)."""
import collections
import textwrap

import pytest

from veriline.analyses.api import Options, analyze_source


def findings(src: str, replay: bool = True):
    rep = analyze_source(textwrap.dedent(src), "t.py", Options(timeout_ms=4000, replay=replay))
    return [f for f in rep.findings if f.kind in ("contract", "overflow")]


def verdicts(src: str) -> list[tuple[str, int, str]]:
    return [(f.property, f.span.line, f.status) for f in findings(src, replay=False)]


def confirmed(f) -> dict:
    assert f.status == "counterexample", f.message
    assert f.counterexample.confirmed is True, f.counterexample.replay_note
    return f.counterexample.inputs


@pytest.mark.parametrize("handler", ["IndexError", "LookupError", "Exception", "BaseException",
                                     "(ValueError, IndexError)", ""])
def test_index_error_caught_goes_to_the_handler(handler):
    fs = findings(f"""
    def f(xs: list[int], i: int) -> int:
        try:
            t = xs[i]
            y = 1
        except {handler}:
            y = -1
        assert y == 1
        return y
    """)
    assert [(f.property, f.status) for f in fs] == [("assert", "counterexample")]
    inputs = confirmed(fs[0])
    assert not -inputs["xs"] <= inputs["i"] < inputs["xs"]      # the read was out of range


def test_index_error_not_caught_by_a_value_error_handler():
    fs = findings("""
    def f(xs: list[int], i: int) -> int:
        try:
            t = xs[i]
        except ValueError:
            return 0
        return 1
    """)
    assert [(f.property, f.status) for f in fs] == [("index", "counterexample")]
    inputs = confirmed(fs[0])
    assert not -inputs["xs"] <= inputs["i"] < inputs["xs"]


def test_the_handler_returns_so_the_assert_after_it_holds():
    assert verdicts("""
    def f(xs: list[int], i: int) -> int:
        try:
            t = xs[i]
            y = 1
        except LookupError:
            return 0
        assert y == 1
        return y
    """) == [("assert", 8, "proved")]


def test_unknown_handler_class_may_or_may_not_catch():
    fs = findings("""
    def f(xs: list[int], i: int) -> int:
        try:
            t = xs[i]
            y = 1
        except MyError:
            return 0
        return y
    """, replay=False)
    assert [(f.property, f.status) for f in fs] == [("index", "unknown")]
    assert "whether the handler at line 6 catches IndexError" in fs[0].reason


def test_a_user_defined_exception_raised_is_unknown_to_a_builtin_handler():
    fs = findings("""
    def f(x: int) -> int:
        y = 1
        try:
            if x < 0:
                raise Oops()
        except ValueError:
            y = 0
        assert y == 1
        return y
    """, replay=False)
    assert [(f.property, f.status) for f in fs] == [("assert", "unknown")]


def test_division_by_zero_caught():
    fs = findings("""
    def g(x: int) -> int:
        try:
            y = 10 // x
        except ArithmeticError:
            y = -100
        assert y > -100
        return y
    """)
    assert [(f.property, f.status) for f in fs] == [("division-by-zero", "proved"),
                                                    ("assert", "counterexample")]
    assert confirmed(fs[1]) == {"x": 0}


def test_division_by_zero_not_caught_by_an_index_handler():
    fs = findings("""
    def g(x: int) -> int:
        try:
            y = 10 % x
        except IndexError:
            y = 0
        return y
    """)
    assert [(f.property, f.status) for f in fs] == [("division-by-zero", "counterexample")]
    assert confirmed(fs[0]) == {"x": 0}


def test_raise_caught_continues_in_the_handler():
    assert verdicts("""
    def h(x: int) -> int:
        try:
            if x < 0:
                raise ValueError("negative")
            y = x
        except ValueError:
            y = 0
        assert y >= 0
        return y
    """) == [("assert", 9, "proved")]


def test_raise_not_caught_leaves_the_function():
    fs = findings("""
    def h(x: int) -> int:
        y = 5
        try:
            if x < 0:
                raise KeyError("negative")
        except ValueError:
            y = -1
        assert y == 5
        return y
    """)
    assert [(f.property, f.status) for f in fs] == [("assert", "proved")]


def test_raise_subclass_caught_by_its_base():
    fs = findings("""
    def h(x: int) -> int:
        y = 5
        try:
            if x == 3:
                raise KeyError("three")
        except LookupError:
            y = -1
        assert y == 5
        return y
    """)
    assert [(f.property, f.status) for f in fs] == [("assert", "counterexample")]
    assert confirmed(fs[0]) == {"x": 3}


def test_else_runs_only_without_an_exception():
    fs = findings("""
    def h(x: int) -> int:
        try:
            if x > 10:
                raise ValueError
        except ValueError:
            y = 1
        else:
            y = 2
        assert y == 2
        return y
    """)
    assert [(f.property, f.status) for f in fs] == [("assert", "counterexample")]
    assert confirmed(fs[0])["x"] > 10


def test_finally_runs_when_the_body_raises():
    fs = findings("""
    def k(x: int) -> int:
        try:
            if x < 0:
                raise ValueError("negative")
        finally:
            assert x >= 0
        return x
    """)
    assert [(f.property, f.status) for f in fs] == [("assert", "counterexample")]
    assert confirmed(fs[0])["x"] < 0


def test_finally_runs_before_a_return():
    fs = findings("""
    def r(x: int) -> int:
        try:
            return x
        finally:
            assert x > 0
    """)
    assert [(f.property, f.status) for f in fs] == [("assert", "counterexample")]
    assert confirmed(fs[0])["x"] <= 0


def test_return_value_passes_through_finally():
    assert verdicts("""
    def r(x: int) -> int:
        \"\"\"post: __return__ == x + 1\"\"\"
        y = 0
        try:
            return x + 1
        finally:
            y = 7
    """) == [("ensures", 3, "proved")]


def test_break_in_a_loop_from_a_handler_and_finally():
    assert verdicts("""
    def loop(n: int) -> int:
        i = 0
        s = 0
        while i < n:
            try:
                if i == 3:
                    raise ValueError
                s += 1
            except ValueError:
                break
            finally:
                i += 1
        assert s <= 3
        return s
    """) == [("assert", 14, "proved")]


def test_nested_try_outer_handler_catches_after_inner_finally():
    fs = findings("""
    def n(x: int) -> int:
        log = 0
        try:
            try:
                if x == 2:
                    raise IndexError
            except KeyError:
                log = 1
            finally:
                log = log + 10
        except LookupError:
            assert log != 10
        return log
    """)
    assert [(f.property, f.status) for f in fs] == [("assert", "counterexample")]
    assert confirmed(fs[0]) == {"x": 2}


def test_assertion_error_caught():
    assert verdicts("""
    def a(x: int) -> int:
        try:
            assert x > 0
            y = 1
        except AssertionError:
            y = 2
        assert 1 <= y <= 2 and (y == 1) == (x > 0)
        return y
    """) == [("assert", 8, "proved")]


def test_a_call_in_the_body_may_raise_into_the_handler():
    fs = findings("""
    def c(x: int) -> int:
        y = 1
        try:
            z = helper(x)
        except Exception:
            y = 0
        assert y == 1
        return y
    """, replay=False)
    assert [(f.property, f.status) for f in fs] == [("assert", "unknown")]


def test_a_same_file_call_that_raises_is_not_a_proof():
    fs = findings("""
    def check(x: int) -> int:
        if x < 0:
            raise ValueError
        return x

    def c(x: int) -> int:
        y = 1
        try:
            check(x)
        except ValueError:
            y = 0
        assert y == 1
        return y
    """, replay=False)
    assert [(f.function, f.property, f.status) for f in fs] == [("c", "assert", "unknown")]


def test_a_counterexample_past_a_call_in_the_body_is_still_found():
    fs = findings("""
    def double(x: int) -> int:
        return 2 * x

    def c(x: int) -> int:
        try:
            y = double(x)
        except ValueError:
            y = 0
        assert y != 6
        return y
    """)
    assert [(f.function, f.property, f.status) for f in fs] == [("c", "assert", "counterexample")]
    assert confirmed(fs[0]) == {"x": 3}


# ------------------------------------------------------------------ soundness on random code

_HANDLERS = ["IndexError", "LookupError", "ValueError", "ZeroDivisionError", "ArithmeticError",
             "Exception", "(KeyError, ZeroDivisionError)", "KeyError", ""]


def _stmt(rng, depth: int) -> list[str]:
    kind = rng.choice(["div", "index", "raise", "add", "try", "try", "ret"] if depth < 2
                      else ["div", "index", "raise", "add"])
    if kind == "div":
        return [f"c = c + a // {rng.choice(['b', 'b - 1', '(a - b)'])}"]
    if kind == "index":
        return [f"xs[{rng.choice(['a', 'b', '-a', 'c'])}] = 0"]
    if kind == "raise":
        return [f"if {rng.choice(['a > b', 'a == 2', 'c > 1'])}:",
                f"    raise {rng.choice(['ValueError', 'KeyError', 'IndexError', 'ZeroDivisionError'])}()"]
    if kind == "add":
        return [f"c = c + {rng.randint(1, 3)}"]
    if kind == "ret":
        return ["if a < 0:", f"    return c + {rng.randint(0, 2)}"]
    body = [ln for _ in range(rng.randint(1, 3)) for ln in _stmt(rng, depth + 1)]
    out = ["try:"] + ["    " + ln for ln in body]
    for h in sorted(rng.sample(_HANDLERS, rng.randint(0, 2)), key=lambda h: not h):
        out += [f"except {h}:" if h else "except:", f"    c = c + {rng.choice([10, 20])}"]
    if len(out) > 1 + len(body) and rng.random() < 0.3:
        out += ["else:", "    c = c + 100"]
    if len(out) == 1 + len(body) or rng.random() < 0.4:
        out += ["finally:", f"    c = c + {rng.choice([1000, 2000])}"]
    return out


STATS: collections.Counter = collections.Counter()


@pytest.mark.parametrize("seed", range(16))
def test_random_try_verdicts_are_sound(seed):
    import random
    rng = random.Random(seed)
    body = ["c = 0"] + [ln for _ in range(rng.randint(1, 3)) for ln in _stmt(rng, 0)]
    body.append(f"assert c != {rng.choice([10, 20, 1001, 1010, 1100, 2, 12, 1012])}")
    src = "def f(xs: list[int], a: int, b: int) -> int:\n" + "".join(
        f"    {ln}\n" for ln in body) + "    return c\n"
    fs = [f for f in findings(src, replay=False)
          if f.property in ("assert", "index", "division-by-zero")]
    ns: dict = {}
    exec(compile(src, "t.py", "exec"), ns)
    errors = {"assert": AssertionError, "index": IndexError,
              "division-by-zero": ZeroDivisionError}

    def escaped(xs, a, b):
        try:
            ns["f"](xs, a, b)
        except (AssertionError, IndexError, ZeroDivisionError) as exc:
            tb = exc.__traceback__
            while tb.tb_next is not None:
                tb = tb.tb_next
            return type(exc), tb.tb_lineno
        except Exception:
            return None
        return None
    runs = {escaped([0] * n, a, b) for n in range(4) for a in range(-4, 5) for b in range(-3, 4)}
    STATS.update(f.status for f in fs)
    for f in fs:
        if f.status == "proved":
            assert (errors[f.property], f.span.line) not in runs, (src, f.message)
        elif f.status == "counterexample":
            inputs = f.counterexample.inputs
            assert escaped([0] * inputs["xs"], inputs["a"], inputs["b"]) == (
                errors[f.property], f.span.line), (src, f.message)


def test_negative_shift_count_raises_value_error():
    fs = findings("""
    def s(x: int) -> int:
        y = 0
        try:
            y = 1 << x
        except ValueError:
            assert False
        return y
    """)
    assert [(f.property, f.status) for f in fs] == [("assert", "counterexample")]
    assert confirmed(fs[0])["x"] < 0


@pytest.mark.parametrize("body", ["xs.remove(v)", "i = xs.index(v)", "i = math.factorial(v)",
                                  "d.pop(v)", "q = pow(7, v, 5)"])
def test_library_calls_that_may_raise_reach_the_handler(body):
    fs = findings(f"""
    import math

    def r(v: int) -> int:
        xs = [1, 2]
        d = {{1: 2}}
        try:
            {body}
        except Exception:
            assert False
        return 0
    """, replay=False)
    assert [(f.property, f.status) for f in fs] == [("assert", "unknown")]


def test_range_with_a_zero_step_raises_value_error():
    fs = findings("""
    def z(k: int) -> int:
        n = 0
        try:
            for i in range(0, 10, k):
                n += 1
        except ValueError:
            n = -1
        assert n >= 0
        return n
    """)
    assert [(f.property, f.status) for f in fs] == [("assert", "counterexample")]
    assert confirmed(fs[0]) == {"k": 0}


def test_an_exception_while_iterating_an_unknown_iterable_leaves_the_loop():
    fs = findings("""
    def it(ys) -> int:
        n = 0
        try:
            for y in ys:
                n = 1
        except Exception:
            assert n == 0
        return n
    """, replay=False)
    assert [(f.property, f.status) for f in fs] == [("assert", "unknown")]
