"""--diff REF: only functions changed since the ref, and the callers that depend on them."""
import json
import subprocess

import pytest

from veriline.analyses.api import parse
from veriline.check_cli import main
from veriline.gitdiff import FileChange, Hunk, changed_functions, parse_diff, with_dependents

PY = '''LIMIT = 10


def helper(x: int) -> int:
    assert x != 100
    return x + 1


def caller(a: int) -> int:
    r = helper(a)
    assert r != 5
    return r


def inc(n: int) -> int:
    """
    pre: n >= 0
    post: __return__ > n
    """
    return n + 1


def uses_contract(k: int) -> int:
    """pre: k >= 0"""
    return inc(k)


def alone(b: int) -> int:
    assert b != 3
    return b
'''


def git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e",
                        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e",
                        "HOME": str(cwd), "PATH": "/usr/bin:/bin"})


@pytest.fixture
def repo(tmp_path, monkeypatch):
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "m.py").write_text(PY)
    (tmp_path / "c.c").write_text("int twice(int x) {\n    return x * 2;\n}\n")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def verified(capsys, *args) -> set[tuple[str, str]]:
    rc = main(["--no-cache", "--format", "json", "--diff", "main", *args, "."])
    assert rc in (0, 1)
    doc = json.loads(capsys.readouterr().out)
    return {(f["file"], f["function"]) for f in doc["findings"]}


def edit(repo, old, new, name="m.py"):
    p = repo / name
    text = p.read_text()
    assert old in text
    p.write_text(text.replace(old, new))


def test_nothing_changed_nothing_verified(repo, capsys):
    assert verified(capsys) == set()


def test_inlined_callee_change_reverifies_callers(repo, capsys):
    edit(repo, "return x + 1", "return x + 2")
    assert verified(capsys) == {("./m.py", "helper"), ("./m.py", "caller")}


def test_body_change_under_contract_and_contract_change(repo, capsys):
    edit(repo, "    return n + 1\n", "    return n + 2\n")
    assert verified(capsys) == {("./m.py", "inc"), ("./m.py", "uses_contract")}
    git(repo, "checkout", "m.py")
    edit(repo, "post: __return__ > n", "post: __return__ >= n")
    assert verified(capsys) == {("./m.py", "inc"), ("./m.py", "uses_contract")}


def test_leaf_change_and_line_moves(repo, capsys):
    edit(repo, "assert b != 3", "assert b != 4")
    assert verified(capsys) == {("./m.py", "alone")}
    git(repo, "checkout", "m.py")
    edit(repo, "LIMIT = 10\n", "LIMIT = 10\n\n\n\n# a comment\n")   # moves, no code change
    assert verified(capsys) == set()


def test_module_level_change_reverifies_the_file(repo, capsys):
    edit(repo, "LIMIT = 10", "LIMIT = 11")
    assert {f for _, f in verified(capsys)} == {"helper", "caller", "inc",
                                                "uses_contract", "alone"}


def test_c_file_header_and_untracked(repo, capsys):
    edit(repo, "x * 2", "x * 3", "c.c")
    assert verified(capsys) == {("./c.c", "twice")}
    git(repo, "checkout", "c.c")
    (repo / "defs.h").write_text("#define N 1\n")
    assert verified(capsys) == {("./c.c", "twice")}      # a header may change any C file
    (repo / "defs.h").unlink()
    (repo / "new.py").write_text("def fresh(z: int) -> int:\n    assert z != 1\n    return z\n")
    assert verified(capsys) == {("./new.py", "fresh")}


def test_bad_ref_and_not_a_repo(repo, capsys, tmp_path_factory):
    assert main(["--no-cache", "--diff", "no-such-ref", "."]) == 2
    assert "no-such-ref" in capsys.readouterr().err
    other = tmp_path_factory.mktemp("plain")
    (other / "a.py").write_text("def f() -> int:\n    return 1\n")
    assert main(["--no-cache", "--diff", "HEAD", str(other)]) == 2


def test_changed_functions_units():
    prog = parse(PY, "m.py")
    # a deletion inside alone (between its lines 27 and 28)
    assert changed_functions(prog, FileChange(hunks=[Hunk(28, 0, [], ["    x = 1"])])) == \
        {"alone"}
    # a blank line removed between functions: nothing
    assert changed_functions(prog, FileChange(hunks=[Hunk(6, 0, [], [""])])) == set()
    # a removed global between functions: everything
    assert changed_functions(prog, FileChange(hunks=[Hunk(2, 0, [], ["G = 1"])])) == \
        set(prog.functions)
    # the docstring contract line of inc
    assert changed_functions(prog, FileChange(hunks=[Hunk(17, 1, ["pre: n >= 1"],
                                                          ["pre: n >= 0"])])) == {"inc"}
    assert with_dependents(prog, {"inc"}) == {"inc", "uses_contract"}
    assert with_dependents(prog, {"helper"}) == {"helper", "caller"}


def test_parse_diff_hunks(tmp_path):
    text = ("diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n"
            "@@ -3,2 +3 @@ def f():\n-    a = 1\n-    b = 2\n+    a = 3\n"
            "@@ -9,0 +9,2 @@\n+x\n+y\n"
            "diff --git a/gone.py b/gone.py\ndeleted file mode 100644\n--- a/gone.py\n"
            "+++ /dev/null\n@@ -1 +0,0 @@\n-z\n"
            "diff --git a/n.c b/n.c\nnew file mode 100644\n--- /dev/null\n+++ b/n.c\n"
            "@@ -0,0 +1 @@\n+int q;\n")
    out = parse_diff(text, str(tmp_path))
    x = out[str(tmp_path / "x.py")]
    assert [(h.start, h.count, h.added, h.removed) for h in x.hunks] == [
        (3, 1, ["    a = 3"], ["    a = 1", "    b = 2"]), (9, 2, ["x", "y"], [])]
    assert not x.whole and out[str(tmp_path / "n.c")].whole
    assert str(tmp_path / "gone.py") not in out
