"""Debounced, cancellable, incremental verification rounds.

z3 work must not block the event loop and must not run concurrently (one solver process
per editor is enough, and z3 contexts are not shared across threads), so every round is
driven by one worker thread; in the server each function is verified in a child process
of that thread (isolation.py), killed when it outlives its budget (z3 can overrun its own
limit for minutes).  A round re-verifies only the functions whose fingerprint changed
(`api.fingerprint` covers own source, callees' contracts/source and the options); the
others reuse their last findings, moved to the function's new lines.  A newer edit
cancels the running round (CancelToken interrupts z3; a child is asked to stop, and
killed if it does not).  A round runs in two passes: every function first gets a short
budget (QUICK_S), so the quick ones are answered at once even when a slow one comes
first; those it cut short keep their decided findings on screen, stay "verifying…", and
get the full per-function budget in the second pass.  Everything the handlers read lives
on the event loop thread: the worker only hands results over with
`call_soon_threadsafe`, and results for a document version that is no longer current are
dropped there.
"""
from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Optional, Protocol

from veriline.analyses import api, ir, solver
from veriline.analyses.engine.budget import BUDGET_PROPERTY, Budget, BudgetExhausted
from veriline.analyses.engine.undecided import undecided

from veriline.runner.source import deep_call

from . import isolation
from .documents import Snapshot
from .results import DocResults, FunctionResult, Layout, focused_first, internal_error, \
    relocate

__all__ = ["ALL", "QUICK_S", "DocResults", "FunctionResult", "Job", "Layout", "Scheduler",
           "Sink"]

log = logging.getLogger(__name__)
ALL = "*"                       # force set member: re-verify every function
QUICK_S = 0.5                   # first-pass budget per function (seconds)


@dataclass
class Job:
    snap: Snapshot
    options: api.Options
    force: frozenset
    focus: Optional[int] = None     # 1-based line of the last edit: verified first
    token: solver.CancelToken = field(default_factory=solver.CancelToken)
    progress_started: bool = False

    @property
    def uri(self) -> str:
        return self.snap.uri


class Sink(Protocol):
    """The LSP side: called on the event loop thread only."""
    def current_version(self, uri: str) -> Optional[int]: ...
    def publish(self, results: DocResults) -> None: ...
    def progress(self, job: Job, kind: str, message: str, percentage: int) -> None: ...
    def stats(self, payload: dict) -> None: ...


class Scheduler:
    def __init__(self, loop: asyncio.AbstractEventLoop, sink: Sink,
                 snapshot: Callable[[str], Optional[tuple[Snapshot, api.Options]]],
                 backend=api, isolate: bool = False) -> None:
        """isolate: verify each function in a killable child process (isolation.py; the
        server does); else here, on the worker thread (tests with a fake backend)."""
        self._loop = loop
        self._sink = sink
        self._snapshot = snapshot       # uri -> (latest snapshot, its options) or None
        self._backend = backend         # api (tests pass a fake)
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._jobs: dict[str, Job] = {}
        self._force: dict[str, set[str]] = {}
        self._focus: dict[str, int] = {}        # uri -> line of the last edit (1-based)
        self._results: dict[str, DocResults] = {}
        self._cache: dict[str, dict[str, FunctionResult]] = {}   # worker side
        self._lock = threading.Lock()
        self._queue: queue.Queue = queue.Queue()
        self._children = isolation.ChildVerifier() if isolate and isolation.available() \
            else None
        self._child_calls = 0           # solver calls made in children (for the stats)
        self._thread = threading.Thread(target=self._work, name="veriline-verify", daemon=True)
        self._thread.start()

    # ------------------------------------------------------------------ loop side
    def results(self, uri: str) -> Optional[DocResults]:
        return self._results.get(uri)

    def schedule(self, uri: str, delay: float = 0.0, force: frozenset | set = frozenset(),
                 focus: Optional[int] = None) -> None:
        """(Re)start the debounce timer for uri; a running round for it is cancelled now.
        focus: the 1-based line just edited; its function is verified first."""
        self._cancel_job(uri)
        if focus is not None:
            self._focus[uri] = focus
        if force:
            self._force.setdefault(uri, set()).update(force)
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        self._timers[uri] = self._loop.call_later(max(0.0, delay), self._fire, uri)

    def forget(self, uri: str) -> None:
        """The document was closed: stop its work and drop everything about it."""
        timer = self._timers.pop(uri, None)
        if timer is not None:
            timer.cancel()
        self._cancel_job(uri)
        self._jobs.pop(uri, None)
        self._force.pop(uri, None)
        self._focus.pop(uri, None)
        self._results.pop(uri, None)
        with self._lock:
            self._cache.pop(uri, None)

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()

    def shutdown(self) -> None:
        for uri in list(self._timers):
            self._timers.pop(uri).cancel()
        for job in self._jobs.values():
            job.token.cancel()
        self._queue.put(None)

    def _cancel_job(self, uri: str) -> None:
        job = self._jobs.get(uri)
        if job is not None and not job.token.cancelled:
            job.token.cancel()
            if job.force:   # forced work that was cut short still has to happen
                self._force.setdefault(uri, set()).update(job.force)
            if job.focus is not None:
                self._focus.setdefault(uri, job.focus)

    def _fire(self, uri: str) -> None:
        self._timers.pop(uri, None)
        got = self._snapshot(uri)
        if got is None:
            return
        snap, options = got
        job = Job(snap, options, frozenset(self._force.pop(uri, ())), self._focus.pop(uri, None))
        self._jobs[uri] = job
        self._queue.put(job)

    def _current(self, job: Job) -> bool:
        return (not job.token.cancelled and self._jobs.get(job.uri) is job
                and self._sink.current_version(job.uri) == job.snap.version)

    def _deliver(self, kind: str, job: Job, payload) -> None:
        try:
            self._handle(kind, job, payload)
        except Exception:   # a bug in presentation must not kill the loop
            log.exception("veriline: delivering %s for %s failed", kind, job.uri)

    def _handle(self, kind: str, job: Job, payload) -> None:
        if kind == "stopped":
            if job.progress_started:
                job.progress_started = False
                self._sink.progress(job, "end", "cancelled", 100)
            return
        if not self._current(job):
            job.token.cancel()   # outdated: nothing of it may be shown
            return self._handle("stopped", job, None)
        if kind == "start":
            program, reused, todo = payload
            res = DocResults(job.uri, job.snap.version, program, dict(reused), list(todo))
            self._results[job.uri] = res
            if program.errors or reused or not todo:   # what is known already
                self._sink.publish(res)
            if todo:
                job.progress_started = True
                self._sink.progress(job, "begin", f"Verifying {job.snap.display_name}", 0)
        elif kind == "verifying":
            done, total, name = payload
            if job.progress_started:
                self._sink.progress(job, "report", f"{name} ({done + 1}/{total})",
                                    int(100 * done / max(total, 1)))
        elif kind == "function":
            res = self._results.get(job.uri)
            if res is None or res.version != job.snap.version:
                return
            res.functions[payload.name] = payload
            if not payload.partial:
                res.pending = [n for n in res.pending if n != payload.name]
            self._sink.publish(res)
        elif kind == "end":
            res = self._results.get(job.uri)
            if res is not None and res.version == job.snap.version:
                res.done = True
                counts = {"proved": 0, "counterexample": 0, "unknown": 0}
                for fr in res.functions.values():
                    for f in fr.findings:
                        counts[f.status] = counts.get(f.status, 0) + 1
                payload = dict(payload, counts=counts)
            self._handle("stopped", job, None)
            self._sink.stats(payload)

    # ------------------------------------------------------------------ worker side
    def _post(self, kind: str, job: Job, payload=None) -> None:
        try:
            self._loop.call_soon_threadsafe(self._deliver, kind, job, payload)
        except RuntimeError:    # loop closed: the server is shutting down
            pass

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                if self._children is not None:
                    self._children.close()
                return
            if job.token.cancelled:
                continue
            try:
                self._run(job)
            except solver.Cancelled:
                self._post("stopped", job)
            except Exception:
                log.exception("veriline: verification round for %s failed", job.uri)
                self._post("stopped", job)

    def _parse(self, snap: Snapshot, options: Optional[api.Options] = None) -> ir.Program:
        from veriline.runner.source import FileError, parse_file
        c_flags = tuple(getattr(options, "c_flags", ()))   # C build flags of this file

        def frontend(text, path, language):
            return self._backend.parse(text, path, language, *((c_flags,) if c_flags else ()))
        try:     # too large / too deep: said at once, so other files are not held up
            return parse_file(snap.text, snap.path, snap.language, frontend)
        except FileError as exc:
            if exc.__cause__ is not None:      # the frontend crashed
                log.error("veriline: parse(%s) raised: %s", snap.path, exc.__cause__)
                msg = f"veriline could not parse this file: {exc.__cause__}"
            else:
                msg = f"veriline cannot analyse this file: {exc}"
            issue = ir.SyntaxIssue(message=msg, span=ir.Span(1, 1, 1, 1))
            return ir.Program(path=snap.path, language=snap.language or "python",
                              errors=[issue])

    def _fingerprint(self, program: ir.Program, name: str, options: api.Options) -> str:
        try:
            return self._backend.fingerprint(program, name, options)
        except Exception:
            log.exception("veriline: fingerprint(%s) raised", name)
            return f"unhashable:{time.monotonic_ns()}"

    def _verify(self, job: Job, program: ir.Program, name: str, fp: str, layout: Layout,
                cache: dict, seconds: float, may_resume: bool) -> FunctionResult:
        """One function within `seconds`; partial (and not cached) when it ran out and
        may_resume: then only its decided findings are kept, the rest comes later."""
        job.token.check()
        if self._children is not None:
            got = self._children.verify(job.token, isolation.task_for(
                program, job.snap.text, name, job.options, seconds, may_resume), program)
            self._child_calls += got.solver_calls
            findings, cacheable = got.findings, got.cacheable
        else:
            findings, cacheable = self._verify_here(job, program, name, seconds)
        if not cacheable:           # an internal error: retried on the next round
            return FunctionResult(name, fp, findings, True, layout)
        if may_resume and any(f.property == BUDGET_PROPERTY for f in findings):
            return FunctionResult(name, fp, [f for f in findings
                                             if f.property != BUDGET_PROPERTY],
                                  True, layout, partial=True)
        r = FunctionResult(name, fp, findings, True, layout)
        with self._lock:
            cache[name] = r
        return r

    def _verify_here(self, job: Job, program: ir.Program, name: str, seconds: float
                     ) -> tuple[list, bool]:
        """(findings, cacheable), verified on this thread."""
        try:
            with Budget(seconds, parent=job.token) as budget:
                return list(deep_call(self._backend.verify_function, program, name,
                                      job.options, budget)), True   # deep code: big stack
        except BudgetExhausted:         # the budget ran out where nothing caught it
            if job.token.cancelled:
                raise solver.Cancelled() from None
            return undecided(program, program.functions[name],
                             set(getattr(job.options, "analyses", ())), [], seconds), True
        except solver.Cancelled:
            raise
        except Exception as exc:
            if job.token.cancelled:
                raise solver.Cancelled() from exc
            log.exception("veriline: verify_function(%s) raised", name)
            return [internal_error(program, name, f"{type(exc).__name__}: {exc}")], False

    def _run(self, job: Job) -> None:
        if self._children is not None:      # once per language, not charged to the round
            self._children.warm(job.snap.language or "python")
        t0, calls0 = time.perf_counter(), solver.STATS.solver_calls + self._child_calls
        program = self._parse(job.snap, job.options)
        layout = {n: (f.span.line, f.span.end_line) for n, f in program.functions.items()}
        reused: dict[str, FunctionResult] = {}
        todo: list[tuple[str, str]] = []
        with self._lock:
            cache = self._cache.setdefault(job.uri, {})
        forced_all = ALL in job.force
        for name in program.functions:
            fp = self._fingerprint(program, name, job.options)
            with self._lock:
                old = cache.get(name)
            if old is not None and old.fingerprint == fp and not forced_all \
                    and name not in job.force:
                r = relocate(old, layout)
                with self._lock:
                    cache[name] = r
                reused[name] = r
            else:
                todo.append((name, fp))
        todo = focused_first(program, todo, job.focus)
        if self._children is not None and todo:
            self._children.begin_round(program.path, program.language, job.snap.text,
                                       program)
        self._post("start", job, (program, reused, [n for n, _ in todo]))
        verified = []
        full = max(0.001, float(getattr(job.options, "budget_s", 10.0) or 10.0))
        quick = min(QUICK_S, full)
        later = []
        for i, (name, fp) in enumerate(todo):          # pass 1: everything, briefly
            self._post("verifying", job, (i, len(todo), name))
            r = self._verify(job, program, name, fp, layout, cache, quick, quick < full)
            if r.partial:
                later.append((name, fp))
            else:
                verified.append(name)
            self._post("function", job, r)
        for i, (name, fp) in enumerate(later):         # pass 2: the slow ones, in full
            self._post("verifying", job, (len(todo) - len(later) + i, len(todo), name))
            r = self._verify(job, program, name, fp, layout, cache, full, False)
            verified.append(name)
            self._post("function", job, r)
        job.token.check()
        calls = solver.STATS.solver_calls + self._child_calls - calls0
        self._post("end", job, {
            "uri": job.uri, "version": job.snap.version, "verified": verified,
            "reused": list(reused), "solverCalls": calls,
            "timeMs": round((time.perf_counter() - t0) * 1000, 3)})
