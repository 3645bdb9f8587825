"""Closed programs (SV-COMP style): a C file with `main`, or `--entry NAME`, judges the
functions it reaches in the contexts main can produce; libraries stay modular."""
import json
import subprocess
import sys
import textwrap

from veriline.analyses.api import Options, analyze_source
from veriline.analyses.judgement import judgement_mode

OPTS = Options(analyses=frozenset({"contract", "overflow"}))
NONDET = "extern int __VERIFIER_nondet_int(void);\n"


def overflow(text, function, path="t.c", entries=()):
    rep = analyze_source(NONDET + textwrap.dedent(text) if path.endswith(".c")
                         else textwrap.dedent(text), path,
                         Options(analyses=OPTS.analyses, entries=tuple(entries)))
    return [f for f in rep.findings if f.function == function and f.kind == "overflow"]


def test_negation_of_int_min_unreachable_from_main():
    fs = overflow('''
        int g(int x) {
            return -x;
        }
        int main(void) {
            int x = __VERIFIER_nondet_int();
            if (x >= 0) {
                g(x);
            }
            return 0;
        }
    ''', "g")
    assert [(f.status, f.details["judgement"]) for f in fs] == [("proved", "entry")]
    assert fs[0].message == "no signed overflow in `-x` (for the inputs reachable from main)"


def test_recursive_is_odd_from_nonnegative_main():
    fs = overflow('''
        int isOdd(int n) {
            if (n == 0) {
                return 0;
            } else if (n == 1) {
                return 1;
            } else {
                return isOdd(n - 2);
            }
        }
        int main(void) {
            int n = __VERIFIER_nondet_int();
            if (n < 0) {
                return 0;
            }
            return isOdd(n);
        }
    ''', "isOdd")
    assert [(f.status, f.details["judgement"]) for f in fs] == [("proved", "entry")]


def test_recursive_is_odd_from_any_int_is_still_a_counterexample():
    fs = overflow('''
        int isOdd(int n) {
            if (n == 0) {
                return 0;
            } else if (n == 1) {
                return 1;
            } else {
                return isOdd(n - 2);
            }
        }
        int main(void) {
            int n = __VERIFIER_nondet_int();
            return isOdd(n);
        }
    ''', "isOdd")
    assert [f.status for f in fs] == ["counterexample"]
    f = fs[0]
    assert f.counterexample.inputs == {"n": -2147483648}
    assert f.details["via"] == "main() with nondet values -2147483648"


def test_addition_of_two_ints_widened_to_long_long():
    fs = overflow('''
        long long addition(long long m, long long n) {
            return m + n;
        }
        int main(void) {
            int m = __VERIFIER_nondet_int();
            int n = __VERIFIER_nondet_int();
            long long result = addition(m, n);
            return result > 0;
        }
    ''', "addition")
    assert [(f.status, f.details["judgement"]) for f in fs] == [("proved", "entry")]


def test_main_really_reaches_the_overflow():
    fs = overflow('''
        int g(int x) {
            return x + 1;
        }
        int main(void) {
            int x = __VERIFIER_nondet_int();
            if (x > 100) {
                g(x);
            }
            return 0;
        }
    ''', "g")
    assert [f.status for f in fs] == ["counterexample"]
    f = fs[0]
    assert f.counterexample.inputs == {"x": 2147483647}
    assert f.details == {"judgement": "entry", "via": "main() with nondet values 2147483647"}
    assert f.message == ("int overflow in `x + 1`: g(2147483647) (left = 2147483647, "
                         "right = 1) (reached from main() with nondet values 2147483647)")


def test_chain_through_a_static_helper():
    fs = overflow('''
        static int twice(int x) {
            return 2 * x;
        }
        int outer(int y) {
            return twice(y);
        }
        int main(void) {
            int y = __VERIFIER_nondet_int();
            if (y < 1000 && y > -1000) {
                return outer(y);
            }
            return 0;
        }
    ''', "twice")
    assert [(f.status, f.details["judgement"]) for f in fs] == [("proved", "entry")]


def test_library_without_main_stays_modular_static_is_judged_in_callers():
    text = '''
        static int twice(int x) {
            return 2 * x;
        }
        int small(int y) {
            if (y < 1000 && y > -1000) {
                return twice(y);
            }
            return 0;
        }
        int inc(int x) {
            return x + 1;
        }
    '''
    tw = overflow(text, "twice")
    assert [(f.status, f.details["judgement"]) for f in tw] == [("proved", "callers")]
    inc = overflow(text, "inc")
    assert [(f.status, f.details["judgement"]) for f in inc] == [("counterexample", "modular")]
    assert inc[0].counterexample.inputs == {"x": 2147483647}


def test_function_not_reachable_from_main_stays_modular():
    fs = overflow('''
        int unused(int x) {
            return x + 1;
        }
        int main(void) {
            return 0;
        }
    ''', "unused")
    assert [(f.status, f.details["judgement"]) for f in fs] == [("counterexample", "modular")]


MUTUAL = '''
    int isEven(int n);
    int isOdd(int n) {
        if (n == 0) return 0;
        return isEven(n - 1);
    }
    int isEven(int n) {
        if (n == 0) return 1;
        return isOdd(n - 1);
    }
    int main(void) {
        int n = __VERIFIER_nondet_int();
        %s
        return isEven(n);
    }
'''


def test_mutual_recursion_from_nonnegative_main():
    text = MUTUAL % "if (n < 0) return 0;"
    for fn in ("isEven", "isOdd"):
        fs = overflow(text, fn)
        assert [(f.status, f.details["judgement"]) for f in fs] == [("proved", "entry")], fn


def test_mutual_recursion_from_any_int():
    text = MUTUAL % ""
    even = overflow(text, "isEven")
    assert [f.status for f in even] == ["counterexample"]
    assert even[0].counterexample.inputs == {"n": -2147483648}
    assert even[0].details["via"] == "main() with nondet values -2147483648"
    odd = overflow(text, "isOdd")          # entered only through isEven: not re-run from main
    assert [(f.status, f.details["judgement"]) for f in odd] == [("unknown", "entry")]
    assert "no call from outside its recursion" in odd[0].reason


def test_python_entry_points():
    text = '''
        def step(x: int) -> int:
            return 10 // x

        def run(k: int) -> int:
            if k > 0:
                return step(k)
            return 0
    '''
    modular = overflow(text, "step", path="t.py")
    assert [(f.status, f.details["judgement"]) for f in modular] == [
        ("counterexample", "modular")]
    closed = overflow(text, "step", path="t.py", entries=["run"])
    assert [(f.status, f.details["judgement"]) for f in closed] == [("proved", "entry")]


def test_judgement_modes():
    from veriline.analyses.api import parse
    prog = parse(textwrap.dedent('''
        static int helper(int x) { return x; }
        static int unused_helper(int x) { return x; }
        int api(int x) { return helper(x); }
    '''), "lib.c")
    assert judgement_mode(prog, "helper") == "callers"
    assert judgement_mode(prog, "unused_helper") == "modular"
    assert judgement_mode(prog, "api") == "modular"
    assert judgement_mode(prog, "helper", ("api",)) == "entry"
    assert judgement_mode(prog, "api", ("api",)) == "entry"


def test_cli_entry_flag(tmp_path):
    src = tmp_path / "m.py"
    src.write_text("def step(x: int) -> int:\n    return 10 // x\n\n\n"
                   "def run(k: int) -> int:\n    return step(k) if k > 0 else 0\n")
    cmd = [sys.executable, "-m", "veriline", "check", "--no-cache", "--format", "json",
           "--analyses", "overflow", str(src)]
    out = subprocess.run(cmd, capture_output=True, text=True)
    assert out.returncode == 1
    out = subprocess.run(cmd + ["--entry", "run"], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    doc = json.loads(out.stdout)
    assert [(f["function"], f["status"], f["details"]["judgement"])
            for f in doc["findings"]] == [("step", "proved", "entry")]


def test_main_itself_is_judged_for_every_nondet_value():
    fs = overflow('''
        int main(void) {
            int x = __VERIFIER_nondet_int();
            int y = __VERIFIER_nondet_int();
            return x + y > 0;
        }
    ''', "main")
    assert [(f.status, f.details["judgement"]) for f in fs] == [("counterexample", "entry")]
    assert "via" not in fs[0].details
    x, y = fs[0].counterexample.nondet
    assert not -2**31 <= x + y < 2**31
