"""Exact IR shapes produced by the Python frontend (analyses/frontends/python_frontend.py)."""
from __future__ import annotations

import os
import textwrap

from veriline.analyses import ir
from veriline.analyses.frontends.python_frontend import parse_python
from veriline.analyses.irprint import pretty

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "examples", "python")


def parse(src: str) -> ir.Program:
    return parse_python(textwrap.dedent(src), "t.py")


def fn_text(src: str, name: str) -> str:
    return pretty(parse(src).functions[name])


def example(name: str) -> ir.Program:
    path = os.path.join(EXAMPLES, name)
    with open(path) as fh:
        return parse_python(fh.read(), path)


# --------------------------------------------------------------------------- examples

def test_subtract_loop_example():
    p = example("subtract_loop.py")
    g2 = p.functions["g2"]
    assert [(q.name, q.type) for q in g2.params] == [("x", ir.MATH_INT), ("y", ir.MATH_INT)]
    assert g2.ret is None and g2.language == "python"
    loop = g2.body[0]
    assert isinstance(loop, ir.While) and not loop.range_loop
    assert loop.cond == ir.Binary(op="gt", type=ir.BOOL, span=ir.Span(11, 11, 11, 16),
                                  left=ir.Var(name="x", span=ir.Span(11, 11, 11, 12)),
                                  right=ir.Var(name="y", span=ir.Span(11, 15, 11, 16)))
    assert loop.span == ir.Span(11, 5, 12, 18)
    assert pretty(loop.body) == "x = (sub x y)"
    assert loop.body[0].value.span == ir.Span(12, 13, 12, 18)
    assert g2.span == ir.Span(9, 1, 12, 18) and g2.name_span == ir.Span(9, 5, 9, 7)
    assert g2.source.startswith("def g2(x: int, y: int) -> None:") and g2.source.endswith("x - y")
    assert pretty(p.functions["g"]) == textwrap.dedent("""\
        def g(x, y) -> None:
          assert (and True True)
          if (gt y 0):
            while (gt x y):
              x = (sub x y)""")
    assert p.errors == [] and p.functions["g"].unsupported == []


def test_commutes_example():
    f = example("commutes.py").functions["f"]
    assert f.ret == ir.IntT(None, True, "bool")
    assert pretty(f) == textwrap.dedent("""\
        def f(x, y) -> bool:
          ensures (cast bool __result__:bool)
          return (cast int (eq (add x y) (add y x)))""")
    (post,) = f.ensures
    assert (post.origin, post.text, post.span) == ("pep316", "__return__", ir.Span(4, 11, 4, 21))


def test_contracts_example():
    p = example("contracts.py")
    assert list(p.functions) == ["my_abs", "clamp", "safe_div", "countdown", "average"]
    assert pretty(p.functions["my_abs"]) == textwrap.dedent("""\
        def my_abs(x) -> int:
          ensures (ge __result__ 0)
          return (ite (gt x 0) x x)""")
    clamp = p.functions["clamp"]
    assert pretty(clamp).splitlines()[:3] == [
        "def clamp(v, lo, hi) -> int:", "  requires (le lo hi)",
        "  ensures (and (le (old lo) __result__) (le __result__ (old hi)))"]
    assert [c.origin for c in clamp.requires + clamp.ensures] == ["icontract", "icontract"]
    assert clamp.ensures[0].text == "lo <= result <= hi"
    assert clamp.span.line == 11 and clamp.name_span == ir.Span(13, 5, 13, 10)
    assert clamp.source.startswith("@icontract.require")
    assert pretty(p.functions["safe_div"].body) == "assert (ne b 0)\nreturn (floordiv a b)"
    assert pretty(p.functions["countdown"].body) == textwrap.dedent("""\
        if (le n 0):
          return 0
        return (add 1 (call countdown (sub n 1)))""")


def test_self_reference_example():
    p = example("self_reference.py")
    t, h = p.functions["terminates"], p.functions["h"]
    assert t.unsupported == [("parameter fn of type Callable[[], None]", ir.Span(4, 16, 4, 18))]
    assert pretty(t.body) == "halt 'raise NotImplementedError'"
    assert pretty(h.body) == textwrap.dedent("""\
        if (cast bool (call:bool terminates (unsupported 'name h at line 10'))):
          while True:""")


# --------------------------------------------------------------------------- expressions

def test_floor_ops_power_and_bit_ops():
    src = """
    def f(a: int, b: int) -> int:
        return a // b + a % b - (a & b | a ^ b) + (a << 2 >> b) + ~a + -a + a ** 3 + 2 ** 10
    """
    assert pretty(parse(src).functions["f"].body) == (
        "return (add (add (add (add (add (sub (add (floordiv a b) (floormod a b)) "
        "(bor (band a b) (bxor a b))) (shr (shl a 2) b)) (bnot a)) (neg a)) "
        "(mul (mul a a) a)) 1024)")


def test_chained_comparison_and_call_hoisting():
    src = """
    def f(a, b, c):
        return a <= b < c
    def g(a, c):
        if a < f(a, a, c) < c:
            return 1
        return 0
    """
    p = parse(src)
    assert pretty(p.functions["f"].body) == "return (cast int (and (le a b) (lt b c)))"
    assert pretty(p.functions["g"].body) == textwrap.dedent("""\
        $t1 = (call f a a c)
        if (and (lt a $t1) (lt $t1 c)):
          return 1
        return 0""")
    assert p.functions["g"].locals["$t1"] == ir.MATH_INT


def test_and_or_values_and_conditions():
    src = """
    def f(a, b):
        v = a and b
        w = a or b
        if a and not b:
            return v
        return w if a > 0 else max(a, b, 0) + min(a, b) + abs(a)
    """
    assert pretty(parse(src).functions["f"].body) == textwrap.dedent("""\
        v = (ite (cast bool a) b a)
        w = (ite (cast bool a) a b)
        if (and (cast bool a) (not (cast bool b))):
          return v
        return (ite (gt a 0) w (add (add (ite (gt 0 (ite (gt b a) b a)) 0 (ite (gt b a) b a)) (ite (lt b a) b a)) (ite (ge a 0) a (neg a))))""")


def test_calls_keywords_defaults_methods_and_externals():
    src = """
    import math
    def f(x: int, y: int = 2) -> int:
        return x + y
    class K:
        def m(self, x):
            return self.n(x) + K.s(x) + f(y=1, x=x) + f(x) + math.floor(x)
        def n(self, x):
            return x
        @staticmethod
        def s(x):
            return x
    """
    p = parse(src)
    assert list(p.functions) == ["f", "K.m", "K.n", "K.s"]
    m = p.functions["K.m"]
    assert m.name == m.qualname == "K.m" and [q.name for q in m.params] == ["x"]
    # math.floor is no function of the file: its result is of unknown type (python_opaque),
    # so the sum is an unknown value once every call has run
    assert pretty(m.body) == ("return (add (mul (add (add (add (add (call K.n x) (call K.s x)) "
                              "(call f x 1)) (call f x 2)) (call math.floor x)) 0) "
                              "(unsupported 'the result of `math.floor` (of unknown type)'))")


def test_unsupported_constructs_are_recorded_with_line():
    src = """
    def f(a: int, b: int, s: str):
        c = a / b
        xs = [1, 2]
        t = s
        return c
    """
    f = parse(src).functions["f"]
    assert pretty(f.body) == textwrap.dedent("""\
        assume (ge s 0)
        len(s) = s
        $o_c = 0
        $o_c = 1
        c = (unsupported 'float division at line 3')
        xs = 0
        len(xs) = 2
        t = 0
        len(t) = len(s)
        return c""")
    assert f.unsupported == [("parameter s of type str", ir.Span(2, 23, 2, 24)),
                             ("float division at line 3", ir.Span(3, 9, 3, 14)),
                             ("list display at line 4", ir.Span(4, 10, 4, 16))]


def test_unsupported_statements_keep_their_bodies():
    src = """
    def f(xs):
        try:
            z = 1
            return z
        except ValueError as e:
            z = 2
        for q in xs:
            z += q
        xs.attr = 3
        return z
    """
    f = parse(src).functions["f"]
    # e, q and z may hold values of unknown type: each has a flag $o_ (python_opaque)
    opaque_sum = ("(ite (or (ne $o_z 0) (ne $o_q 0)) (add (mul (add z q) 0) (unsupported "
                  "'an element of the parameter xs at line 8')) (add z q))")
    assert pretty(f.body) == textwrap.dedent("""\
        $o_e = 0
        $o_q = 0
        $o_z = 0
        if True:
          $exc = 0
          $o_z = 0
          z = 1
          return z
          if (eq $exc 1):
            $exc = 0
            $o_e = 1
            e = (unsupported 'the exception object e')
            $o_z = 0
            z = 2
        $idx1 = 0
        havoc [$len2] 'the length of the parameter xs at line 8'
        while range (lt $idx1 $len2):
          $o_q = 1
          q = (unsupported 'an element of the parameter xs at line 8')
          $idx1 = (add $idx1 1)
          $o_z = (ite (or (ne $o_z 0) (ne $o_q 0)) 1 0)
          z = SUM
        havoc [xs] 'assignment to an attribute at line 10'
        return z""").replace("SUM", opaque_sum)     # the for loop: finite assuming xs is (python_assumed_iterables)
    assert [w for w, _ in f.unsupported] == ["the length of the parameter xs at line 8",
                                             "an element of the parameter xs at line 8",
                                             "assignment to an attribute at line 10"]
    assert f.assumptions[-1] == "the iterable xs is finite (yields finitely many items)"


# --------------------------------------------------------------------------- statements

def test_range_loops_positive_negative_symbolic_and_zero_step():
    src = """
    def f(n: int, s: int) -> int:
        t = 0
        for i in range(n):
            t += i
        for j in range(10, 0, -2):
            t -= j
        for k in range(0, n, s):
            if k > 5:
                continue
            t = t + k
        else:
            t = -t
        for z in range(1, 2, 0):
            pass
        return t
    """
    f = parse(src).functions["f"]
    assert pretty(f.body) == textwrap.dedent("""\
        t = 0
        $cur1 = 0
        $stop2 = n
        while range (lt $cur1 $stop2):
          i = $cur1
          $cur1 = (add $cur1 1)
          t = (add t i)
        $cur3 = 10
        $stop4 = 0
        while range (gt $cur3 $stop4):
          j = $cur3
          $cur3 = (add $cur3 -2)
          t = (sub t j)
        $broke5 = 0
        $cur6 = 0
        $stop7 = n
        $step8 = s
        if (eq $step8 0):
          halt 'raise ValueError'
        while range (or (and (gt $step8 0) (lt $cur6 $stop7)) (and (lt $step8 0) (gt $cur6 $stop7))):
          k = $cur6
          $cur6 = (add $cur6 $step8)
          if (gt k 5):
            continue
          t = (add t k)
        if (eq $broke5 0):
          t = (neg t)
        $cur9 = 1
        $stop10 = 2
        halt 'raise ValueError'
        return t""")
    assert set(f.locals) == {"n", "s", "t", "i", "j", "k", "z", "$cur1", "$stop2", "$cur3",
                             "$stop4", "$broke5", "$cur6", "$stop7", "$step8", "$cur9",
                             "$stop10"}


def test_while_else_break_flag_and_tuple_swap():
    src = """
    def f(x, y):
        while x > 0:
            x -= 1
            if x == 3:
                break
        else:
            return -1
        x, y = y, x
        return x
    """
    assert pretty(parse(src).functions["f"].body) == textwrap.dedent("""\
        $broke1 = 0
        while (gt x 0):
          x = (sub x 1)
          if (eq x 3):
            $broke1 = 1
            break
        if (eq $broke1 0):
          return -1
        $t2 = y
        $t3 = x
        x = $t2
        y = $t3
        return x""")


def test_assert_raise_and_expression_statements():
    src = """
    def f(x):
        assert x > 0, "positive"
        if x > 10:
            raise ValueError("too big")
        print(x)
    """
    f = parse(src).functions["f"]
    assert f.ret is None
    assert pretty(f.body) == textwrap.dedent("""\
        assert (gt x 0)
        if (gt x 10):
          halt 'raise ValueError'
        (call print x)""")
    assert f.body[0].message == "positive" and f.body[0].kind == "assert"


# --------------------------------------------------------------------------- parameters

def test_bool_and_fixed_width_params():
    src = """
    import numpy as np
    import ctypes
    def f(b: bool, n: np.int8, u: numpy.uint16, c: ctypes.c_long) -> np.int8:
        if b:
            return n + 1
        return n
    """
    f = parse(src).functions["f"]
    assert [q.type for q in f.params] == [ir.IntT(None, True, "bool"), ir.IntT(8, True, "np.int8"),
                                          ir.IntT(16, False, "np.uint16"),
                                          ir.IntT(64, True, "ctypes.c_long")]
    assert f.ret == ir.IntT(8, True, "np.int8")
    assert pretty(f.body) == textwrap.dedent("""\
        assume (and (le 0 b:bool) (le b:bool 1))
        if (cast bool b:bool):
          return (add:np.int8 n:np.int8 1:np.int8)
        return n:np.int8""")
    assert f.unsupported == []


# --------------------------------------------------------------------------- contracts

def test_pep316_block_form_old_and_spans():
    src = '''
    LIMIT = 10
    def f(x: int, y: int) -> int:
        """Doc.

        pre: x > 0
        pre:
            y > 0
            y < LIMIT
        post: __return__ == __old__.x + y
        """
        x = x + y
        return x
    '''
    f = parse(src).functions["f"]
    assert [(c.text, c.span) for c in f.requires] == [
        ("x > 0", ir.Span(6, 10, 6, 15)), ("y > 0", ir.Span(8, 9, 8, 14)),
        ("y < LIMIT", ir.Span(9, 9, 9, 18))]
    assert [pretty(c) for c in f.requires] == ["(gt x 0)", "(gt y 0)", "(lt y 10)"]
    (post,) = f.ensures
    assert pretty(post) == "(eq __result__ (add (old x) (old y)))"
    assert post.origin == "pep316" and post.expr.left.span == ir.Span(10, 11, 10, 21)


def test_icontract_spellings():
    src = """
    from icontract import require, ensure
    @ensure(lambda result, a, OLD: result > OLD.a)
    @require(lambda a, b: a < b, "a below b")
    def f(a: int, b: int) -> int:
        a = a + 1
        return b
    """
    f = parse(src).functions["f"]
    assert [pretty(c) for c in f.requires] == ["(lt a b)"]
    assert [pretty(c) for c in f.ensures] == ["(gt __result__ (old a))"]
    assert f.ensures[0].span == ir.Span(3, 2, 3, 47) and f.ensures[0].origin == "icontract"


def test_deal_spellings():
    src = """
    import deal
    @deal.pre(lambda x: x > 0)
    @deal.post(lambda r: r >= 0)
    @deal.ensure(lambda x, result: result == x)
    def f(x):
        return x
    """
    f = parse(src).functions["f"]
    assert [pretty(c) for c in f.requires] == ["(gt x 0)"]
    assert [pretty(c) for c in f.ensures] == ["(ge __result__ 0)", "(eq __result__ (old x))"]
    assert {c.origin for c in f.requires + f.ensures} == {"deal"}


# --------------------------------------------------------------------------- files

def test_syntax_error_recovery_keeps_good_functions():
    src = "def good(x: int) -> int:\n    return x + 1\n\n\ndef broken(x):\n    return x +\n\n\ndef also(y):\n    return y\n"
    p = parse_python(src, "t.py")
    assert list(p.functions) == ["good", "also"]
    (err,) = p.errors
    assert err.span.line == 6 and err.message.startswith("syntax error")
    assert p.functions["also"].span == ir.Span(9, 1, 10, 13)


def test_suppressions():
    src = textwrap.dedent("""\
        def f(x):
            y = x + 1  # veriline: ignore[overflow, termination]

            # veriline: ignore

            while x:
                x -= 1
        """)
    assert parse_python(src, "t.py").suppressions == {2: {"overflow", "termination"}, 6: {"*"}}


def test_internal_errors_never_escape():
    p = parse("def f(x):\n    return x\n\ndef g(:\n")
    assert "f" in p.functions and len(p.errors) == 1
