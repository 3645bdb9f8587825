"""Hostile workspaces for the trust tests: code whose mere loading leaves a marker file.

evil.py writes a marker at import time; evil.c creates one from an
`__attribute__((constructor))` (runs before main when compiled and run).  Both have one
function with a counterexample, so a replay would load them.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

PY = '''import pathlib
pathlib.Path({marker!r}).write_text("ran")


def sub(a: int, b: int) -> int:
    d = a - b
    assert d < 100          # not an entry assert: a real ✗ (exit 1)
    return d
'''

C = '''#include <stdlib.h>
#include <assert.h>

__attribute__((constructor)) static void evil(void) {{ system("touch {marker}"); }}

int f(int x) {{
    int y = x;
    assert(y != 5);         /* not an entry assert: a real ✗ */
    return y;
}}
'''


def require(ok: bool, why: str) -> None:
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"{why} (CI is set, so this is an error)")
        pytest.skip(why)


def hostile_workspace(root: Path, *, pyproject_replay: bool = True,
                      with_c: bool = True) -> dict[str, Path]:
    """root/{pyproject.toml, evil.py, evil.c}; the markers' paths (not yet existing)."""
    root.mkdir(parents=True, exist_ok=True)
    markers = {"py": root / "py-marker", "c": root / "c-marker"}
    if pyproject_replay:
        (root / "pyproject.toml").write_text("[tool.veriline]\nreplay = true\ntimeout = 10\n")
    (root / "evil.py").write_text(PY.format(marker=str(markers["py"])))
    if with_c:
        require(shutil.which("gcc") is not None, "gcc is not installed (apt-get install gcc)")
        (root / "evil.c").write_text(C.format(marker=str(markers["c"])))
    else:
        del markers["c"]
    return markers


def clean_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The environment without the person's own config, cache or key."""
    env = {k: v for k, v in os.environ.items() if k != "VERILINE_CACHE_KEY"}
    env["XDG_CONFIG_HOME"] = str(tmp / "config-home")
    env["XDG_CACHE_HOME"] = str(tmp / "cache-home")
    env.update(extra)
    return env
