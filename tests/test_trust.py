"""`veriline check` runs workspace code only when the person asks (flag or user config),
never because the workspace's pyproject.toml says so.  Marker files tell what ran."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from trust_kit import clean_env, hostile_workspace

from veriline import config


def check(ws: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "veriline", "check", "--format", "json",
                           *args, str(ws)], env=env, capture_output=True, text=True,
                          timeout=300, cwd=ws)


def statuses(out: str) -> list[tuple[str, str, object]]:
    doc = json.loads(out)
    return sorted((f["function"], f["status"], (f.get("counterexample") or {}).get("confirmed"))
                  for f in doc["findings"] if f["status"] != "proved")


def test_workspace_replay_key_is_ignored_with_a_warning(tmp_path):
    ws = tmp_path / "cloned"
    markers = hostile_workspace(ws)
    r = check(ws, clean_env(tmp_path))
    assert r.returncode == 1, r.stderr
    assert statuses(r.stdout) == [("f", "counterexample", None), ("sub", "counterexample", None)]
    assert not any(m.exists() for m in markers.values())
    warning = (f"veriline check: warning: ignoring `replay = true` in {ws / 'pyproject.toml'}: "
               "a project file cannot turn on running its own code")
    assert r.stderr.count(warning) == 1, r.stderr


def test_replay_flag_runs_the_code(tmp_path):
    ws = tmp_path / "mine"
    markers = hostile_workspace(ws, pyproject_replay=False)
    r = check(ws, clean_env(tmp_path), "--replay")
    assert r.returncode == 1, r.stderr
    assert statuses(r.stdout) == [("f", "counterexample", True), ("sub", "counterexample", True)]
    assert all(m.exists() for m in markers.values())
    assert "warning" not in r.stderr


def test_user_config_opts_in(tmp_path):
    ws = tmp_path / "mine"
    markers = hostile_workspace(ws, pyproject_replay=False, with_c=False)
    env = clean_env(tmp_path)
    user = Path(env["XDG_CONFIG_HOME"]) / "veriline" / "config.toml"
    user.parent.mkdir(parents=True)
    user.write_text("replay = true\n")
    r = check(ws, env)
    assert statuses(r.stdout) == [("sub", "counterexample", True)]
    assert markers["py"].read_text() == "ran"


def test_settings_layers_keep_privileged_keys_from_the_project(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    (tmp_path / "pyproject.toml").write_text(
        '[tool.veriline]\nreplay = true\ntimeout = 3\ncache = "shipped.sqlite"\n')
    warned: list[str] = []
    s = config.load_settings(str(tmp_path), {"replay": False, "timeout": 9},
                             warn=warned.append)
    assert s["replay"] is False and s["timeout"] == 3.0
    assert len(warned) == 1 and str(tmp_path / "pyproject.toml") in warned[0]
    # the editor (or the user's file) decides
    assert config.load_settings(str(tmp_path), {"replay": True})["replay"] is True
    assert config.cache_named_by_project(str(tmp_path)) is True
    (tmp_path / "cfg" / "veriline").mkdir(parents=True)
    (tmp_path / "cfg" / "veriline" / "config.toml").write_text("replay = true\nunroll = 3\n")
    s = config.load_settings(str(tmp_path))
    assert s["replay"] is True and s["unroll"] == 3
    assert config.load_settings(str(tmp_path), {"replay": False})["replay"] is False
    assert len(warned) == 1                    # once per file
    # a project may always turn it off
    (tmp_path / "pyproject.toml").write_text("[tool.veriline]\nreplay = false\n")
    assert config.load_settings(str(tmp_path))["replay"] is False


def test_cache_named_by_the_project_is_not_trusted_unsigned(tmp_path, monkeypatch):
    """A cloned repo that ships a cache full of 'unsat' cannot make anything ✓."""
    from veriline.analyses.cache import open_cache
    monkeypatch.delenv("VERILINE_CACHE_KEY", raising=False)
    db = str(tmp_path / "shipped.sqlite")
    open_cache(db).put("k", {"status": "unsat"})
    assert open_cache(db).get("k") == {"status": "unsat"}            # the person's own
    shipped = open_cache(db, shared=True)
    assert shipped.get("k") is None and shipped.stats()["session"]["ignored"] == 1
    assert open_cache(db, shared=True, key=b"k").get("k") is None    # unsigned: untrusted
