"""The C frontend's IR, shape by shape (printed with analyses.irprint)."""
from __future__ import annotations

import os
import textwrap


from veriline.analyses import ir
from veriline.analyses.frontends.c_frontend import parse_c
from veriline.analyses.irprint import pretty

EXAMPLES = os.path.join(os.path.dirname(__file__), "..", "examples", "c")


def parse(src: str, **kw) -> ir.Program:
    return parse_c(textwrap.dedent(src), "t.c", **kw)


def body(src: str, name: str = "f", **kw) -> str:
    prog = parse(src, **kw)
    assert prog.errors == [], prog.errors
    return pretty(prog.functions[name].body)


def example(name: str) -> ir.Program:
    path = os.path.join(EXAMPLES, name)
    with open(path) as fh:
        prog = parse_c(fh.read(), path)
    assert prog.errors == []
    return prog


def lines(s: str) -> str:
    return textwrap.dedent(s).strip("\n")


# ---------------------------------------------------------------- the examples

def test_g2_loop_condition_and_spans():
    prog = example("subtract_loop.c")
    g2 = prog.functions["g2"]
    assert [p.name for p in g2.params] == ["x", "y"]
    assert g2.params[0].type == ir.C_INT and g2.ret is None and g2.language == "c"
    loop = g2.body[0]
    assert isinstance(loop, ir.While)
    int_x = ir.Var(name="x", type=ir.C_INT, span=ir.Span(12, 12, 12, 13))
    int_y = ir.Var(name="y", type=ir.C_INT, span=ir.Span(12, 16, 12, 17))
    assert loop.cond == ir.Binary(op="gt", left=int_x, right=int_y, type=ir.BOOL,
                                  span=ir.Span(12, 12, 12, 17))
    assert loop.span == ir.Span(12, 5, 13, 19)
    assign = loop.body[0]
    assert assign.target == "x" and assign.span == ir.Span(13, 9, 13, 19)
    assert pretty(assign.value) == "(sub:int x:int y:int)"
    assert g2.name_span == ir.Span(11, 6, 11, 8)
    assert g2.span == ir.Span(11, 1, 14, 2)
    assert g2.source.startswith("void g2(int x, int y) {") and g2.source.endswith("}")
    assert g2.locals == {"x": ir.C_INT, "y": ir.C_INT}


def test_count_up_for_loop_update():
    fn = example("unsigned_loop.c").functions["count_up"]
    assert pretty(fn.body) == lines("""
        steps = 0:unsigned int
        i = 0:unsigned int
        while (le i:unsigned int n:unsigned int):
          steps = (add:unsigned int steps:unsigned int 1:unsigned int)
        update:
          i = (add:unsigned int i:unsigned int 1:unsigned int)
        return steps:unsigned int""")
    assert fn.locals == {"n": ir.C_UINT, "steps": ir.C_UINT, "i": ir.C_UINT}


def test_commutes_ensures_and_bool_return():
    fn = example("commutes.c").functions["f"]
    assert fn.ret == ir.C_BOOL
    (ens,) = fn.ensures
    assert pretty(ens.expr) == "(eq (cast int __result__:_Bool) 1)"
    assert ens.text == "ensures \\result == true" and ens.origin == "acsl"
    assert ens.span == ir.Span(5, 5, 5, 28)
    assert pretty(fn.body) == ("return (cast _Bool (cast int (eq (add:unsigned int x:unsigned int"
                               " y:unsigned int) (add:unsigned int y:unsigned int "
                               "x:unsigned int))))")
    assert fn.span.line == 5   # the ACSL comment belongs to the definition


def test_midpoint_contracts():
    prog = example("midpoint.c")
    good = prog.functions["midpoint_good"]
    assert pretty(good.requires[0].expr) == \
        "(and (le 0 (cast int lo:int)) (le (cast int lo:int) (cast int hi:int)))"
    assert pretty(good.ensures[0].expr) == (
        "(and (le (cast int (old lo:int)) (cast int __result__:int)) "
        "(le (cast int __result__:int) (cast int (old hi:int))))")
    assert pretty(prog.functions["midpoint_bad"].body) == \
        "return (div:int (add:int lo:int hi:int) 2:int)"


def test_asserts_and_self_reference():
    clamp = example("asserts.c").functions["clamp"]
    first = clamp.body[0]
    assert isinstance(first, ir.Assert) and first.kind == "assert"
    assert pretty(first.cond) == "(le lo:int hi:int)" and first.message == "lo <= hi"
    h = example("self_reference.c").functions["h"]
    assert pretty(h.body) == lines("""
        if (cast bool (call:int terminates (unsupported:unsigned long 'function pointer h at line 6'))):
          while True:""")
    assert h.unsupported == [("function pointer h", ir.Span(6, 20, 6, 21))]


# ---------------------------------------------------------------- conversions

def test_integer_promotions_and_usual_conversions():
    out = body("""
        int f(unsigned char a, unsigned char b, int i, unsigned u, long l, short s) {
            int r = a + b;
            unsigned m = i * u;
            long q = l + u;
            r = a < b;
            r = s << l;
            r = -a;
            return r;
        }""")
    assert out == lines("""
        r = (add:int (cast int a:unsigned char) (cast int b:unsigned char))
        m = (mul:unsigned int (cast unsigned int i:int) u:unsigned int)
        q = (add:long l:long (cast long u:unsigned int))
        r = (cast int (lt (cast int a:unsigned char) (cast int b:unsigned char)))
        r = (shl:int (cast int s:short) l:long)
        r = (neg:int (cast int a:unsigned char))
        return r:int""")


def test_constant_types():
    prog = parse("""
        long f(void) { return 2147483648; }
        unsigned g(void) { return 0xFFFFFFFF; }
        int h(void) { return 'a' + 10UL + 07 + -1; }""")
    assert pretty(prog.functions["f"].body) == "return 2147483648:long"
    assert pretty(prog.functions["g"].body) == "return 4294967295:unsigned int"
    assert pretty(prog.functions["h"].body) == (
        "return (cast int (add:unsigned long (add:unsigned long (add:unsigned long "
        "97:unsigned long 10:unsigned long) 7:unsigned long) (cast unsigned long -1:int)))")


def test_compound_assignment_on_short_and_explicit_cast():
    out = body("""
        int f(short s, int x) {
            s += x;
            x = (unsigned char)x;
            return s;
        }""")
    assert out == lines("""
        s = (cast short (add:int (cast int s:short) x:int))
        x = (cast int (cast! unsigned char x:int))
        return (cast int s:short)""")


def test_ilp32_long_is_32_bits():
    prog = parse("long f(long a, unsigned b) { return a + b; }", data_model="ILP32")
    fn = prog.functions["f"]
    assert fn.params[0].type == ir.IntT(32, True, "long")
    assert pretty(fn.body) == \
        "return (cast long (add:unsigned long (cast unsigned long a:long) (cast unsigned long b:unsigned int)))"
    lp = parse("long f(long a, unsigned b) { return a + b; }").functions["f"]
    assert pretty(lp.body) == "return (add:long a:long (cast long b:unsigned int))"


# ---------------------------------------------------------------- side effects

def test_short_circuit_keeps_side_effects_conditional():
    out = body("""
        int f(int a, int x) {
            int y = a && (x++ > 0);
            return y;
        }""")
    assert out == lines("""
        sc$2 = 0:int
        if (cast bool a:int):
          old$1 = x:int
          x = (add:int x:int 1:int)
          sc$2 = (cast int (gt old$1:int 0:int))
        y = (cast int (cast bool sc$2:int))
        return y:int""")


def test_comma_and_pre_increment_and_call_order():
    out = body("""
        int g(int);
        int f(int x) {
            int z = (x = 3, ++x);
            return g(x) + (x = 5);
        }""")
    assert out == lines("""
        x = 3:int
        x = (add:int x:int 1:int)
        z = x:int
        tmp$1 = (call:int g x:int)
        x = 5:int
        return (add:int tmp$1:int x:int)""")


def test_while_condition_with_side_effects():
    out = body("""
        void f(int x) {
            while (x-- > 0) { if (x == 2) continue; }
        }""")
    assert out == lines("""
        while True:
          old$1 = x:int
          x = (sub:int x:int 1:int)
          if (not (gt old$1:int 0:int)):
            break
          if (eq x:int 2:int):
            continue""")


def test_do_while_and_for_with_continue():
    out = body("""
        int f(int y) {
            do { y--; } while (y > 10);
            for (int i = 0; i < 10; i += 2) { if (i == 4) continue; y += i; }
            { int y = 7; }
            int u;
            return y + u;
        }""")
    assert out == lines("""
        while do (gt y:int 10:int):
          y = (sub:int y:int 1:int)
        i = 0:int
        while (lt i:int 10:int):
          if (eq i:int 4:int):
            continue
          y = (add:int y:int i:int)
        update:
          i = (add:int i:int 2:int)
        y$1 = 7:int
        u = (nondet:int)
        return (add:int y:int u:int)""")
    fn = parse("int f(int y) { int u; return u; }").functions["f"]
    assert fn.body[0].value == ir.Nondet(type=ir.C_INT, label="uninit",
                                         span=ir.Span(1, 16, 1, 22))


def test_switch_without_and_with_fallthrough():
    out = body("""
        int f(int k) {
            int r = 0;
            switch (k) { case 1: case 2: r = 1; break; default: r = 3; break; case 3: r = 2; }
            switch (k) { case 1: r++; case 2: r++; break; }
            return r;
        }""")
    assert out == lines("""
        r = 0:int
        sw$1 = k:int
        if (or (eq sw$1:int 1:int) (eq sw$1:int 2:int)):
          r = 1:int
        else:
          if (eq sw$1:int 3:int):
            r = 2:int
          else:
            r = 3:int
        sw$2 = k:int
        ft$3 = 0:int
        if (or (cast bool ft$3:int) (eq sw$2:int 1:int)):
          r = (add:int r:int 1:int)
          ft$3 = 1:int
        if (or (cast bool ft$3:int) (eq sw$2:int 2:int)):
          r = (add:int r:int 1:int)
          ft$3 = 0:int
        return r:int""")


# ---------------------------------------------------------------- SV-COMP

def test_svcomp_main():
    prog = parse("""
        extern int __VERIFIER_nondet_int(void);
        extern void __VERIFIER_assume(int);
        void reach_error(void);
        int main(void) {
            int x = __VERIFIER_nondet_int();
            unsigned char c = __VERIFIER_nondet_uchar();
            __VERIFIER_assume(x > 0 && x < 100);
            if (x + c > 400) reach_error();
            if (x == 0) abort();
            return 0;
        }""")
    fn = prog.functions["main"]
    assert pretty(fn.body) == lines("""
        x = (nondet:int)
        c = (nondet:unsigned char)
        assume (and (gt x:int 0:int) (lt x:int 100:int))
        if (gt (add:int x:int (cast int c:unsigned char)) 400:int):
          assert[reach_error] False
        if (eq x:int 0:int):
          halt 'abort'
        return 0:int""")
    assert fn.params == [] and fn.ret == ir.C_INT


def test_globals_and_static_locals():
    prog = parse("""
        #include <limits.h>
        int g = INT_MAX - 1;
        unsigned counter;
        int arr[3];
        int f(void) { static int calls = 2; calls++; return g; }""")
    assert prog.globals == {"g": ir.C_INT, "counter": ir.C_UINT, "f$calls": ir.C_INT}
    assert prog.global_init == {"g": 2147483646, "counter": 0, "f$calls": 2}
    assert pretty(prog.functions["f"].body) == lines("""
        f$calls = (add:int f$calls:int 1:int)
        return g:int""")


# ---------------------------------------------------------------- ACSL

def test_acsl_implies_old_chained_and_macros():
    prog = parse("""
        #include <limits.h>
        #define LIMIT 100
        /*@ requires x > INT_MIN && x < LIMIT;
            ensures \\result >= 0 ==> \\result == x || \\result == -x;
            ensures 0 <= \\result <= INT_MAX;
            ensures \\result == \\old(x);
            assigns \\nothing;
         */
        int f(int x) {
            /*@ loop invariant 0 <= x;
                loop variant x; */
            while (x > 0) x--;
            return x;
        }""")
    assert prog.errors == []
    fn = prog.functions["f"]
    assert [pretty(c) for c in fn.requires] == [
        "(and (gt (cast int x:int) (sub -2147483647 1)) (lt (cast int x:int) 100))"]
    assert [pretty(c) for c in fn.ensures] == [
        "(implies (ge (cast int __result__:int) 0) (or (eq (cast int __result__:int) "
        "(cast int (old x:int))) (eq (cast int __result__:int) (neg (cast int (old x:int))))))",
        "(and (le 0 (cast int __result__:int)) (le (cast int __result__:int) 2147483647))",
        "(eq (cast int __result__:int) (old (cast int x:int)))"]
    assert fn.requires[0].span == ir.Span(4, 5, 4, 38)
    assert fn.requires[0].text == "requires x > INT_MIN && x < LIMIT"
    loop = fn.body[0]
    assert [pretty(c) for c in loop.invariants] == ["(le 0 (cast int x:int))"]
    assert pretty(loop.variant.expr) == "(cast int x:int)"
    assert loop.invariants[0].span.line == 11


def test_acsl_error_is_reported_and_rest_still_works():
    prog = parse("""
        /*@ requires x >> ; */
        int f(int x) { return x; }
        //@ ensures \\result == 1;
        int g(void) { return 1; }""")
    assert len(prog.errors) == 1
    assert prog.errors[0].message.startswith("ACSL:")
    assert prog.errors[0].span.line == 2
    assert prog.functions["f"].requires == []
    assert pretty(prog.functions["g"].ensures[0]) == "(eq (cast int __result__:int) 1)"


def test_acsl_statement_assert():
    out = body("""
        int f(int x) {
            x = 1;
            //@ assert x == 1;
            return x;
        }""")
    assert out == "x = 1:int\nassert (eq (cast int x:int) 1)\nreturn x:int"


# ---------------------------------------------------------------- outside the subset

def test_pointers_and_arrays_are_unsupported_with_lines():
    prog = parse("""
        int a[3];
        int f(int *q, int x) {
            int *p = &x;
            *p = 1;
            a[1] = 2;
            return a[0] + *q;
        }""")
    fn = prog.functions["f"]
    assert [p.name for p in fn.params] == ["x"]
    assert ("parameter q of type int *", ir.Span(3, 7, 3, 13)) in fn.unsupported
    assert pretty(fn.body) == lines("""
        havoc [x] 'assignment to memory at line 5'
        assert[bounds] (and (le 0 (cast int 1:int)) (le (cast int 1:int) 2))
        havoc [x] 'assignment to array element at line 6'
        assert[bounds] (and (le 0 (cast int 0:int)) (le (cast int 0:int) 2))
        return (add:int (unsupported:int 'array access at line 7') """
        """(unsupported:int 'pointer dereference at line 7'))""")
    assert [(r.split(";")[0], s.line) for r, s in fn.bounds_unknown] == [
        ("size of the object p points to is unknown (a local pointer)", 5),
        ("size of the object q points to is unknown", 7)]
    whats = [w for w, _ in fn.unsupported]
    assert "local p of type int *" in whats and "address of x" in whats


def test_goto_and_floats_do_not_crash():
    prog = parse("""
        double d(double x) { return x * 2; }
        int f(int x) { L: x++; if (x < 3) goto L; return (int)1.5; }""")
    assert prog.errors == []
    f = prog.functions["f"]
    assert any(w.startswith("goto L") for w, _ in f.unsupported)
    assert "d" in prog.functions and prog.functions["d"].ret is None


# ---------------------------------------------------------------- errors, suppressions

def test_syntax_error_recovery_keeps_good_functions():
    prog = parse("""
        int good1(int a) { return a + 1; }

        int broken(int a) {
            int b = a +;
            return b
        }

        int good2(int a) { return a - 1; }""")
    assert len(prog.errors) == 1
    assert prog.errors[0].span.line == 5
    assert sorted(prog.functions) == ["good1", "good2"]
    assert pretty(prog.functions["good2"].body) == "return (sub:int a:int 1:int)"


def test_unknown_include_is_reported_and_file_still_parsed():
    prog = parse("""
        #include <nonexistent.h>
        #include <limits.h>
        int f(void) { return INT_MAX; }""")
    assert len(prog.errors) == 1
    assert "nonexistent.h" in prog.errors[0].message and prog.errors[0].span.line == 2
    assert pretty(prog.functions["f"].body) == "return 2147483647:int"


def test_suppression_comments():
    prog = parse("""
        int f(int a) {
            return a + 1; // veriline: ignore[overflow]
        }
        // veriline: ignore
        int g(int a) {   /* veriline: ignore[overflow, termination] */

            return a;
        }""")
    assert prog.suppressions == {3: {"overflow"}, 6: {"*", "overflow", "termination"}}


def test_columns_exact_with_tabs_and_comments():
    prog = parse("int f(int x) {\n\treturn  /* c */ x\t+ 1;\n}\n")
    ret = prog.functions["f"].body[0]
    assert ret.value.span == ir.Span(2, 18, 2, 23)
    assert ret.value.left.span == ir.Span(2, 18, 2, 19)


def test_exception_in_one_function_is_contained(monkeypatch):
    from veriline.analyses.frontends import c_stmt
    real = c_stmt.StmtLowerer.s_Return

    def boom(self, node):
        if self.fn_name == "bad":
            raise ValueError("boom")
        return real(self, node)

    monkeypatch.setattr(c_stmt.StmtLowerer, "s_Return", boom)
    prog = parse("int bad(void) { return 1; }\nint ok(void) { return 2; }")
    assert pretty(prog.functions["ok"].body) == "return 2:int"
    assert any("boom" in w for w, _ in prog.functions["bad"].unsupported)


def test_switch_with_nested_break_and_continue_uses_wrapper_loop():
    out = body("""
        void f(int n) {
            for (int k = 0; k < 3; k++) {
                switch (k) { case 0: if (n) break; continue; default: n--; }
            }
        }""")
    assert out == lines("""
        k = 0:int
        while (lt k:int 3:int):
          sw$1 = k:int
          cont$3 = 0:int
          while do False:
            ft$2 = 0:int
            if (or (cast bool ft$2:int) (eq sw$1:int 0:int)):
              if (cast bool n:int):
                break
              cont$3 = 1:int
              break
              ft$2 = 0:int
            if (or (cast bool ft$2:int) (ne sw$1:int 0:int)):
              n = (sub:int n:int 1:int)
              ft$2 = 1:int
          if (cast bool cont$3:int):
            continue
        update:
          k = (add:int k:int 1:int)""")


def test_do_while_condition_with_side_effects_goes_to_update():
    out = body("""
        void f(int x) {
            do { x += 2; } while (--x > 0);
        }""")
    assert out == lines("""
        while do (cast bool dwc$1:int):
          x = (add:int x:int 2:int)
        update:
          x = (sub:int x:int 1:int)
          dwc$1 = (cast int (gt x:int 0:int))""")


def test_builtins_halts_nondet_and_ternary_with_effects():
    out = body("""
        #include <stdlib.h>
        #include <stdbool.h>
        void __assert_fail(const char *, const char *, unsigned int, const char *);
        long f(int x) {
            long l = __VERIFIER_nondet_long();
            bool b = __VERIFIER_nondet_bool();
            if (b) __assert_fail("x", "t.c", 3, "f");
            if (l < 0) exit(1);
            x = b ? x++ : 0;
            return l;
        }""")
    assert out == lines("""
        l = (nondet:long)
        b = (nondet:_Bool)
        if (cast bool b:_Bool):
          assert False
        if (lt l:long 0:long):
          halt 'exit'
        if (cast bool b:_Bool):
          old$1 = x:int
          x = (add:int x:int 1:int)
          ite$2 = old$1:int
        else:
          ite$2 = 0:int
        x = ite$2:int
        return l:long""")


def test_extern_global_has_no_initial_value_and_for_loop_annotation():
    prog = parse("""
        extern int limit;
        int f(int n) {
            int s = 0;
            //@ loop invariant 0 <= i <= n;
            for (int i = 0; i < n; i++) s += limit;
            return s;
        }""")
    assert prog.globals == {"limit": ir.C_INT} and prog.global_init == {}
    loop = prog.functions["f"].body[2]
    assert [pretty(c) for c in loop.invariants] == [
        "(and (le 0 (cast int i:int)) (le (cast int i:int) (cast int n:int)))"]
    assert loop.invariants[0].text == "loop invariant 0 <= i <= n"
    assert pretty(loop.body) == "s = (add:int s:int limit:int)"


def test_call_passing_address_havocs_the_variable():
    out = body("""
        void set(int *p);
        int f(void) {
            int x = 0;
            set(&x);
            return x;
        }""")
    assert out == lines("""
        x = 0:int
        (call:int set (unsupported:unsigned long 'address of x at line 5'))
        havoc [x] 'call set may write through a pointer at line 5'
        return x:int""")


def test_without_gcc_directives_are_dropped(monkeypatch):
    from veriline.analyses.frontends import c_preprocess
    monkeypatch.setattr(c_preprocess.shutil, "which", lambda name: None)
    prog = parse("#include <limits.h>\nint f(int x) {\n  return x + 1;\n}\n")
    assert [e.message for e in prog.errors] == [
        "gcc not found: file parsed without preprocessing (#include/#define ignored)"]
    assert pretty(prog.functions["f"].body) == "return (add:int x:int 1:int)"
    assert prog.functions["f"].body[0].value.span == ir.Span(3, 10, 3, 15)
