"""Worker processes for FunctionTasks, each killed when its task outlives the budget (the
backstop when z3 ignores its limit or Python code runs long outside it).

On Linux every task runs in a child forked from this (warm) process: imports and z3's
one-time setup are paid once here, before the first fork, and every task starts from the
same state — so the findings (z3's models, hence the counterexamples shown) do not depend
on which other tasks a worker ran before, and `--jobs N` reports exactly what `--jobs 1`
does.  Elsewhere (no fork) each task gets a spawned process.
"""
from __future__ import annotations

import gc
import multiprocessing as mp
import os
import signal
import sys
import time
from multiprocessing.connection import wait
from typing import Callable

from .task import FunctionTask, TaskResult, verify_task

KILL_GRACE = 0.07          # the kill comes at budget * (1 + KILL_GRACE)


def _context():
    return mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")


WARM_UP = {
    "python": "def warm_up(x: int) -> int:\n    assert x + 1 > x\n    while x > 0:\n"
              "        x -= 1\n    return x\n",
    "c": "int warm_up(int x) {\n    while (x > 0) { x--; }\n    return x + 1;\n}\n",
}


def warm_up(languages) -> None:
    """Verify a tiny function per language here, so every forked worker starts with the
    engine's modules imported and z3 initialised (else each task pays ~0.2 s for that)."""
    from veriline.analyses.api import Options, parse, verify_function
    for lang in sorted(set(languages) & set(WARM_UP)):
        try:
            program = parse(WARM_UP[lang], f"<warm-up>.{'py' if lang == 'python' else 'c'}",
                            lang)
            verify_function(program, "warm_up", Options(timeout_ms=1000))
        except Exception:          # only an optimisation
            pass


def _child(conn, task: FunctionTask) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # the parent decides about Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        conn.send(verify_task(task))
        conn.close()
    finally:
        os._exit(0)        # nothing to clean up: skip the interpreter's shutdown


class _Running:
    def __init__(self, ctx, task: FunctionTask) -> None:
        self.task = task
        self.conn, child = ctx.Pipe(duplex=False)
        self.started = time.monotonic()
        self.kill_at = self.started + task.budget_s * (1 + KILL_GRACE)
        self.proc = ctx.Process(target=_child, args=(child, task), daemon=True)
        self.proc.start()
        child.close()

    def reap(self, kill: bool) -> None:
        if kill:
            try:
                self.proc.kill()
            except Exception:
                pass
        self.proc.join(0.5)
        if self.proc.is_alive():
            self.proc.kill()
            self.proc.join(0.5)
        self.conn.close()


class WorkerPool:
    """run(tasks, on_result, on_timeout): results arrive as they finish, in any order."""

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self._ctx = _context()
        self._running: dict = {}
        self.started = 0                   # processes started

    def run(self, tasks: list[FunctionTask], on_result: Callable[[TaskResult], None],
            on_timeout: Callable[[FunctionTask, float, bool], None]) -> None:
        if self._ctx.get_start_method() == "fork":
            warm_up({t.language for t in tasks})
            gc.freeze()        # children then do not touch (copy) the parent's objects in GC
        todo = list(reversed(tasks))
        busy = self._running
        while todo or busy:
            while todo and len(busy) < self.jobs:
                r = _Running(self._ctx, todo.pop())
                busy[r.conn] = r
                self.started += 1
            nearest = min(r.kill_at for r in busy.values())
            ready = wait(list(busy), timeout=max(0.0, nearest - time.monotonic()))
            for conn in ready:
                r = busy.pop(conn)
                try:
                    res = conn.recv()
                except (EOFError, OSError):       # the worker died (segfault, OOM kill)
                    res = None
                r.reap(kill=res is None)
                if res is None:
                    on_timeout(r.task, time.monotonic() - r.started, True)
                else:
                    on_result(res)
            now = time.monotonic()
            for conn, r in list(busy.items()):
                if now >= r.kill_at:
                    del busy[conn]
                    r.reap(kill=True)
                    on_timeout(r.task, now - r.started, False)

    def close(self, now: bool = False) -> None:
        """Stop what still runs (an interrupted run)."""
        for r in list(self._running.values()):
            r.reap(kill=True)
        self._running.clear()
        gc.unfreeze()


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
