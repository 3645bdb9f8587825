"""docs/ci.md: the GitHub Actions workflow (and the GitLab job) run as documented — each
`run:` step's command runs in a scratch git repository with a baseline, a clean pull
request, then one that adds a bug."""
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
import yaml

from conftest import ROOT

DOC = os.path.join(ROOT, "docs", "ci.md")
BIN = os.path.dirname(sys.executable)

BASE = '''def safe_div(a: int, b: int) -> int:
    q = 0                   # (not an entry assert below: a real ✗)
    assert b != 0
    return a // b + q


def grow(x: int) -> int:
    """post: __return__ > x"""
    return x + 1
'''


def blocks() -> dict[str, str]:
    """yaml blocks of the doc, by their first-line comment (the file they belong in)."""
    text = open(DOC, encoding="utf-8").read()
    out = {}
    for body in re.findall(r"```yaml\n(.*?)```", text, re.S):
        first = body.splitlines()[0]
        assert first.startswith("# "), first
        out[first[2:].strip()] = body
    return out


def workflow() -> dict:
    return yaml.safe_load(blocks()[".github/workflows/veriline.yml"])


def git(cwd, *args) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@e", "HOME": str(cwd), "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True, env=env).stdout.strip()


def shell(cmd: str, cwd, extra_env=None) -> subprocess.CompletedProcess:
    """As GitHub runs a `run:` step: bash -e, here with this test's veriline on PATH."""
    env = {**os.environ, "PATH": BIN + os.pathsep + os.environ.get("PATH", ""),
           **(extra_env or {})}
    env.pop("VERILINE_CACHE_KEY", None)
    return subprocess.run(["bash", "-e", "-c", cmd], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


@pytest.fixture
def repo(tmp_path):
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "m.py").write_text(BASE)
    out = shell("veriline check . --write-baseline veriline-baseline.json", tmp_path)
    assert out.returncode == 1, out.stderr          # the known bug
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "base with baseline")
    return tmp_path


def run_steps(wf: dict, repo, base_sha: str) -> dict[str, subprocess.CompletedProcess]:
    results = {}
    for step in wf["jobs"]["verify"]["steps"]:
        if "run" not in step:
            continue
        cmd = step["run"]
        if "pip install" in cmd:
            assert cmd.split() == ["python", "-m", "pip", "install", "veriline"]
            continue                               # installed in this environment
        cmd = cmd.replace("${{ github.event.pull_request.base.sha }}", base_sha)
        assert "${{" not in cmd, cmd
        results[step["name"]] = shell(cmd, repo)
    return results


def test_workflow_shape():
    wf = workflow()
    steps = wf["jobs"]["verify"]["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    assert uses[:2] == ["actions/checkout", "actions/setup-python"]
    assert steps[0]["with"]["fetch-depth"] == 0
    cache = [s for s in steps if s.get("uses", "").startswith("actions/cache@")]
    assert len(cache) == 1
    path = cache[0]["with"]["path"]
    checks = [s["run"] for s in steps if "veriline check" in s.get("run", "")]
    assert len(checks) == 2 and all(f"--cache {path}" in c for c in checks)
    upload = [s for s in steps if "upload-sarif" in s.get("uses", "")]
    assert upload[0]["with"]["sarif_file"] in checks[1]


def test_workflow_steps_run_in_a_repository(repo):
    wf = workflow()
    cache_path = [s for s in wf["jobs"]["verify"]["steps"]
                  if s.get("uses", "").startswith("actions/cache@")][0]["with"]["path"]
    base = git(repo, "rev-parse", "HEAD")
    # a pull request that changes code but adds no bug
    (repo / "src" / "m.py").write_text("# moved down\n\n" + BASE.replace("x + 1", "x + 2"))
    git(repo, "commit", "-qam", "clean change")
    res = run_steps(wf, repo, base)
    pr, push = res["Verify the changed functions"], res["Verify everything"]
    assert pr.returncode == 0, pr.stdout + pr.stderr
    assert not [line for line in pr.stdout.splitlines() if line.startswith("::")]
    assert "baseline: 0 new, 0 known, 0 fixed" in pr.stdout   # only grow was verified
    assert push.returncode == 0, push.stdout + push.stderr
    sarif = json.load(open(repo / "veriline.sarif"))
    assert [r["baselineState"] for r in sarif["runs"][0]["results"]] == ["unchanged"]
    assert os.path.getsize(repo / cache_path) > 0            # what actions/cache keeps

    # a pull request that adds a bug: annotated on its line, the build fails
    (repo / "src" / "m.py").write_text(
        (repo / "src" / "m.py").read_text() + "\n\ndef pick(k: int) -> int:\n"
        "    j = k\n    assert j != 4\n    return j\n")
    git(repo, "commit", "-qam", "new bug")
    res = run_steps(wf, repo, base)
    pr = res["Verify the changed functions"]
    assert pr.returncode == 1
    annotations = [line for line in pr.stdout.splitlines() if line.startswith("::")]
    assert annotations == ["::error file=src/m.py,line=16,col=5,endLine=16,endColumn=18,"
                           "title=veriline ✗ contract [pick]::assertion fails: pick(4)"
                           "%0Ainputs: k = 4%0Aat the failure: j = 4"]
    assert res["Verify everything"].returncode == 1


def test_gitlab_job_runs(repo):
    job = yaml.safe_load(blocks()[".gitlab-ci.yml"])["veriline"]
    assert job["artifacts"]["reports"]["junit"] == "veriline.xml"
    assert job["variables"]["GIT_DEPTH"] == 0
    script = [line for line in job["script"] if "pip install" not in line]
    base = git(repo, "rev-parse", "HEAD")
    (repo / "src" / "m.py").write_text(BASE + "\n\ndef pick(k: int) -> int:\n"
                                       "    j = k\n    assert j != 4\n    return j\n")
    git(repo, "commit", "-qam", "new bug")
    out = shell("\n".join(script), repo, {"CI_MERGE_REQUEST_DIFF_BASE_SHA": base})
    assert out.returncode == 1, out.stderr
    root = ET.parse(repo / "veriline.xml").getroot()
    assert (root.get("tests"), root.get("failures")) == ("1", "1")   # only pick verified
    out = shell("\n".join(script), repo, {"CI_MERGE_REQUEST_DIFF_BASE_SHA": ""})
    root = ET.parse(repo / "veriline.xml").getroot()
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("4", "1", "1")


def test_pre_commit_recipe_names_the_hook():
    cfg = yaml.safe_load(blocks()[".pre-commit-config.yaml"])
    hooks = cfg["repos"][0]["hooks"]
    ids = {h["id"] for h in yaml.safe_load(open(os.path.join(ROOT, ".pre-commit-hooks.yaml")))}
    assert [h["id"] for h in hooks] == ["veriline"] and ids == {"veriline"}
