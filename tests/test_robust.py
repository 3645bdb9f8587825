"""`veriline check` keeps going: every file gets a result or a per-file error (text, JSON,
SARIF), the function budget holds, usage errors exit 2, SIGTERM keeps the findings."""
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT

GOOD = "def f(x: int) -> int:\n    y = x\n    assert y != 3\n    return y\n"   # a real ✗
GOOD_LINE = "good.py:3:5: ✗ contract [f] assertion fails: f(3)"
# factoring a 64-bit semiprime: z3 does not settle it in seconds
SPIN = """void spin(unsigned long a, unsigned long b) {
    if (a > 1 && b > 1 && a < 4294967296UL && b < 4294967296UL)
        assert(a * b != 11003009456611852343UL);
}
"""


def run(*args, cwd):
    return subprocess.run([sys.executable, "-m", "veriline", "check", "--no-cache", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=300)


def _probe(tmp_path, name: str) -> str:
    """Write the probe file `name`; returns the reason text the report must contain."""
    p = tmp_path / name
    if name == "unreadable.py":
        os.symlink(str(tmp_path / "missing-target.py"), p)      # unreadable even as root
        return "cannot read the file"
    if name == "binary.py":
        p.write_bytes(b"def h(x: int) -> int:\n    return x\n\x00\x01\x02")
        return "binary file (contains NUL bytes)"
    if name == "latin1.c":
        p.write_bytes(b"/* caf\xe9 */\nint h(int x) { return x; }\n")
        return "cannot decode the file as utf-8 (byte 0xe9 at offset 6)"
    if name == "deep.py":
        p.write_text("def h(x: int) -> int:\n    return " + "+".join(["1"] * 5000) + "\n")
        return "too deeply nested to analyse: a statement with 4999 operators"
    if name == "huge.py":
        p.write_text("# " + "x" * 5_000_000 + "\ndef h(x: int) -> int:\n    return x\n")
        return "file too large to analyse (5.0 MB; the limit is 4.2 MB)"
    raise AssertionError(name)


PROBES = ["unreadable.py", "binary.py", "latin1.c", "deep.py", "huge.py"]


@pytest.mark.parametrize("name", PROBES)
def test_bad_file_gets_an_error_and_the_run_goes_on(tmp_path, name):
    (tmp_path / "good.py").write_text(GOOD)
    reason = _probe(tmp_path, name)
    out = run("good.py", name, cwd=tmp_path)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "Traceback" not in out.stderr + out.stdout
    assert f"{name}: error: {reason}" in out.stdout
    assert GOOD_LINE in out.stdout
    assert "2 files: 0 proved ✓, 1 counterexample ✗, 0 don't know ?" in out.stdout
    assert "1 could not be analysed" in out.stdout

    doc = json.loads(run("good.py", name, "--format", "json", cwd=tmp_path).stdout)
    assert doc["summary"]["errors"] == 1 and doc["summary"]["incomplete"] is False
    errs = [e for e in doc["errors"] if e["kind"] == "file"]
    assert [e["file"] for e in errs] == [name] and reason in errs[0]["reason"]
    assert [(f["function"], f["status"]) for f in doc["findings"]] == [("f", "counterexample")]

    sarif = json.loads(run("good.py", name, "--format", "sarif", cwd=tmp_path).stdout)
    inv = sarif["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    notes = inv["toolExecutionNotifications"]
    assert len(notes) == 1 and reason in notes[0]["message"]["text"]
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == name
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["contract"]


def test_syntax_error_exits_1_and_other_files_are_checked(tmp_path):
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "syn.py").write_text("def h(x:\n")
    out = run("good.py", "syn.py", cwd=tmp_path)
    assert out.returncode == 1
    assert "syn.py:1:6: syntax error" in out.stdout and GOOD_LINE in out.stdout
    (tmp_path / "good.py").write_text("def f(x: int) -> int:\n    return x\n")
    assert run("good.py", cwd=tmp_path).returncode == 0
    assert run("good.py", "syn.py", cwd=tmp_path).returncode == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied(tmp_path):
    (tmp_path / "good.py").write_text(GOOD)
    p = tmp_path / "secret.py"
    p.write_text(GOOD)
    p.chmod(0)
    out = run("good.py", "secret.py", cwd=tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "secret.py: error: cannot read the file: permission denied" in out.stdout
    assert GOOD_LINE in out.stdout


@pytest.mark.parametrize("args,message", [
    (["--timeout", "0"], "--timeout must be a positive number of seconds, not 0"),
    (["--timeout", "-1"], "--timeout must be a positive number of seconds, not -1"),
    (["--function-timeout", "0"], "--function-timeout must be a positive number"),
    (["--unroll", "-5"], "--unroll must be 0 or more, not -5"),
    (["--jobs", "0"], "--jobs must be 1 or more, not 0"),
])
def test_usage_errors_exit_2(tmp_path, args, message):
    (tmp_path / "good.py").write_text(GOOD)
    out = run("good.py", *args, cwd=tmp_path)
    assert out.returncode == 2
    assert message in out.stderr and out.stdout == ""


def test_function_budget_kills_a_spinning_solver(tmp_path):
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "spin.c").write_text(SPIN)
    out = run("spin.c", "good.py", "--function-timeout", "2", "--format", "json",
              cwd=tmp_path)
    assert out.returncode == 1, out.stderr
    doc = json.loads(out.stdout)
    spin = [f for f in doc["findings"] if f["function"] == "spin"]
    assert spin and {f["status"] for f in spin} == {"unknown"}
    assert {f["reason"] for f in spin} == {"the function's time budget of 2 s ran out"}
    assert {f["property"] for f in spin} == {"budget"}
    assert {f["kind"] for f in spin} >= {"contract", "overflow"}
    good = [(f["function"], f["status"]) for f in doc["findings"] if f["file"] == "good.py"]
    assert good == [("f", "counterexample")]
    assert doc["summary"]["incomplete"] is False


def test_function_timeout_from_pyproject(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.veriline]\nfunction-timeout = 1.5\n")
    (tmp_path / "spin.c").write_text(SPIN)
    doc = json.loads(run("spin.c", "--format", "json", cwd=tmp_path).stdout)
    assert {f["reason"] for f in doc["findings"]} == \
        {"the function's time budget of 1.5 s ran out"}


def test_sigterm_writes_partial_json_marked_incomplete(tmp_path):
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "spin.c").write_text(SPIN)
    out_file = tmp_path / "report.json"
    proc = subprocess.Popen([sys.executable, "-m", "veriline", "check", "--no-cache",
                             "--jobs", "1", "--function-timeout", "120", "--timeout", "100",
                             "--format", "json",
                             "-o", str(out_file), "good.py", "spin.c"],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    time.sleep(10)            # good.py is done long before; spin.c runs for 120 s
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr
    doc = json.loads(out_file.read_text())
    assert doc["summary"]["incomplete"] is True
    assert [(f["function"], f["status"]) for f in doc["findings"]] == [("f", "counterexample")]


def test_sigint_text_says_incomplete_and_exits_130(tmp_path):
    (tmp_path / "spin.c").write_text(SPIN)
    proc = subprocess.Popen([sys.executable, "-m", "veriline", "check", "--no-cache",
                             "--function-timeout", "120", "--timeout", "100", "spin.c"],
                            cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(5)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert "veriline check was interrupted: the results are incomplete" in stdout
    assert "Traceback" not in stderr


def test_worker_that_ignores_the_deadline_is_killed(tmp_path, monkeypatch):
    """The backstop: a task that never checks its deadline (here: it just sleeps) is
    killed, and every property of its function is 'don't know' with the budget reason."""
    from veriline.analyses.api import Options
    from veriline.runner import pool, run_check
    src = tmp_path / "loop.py"
    src.write_text("def g(n: int) -> int:\n    assert n != 5\n    while n > 0:\n"
                   "        n -= 1\n    return n\n")
    monkeypatch.setattr(pool, "verify_task", lambda task, **kw: time.sleep(600))
    res = run_check([str(src)], Options(), jobs=1, budget_s=0.5)
    assert res.incomplete is False and res.errors == []
    got = [(f.kind, f.span.line, f.status, f.reason, f.property)
           for f in res.reports[0].findings]
    why = "the function's time budget of 0.5 s ran out"
    assert got == [("contract", 1, "unknown", why, "budget"),
                   ("overflow", 1, "unknown", why, "budget"),
                   ("termination", 3, "unknown", why, "budget")]


def test_declared_source_encoding_is_honoured(tmp_path):
    (tmp_path / "latin.py").write_bytes(
        b"# -*- coding: latin-1 -*-\ndef f(x: int) -> int:\n    # caf\xe9\n"
        b"    y = x\n    assert y != 3\n    return y\n")
    out = run("latin.py", cwd=tmp_path)
    assert out.returncode == 1 and "error:" not in out.stdout
    assert "latin.py:5:5: ✗ contract [f] assertion fails: f(3)" in out.stdout


def test_frontend_crash_is_a_file_error(tmp_path, frontend_crash):
    from veriline.analyses.api import Options
    from veriline.runner import run_check
    (tmp_path / "good.py").write_text(GOOD)
    (tmp_path / "crash.py").write_text("def h(x: int) -> int:\n    return x\n")
    frontend_crash("crash.py", RuntimeError("frontend bug"))
    res = run_check([str(tmp_path / "crash.py"), str(tmp_path / "good.py")], Options(),
                    jobs=1)
    assert [(os.path.basename(e.file), e.reason) for e in res.errors] == \
        [("crash.py", "the python frontend failed: RuntimeError: frontend bug")]
    assert [(f.function, f.status) for r in res.reports for f in r.findings] == \
        [("f", "counterexample")]
