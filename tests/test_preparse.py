"""The parsing helper (runner/preparse.py) is only a shortcut: a run reports the same with
it as without it, and whatever it cannot do — a file whose frontend crashes, a helper
that died, a text that changed — the runner parses itself."""
import os
import signal

import pytest

from veriline.analyses import api
from veriline.analyses.api import Options
from veriline.runner import preparse, run as run_mod, run_check

PY = "def half(x: int) -> int:\n    assert x != 7\n    return x // 2\n"
C = "int twice(int x) {\n    return x + x;\n}\n"


@pytest.fixture
def files(tmp_path):
    (tmp_path / "a.py").write_text(PY)
    (tmp_path / "b.c").write_text(C)
    (tmp_path / "broken.py").write_text("def f(:\n")
    (tmp_path / "bin.py").write_bytes(b"\x00")
    return [str(tmp_path / n) for n in ("a.py", "b.c", "broken.py", "bin.py")]


def _summary(res):
    return ([(r.path, [(f.function, f.property, f.status, f.span.line, f.message)
                       for f in r.findings],
              [(e.message, e.span.line) for e in r.program.errors]) for r in res.reports],
            [(e.file, e.reason) for e in res.errors])


def _without_helper(monkeypatch):
    monkeypatch.setattr(run_mod, "_preparser",
                        lambda read: preparse.Preparser([], api.parse))


def test_same_report_with_and_without_the_helper(files, monkeypatch):
    taken = []
    real_take = preparse.Preparser.take

    def take(self, path, text, wait=None):
        got = real_take(self, path, text, wait)
        taken.append((os.path.basename(path), got is not None))
        return got
    monkeypatch.setattr(preparse.Preparser, "take", take)
    with_helper = _summary(run_check(files, Options(), jobs=2))
    # the helper parsed every readable file (the binary one never reached it)
    assert taken == [("a.py", True), ("b.c", True), ("broken.py", True)]
    _without_helper(monkeypatch)
    assert _summary(run_check(files, Options(), jobs=2)) == with_helper
    reports, errors = with_helper
    assert [(os.path.basename(f), [x[:4] for x in fs]) for f, fs, _ in reports] == [
        ("a.py", [("half", "precondition", "counterexample", 2),
                  ("half", "division-by-zero", "proved", 3)]),
        ("b.c", [("twice", "signed-overflow", "counterexample", 2)]),
        ("broken.py", [])]
    assert reports[0][1][0][4] == "entry assert `assert x != 7` (a precondition) fails: half(7)"
    assert reports[2][2] and reports[2][2][0][1] == 1            # the syntax error, line 1
    assert [(os.path.basename(f), r) for f, r in errors] == [
        ("bin.py", "binary file (contains NUL bytes), not source code")]


def test_a_frontend_crash_is_reported_by_the_runner_as_without_the_helper(files,
                                                                          frontend_crash):
    frontend_crash("a.py", ValueError("boom"))
    got = run_check(files, Options(), jobs=1)
    assert [(os.path.basename(e.file), e.reason) for e in got.errors] == [
        ("a.py", "the python frontend failed: ValueError: boom"),
        ("bin.py", "binary file (contains NUL bytes), not source code")]
    assert [os.path.basename(r.path) for r in got.reports] == ["b.c", "broken.py"]


def test_a_dead_helper_or_a_changed_text_leaves_the_parsing_here(tmp_path):
    texts = [(str(tmp_path / "a.py"), "python", PY, ()), (str(tmp_path / "b.c"), "c", C, ())]
    pre = preparse.Preparser(texts, api.parse)
    assert pre.take(texts[0][0], PY + "\n# edited\n") is None      # not the text it parsed
    prog = pre.take(texts[1][0], C)
    assert list(prog.functions) == list(api.parse(C, texts[1][0], "c").functions) == ["twice"]
    pre.close()
    dead = preparse.Preparser(texts, api.parse)
    os.kill(dead._proc.pid, signal.SIGKILL)
    dead._proc.join(5)
    assert dead.take(texts[0][0], PY) is None and dead.take(texts[1][0], C) is None
    dead.close()
