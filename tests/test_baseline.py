"""Baselines: recorded ✗/? do not fail the build, new ones do, fixed ones are reported;
findings are matched by fingerprints that survive line moves."""
import json
import os

import pytest

from veriline.analyses.findings import Finding
from veriline.analyses.ir import Program, Span
from veriline.analyses.api import Report
from veriline.baseline import compare, load_baseline, write_baseline
from veriline.check_cli import main
from veriline.fingerprint import fingerprints

PY = '''def safe_div(a: int, b: int) -> int:
    q = 0                   # (so the assert is not an entry assert: a real ✗)
    assert b != 0
    return a // b + q


def grow(x: int) -> int:
    """post: __return__ > x"""
    return x + 1
'''
C = '''int mid(int lo, int hi) {
    return (lo + hi) / 2;
}
'''


def check(capsys, *args) -> tuple[int, dict]:
    rc = main(["--no-cache", "--format", "json", *args])
    return rc, json.loads(capsys.readouterr().out)


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "m.py").write_text(PY)
    (tmp_path / "src" / "mid.c").write_text(C)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_write_then_compare_known_new_fixed(project, capsys):
    rc, doc = check(capsys, "src", "--write-baseline", "base.json")
    assert rc == 1                                   # writing does not hide anything
    entries = load_baseline("base.json")
    assert sorted((e["file"], e["function"], e["kind"], e["property"], e["status"])
                  for e in entries) == [
        ("src/m.py", "safe_div", "contract", "assert", "counterexample"),
        ("src/mid.c", "mid", "overflow", "signed-overflow", "counterexample")]
    assert all("line" in e and len(e["fingerprint"]) == 32 for e in entries)

    rc, doc = check(capsys, "src", "--baseline", "base.json")
    assert rc == 0
    assert doc["baseline"]["new"] == 0 and doc["baseline"]["known"] == 2
    assert doc["baseline"]["fixed"] == 0
    states = {(f["function"], f["status"]): f["baseline"] for f in doc["findings"]}
    assert states[("safe_div", "counterexample")] == "known"
    assert states[("grow", "proved")] is None

    # move everything down, re-indent nothing, add a new bug, fix the C overflow
    (project / "src" / "m.py").write_text(
        "import os\n\n\n" + PY + "\n\ndef pick(k: int) -> int:\n    j = k\n    assert j != 4\n    return j\n")
    (project / "src" / "mid.c").write_text(
        "int mid(int lo, int hi) {\n    return lo / 2 + hi / 2;\n}\n")
    rc, doc = check(capsys, "src", "--baseline", "base.json")
    assert rc == 1
    b = doc["baseline"]
    assert (b["new"], b["known"], b["fixed"]) == (1, 1, 1)
    assert [(e["file"], e["function"], e["now"]) for e in b["fixed_findings"]] == [
        ("src/mid.c", "mid", "gone")]
    new = [f for f in doc["findings"] if f["baseline"] == "new"]
    assert [(f["function"], f["range"]["start"]["line"]) for f in new] == [("pick", 17)]
    known = [f for f in doc["findings"] if f["baseline"] == "known"]
    assert [(f["function"], f["range"]["start"]["line"]) for f in known] == [("safe_div", 6)]


def test_fixed_by_proof_and_text_summary(project, capsys):
    check(capsys, "src", "--write-baseline", "base.json")
    (project / "src" / "m.py").write_text(PY.replace("    assert b != 0\n",
                                                     "    if b == 0:\n        return 0\n"))
    rc = main(["--no-cache", "src/m.py", "--baseline", "base.json"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "baseline: 0 new, 0 known, 1 fixed" in out
    assert "fixed (gone): src/m.py: contract [safe_div] assertion fails" in out
    # the C file was not checked: its entry is neither fixed nor new


def test_same_key_proved_now_is_fixed_proved(project, capsys):
    """A recorded ✗ whose property is now proved is reported as fixed (proved)."""
    (project / "src" / "p.py").write_text(
        "def f(x: int) -> int:\n    y = 0\n    assert x != 2\n    return y\n")
    check(capsys, "src/p.py", "--write-baseline", "base.json")
    (project / "src" / "p.py").write_text(
        "def f(x: int) -> int:\n    y = 0\n    if x == 2:\n        x = 3\n"
        "    assert x != 2\n    return y\n")
    rc, doc = check(capsys, "src/p.py", "--baseline", "base.json")
    assert rc == 0
    assert [e["now"] for e in doc["baseline"]["fixed_findings"]] == ["proved"]


def test_paths_resolved_from_the_baseline_location(project, capsys, monkeypatch):
    check(capsys, "src", "--write-baseline", "base.json")
    monkeypatch.chdir(project / "src")
    rc, doc = check(capsys, ".", "--baseline", "../base.json")
    assert rc == 0 and doc["baseline"]["known"] == 2 and doc["baseline"]["new"] == 0


def test_strict_fails_only_on_new_unknowns(project, capsys):
    (project / "src" / "u.py").write_text(
        "def f(x: int) -> int:\n    y = x / 2\n    assert y > 0\n    return x\n")
    check(capsys, "src", "--write-baseline", "base.json")
    rc, doc = check(capsys, "src", "--baseline", "base.json", "--strict")
    assert rc == 0 and doc["baseline"]["known"] == 3
    (project / "src" / "v.py").write_text(
        "def g(x: int) -> int:\n    y = x / 3\n    assert y > 1\n    return x\n")
    rc, doc = check(capsys, "src", "--baseline", "base.json")
    assert rc == 0 and doc["baseline"]["new"] == 1           # a new ? passes...
    rc, doc = check(capsys, "src", "--baseline", "base.json", "--strict")
    assert rc == 1                                           # ...except with --strict


def test_bad_baseline_is_a_usage_error(project, capsys):
    (project / "bad.json").write_text('{"version": 7}')
    assert main(["--no-cache", "src", "--baseline", "bad.json"]) == 2
    assert "not a veriline baseline" in capsys.readouterr().err
    assert main(["--no-cache", "src", "--baseline", "missing.json"]) == 2
    assert main(["--no-cache", "src", "--write-baseline", "b.json", "--diff", "HEAD"]) == 2


# ----------------------------------------------------------------- unit level


def _report(path, text, items):
    prog = Program(path=path, language="python", text=text)
    fs = [Finding(path, fn, kind, status, Span(*span), "m", property=prop)
          for fn, kind, prop, status, span in items]
    return Report(path, prog, fs)


def test_fingerprint_ignores_lines_and_whitespace_but_counts_occurrences():
    a = "def f(x):\n    return x+1 + x+1\n"
    r1 = _report("a.py", a, [("f", "overflow", "o", "counterexample", (2, 12, 2, 14)),
                             ("f", "overflow", "o", "counterexample", (2, 18, 2, 20))])
    b = "\n\n\ndef f(x):\n        return x+1   +   x+1\n"
    r2 = _report("a.py", b, [("f", "overflow", "o", "counterexample", (5, 16, 5, 18)),
                             ("f", "overflow", "o", "counterexample", (5, 26, 5, 28))])
    p1, p2 = fingerprints(r1, a), fingerprints(r2, b)
    f1 = [p1[id(f)].fingerprint for f in r1.findings]
    f2 = [p2[id(f)].fingerprint for f in r2.findings]
    assert f1 == f2 and f1[0] != f1[1]         # same text twice: told apart by occurrence
    r3 = _report("a.py", a, [("g", "overflow", "o", "counterexample", (2, 12, 2, 15))])
    assert fingerprints(r3, a)[id(r3.findings[0])].fingerprint != f1[0]   # other function


def test_compare_unknown_may_take_a_recorded_counterexample(tmp_path):
    text = "def f(x):\n    assert x\n"
    path = str(tmp_path / "a.py")
    old = _report(path, text, [("f", "contract", "assert", "counterexample", (2, 5, 2, 12))])
    base = str(tmp_path / "b.json")
    write_baseline(base, [old])
    entries = load_baseline(base)
    now = _report(path, text, [("f", "contract", "assert", "unknown", (2, 5, 2, 12))])
    c = compare(entries, [now], base)
    assert c.counts() == {"new": 0, "known": 1, "fixed": 0}
    # the other way round a ✗ is new: a recorded ? does not cover a counterexample
    write_baseline(base, [now])
    c = compare(load_baseline(base), [old], base)
    assert c.counts() == {"new": 1, "known": 0, "fixed": 1}
    # functions outside the verified set: their entries are not fixed
    c = compare(load_baseline(base), [_report(path, text, [])], base,
                verified={path: set()})
    assert c.counts() == {"new": 0, "known": 0, "fixed": 0}


# ----------------------------------------------------------------- property


from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(pad=st.lists(st.sampled_from(["", "# note", "X = 1", "import os"]), max_size=6),
       gap=st.integers(0, 4), extra_spaces=st.integers(0, 3))
def test_fingerprints_survive_moves_and_respacing(pad, gap, extra_spaces):
    """Lines added above, blank lines between, spaces inside the line: same prints."""
    fn = "def f(a, b):\n    t = a+b\n    return t+a\n"
    base = _report("p.py", fn, [("f", "overflow", "o", "counterexample", (2, 9, 2, 11)),
                                ("f", "overflow", "o", "counterexample", (3, 12, 3, 14))])
    want = [fingerprints(base, fn)[id(f)].fingerprint for f in base.findings]
    head = "".join(line + "\n" for line in pad)
    sp = " " * extra_spaces
    moved = head + "def f(a, b):\n" + "\n" * gap + f"    t = a{sp}+{sp}b\n    return t+a\n"
    off = len(pad) + gap
    r = _report("p.py", moved, [
        ("f", "overflow", "o", "counterexample", (2 + off, 9, 2 + off, 11 + 2 * extra_spaces)),
        ("f", "overflow", "o", "counterexample", (3 + off, 12, 3 + off, 14))])
    got = [fingerprints(r, moved)[id(f)].fingerprint for f in r.findings]
    assert got == want and want[0] != want[1]
