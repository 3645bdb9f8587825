"""`pip install .` and `pip install -e .` work in a fresh virtual environment, and install
one namespace (`veriline.*`), never a bare top-level `server`/`analyses` package."""
import os
import subprocess
import sys

import pytest

from conftest import ROOT

CHECK = (
    "import importlib.util, veriline, veriline.analyses.api, veriline.server;"
    "assert importlib.util.find_spec('server') is None;"
    "assert importlib.util.find_spec('analyses') is None;"
    "print(veriline.__version__)"
)


@pytest.mark.parametrize("editable", [False, True], ids=["regular", "editable"])
def test_install_in_fresh_venv(tmp_path, editable):
    venv = tmp_path / "venv"
    # system site packages supply the dependencies (no network needed); the project itself
    # is installed into the venv and must win over any other copy
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True)
    py = str(venv / "bin" / "python")
    args = [py, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation"]
    args += ["-e", ROOT] if editable else [ROOT]
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    subprocess.run(args, check=True, env=env, cwd=str(tmp_path), capture_output=True)
    out = subprocess.run([py, "-c", CHECK], capture_output=True, text=True, cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "0.1.0"
    exe = venv / "bin" / "veriline"
    out = subprocess.run([str(exe), "--version"], capture_output=True, text=True,
                         cwd=str(tmp_path))
    assert out.stdout.strip() == "veriline 0.1.0"
    site = subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True).stdout.strip()
    top = set(os.listdir(site))
    assert "server" not in top and "analyses" not in top
    if not editable:
        assert os.path.isdir(os.path.join(site, "veriline", "analyses", "include"))
        out = subprocess.run([str(exe), "check", "--no-cache",
                              os.path.join(ROOT, "examples", "c", "asserts.c")],
                             capture_output=True, text=True, cwd=str(tmp_path))
        assert out.returncode == 1 and "✗ contract [clamp]" in out.stdout
