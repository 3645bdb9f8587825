"""Worker processes for FunctionTasks, each killed when its task outlives the budget (the
backstop when z3 ignores its limit or Python code runs long outside it).

On Linux every task runs in a child forked from this (warm) process: imports and z3's
one-time setup are paid once here, before the first fork, and every task starts from the
same state — so the findings (z3's models, hence the counterexamples shown) do not depend
on which other tasks a worker ran before, and `--jobs N` reports exactly what `--jobs 1`
does.  Elsewhere (no fork) each task gets a spawned process.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
import time
from multiprocessing.connection import wait
from typing import Callable, Optional

from .task import FunctionTask, TaskResult, verify_task

KILL_GRACE = 0.07          # the kill comes at budget * (1 + KILL_GRACE)


def _context():
    return mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def warm_up() -> None:
    """One tiny z3 query, so forked workers inherit an initialised solver."""
    import z3
    s = z3.Solver()
    x = z3.Int("warm_up")
    s.add(x * x == 4, x > 0)
    s.check()


def _child(conn, task: FunctionTask) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # the parent decides about Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        conn.send(verify_task(task))
    finally:
        conn.close()


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
            warm_up()
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


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
