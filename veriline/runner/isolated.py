"""One FunctionTask in a forked child of the calling process, killed when it outlives its
budget: what a Dask worker runs per task.

Why a child per task there too: the engine's memory (z3 terms, per-function caches) is
given back when the child exits, so a worker that verifies thousands of functions stays at
its warm size instead of growing by gigabytes; a function that ignores its budget is killed
exactly as in a local run; and every task starts from the same warm state, so the cluster
reports what `--jobs N` does.  Dask worker processes are daemonic, and multiprocessing
refuses children of a daemonic process, hence a plain os.fork and a pipe.
"""
from __future__ import annotations

import gc
import os
import pickle
import select
import signal
import time

from .pool import KILL_GRACE, warm_up
from .task import FunctionTask, _program, verify_task

_WARM: set = set()


def _ensure_warm(language: str) -> None:
    if language not in _WARM:
        warm_up({language})
        _WARM.add(language)
        gc.freeze()            # children then do not copy the parent's objects in GC


def run_isolated(task: FunctionTask) -> tuple:
    """("done", TaskResult) or ("timeout", seconds, died): died means the child ended
    without an answer before its time (a crash, an out-of-memory kill)."""
    if not hasattr(os, "fork"):
        return "done", verify_task(task)
    _ensure_warm(task.language)
    try:
        _program(task)         # parsed here once, inherited by this file's later tasks
    except Exception:          # the child reports the failure as the task's error
        pass
    t0 = time.monotonic()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:               # the child
        try:
            os.close(r)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            data = pickle.dumps(verify_task(task))
            with os.fdopen(w, "wb") as out:
                out.write(data)
        finally:
            os._exit(0)
    os.close(w)
    kill_at = t0 + task.budget_s * (1 + KILL_GRACE)
    chunks, killed = [], False
    try:
        while True:
            left = kill_at - time.monotonic()
            if left <= 0:
                os.kill(pid, signal.SIGKILL)
                killed = True
                break
            ready, _, _ = select.select([r], [], [], left)
            if ready:
                chunk = os.read(r, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.close(r)
        os.waitpid(pid, 0)
    seconds = time.monotonic() - t0
    if killed:
        return "timeout", seconds, False
    try:
        return "done", pickle.loads(b"".join(chunks))
    except Exception:          # nothing (or half) written: the child died
        return "timeout", seconds, True
