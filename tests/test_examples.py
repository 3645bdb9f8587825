"""Every row of examples/expected.tsv, with exact verdicts and witness checks."""
import csv
import functools
import os
import shutil
import subprocess
import sys
import textwrap

import pytest
import z3

from conftest import EXAMPLES
from veriline.analyses.api import Options, analyze_file

ROWS = list(csv.DictReader(open(os.path.join(EXAMPLES, "expected.tsv")), delimiter="\t"))


@functools.lru_cache(maxsize=None)
def report(rel):
    return analyze_file(os.path.join(EXAMPLES, rel), Options(), display_path=rel)


def findings(rel, function, kind):
    return [f for f in report(rel).findings if f.function == function and f.kind == kind]


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['file']}:{r['function']}:{r['kind']}" for r in ROWS])
def test_expected_verdict(row):
    fs = findings(row["file"], row["function"], row["kind"])
    assert fs, f"no {row['kind']} finding for {row['function']}"
    statuses = [f.status for f in fs]
    if row["expected"] == "proved":
        assert statuses == ["proved"] * len(fs), [f.message for f in fs]
    elif row["expected"] == "unknown-ok":
        assert "proved" not in statuses
        for f in fs:
            assert f.status == "unknown" and f.reason, f.message
            assert "terminates" in f.reason        # names the unknown function
    else:
        cexs = [f for f in fs if f.status == "counterexample"]
        assert cexs, [f.message for f in fs]
        for f in cexs:
            inputs = f.counterexample.inputs
            assert eval(row["witness_check"], {}, dict(inputs)), (row, inputs)
            assert f.counterexample.call.startswith(row["function"] + "(")
            assert f.counterexample.call in f.message


def test_messages_name_the_witness():
    g2 = findings("python/subtract_loop.py", "g2", "termination")[0]
    x, y = g2.counterexample.inputs["x"], g2.counterexample.inputs["y"]
    assert g2.message == f"g2({x}, {y}) never returns: x stays {x} forever"
    assert g2.details["witness"]["kind"] == "fixed-point"
    g = findings("c/subtract_loop.c", "g", "termination")[0]
    assert g.message == "terminates: x - y decreases by at least 1 each iteration and stays >= 0"
    up = findings("c/unsigned_loop.c", "count_up", "termination")[0]
    assert up.counterexample.inputs == {"n": 4294967295}
    assert "n == 4294967295" in up.message


def _run_python(rel, call, timeout):
    src = os.path.join(EXAMPLES, rel)
    code = textwrap.dedent(f"""
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("m", {src!r})
        m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
        m.{call}
        print("returned")
    """)
    try:
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=timeout)
        return out.stdout
    except subprocess.TimeoutExpired:
        return "timeout"


def _run_c(rel, function, args, timeout, tmp_path):
    src = os.path.join(EXAMPLES, rel)
    driver = tmp_path / "driver.c"
    driver.write_text(f'#include <stdio.h>\n#include "{src}"\n'
                      f'int main(void) {{ {function}({", ".join(map(str, args))}); '
                      f'puts("returned"); return 0; }}\n')
    exe = tmp_path / "a.out"
    subprocess.run(["gcc", "-O0", "-o", str(exe), str(driver)], check=True)
    try:
        return subprocess.run([str(exe)], capture_output=True, text=True,
                              timeout=timeout).stdout
    except subprocess.TimeoutExpired:
        return "timeout"


NONTERM = [r for r in ROWS if r["kind"] == "termination" and r["expected"] == "counterexample"]


@pytest.mark.parametrize("row", NONTERM, ids=[f"{r['file']}:{r['function']}" for r in NONTERM])
def test_nontermination_witness_really_loops(row, tmp_path):
    f = [f for f in findings(row["file"], row["function"], "termination")
         if f.status == "counterexample"][0]
    cex = f.counterexample
    if row["file"].endswith(".py"):
        assert _run_python(row["file"], cex.call, 2.0) == "timeout"
    else:
        fn = report(row["file"]).program.functions[row["function"]]
        args = [cex.inputs[p.name] for p in fn.params]
        assert _run_c(row["file"], row["function"], args, 2.0, tmp_path) == "timeout"


def test_stated_ranking_functions_decrease():
    """Check the stated measures on hand-written transition relations with z3,
    independently of the synthesis."""
    def valid(f):
        s = z3.Solver()
        s.add(z3.Not(f))
        return s.check() == z3.unsat
    # g (C): if (y > 0) while (x > y) x = x - y;   measure x - y over int32, no overflow
    g = findings("c/subtract_loop.c", "g", "termination")[0]
    assert g.details["measure"] == ["x - y"]
    x, y = z3.BitVecs("x y", 32)
    x2 = x - y
    m = lambda a, b: z3.SignExt(4, a) - z3.SignExt(4, b)
    assert valid(z3.Implies(z3.And(y > 0, x > y), z3.And(m(x, y) >= 0, m(x2, y) < m(x, y))))
    # count_up_fixed: for (i = 0; i < n; i++): measure n - i over unsigned
    cu = findings("c/unsigned_loop.c", "count_up_fixed", "termination")[0]
    assert cu.details["measure"] == ["n - i"]
    n, i = z3.BitVecs("n i", 32)
    mu = lambda a, b: z3.ZeroExt(4, a) - z3.ZeroExt(4, b)
    assert valid(z3.Implies(z3.ULT(i, n), z3.And(mu(n, i) >= 0, mu(n, i + 1) < mu(n, i))))
    # the same measure is NOT a ranking function for count_up (i <= n): wrap-around
    assert not valid(z3.Implies(z3.ULE(i, n), mu(n, i + 1) < mu(n, i) + 1))
    # countdown (Python): measure n at the call countdown(n - 1) under n > 0
    cd = findings("python/contracts.py", "countdown", "termination")[0]
    assert cd.details["measure"] == ["n"]
    k = z3.Int("n")
    assert valid(z3.Implies(k > 0, z3.And(k >= 0, k - 1 < k)))


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc missing")
def test_c_overflow_witnesses_trigger_ubsan(tmp_path):
    for rel, fn_name in (("c/midpoint.c", "midpoint_bad"), ("c/subtract_loop.c", "g2")):
        f = [f for f in findings(rel, fn_name, "overflow") if f.status == "counterexample"][0]
        fn = report(rel).program.functions[fn_name]
        args = [f.counterexample.inputs[p.name] for p in fn.params]
        src = os.path.join(EXAMPLES, rel)
        drv = tmp_path / f"{fn_name}.c"
        drv.write_text(f'#include "{src}"\nint main(void) {{ {fn_name}({", ".join(map(str, args))}); return 0; }}\n')
        exe = tmp_path / fn_name
        subprocess.run(["gcc", "-fsanitize=undefined", "-fno-sanitize-recover=all", "-o",
                        str(exe), str(drv)], check=True)
        out = subprocess.run([str(exe)], capture_output=True, text=True, timeout=10)
        assert out.returncode != 0 and "signed integer overflow" in out.stderr
        assert f":{f.span.line}:" in out.stderr


def test_entry_asserts_are_information_and_callers_are_blamed():
    for rel, callee, caller, text in (("python/contracts.py", "safe_div", "average", "b != 0"),
                                      ("c/asserts.c", "clamp", "clamp_percent", "lo <= hi")):
        own = findings(rel, callee, "contract")
        assert [(f.status, f.property, f.severity) for f in own] == [
            ("counterexample", "precondition", "info")]
        blame = findings(rel, caller, "contract")
        assert [(f.status, f.property, f.severity) for f in blame] == [
            ("counterexample", "requires-call", "error")]
        assert blame[0].message.startswith(f"precondition of {callee} (assert {text}) fails: "
                                           f"{caller}(")
        assert blame[0].related[0].span == own[0].span
