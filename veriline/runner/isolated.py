"""FunctionTasks in a forked child of the calling process, killed when one outlives its
budget: what a Dask worker runs per task.

Why a child: the engine's memory (z3 terms, per-function caches) is given back when the
child ends, so a worker that verifies thousands of functions stays near its warm size
instead of growing by gigabytes, and a function that ignores its budget (z3 can overrun
its own time limit on nonlinear queries) is killed exactly as in a local run.  Forking
per task costs 10-25 ms in a Dask worker, so one child serves task after task and is
replaced when it grows past RECYCLE_MB, dies, or is killed.  Dask worker processes are
daemonic, and multiprocessing refuses children of a daemonic process: hence os.fork and
pipes.  The language server uses `Child` too, with its own handler and set-up and a
cancel that stops the task early (server/isolation.py).  A task reports each finding as
it is decided (`report`, ahead of its answer on the same pipe), so one killed past its
budget still gives what it decided (engine/progress.py).
"""
from __future__ import annotations

import gc
import os
import pickle
import resource
import select
import signal
import struct
import threading
import time
from typing import Callable

from veriline.analyses.engine.progress import Partial

from .pool import KILL_GRACE, warm_up
from .task import FunctionTask, TaskResult, verify_task

RECYCLE_MB = 400           # a child past this peak RSS ends after its answer
_WARM: set = set()
_LOCAL = threading.local()  # one child per worker thread


def _ensure_warm(language: str) -> None:
    if language not in _WARM:
        warm_up({language})
        _WARM.add(language)
        gc.freeze()            # children then do not copy the parent's objects in GC


def _send(fd: int, obj) -> None:
    data = pickle.dumps(obj)
    view = memoryview(struct.pack("!Q", len(data)) + data)
    while view:
        view = view[os.write(fd, view):]


POLL_S = 0.02              # how often a waiting parent asks whether the task was cancelled


def _read_exact(fd: int, n: int, deadline: float | None,
                cancelled: Callable[[], bool] | None = None) -> bytes | None:
    """n bytes, or None at EOF / past the deadline / once cancelled() is true (asked only
    before the first byte, so a message is never cut in two)."""
    out = bytearray()
    while len(out) < n:
        while deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or (cancelled is not None and not out and cancelled()):
                return None
            if select.select([fd], [], [], left if cancelled is None
                             else min(left, POLL_S))[0]:
                break
        chunk = os.read(fd, min(1 << 16, n - len(out)))
        if not chunk:
            return None
        out += chunk
    return bytes(out)


_ANSWERS: list = [None]     # in the child: the answers pipe of the task it runs


def report(msg) -> None:
    """In the child, while a task runs: send msg to the parent ahead of the answer (each
    finding as it is decided: the parent keeps them if it has to kill the task).  The
    parent reads while it waits, so this does not block for long."""
    if _ANSWERS[0] is not None:
        _send(_ANSWERS[0], ("partial", msg))


def _verify_reporting(task: FunctionTask):
    return verify_task(task, report=report)


def _serve(tasks_fd: int, answers_fd: int, handler: Callable) -> None:
    """The child: answer tasks until the parent closes the pipe or this process grew."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    while True:
        head = _read_exact(tasks_fd, 8, None)
        if head is None:
            return
        task = pickle.loads(_read_exact(tasks_fd, struct.unpack("!Q", head)[0], None))
        _ANSWERS[0] = answers_fd
        try:
            answer = handler(task)
        finally:
            _ANSWERS[0] = None
        _send(answers_fd, ("done", answer))
        if resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024 > RECYCLE_MB:
            return


class Child:
    """A forked child answering handler(task) for each task sent (default verify_task;
    the language server passes its own handler: server/isolation.py)."""

    def __init__(self, handler: Callable | None = None,
                 setup: Callable[[int], None] | None = None) -> None:
        """setup(tasks_fd): run first in the child, before it reads a task from tasks_fd."""
        t_r, t_w = os.pipe()
        a_r, a_w = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            try:
                os.close(t_w)
                os.close(a_r)
                if setup is not None:
                    setup(t_r)
                _serve(t_r, a_w, handler or _verify_reporting)
            finally:
                os._exit(0)
        os.close(t_r)
        os.close(a_w)
        self.tasks, self.answers = t_w, a_r

    def ask(self, task, deadline: float, cancelled: Callable[[], bool] | None = None,
            grace: float = 0.0, partial: Callable | None = None):
        """The answer; "timeout" past the deadline (then killed); None if it died;
        "cancelled" once cancelled() is true: with a grace, the child is sent SIGUSR1 (its
        handler must stop the task) and kept if it answers within grace seconds, else (and
        without a grace) it is killed.  partial(msg): what the task reported before its
        answer (`report`), as it comes."""
        try:
            _send(self.tasks, task)
        except OSError:            # it ended (grew past RECYCLE_MB) or crashed
            return None
        got = self._answer(deadline, cancelled, partial)
        if got is _CANCELLED:
            if grace <= 0 or self._answer_to(signal.SIGUSR1, time.monotonic() + grace,
                                             partial) is None:
                self.close(kill=True)
            return "cancelled"
        if got is not None:
            return got[0]
        if time.monotonic() >= deadline:
            self.close(kill=True)
            return "timeout"
        return None

    def _answer(self, deadline: float, cancelled=None, partial=None):
        """(answer,), None (EOF, past the deadline) or _CANCELLED; reports go to partial."""
        while True:
            head = _read_exact(self.answers, 8, deadline, cancelled)
            if head is None:
                return _CANCELLED if cancelled is not None and cancelled() else None
            data = _read_exact(self.answers, struct.unpack("!Q", head)[0], deadline)
            if not data:
                return None
            tag, body = pickle.loads(data)
            if tag == "done":
                return (body,)
            if partial is not None:
                partial(body)

    def _answer_to(self, signum: int, deadline: float, partial=None):
        """Signal the child; (its answer,) if one comes by the deadline."""
        try:
            os.kill(self.pid, signum)
        except ProcessLookupError:
            return None
        return self._answer(deadline, None, partial)

    def close(self, kill: bool = False) -> None:
        if self.pid is None:       # closed already
            return
        if kill:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for fd in (self.tasks, self.answers):
            try:
                os.close(fd)
            except OSError:
                pass
        os.waitpid(self.pid, 0)
        self.pid = None


_CANCELLED = object()


def shutdown() -> None:
    """End this thread's child (the next task forks a new one)."""
    child = getattr(_LOCAL, "child", None)
    _LOCAL.child = None
    if child is not None:
        child.close(kill=True)


def run_isolated(task: FunctionTask) -> tuple:
    """("done", TaskResult) or ("timeout", seconds, died): died means the child ended
    without an answer before its time (a crash, an out-of-memory kill).  A task killed
    at its budget after it decided some properties is "done" too: those findings as
    they are, "don't know" for the rest (engine/progress.py)."""
    if not hasattr(os, "fork"):
        return "done", verify_task(task)
    _ensure_warm(task.language)
    t0 = time.monotonic()
    deadline = t0 + task.budget_s * (1 + KILL_GRACE)
    for attempt in (0, 1):     # a child that ended after its last answer is replaced
        child = getattr(_LOCAL, "child", None)
        if child is None:
            child = _LOCAL.child = Child()
        partial = Partial()
        got = child.ask(task, deadline, partial=partial.add)
        if isinstance(got, str) or got is None:
            _LOCAL.child = None
            if got is None:
                child.close(kill=True)
        if got == "timeout":
            seconds = time.monotonic() - t0
            kept = partial.findings()
            if kept is not None:
                return "done", TaskResult(task.index, kept, seconds)
            return "timeout", seconds, False
        if got is not None:
            return "done", got
        if time.monotonic() >= deadline:
            break
    return "timeout", time.monotonic() - t0, True
