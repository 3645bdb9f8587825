"""A pool of warm worker processes, each running one FunctionTask at a time, killed when
a task outlives its budget (the backstop when z3 ignores its limit or Python code runs
long outside it).  Workers stay alive across tasks: the first z3 query in a process
pays its setup once.
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


def _worker_main(conn) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # the parent decides about Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        conn.send(verify_task(task))


class _Worker:
    def __init__(self, ctx) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child,), daemon=True)
        self.proc.start()
        child.close()
        self.task: Optional[FunctionTask] = None
        self.kill_at = 0.0
        self.started = 0.0

    def send(self, task: FunctionTask) -> None:
        self.task, self.started = task, time.monotonic()
        self.kill_at = self.started + task.budget_s * (1 + KILL_GRACE)
        self.conn.send(task)

    def kill(self) -> None:
        try:
            self.proc.kill()
        except Exception:
            pass
        self.proc.join(0.2)
        self.conn.close()

    def stop(self) -> None:
        try:
            self.conn.send(None)
        except Exception:
            pass


class WorkerPool:
    """run(tasks, on_result, on_timeout): results arrive as they finish, in any order."""

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self._ctx = _context()
        self._workers: list[_Worker] = []

    def run(self, tasks: list[FunctionTask], on_result: Callable[[TaskResult], None],
            on_timeout: Callable[[FunctionTask, float, bool], None]) -> None:
        todo = list(reversed(tasks))
        while len(self._workers) < min(self.jobs, len(tasks)):
            self._workers.append(_Worker(self._ctx))
        busy: dict = {}
        for w in self._workers:
            if todo:
                w.send(todo.pop())
                busy[w.conn] = w
        while busy:
            now = time.monotonic()
            nearest = min(w.kill_at for w in busy.values())
            ready = wait(list(busy), timeout=max(0.0, nearest - now))
            for conn in ready:
                w = busy.pop(conn)
                try:
                    res = conn.recv()
                except (EOFError, OSError):       # the worker died (segfault, OOM kill)
                    res = None
                if res is None:
                    task, started = w.task, w.started
                    w = self._replace(w, bool(todo))
                    on_timeout(task, time.monotonic() - started, True)
                else:
                    on_result(res)
                if todo and w is not None:
                    w.send(todo.pop())
                    busy[w.conn] = w
            now = time.monotonic()
            for conn, w in list(busy.items()):
                if conn not in ready and now >= w.kill_at:
                    del busy[conn]
                    task, started = w.task, w.started
                    w = self._replace(w, bool(todo))
                    on_timeout(task, now - started, False)
                    if todo and w is not None:
                        w.send(todo.pop())
                        busy[w.conn] = w

    def _replace(self, w: _Worker, needed: bool) -> Optional[_Worker]:
        """Kill w and start a fresh worker in its place (when there is work left)."""
        w.kill()
        self._workers.remove(w)
        if not needed:
            return None
        fresh = _Worker(self._ctx)
        self._workers.append(fresh)
        return fresh

    def close(self, now: bool = False) -> None:
        """Stop the workers (at once with now=True: killed, e.g. on Ctrl-C)."""
        for w in self._workers:
            if now:
                w.kill()
            else:
                w.stop()
        for w in self._workers:
            w.proc.join(0.5 if not now else 0.1)
            if w.proc.is_alive():
                w.kill()
        self._workers = []


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
