"""What makes a cold `veriline check` fast without changing a verdict: the heaviest waiting
function started first, workers that start while later files are parsed, and a warm-up
that imports the engine but verifies nothing."""
import os
import sys

from conftest import ROOT


def test_task_weight_puts_loops_first():
    from veriline.analyses.api import parse
    from veriline.runner.run import task_weight
    prog = parse("def flat(x: int) -> int:\n    y = x + 1\n    return y\n\n"
                 "def loop(n: int) -> int:\n    while n > 0:\n        n -= 1\n    return n\n",
                 "w.py", "python")
    assert task_weight(prog.functions["loop"]) > task_weight(prog.functions["flat"]) > 0


def _echo(task, cancel=None, report=None):
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
