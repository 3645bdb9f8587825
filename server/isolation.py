"""The language server's verification of one function, in a killable child process.

Why: z3 can overrun its own time limit for minutes on some nonlinear queries, and the
scheduler verifies on one thread, so one such function would block every later answer
(and the cancellation of its document) for good.  Here each function runs as a
`FunctionTask` in the warm child of `runner/isolated.py` (the mechanism Dask workers use):
the scheduler thread waits for the answer, and kills the child when the function outlives
its budget * (1 + KILL_GRACE), as in `veriline check`: the findings the child reported
as it decided them (engine/progress.py) are kept, the rest is "don't know: the function's
time budget … ran out"; the next function gets a new child.  When a newer edit cancels the
round (checked every POLL_S), the child is sent SIGUSR1, which cancels the task's token
(z3 is interrupted, as by the Budget); a child that has not answered CANCEL_GRACE_S later
is killed, so a cancel never waits longer.

Fork safety.  The server has other threads (the asyncio loop, the stdio reader), and a
forked child has only the thread that forked it: a lock another thread held at that
instant stays held in the child for ever.  So:
  * the rounds' children are forked only from the scheduler thread, the one thread that
    runs the engine in this process (parsing, fingerprints, z3's warm-up), so no engine
    state is half-changed by another thread when it forks;
  * the child touches nothing the other threads use: it never writes to the LSP stream
    (fds 0/1 become /dev/null), and gets fresh sys.stdout/sys.stderr objects (the old ones'
    buffer locks may be held) which the logging handlers are pointed at; it opens its own
    lemma-cache connection (FunctionTask.cache_spec, as the CLI's workers do);
  * Python itself re-initialises the GIL, the import lock and logging's locks in a child;
  * no other thread of the server runs z3: the proof-view command (app.show_proof) runs
    the engine in a child of its own too (`prove`), forked from an executor thread under
    FORK_LOCK, which the scheduler thread holds while it warms z3 up and while it forks
    (so that child never copies a z3 lock held mid-query either);
  * whatever is left can at worst hang the child, which is then killed at the budget like
    any overrun: a "don't know", never a wrong verdict and never a blocked server.
One child serves round after round (it stays warm: a fresh one pays ~0.1 s on its first
function, copying the pages it touches) and is replaced when it was killed, died, grew
past RECYCLE_MB, or a new language was warmed up here; a replacement is forked at once
(off the path of the next task) and detaches itself before it reads a task.  (Having it
also verify the warm-up functions while idle made its first task ~2x faster when the
next edit came late, and slower when it came at once: not done.)
A child forked during a round gets the round's program (`remember_program`); a running
one parses new versions itself, incrementally (it inherited the parser's block cache).
gc is frozen around the fork so the child does not copy the parent's objects, and
unfrozen in the parent (a long-lived server must still collect its garbage).  Without os.fork the scheduler verifies in-process.
"""
from __future__ import annotations

import gc
import io
import logging
import os
import sys
import threading
import time
import warnings
from dataclasses import replace
from typing import Optional

from veriline.analyses import ir, solver
from veriline.analyses.engine.progress import Partial
from veriline.analyses.engine.undecided import undecided
from veriline.runner import isolated
from veriline.runner.pool import KILL_GRACE, warm_up
from veriline.runner.task import COOPERATIVE_MARGIN, FunctionTask, forget_programs, \
    remember_program, verify_task

from .results import internal_error

log = logging.getLogger(__name__)
OVERRUN_ENV = "VERILINE_TEST_OVERRUN"   # test hook: names of functions whose task hangs
CANCEL_GRACE_S = 0.25      # a cancelled child that has not stopped by then is killed
_CURRENT: list = [None]    # in the child: the CancelToken of the task it runs


def available() -> bool:
    return hasattr(os, "fork")


def cache_spec(cache) -> Optional[str]:
    """The spec a child opens to use the server's lemma cache; None (no cache) when there
    is none or it is not trusted, as `veriline check` does for its workers."""
    if cache is None or not getattr(cache, "trusted", True):
        return None
    from veriline import config
    return config.spec_of(cache)


class Outcome:
    """What the child said about one function."""

    def __init__(self, findings: list, cacheable: bool, solver_calls: int = 0) -> None:
        self.findings = findings
        self.cacheable = cacheable          # False: an internal error, retried next round
        self.solver_calls = solver_calls


class ChildVerifier:
    """Runs functions one at a time in a child of the scheduler thread (call it only there)."""

    def __init__(self) -> None:
        self._child: Optional[isolated.Child] = None
        self._warm: set[str] = set()
        self.forks = 0

    def warm(self, language: str) -> None:
        """Import the engine and set z3 up here, once per language, so every child forked
        afterwards starts warm (else each pays ~0.4 s); an idle child forked before is
        replaced."""
        if language not in self._warm:
            with FORK_LOCK:        # z3 runs here: no proof-view child forks meanwhile
                warm_up({language})
            self._warm.add(language)
            self.close()

    def begin_round(self, path: str, language: str, text: str, program: ir.Program) -> None:
        """The next functions belong to this program: a child forked from now on has it
        (a running child parses it, incrementally: it inherited the parser's block cache)."""
        self.warm(language)
        forget_programs()
        remember_program(path, language, text, program)

    def verify(self, token: solver.CancelToken, task: FunctionTask,
               program: ir.Program) -> Outcome:
        """The function's findings within task.budget_s; raises solver.Cancelled once the
        token is cancelled (the child stopped or killed then)."""
        token.check()
        t0 = time.monotonic()
        deadline = t0 + task.budget_s * (1 + KILL_GRACE)
        got = None
        partial = Partial()        # what the child decided before an answer (or a kill)
        for _attempt in (0, 1):    # a child that ended after its last answer is replaced
            if self._child is None:
                try:
                    self._child = self._fork()
                except OSError as exc:     # no process to be had (EAGAIN, ENOMEM)
                    log.error("veriline: could not fork a verifying process: %s", exc)
                    return Outcome([internal_error(
                        program, task.name, f"could not start a verifying process: {exc}")],
                        False)
            got = self._child.ask(task, deadline, lambda: token.cancelled, CANCEL_GRACE_S,
                                  partial.add)
            if got is None:
                self._child.close(kill=True)
            if self._child.pid is None:     # killed (timeout, cancel) or dead
                self._child = None
            if got is not None or time.monotonic() >= deadline:
                break
        if self._child is None:     # its replacement sets itself up while we are idle
            try:
                self._child = self._fork()
            except OSError:            # the next function tries again
                pass
        if got == "cancelled" or token.cancelled:
            raise solver.Cancelled()
        fn = program.functions[task.name]
        if got == "timeout":
            log.info("veriline: %s outlived its budget of %g s: its process was killed",
                     task.name, task.budget_s)
            kept = partial.findings()      # decided before the kill: kept as they are
            return Outcome(kept if kept is not None else undecided(
                program, fn, set(task.options.analyses), [], task.budget_s), True)
        if got is None:
            return Outcome([internal_error(program, task.name,
                                           "the verifying process died (out of memory?)")],
                           False)
        result, calls = got
        if result.error.startswith("BudgetExhausted"):   # the budget ran out uncaught
            return Outcome(undecided(program, fn, set(task.options.analyses), [],
                                     task.budget_s), True, calls)
        if result.error:
            return Outcome([internal_error(program, task.name, result.error)], False, calls)
        return Outcome(result.findings, True, calls)

    def _fork(self) -> isolated.Child:
        child = _fork(_answer)
        self.forks += 1
        return child

    def close(self) -> None:
        child, self._child = self._child, None
        if child is not None:
            child.close(kill=True)


FORK_LOCK = threading.Lock()   # held while this process forks a child or z3 runs here


def _fork(handler) -> isolated.Child:
    with FORK_LOCK:
        gc.freeze()                # the child then does not copy the parent's objects
        try:
            with warnings.catch_warnings():   # 3.12+ warns of fork with threads: see above
                warnings.simplefilter("ignore", DeprecationWarning)
                return isolated.Child(handler, _setup)
        finally:
            gc.unfreeze()


def prove(program: ir.Program, name: str, options) -> tuple[str, list]:
    """The proof view's findings of one function, their queries recorded
    (proof_view.verify_with_proofs), in a child of its own killed at the function's budget
    (options.budget_s) * (1 + KILL_GRACE); call it on an executor thread.  ("done",
    findings), or ("timeout", what it decided before the kill: without queries)."""
    seconds = float(getattr(options, "budget_s", 10.0) or 10.0)
    task = FunctionTask(program.path, getattr(program, "text", "") or "", program.language,
                        name, replace(options, cache=None, record_proofs=True), seconds,
                        cache_spec(getattr(options, "cache", None)))
    if not available():
        from .proof_view import verify_with_proofs
        return "done", verify_with_proofs(program, name, options, seconds)
    partial = Partial()
    child = _fork(_answer_proof)
    try:
        got = child.ask(task, time.monotonic() + seconds * (1 + KILL_GRACE),
                        partial=partial.add)
    finally:
        child.close(kill=True)
    if got is None:
        return "done", [internal_error(program, name,
                                       "the verifying process died (out of memory?)")]
    if got == "timeout" or got.error.startswith("BudgetExhausted"):
        return "timeout", partial.findings() or []
    if got.error:
        return "done", [internal_error(program, name, got.error)]
    return "done", got.findings


def _answer_proof(task: FunctionTask):
    _detach_from_server()
    _test_overrun(task.name, solver.CancelToken())
    return verify_task(task, report=isolated.report)


def task_for(program: ir.Program, text: str, name: str, options, seconds: float,
             quick: bool = False) -> FunctionTask:
    """quick (the first pass, whose budget findings are dropped): the engine itself gets
    `seconds`, as in-process — a task stops itself at (1 - COOPERATIVE_MARGIN) of its
    budget, which would cut the 0.5 s of the first pass to 0.45 s."""
    budget = seconds / (1 - COOPERATIVE_MARGIN) if quick else seconds
    return FunctionTask(program.path, text, program.language, name,
                        replace(options, cache=None), budget,
                        cache_spec(getattr(options, "cache", None)))


_DETACHED = False


def _setup(tasks_fd: int) -> None:
    """The child's set-up, before its first task: a child that could not detach from the
    server ends (its functions get "don't know": the verifying process died)."""
    try:
        _detach_from_server()
    except BaseException:
        os._exit(1)


def _detach_from_server() -> None:
    """In the child, once (at its set-up; a no-op at its tasks):
    nothing it does may reach the LSP stream or a lock that another thread of the server
    held when it forked (see the module docstring)."""
    global _DETACHED
    if _DETACHED:
        return
    _DETACHED = True
    _die_with_parent()
    _listen_for_cancel()
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.close(null)
    old_err = sys.stderr
    try:
        sys.stderr = io.TextIOWrapper(io.FileIO(os.dup(2), "w"), line_buffering=True,
                                      errors="backslashreplace")
    except OSError:
        sys.stderr = open(os.devnull, "w")
    sys.stdout = open(os.devnull, "w")
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler) and \
                getattr(handler, "stream", None) in (old_err, sys.__stdout__, sys.__stderr__):
            handler.stream = sys.stderr


def _die_with_parent() -> None:
    """Linux: SIGKILL this child when the thread that forked it ends (the server exiting
    while z3 overruns must not leave an orphan computing for minutes)."""
    try:
        import ctypes
        import signal
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)          # PR_SET_PDEATHSIG
    except Exception:              # not Linux: the task pipe's EOF ends it after its task
        return
    if os.getppid() == 1:          # the parent is already gone
        os._exit(0)


def _listen_for_cancel() -> None:
    """In the child: SIGUSR1 (the parent's cancel) cancels the running task's token, from
    a thread, because the main thread may be inside a z3 call where Python handlers do not
    run: the C-level handler writes to the wake-up fd at once, and the token's cancel
    interrupts z3 as the Budget's timer does.  (A wake-up that came after its task ended
    can at worst cancel the next task: that answer is an error, shown as "don't know"
    and not cached.)"""
    import signal
    import threading
    r, w = os.pipe()
    os.set_blocking(w, False)
    signal.signal(signal.SIGUSR1, lambda *_: None)
    signal.set_wakeup_fd(w, warn_on_full_buffer=False)   # replaces any inherited one

    def watch() -> None:
        while os.read(r, 512):
            token = _CURRENT[0]
            if token is not None:
                token.cancel()
    threading.Thread(target=watch, name="veriline-cancel", daemon=True).start()


def _answer(task: FunctionTask) -> tuple:
    """The child's handler: (TaskResult, solver calls it made)."""
    _detach_from_server()
    token = _CURRENT[0] = solver.CancelToken()
    try:
        _test_overrun(task.name, token)
        calls = solver.STATS.solver_calls
        result = verify_task(task, token, report=isolated.report)
        return result, solver.STATS.solver_calls - calls
    finally:
        _CURRENT[0] = None


def _test_overrun(name: str, token: solver.CancelToken) -> None:
    """Test hook ($VERILINE_TEST_OVERRUN, comma-separated): `name` hangs ignoring every
    limit (as z3 can); `~name` hangs until cancelled, then goes on (a slow query that
    honours interrupts)."""
    names = os.environ.get(OVERRUN_ENV, "").split(",")
    if name in names:
        time.sleep(3600)
    elif "~" + name in names:
        while not token.cancelled:
            time.sleep(0.01)
