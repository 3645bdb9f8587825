"""--dask: function tasks on a real local cluster (a scheduler and two workers started
here on 127.0.0.1), one worker killed during the run; verdicts equal a local run's, and
with the shared Redis lemma cache the whole results are identical.

The engine's counterexample values depend on the z3 history of the process that found
them, so a cold cluster run and a cold local run agree on verdicts and places, not
necessarily on the values; the shared cache is what makes them the same values.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from conftest import EXAMPLES

distributed = pytest.importorskip("distributed")

from veriline import progress as progress_mod   # noqa: E402
from veriline.check_cli import main          # noqa: E402
from veriline.progress import NullProgress   # noqa: E402


# a shared cache trusts only signed entries: workers and client share the key
CACHE_KEY = "test-dask-shared-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_port(port: int, proc, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("process exited early")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


class Cluster:
    def __init__(self, tmp_path) -> None:
        self.procs = []
        self.port = _free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.scheduler = self._start(
            ["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port",
             str(self.port), "--no-dashboard"], tmp_path / "scheduler.log")
        _wait_port(self.port, self.scheduler)
        self.worker_ports = [_free_port(), _free_port()]
        self.workers = [self._start(
            ["distributed.cli.dask_worker", self.address, "--nworkers", "1", "--nthreads",
             "1", "--no-dashboard", "--host", "127.0.0.1", "--worker-port", str(p),
             "--death-timeout", "60"], tmp_path / f"worker{i}.log")
            for i, p in enumerate(self.worker_ports)]
        with distributed.Client(self.address, timeout=60) as c:
            c.wait_for_workers(2, timeout=120)

    def _start(self, args, log):
        env = {**os.environ, "VERILINE_CACHE_KEY": CACHE_KEY}
        proc = subprocess.Popen([sys.executable, "-m", *args], stdout=open(log, "w"),
                                stderr=subprocess.STDOUT, start_new_session=True, env=env)
        self.procs.append(proc)
        return proc

    def kill(self, proc) -> None:
        """The worker and its nanny at once, as a crashed machine would go."""
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)

    def stop(self) -> None:
        for p in reversed(self.procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(timeout=10)


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    yield c
    c.stop()


@pytest.fixture
def cache_spec(tmp_path):
    """A Redis server when there is one, else an SQLite file (the workers are local)."""
    if shutil.which("redis-server"):
        from test_cache_redis import RedisServer
        server = RedisServer(tmp_path)
        yield server.url
        server.stop()
    else:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing (CI is set)")
        yield str(tmp_path / "shared.sqlite")


def _results(path) -> list[dict]:
    doc = json.load(open(path))
    return [{k: v for k, v in f.items() if k not in ("time_ms", "cached")}
            for f in doc["findings"]]


def _verdicts(results) -> list[tuple]:
    return [(f["file"], f["function"], f["kind"], f["property"], f["status"],
             json.dumps(f["range"])) for f in results]


class KillOnFirstResult(NullProgress):
    """Kills the first worker as soon as one result is back, while it holds tasks."""

    def __init__(self, cluster) -> None:
        self.cluster, self.done, self.held = cluster, 0, None

    def function_done(self, file, function, findings) -> None:
        self.done += 1
        if self.done == 1:
            client = distributed.default_client()
            victim = f"tcp://127.0.0.1:{self.cluster.worker_ports[0]}"
            self.held = len(client.processing().get(victim, ()))
            self.cluster.kill(self.cluster.workers[0])


def test_cluster_run_with_a_worker_killed_matches_local(cluster, cache_spec, tmp_path,
                                                        monkeypatch):
    monkeypatch.setenv("VERILINE_CACHE_KEY", CACHE_KEY)
    corpus = tmp_path / "corpus"
    shutil.copytree(EXAMPLES, corpus)
    monkeypatch.chdir(tmp_path)
    assert main(["--no-cache", "--format", "json", "-o", "local.json", "corpus"]) == 1
    local = _results("local.json")
    assert len(local) >= 30

    killer = KillOnFirstResult(cluster)
    monkeypatch.setattr(progress_mod, "make_progress", lambda fmt, enabled: killer)
    rc = main(["--cache", cache_spec, "--dask", cluster.address, "--format", "json",
               "-o", "dask.json", "corpus"])
    assert rc == 1
    assert cluster.workers[0].poll() is not None and killer.held >= 1
    dask = _results("dask.json")
    assert _verdicts(dask) == _verdicts(local)

    # the same shared cache: a local run now gives the cluster's verdicts (counterexample
    # values of queries too quick to cache may differ: z3's models depend on the process),
    # and so does the cluster (one worker left)
    monkeypatch.setattr(progress_mod, "make_progress", lambda fmt, enabled: NullProgress())
    assert main(["--cache", cache_spec, "--format", "json", "-o", "local2.json",
                 "corpus"]) == 1
    assert _verdicts(_results("local2.json")) == _verdicts(dask)
    assert main(["--cache", cache_spec, "--dask", cluster.address, "--format", "json",
                 "-o", "dask2.json", "corpus"]) == 1
    assert _results("dask2.json") == dask


def _task(text: str, name: str = "f", budget_s: float = 10.0):
    from veriline.analyses.api import Options
    from veriline.runner.task import FunctionTask
    return FunctionTask("a.py", text, "python", name, Options(), budget_s, None, (0, 0))


def test_task_is_importable_and_pure():
    """What a worker runs: a module-level function of a picklable task, in a forked child."""
    import pickle
    from veriline.dask_backend import task_key
    from veriline.runner.isolated import run_isolated
    task = _task("def f(x: int) -> int:\n    assert x != 2\n    return x\n")
    assert pickle.loads(pickle.dumps(run_isolated)) is run_isolated
    assert pickle.loads(pickle.dumps(task)) == task
    status, res = run_isolated(task)
    assert status == "done" and not res.error
    assert [(f.function, f.status, f.counterexample.inputs) for f in res.findings] == \
        [("f", "counterexample", {"x": 2})]
    other = _task(task.text.replace("2", "3"))
    assert task_key(task) == task_key(pickle.loads(pickle.dumps(task))) != task_key(other)


def test_isolated_task_is_killed_at_its_budget_and_a_crash_is_reported(monkeypatch):
    """The worker-side backstop: a child that outlives budget * (1 + grace) is killed
    ("timeout", not died); one that dies without answering is reported as died."""
    import veriline.runner.isolated as iso
    iso.shutdown()             # children fork from now on, with the patched task
    monkeypatch.setattr(iso, "verify_task", lambda task, **kw: time.sleep(30))
    status, seconds, died = iso.run_isolated(_task("def f() -> int:\n    return 1\n",
                                                   budget_s=0.5))
    assert (status, died) == ("timeout", False) and 0.5 <= seconds < 20
    monkeypatch.setattr(iso, "verify_task", lambda task, **kw: os._exit(3))
    status, _, died = iso.run_isolated(_task("def f() -> int:\n    return 1\n"))
    assert (status, died) == ("timeout", True)
    monkeypatch.undo()
    iso.shutdown()


def test_a_child_serves_tasks_in_turn_and_is_replaced_when_it_grows(monkeypatch):
    """One child answers task after task (forking per task costs more than a small task);
    past RECYCLE_MB it ends after its answer and the next task gets a new child."""
    import veriline.runner.isolated as iso
    iso.shutdown()
    text = "def f(x: int) -> int:\n    assert x != 2\n    return x\n"
    pids = []
    for _ in range(3):
        status, res = iso.run_isolated(_task(text))
        assert status == "done" and [f.status for f in res.findings] == ["counterexample"]
        pids.append(iso._LOCAL.child.pid)
    assert len(set(pids)) == 1
    iso.shutdown()
    monkeypatch.setattr(iso, "RECYCLE_MB", 1)       # every child has grown past 1 MB
    pids = []
    for _ in range(3):
        status, res = iso.run_isolated(_task(text))
        assert status == "done" and [f.status for f in res.findings] == ["counterexample"]
        pids.append(iso._LOCAL.child.pid)
    assert len(set(pids)) == 3
    iso.shutdown()


def test_unreachable_scheduler_is_an_error(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.py").write_text("def f(x: int) -> int:\n    return x\n")
    monkeypatch.setattr("veriline.dask_backend.CONNECT_TIMEOUT", 2)
    assert main(["--no-cache", "--dask", f"tcp://127.0.0.1:{_free_port()}", "a.py"]) == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
