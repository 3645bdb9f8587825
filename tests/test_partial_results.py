"""A function killed past its budget keeps what it decided before (engine/progress.py):
the child reports each finding as it is decided, and the parent keeps those (✓ and ✗ as
they are) and marks only the rest "don't know: the function's time budget … ran out" —
in `veriline check` (local workers, runner/pool.py), on a Dask worker
(runner/isolated.run_isolated) and in the language server (server/isolation.py).  The
overrun is the deterministic VERILINE_TEST_HANG_AFTER hook (runner/task.py): after k
decided findings the task hangs ignoring every limit, as z3 can on the next property."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from veriline.analyses import api
from veriline.analyses.engine.budget import Budget
from veriline.analyses.engine.progress import Partial, Reported
from veriline.runner.task import HANG_ENV, FunctionTask

from test_server_isolation import rounds  # noqa: F401  (the fixture)
from trust_kit import clean_env

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

TEXT = '''def slow(a: int, b: int) -> int:
    assert a + 1 > a
    assert b * 0 == 0
    c = 100 // b
    return c


def fast(x: int) -> int:
    assert x != 3
    return x
'''
WHY = "the function's time budget of 1 s ran out"
CUT = [(2, "contract", "proved", "precondition"), (3, "contract", "unknown", "budget"),
       (4, "overflow", "unknown", "budget")]


def shape(findings) -> list:
    return [(f.span.line, f.kind, f.status, f.property) for f in findings]


def comparable(d: dict) -> dict:
    return {k: v for k, v in d.items() if k not in ("time_ms", "cached")}


# ---------------------------------------------------------------- the engine's reports

def test_reported_list_says_which_entries_changed():
    seen = []
    out = Reported(lambda lst, start: seen.append((start, list(lst[start:]))))
    out.append("a")
    out += ["b", "c"]
    out += []
    out.extend(["d"])
    out[1:] = ["B"]
    assert seen == [(0, ["a"]), (1, ["b", "c"]), (3, ["d"]), (0, ["a", "B"])]
    assert out == ["a", "B"]


def test_partial_keeps_the_decided_and_the_rest_of_the_pending():
    from veriline.analyses.findings import Finding
    from veriline.analyses.ir import Span

    def f(line, status, kind="contract"):
        return Finding("a.py", "g", kind, status, Span(line, 5, line, 9), f"{line}{status}")
    p = Partial()
    assert p.findings() is None                  # nothing reported: the old path
    p.add({"at": 0, "decided": [(("contract", 4, 5), f(4, "proved"))],
           "pending": [f(2, "unknown"), f(4, "unknown"), f(4, "unknown", "overflow")]})
    p.add({"at": 1, "decided": [(("contract", 2, 5), None)], "pending": None})   # suppressed
    assert [g.message for g in p.findings()] == ["4proved", "4unknown"]
    p.add({"at": 0, "decided": [(("contract", 4, 5), f(4, "counterexample"))],
           "pending": None})                     # a replaced list (portfolio retry)
    assert [g.message for g in p.findings()] == ["2unknown", "4counterexample", "4unknown"]


def test_each_report_is_the_finding_verify_returns():
    """Judgement marks, assumptions and suppressions applied as verify() applies them: the
    last report's decided findings are the unkilled run's findings, in order."""
    text = '''def _half(n):
    assert n + 1 > n
    return n // 2


def top(k: int) -> int:
    if k > 0:
        return _half(k) + 1  # veriline: ignore[overflow]
    return 0
'''
    program = api.parse(text, "r.py", "python")
    for name in program.functions:
        msgs = []
        options = api.Options(on_progress=msgs.append)
        with Budget(60) as budget:
            found = api.verify_function(program, name, options, budget)
        p = Partial()
        for m in msgs:
            p.add(m)
        decided = [g for _, g in p.decided if g is not None]
        assert [g.to_json() for g in decided] == [g.to_json() for g in found]
        assert p.findings() is not None and \
            [g.to_json() for g in p.findings()] == [g.to_json() for g in found]
    assert found and msgs[0]["pending"] is not None
    half = api.verify_function(program, "_half", api.Options())
    assert half[0].details["judgement"] == "callers" and "assumes" in half[0].details


def test_reports_cross_processes_also_with_recorded_proofs():
    """--emit-proofs: a finding's recorded queries are not picklable before the end
    (audit.finish); its report carries none."""
    import pickle
    program = api.parse(TEXT, "s.py", "python")
    sent = []
    options = api.Options(record_proofs=True, on_progress=lambda m: sent.append(pickle.dumps(m)))
    with Budget(60) as budget:
        found = api.verify_function(program, "slow", options, budget)
    assert len(sent) == 3 and all(f.proof for f in found)
    last = pickle.loads(sent[-1])
    assert [g.proof for _, g in last["decided"]] == [[]]


# ---------------------------------------------------------------- veriline check

def check(tmp_path: Path, code: int, **env) -> dict:
    tmp_path.mkdir()
    (tmp_path / "slow.py").write_text(TEXT)
    out = subprocess.run([sys.executable, "-m", "veriline", "check", "slow.py", "--format",
                          "json", "--function-timeout", "1"], cwd=tmp_path,
                         env=clean_env(tmp_path, **env), capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == code, out.stderr
    return json.loads(out.stdout)


def test_cli_keeps_what_a_killed_function_decided(tmp_path):
    cut = check(tmp_path / "cut", 0, **{HANG_ENV: "slow:1"})["findings"]
    full = check(tmp_path / "full", 1)["findings"]       # 1: the division by zero ✗
    lines = [(f["function"], f["kind"], f["status"], f["property"]) for f in cut]
    assert lines == [("slow", "contract", "proved", "precondition"),
                     ("slow", "contract", "unknown", "budget"),
                     ("slow", "overflow", "unknown", "budget"),
                     ("fast", "contract", "counterexample", "precondition")]
    assert comparable(cut[0]) == comparable(full[0])      # as an unkilled run says it
    assert comparable(cut[3]) == comparable(full[3])
    assert [f["reason"] for f in cut[1:3]] == [WHY, WHY]
    assert [f["message"] for f in cut[1:3]] == [
        f"precondition: don't know ({WHY})", f"division by zero: don't know ({WHY})"]


def test_dask_worker_keeps_what_a_killed_function_decided(monkeypatch):
    from veriline.runner import isolated
    monkeypatch.setenv(HANG_ENV, "slow:1")
    task = FunctionTask("slow.py", TEXT, "python", "slow", api.Options(), 1.0)
    try:
        kind, result = isolated.run_isolated(task)
    finally:
        isolated.shutdown()
    assert kind == "done" and shape(result.findings) == CUT
    assert [f.reason for f in result.findings[1:]] == [WHY, WHY]


def test_a_loop_proved_before_the_kill_is_kept(monkeypatch):
    """Termination reports each loop as it is judged (the last loop first), not only at
    the end of the phase."""
    from veriline.runner import isolated
    two = ("def two(n: int, m: int) -> int:\n    while n > 0:\n        n -= 1\n"
           "    while m > 0:\n        m -= 1\n    return n + m\n")
    task = FunctionTask("two.py", two, "python", "two", api.Options(), 1.0)
    try:
        full = isolated.run_isolated(task)[1].findings
        monkeypatch.setenv(HANG_ENV, "two:1")
        isolated.shutdown()
        kind, cut = isolated.run_isolated(task)
    finally:
        isolated.shutdown()
    assert kind == "done" and shape(cut.findings) == [
        (2, "termination", "unknown", "budget"), (4, "termination", "proved", "loop")]
    assert shape(full) == [(2, "termination", "proved", "loop"),
                           (4, "termination", "proved", "loop")]
    assert comparable(cut.findings[1].to_json()) == comparable(full[1].to_json())


# ---------------------------------------------------------------- the language server

def test_server_keeps_what_a_killed_function_decided(monkeypatch, rounds):
    monkeypatch.setenv(HANG_ENV, "slow:1")
    sink, _ = rounds({1: TEXT}, 1.0)
    final = sink.published[-1][1]
    assert [s for s, _m, _r in final["slow"]] == ["proved", "unknown", "unknown"]
    assert [r for _s, _m, r in final["slow"]] == [None, WHY, WHY]
    assert final["slow"][0][1] == \
        "entry assert `assert a + 1 > a` (a precondition) holds for all inputs"
    assert [s for s, _m, _r in final["fast"]] == ["counterexample"]
