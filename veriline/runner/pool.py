"""Worker processes for FunctionTasks, each killed when its task outlives the budget (the
backstop when z3 ignores its limit or Python code runs long outside it).

On Linux every task runs in a child forked from this (warm) process: the engine's imports
and z3's one-time setup are paid once here, before the first fork, and every task starts
from the same state — so the findings (z3's models, hence the counterexamples shown) do
not depend on which other tasks a worker ran before, nor on when it was forked, and
`--jobs N` reports exactly what `--jobs 1` does.  Elsewhere (no fork) each task gets a
spawned process.

Tasks may be submitted while the runner still parses the next files (submit/poll/drain),
so the workers solve while the main process parses; the heaviest task waiting (by its
`weight`) is started first, so a slow function does not start last.  A worker reports
each finding as it is decided; one killed past its budget is answered with those findings
and "don't know" for the rest only (engine/progress.py).
"""
from __future__ import annotations

import gc
import heapq
import importlib
import multiprocessing as mp
import os
import pickle
import pkgutil
import queue
import signal
import sys
import threading
import time
from multiprocessing.connection import wait
from typing import Callable, Optional

from veriline.analyses.engine import alarm
from veriline.analyses.engine.progress import Partial

from .forked import ForkedProcess
from .task import FunctionTask, TaskResult, verify_task

KILL_GRACE = 0.07          # the kill comes at budget * (1 + KILL_GRACE)
REPORT_AFTER_S = 0.25      # a worker's findings are sent as decided from then on
_WARMED: list = []         # warm_up ran in this process


def _context():
    return mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def warm_up(languages=()) -> None:
    """Import the whole engine here — also the parts it imports lazily (the concrete
    interpreter, CHC, templates) — and let z3 do its one-time setup on three tiny queries,
    so a forked worker pays neither (else each task pays 20-200 ms for that).  Nothing is
    verified: z3 then holds the same terms whichever files the run checks, and the
    frontends (libcst, pycparser) are left to the parsing that needs them.  `languages`
    is accepted for the callers' sake: the engine is the same for both."""
    if _WARMED:
        return
    _WARMED.append(True)
    try:
        import z3
        from veriline.analyses import engine, interp, solver
        from veriline.analyses.engine import driver  # noqa: F401 - the engine proper
        for pkg in (engine, interp, solver):       # (solver: portfolio, forked: ~4 ms/task)
            for mod in pkgutil.iter_modules(pkg.__path__):
                importlib.import_module(f"{pkg.__name__}.{mod.name}")
        importlib.import_module("veriline.analyses.solver.horn")
        x, b = z3.Int("warm_up_x"), z3.BitVec("warm_up_b", 32)
        for goal, make in ((z3.And(x * x > 3, x < 10), z3.Solver),
                           (z3.Not(z3.BVAddNoOverflow(b, b, True)), z3.Solver),
                           (z3.And(x > 3, x < 10), z3.SimpleSolver)):   # linear: query.py
            s = make()
            s.set("timeout", 1000)
            s.add(goal)
            if s.check() == z3.sat:
                s.model().eval(goal, model_completion=True)
    except Exception:          # only an optimisation
        pass


def _child(conn, task: FunctionTask) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # the parent decides about Ctrl-C
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        reports = _Reports(conn, task.budget_s)
        try:
            result = verify_task(task, report=reports)
        finally:
            reports.close()
        conn.send(result)
        conn.close()
    finally:
        os._exit(0)        # nothing to clean up: skip the interpreter's shutdown


class _Reports:
    """In a worker: each finding decided (engine/progress.py) goes to the parent from a
    thread, so the engine never waits while the parent is busy parsing the next files;
    what is still queued at the answer is dropped (the answer supersedes it).  Most tasks
    answer within REPORT_AFTER_S: until then the reports are only kept (no thread, nothing
    for the parent to read), and sent at once when the alarm starts the thread."""

    def __init__(self, conn, budget_s: float) -> None:
        self._conn, self._queue, self._dropping = conn, queue.SimpleQueue(), False
        self._lock = threading.Lock()
        self._thread = None
        self._alarm = alarm.at(time.monotonic() + min(REPORT_AFTER_S, budget_s / 4),
                               self._start)

    def __call__(self, msg) -> None:
        self._queue.put(pickle.dumps(("partial", msg)))

    def _start(self) -> None:
        with self._lock:
            if not self._dropping:
                self._thread = threading.Thread(target=self._run, name="veriline-reports",
                                                daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while (data := self._queue.get()) is not None:
            if not self._dropping:
                self._conn.send_bytes(data)

    def close(self) -> None:
        alarm.stop(self._alarm)
        with self._lock:
            self._dropping = True
            thread = self._thread
        if thread is not None:
            self._queue.put(None)
            thread.join()        # only a message being written is finished


class _Running:
    def __init__(self, ctx, task: FunctionTask) -> None:
        self.task = task
        self.conn, child = ctx.Pipe(duplex=False)
        self.started = time.monotonic()
        self.kill_at = self.started + task.budget_s * (1 + KILL_GRACE)
        self.partial = Partial()          # what it decided so far (engine/progress.py)
        self.proc = ForkedProcess(_child, (child, task)) \
            if ctx.get_start_method() == "fork" else \
            ctx.Process(target=_child, args=(child, task), daemon=True)
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
    """run(tasks, on_result, on_timeout): results arrive as they finish, in any order.
    Or, to start work while more is being prepared: open(on_result, on_timeout), then
    submit(tasks) and poll() as often as convenient, and drain() at the end."""

    def __init__(self, jobs: int) -> None:
        self.jobs = max(1, jobs)
        self._ctx = _context()
        self._running: dict = {}
        self._exiting: list = []           # answered workers (_Running) not yet joined
        self._todo: list = []              # heap of (-weight, order, task)
        self._order = 0
        self._on_result: Optional[Callable] = None
        self._on_timeout: Optional[Callable] = None
        self.started = 0                   # processes started

    def run(self, tasks: list[FunctionTask], on_result: Callable[[TaskResult], None],
            on_timeout: Callable[[FunctionTask, float, bool], None]) -> None:
        self.open(on_result, on_timeout)
        self.submit(tasks)
        self.drain()

    def open(self, on_result: Callable[[TaskResult], None],
             on_timeout: Callable[[FunctionTask, float, bool], None]) -> None:
        self._on_result, self._on_timeout = on_result, on_timeout

    def submit(self, tasks: list[FunctionTask], weights: Optional[list] = None) -> None:
        """Queue tasks (weights: their expected cost, heaviest started first; equal
        weights keep the submission order) and start what the free workers can take."""
        for k, task in enumerate(tasks):
            w = weights[k] if weights is not None else 0
            heapq.heappush(self._todo, (-w, self._order, task))
            self._order += 1
        self.poll()

    def poll(self) -> None:
        """Without waiting: take the finished results, kill the overdue, start more."""
        self._step(0.0)

    def drain(self) -> None:
        """Wait until every submitted task has a result."""
        while self._todo or self._running:
            self._step(None)

    def _start_more(self) -> None:
        if not self._todo or len(self._running) >= self.jobs:
            return
        if self._ctx.get_start_method() == "fork":
            warm_up()
            gc.freeze()        # children then do not touch (copy) the parent's objects in GC
        while self._todo and len(self._running) < self.jobs:
            r = _Running(self._ctx, heapq.heappop(self._todo)[2])
            self._running[r.conn] = r
            self.started += 1

    def _step(self, timeout: Optional[float], also=None) -> None:
        """Start what fits, then take results (waiting up to timeout; None: until the
        first result, the nearest kill time or, given, until `also` is readable)."""
        self._start_more()
        busy = self._running
        if not busy and also is None:
            return
        left = max(0.0, min(r.kill_at for r in busy.values()) - time.monotonic()) \
            if busy else None
        if timeout is not None:
            left = timeout if left is None else min(timeout, left)
        ready = wait(list(busy) + ([also] if also is not None else []), timeout=left)
        for conn in ready:
            if conn is also:
                continue
            try:
                res = conn.recv()
            except (EOFError, OSError):       # the worker died (segfault, OOM kill)
                res = None
            if isinstance(res, tuple) and res[0] == "partial":
                busy[conn].partial.add(res[1])
                continue
            r = busy.pop(conn)
            if res is None:
                r.reap(kill=True)
                self._on_timeout(r.task, time.monotonic() - r.started, True)
            else:                 # it exits right after its answer: joined later
                r.conn.close()
                self._exiting.append(r)
                self._on_result(res)
        self._exiting = [r for r in self._exiting if r.proc.join(0) or r.proc.is_alive()]
        now = time.monotonic()
        for conn, r in list(busy.items()):
            if now >= r.kill_at:
                del busy[conn]
                r.reap(kill=True)
                self._killed(r, now - r.started)
        self._start_more()

    def wait_also(self, conn) -> None:
        """Keep the workers going until `conn` (not a worker's) is readable: the runner
        waits so for the Python files' helper (preparse.py).  Tasks are bound to follow,
        so the engine is warmed up meanwhile."""
        if self._ctx.get_start_method() == "fork":
            warm_up()
        while not conn.poll():
            self._step(None, also=conn)

    def _killed(self, r: _Running, seconds: float) -> None:
        """A task past its budget: the findings it decided before (as they are) and
        "don't know" for the rest, or, when it decided nothing, on_timeout."""
        kept = r.partial.findings()
        if kept is None:
            self._on_timeout(r.task, seconds, False)
        else:
            self._on_result(TaskResult(r.task.index, kept, seconds))

    def close(self, now: bool = False) -> None:
        """Stop what still runs (an interrupted run)."""
        for r in list(self._running.values()):
            r.reap(kill=True)
        self._running.clear()
        self._todo.clear()
        for r in self._exiting:
            r.reap(kill=False)
        self._exiting.clear()
        gc.unfreeze()


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
