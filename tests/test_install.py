"""A new user's install, as on a fresh machine: a wheel built in an isolated venv (its own,
upgraded pip/setuptools/wheel, no system site-packages) installs into a second fresh venv
and `veriline check examples/` gets every verdict of examples/expected.tsv. Also the
editable install, and one namespace (`veriline.*`): never a bare `server`/`analyses`."""
import csv
import glob
import json
import os
import subprocess
import sys

import pytest

from conftest import EXAMPLES, ROOT

CHECK = (
    "import importlib.util, veriline, veriline.analyses.api, veriline.server;"
    "assert importlib.util.find_spec('server') is None;"
    "assert importlib.util.find_spec('analyses') is None;"
    "print(veriline.__version__)"
)
ENV = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")


def fresh_venv(path) -> str:
    """A venv that sees nothing of this machine's site-packages, with current build tools."""
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    py = str(path / "bin" / "python")
    pip(py, "install", "-q", "--upgrade", "pip", "setuptools", "wheel")
    return py


def pip(py: str, *args: str, cwd=None) -> None:
    out = subprocess.run([py, "-m", "pip", *args], env=ENV, cwd=cwd, capture_output=True,
                         text=True, timeout=900)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-4000:]


def site_packages(py: str) -> str:
    return subprocess.run([py, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()


def assert_one_namespace(py: str, cwd) -> None:
    out = subprocess.run([py, "-c", CHECK], capture_output=True, text=True, cwd=str(cwd))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "0.1.0"
    top = set(os.listdir(site_packages(py)))
    assert "server" not in top and "analyses" not in top


def verdicts(report: dict) -> dict:
    got: dict = {}
    for f in report["findings"]:
        rel = os.path.normpath(f["file"])
        got.setdefault((rel, f["function"], f["kind"]), []).append(f["status"])
    return got


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    build = tmp_path_factory.mktemp("build")
    py = fresh_venv(build / "venv")
    pip(py, "wheel", "-q", "--no-deps", "-w", str(build / "dist"), ROOT, cwd=str(build))
    found = glob.glob(str(build / "dist" / "veriline-*.whl"))
    assert len(found) == 1, found
    return found[0]


def test_wheel_in_fresh_venv_checks_the_examples(tmp_path, wheel):
    py = fresh_venv(tmp_path / "venv")
    pip(py, "install", "-q", wheel, cwd=str(tmp_path))
    assert_one_namespace(py, tmp_path)
    site = site_packages(py)
    for sub in ("analyses/engine", "analyses/solver", "analyses/cache", "analyses/interp",
                "analyses/replay", "analyses/frontends", "server"):
        assert os.path.isfile(os.path.join(site, "veriline", sub, "__init__.py")), sub
    assert glob.glob(os.path.join(site, "veriline", "analyses", "include", "*.h"))
    exe = str(tmp_path / "venv" / "bin" / "veriline")
    out = subprocess.run([exe, "check", "--no-cache", "--format", "json", "."],
                         capture_output=True, text=True, cwd=EXAMPLES, timeout=600)
    assert out.returncode == 1, out.stderr        # the examples hold real counterexamples
    assert "Traceback" not in out.stderr
    got = verdicts(json.loads(out.stdout))
    rows = list(csv.DictReader(open(os.path.join(EXAMPLES, "expected.tsv")), delimiter="\t"))
    for row in rows:
        statuses = got.get((row["file"], row["function"], row["kind"]))
        assert statuses, row
        if row["expected"] == "proved":
            assert set(statuses) == {"proved"}, (row, statuses)
        elif row["expected"] == "unknown-ok":
            assert set(statuses) == {"unknown"}, (row, statuses)
        else:
            assert row["expected"] in statuses, (row, statuses)


def test_editable_install_in_fresh_venv(tmp_path):
    py = fresh_venv(tmp_path / "venv")
    pip(py, "install", "-q", "-e", ROOT, cwd=str(tmp_path))
    assert_one_namespace(py, tmp_path)
    exe = str(tmp_path / "venv" / "bin" / "veriline")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, cwd=str(tmp_path))
    assert out.stdout.strip() == "veriline 0.1.0"
