"""What makes a cold `veriline check` fast without changing a verdict: the plain SMT core
first on linear integer queries (the default strategy on the rest and after it),
the heaviest waiting function started first, and a warm-up that verifies nothing."""
import os
import sys

import z3

from conftest import ROOT


def test_linear_and_bit_vector_queries_go_to_the_core_first_nonlinear_ones_do_not():
    from veriline.analyses.solver.query import _core_first
    x, y = z3.Ints("x y")
    b, c = z3.BitVecs("b c", 32)
    assert _core_first([x + 3 * y > 2, x <= 2147483647, x % 4 == 1]) is True
    assert _core_first([b * c == 7, z3.ULT(b, c)]) is False     # bit-vectors: as before
    assert _core_first([x * y == 7]) is False
    assert _core_first([x % y == 1]) is False
    assert _core_first([z3.BV2Int(b) + x > 3]) is False   # mixed: the default strategy


def test_verdicts_and_models_on_both_paths():
    from veriline.analyses.solver.query import _solve
    x, y = z3.Ints("x y")
    # one variable with wide bounds: the default strategy bit-blasts it, the core does not
    wide = [x >= -2147483648, x <= 2147483647, z3.Or(x > 1, x < -1)]
    r = _solve(wide, 5000, 0, None)
    assert r.status == "sat" and r.timeout_ms == 5000
    v = r.model.eval(x)
    assert -2147483648 <= v <= 2147483647 and (v > 1 or v < -1)
    assert _solve([x > 2, x < 3], 5000, 0, None).status == "unsat"
    r = _solve([x * y == 6, x > 1, y > 1, x < y], 5000, 0, None)      # nonlinear
    assert r.status == "sat" and (r.model.eval(x), r.model.eval(y)) == (2, 3)
    assert _solve([x * x == 2], 5000, 0, None).status == "unsat"


def test_a_core_timeout_leaves_the_rest_of_the_time_to_the_default_solver(monkeypatch):
    from veriline.analyses.solver import query
    x = z3.Int("x")
    seen = []
    real = query._solve_with

    def solve_with(s, assertions, timeout_ms, rlimit, cancel, t0):
        seen.append((type(s).__name__, timeout_ms))
        if len(seen) == 1:      # the core gives up (as on a timeout)
            return query.Result("unknown", None, 0.0, reason="timeout after 500 ms",
                                timeout_ms=timeout_ms)
        return real(s, assertions, timeout_ms, rlimit, cancel, t0)
    monkeypatch.setattr(query, "_solve_with", solve_with)
    r = query._solve([x > 2, x < 4], 3000, 0, None)
    assert r.status == "sat" and r.model.eval(x) == 3 and r.timeout_ms == 3000
    assert seen[0] == ("Solver", query.SIMPLE_MS)      # SimpleSolver() is a Solver too
    assert seen[1][0] == "Solver" and 0 < seen[1][1] <= 3000 - 0
    seen.clear()
    monkeypatch.setattr(query, "_solve_with", lambda *a: seen.append(a[2]) or
                        query.Result("unknown", None, 0.0, reason="timeout after 500 ms"))
    r = query._solve([x > 2, x < 4], 400, 0, None)     # all of it was the core's
    assert seen == [400] and r.status == "unknown" and r.reason == "timeout after 400 ms"


def test_task_weight_puts_loops_first():
    from veriline.analyses.api import parse
    from veriline.runner.run import task_weight
    prog = parse("def flat(x: int) -> int:\n    y = x + 1\n    return y\n\n"
                 "def loop(n: int) -> int:\n    while n > 0:\n        n -= 1\n    return n\n",
                 "w.py", "python")
    assert task_weight(prog.functions["loop"]) > task_weight(prog.functions["flat"]) > 0


def _echo(task):
    from veriline.runner.task import TaskResult
    return TaskResult(task.index, [task.name], 0.0)


def test_the_pool_starts_the_heaviest_waiting_task_first(monkeypatch):
    from veriline.analyses.api import Options
    from veriline.runner import pool
    from veriline.runner.task import FunctionTask
    monkeypatch.setattr(pool, "verify_task", _echo)
    tasks = [FunctionTask("f.py", "", "python", n, Options(), 10.0, None, (0, k))
             for k, n in enumerate("abcd")]
    order = []
    p = pool.WorkerPool(1)
    p.open(lambda res: order.append(res.findings[0]), lambda *a: order.append("timeout"))
    p.submit(tasks, [1, 5, 3, 9])
    p.drain()
    assert order == ["d", "b", "c", "a"] and p.started == 4
    order.clear()
    p.run(tasks, lambda res: order.append(res.findings[0]), lambda *a: None)
    p.close()
    assert order == ["a", "b", "c", "d"] and p.started == 8   # equal weights: as given


def test_warm_up_verifies_nothing_and_imports_what_workers_would():
    import subprocess
    code = ("import sys\nfrom veriline.runner.pool import warm_up\nwarm_up({'c'})\n"
            "print(sorted(m for m in ('veriline.analyses.interp.run',"
            " 'veriline.analyses.engine.chc', 'veriline.analyses.solver.horn',"
            " 'libcst', 'pycparser') if m in sys.modules))\n"
            "from veriline.analyses.solver.query import STATS\nprint(STATS.queries)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=os.path.join(ROOT, "tests"), timeout=120)
    assert out.stdout.split("\n")[:2] == [
        "['veriline.analyses.engine.chc', 'veriline.analyses.interp.run', "
        "'veriline.analyses.solver.horn']", "0"]
