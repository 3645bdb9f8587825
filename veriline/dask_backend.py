"""`--dask tcp://SCHEDULER:8786`: the runner's function tasks on a Dask cluster.

DaskPool has WorkerPool's interface, so run_check drives a cluster exactly as it drives
local processes: the same tasks (one function with its file's text, so workers need
veriline installed but not the project), the same per-function budget and kill, the same
cache use and output.  On the worker each task runs in a forked child (runner.isolated).
Tasks are pure and keyed by their inputs; the scheduler re-runs the tasks of a worker
that dies, and a task that raises is retried (retries=).  Share the lemma cache between
workers with `--cache redis://…`.
"""
from __future__ import annotations

import hashlib
from typing import Callable

from .errors import SetupError

CONNECT_TIMEOUT = 30        # seconds to reach the scheduler


def task_key(task) -> str:
    """The Dask key of a task: equal inputs, equal key (Dask then runs it once)."""
    h = hashlib.sha256()
    for part in (task.path, task.text, task.language, task.name, task.options.key(),
                 repr(task.budget_s), repr(task.cache_spec)):
        b = part.encode("utf-8", "surrogatepass")
        h.update(len(b).to_bytes(8, "big"))
        h.update(b)
    return f"veriline-{task.name[:40]}-{h.hexdigest()[:24]}"


class DaskPool:
    """run(tasks, on_result, on_timeout) on the cluster at address; results arrive as
    they finish, in any order (run_check puts them back in file order)."""

    def __init__(self, address: str, retries: int = 3) -> None:
        self.address, self.retries = address, retries
        self.started = 0                   # tasks submitted
        self._client = None

    def run(self, tasks: list, on_result: Callable, on_timeout: Callable) -> None:
        from distributed import Client, as_completed
        from .runner.isolated import run_isolated
        try:
            self._client = Client(self.address, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as e:
            raise SetupError(f"cannot reach the Dask scheduler at {self.address}: {e}") \
                from e
        futures = {}
        for task in tasks:
            fut = self._client.submit(run_isolated, task, key=task_key(task), pure=True,
                                      retries=self.retries)
            futures[fut] = task
            self.started += 1
        for fut in as_completed(list(futures)):
            task = futures.pop(fut)
            out = fut.result()
            fut.release()
            if out[0] == "done":
                on_result(out[1])
            else:
                on_timeout(task, out[1], out[2])

    def close(self, now: bool = False) -> None:
        if self._client is not None:
            try:
                self._client.close()
            finally:
                self._client = None
