"""--jobs N gives the same report as --jobs 1; cached runs start no worker; the progress
hook sees every function and every file error."""
import json
import os
import shutil
import subprocess
import sys

from conftest import ROOT


def check_json(*args, cwd=ROOT):
    # a generous budget: on a loaded machine a 10 s budget could run out in one run only
    out = subprocess.run([sys.executable, "-m", "veriline", "check", "--no-cache",
                          "--function-timeout", "120", "--format", "json", *args], capture_output=True, text=True,
                         cwd=cwd, timeout=600)
    doc = json.loads(out.stdout)
    return out.returncode, _untimed(doc)


def _untimed(x):
    if isinstance(x, dict):
        return {k: _untimed(v) for k, v in x.items() if k != "time_ms"}
    if isinstance(x, list):
        return [_untimed(v) for v in x]
    return x


def test_jobs_2_equals_jobs_1_on_the_examples():
    rc1, one = check_json("--jobs", "1", "examples/")
    rc2, two = check_json("--jobs", "2", "examples/")
    assert rc1 == rc2 == 1
    assert one == two
    assert one["summary"]["files"] == 10 and len(one["findings"]) == 34
    assert not [f for f in one["findings"] if f["property"] in ("internal", "budget")]
    assert (one["summary"]["proved"], one["summary"]["counterexample"]) == (22, 10)


def test_jobs_equal_on_a_mixed_folder(tmp_path):
    shutil.copy(os.path.join(ROOT, "examples", "c", "subtract_loop.c"), tmp_path)
    shutil.copy(os.path.join(ROOT, "examples", "python", "contracts.py"), tmp_path)
    (tmp_path / "syn.py").write_text("def h(x:\n")
    (tmp_path / "bin.c").write_bytes(b"int h(int x) { return x; }\x00")
    (tmp_path / "two.py").write_text(
        "def a(x: int) -> int:\n    assert x * x != 49\n    return x\n\n"
        "def b(n: int) -> int:\n    while n > 0:\n        n -= 2\n    return n\n")
    rc1, one = check_json("--jobs", "1", ".", cwd=tmp_path)
    rc3, three = check_json("--jobs", "3", ".", cwd=tmp_path)
    assert rc1 == rc3 == 1
    assert one == three
    assert [e["file"] for e in one["errors"]] == ["./syn.py", "./bin.c"]
    assert [(f["function"], f["status"]) for f in one["findings"]
            if f["file"] == "./two.py" and f["status"] != "proved"] == \
        [("a", "counterexample")]
    assert not [f for f in one["findings"] if f["property"] in ("internal", "budget")]


class Recorder:
    def __init__(self):
        self.events = []

    def start(self, files, functions):
        self.events.append(("start", files, functions))

    def function_done(self, file, function, findings):
        self.events.append(("done", os.path.basename(file), function, len(findings)))

    def file_error(self, file, reason):
        self.events.append(("error", os.path.basename(file), reason))

    def close(self):
        self.events.append(("close",))


def test_cached_run_starts_no_worker_and_progress_hook(tmp_path):
    from veriline.analyses.api import Options
    from veriline.analyses.cache import open_cache
    from veriline.runner import run_check
    src = tmp_path / "two.py"
    src.write_text("def a(x: int) -> int:\n    assert x != 7\n    return x\n\n"
                   "def b(x: int) -> int:\n    return x // 2\n")
    (tmp_path / "bin.py").write_bytes(b"\x00")
    spec = str(tmp_path / "cache.sqlite")
    files = [str(src), str(tmp_path / "bin.py")]
    rec = Recorder()
    cache = open_cache(spec)
    first = run_check(files, Options(cache=cache), jobs=2, cache_spec=spec, progress=rec)
    assert first.workers == 2          # one per function not in the cache
    assert [(f.function, f.status) for f in first.reports[0].findings] == \
        [("a", "counterexample"), ("b", "proved")]
    assert rec.events[0] == ("error", "bin.py", "binary file (contains NUL bytes), not "
                                                "source code")
    assert rec.events[1] == ("start", 2, 2)
    assert sorted(rec.events[2:4]) == [("done", "two.py", "a", 1), ("done", "two.py", "b", 1)]
    assert rec.events[4:] == [("close",)]
    src.write_text(src.read_text() + "\n# touched: the file entry misses, functions hit\n")
    again = run_check(files, Options(cache=cache), jobs=2, cache_spec=spec)
    assert again.workers == 0
    assert [(f.function, f.status, f.cached) for f in again.reports[0].findings] == \
        [("a", "counterexample", True), ("b", "proved", True)]
    cache.close()
