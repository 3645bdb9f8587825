"""run_check(): verify files function by function in worker processes, so every file gets
a result or a per-file error, no function outlives its budget, and an interrupted run
still returns what it found.

Order of work: every file is read and checked against the file cache first (a hit needs
no parse); the files left are parsed in a forked helper (preparse.py) while this process
warms the engine up, and taken here in order; a function cache hit needs no worker; only
the functions left are sent to the pool, so a run whose files the cache answers starts
no process.  Results are put back in file and function order, so the output does not
depend on --jobs.
"""
from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field, replace
from typing import Optional, Protocol

from .source import FileError, deep_call, describe_crash, format_traceback, parse_file, \
    read_source
from .task import FunctionTask, TaskResult, forget_programs, remember_program

DEFAULT_BUDGET_S = 10.0


class Progress(Protocol):
    """Optional observer of a run (e.g. a progress bar); every method is called from the
    main thread.  file_error may come before start (files are read and parsed first, to
    count the functions); function_done comes for cached functions too."""
    def start(self, files: int, functions: int) -> None: ...
    def function_done(self, file: str, function: str, findings: list) -> None: ...
    def file_error(self, file: str, reason: str) -> None: ...
    def close(self) -> None: ...


class Interrupted(BaseException):
    """Raised in the main thread by the SIGINT/SIGTERM handler the CLI installs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@dataclass
class FileFailure:
    file: str
    reason: str


@dataclass
class RunResult:
    reports: list                       # api.Report per analysed file, in input order
    errors: list[FileFailure]            # files that could not be analysed
    incomplete: bool = False            # interrupted: some functions/files were not done
    signum: int = 0                     # the signal that interrupted the run
    elapsed_ms: float = 0.0
    workers: int = 0                    # worker processes started (0: all cached)


@dataclass
class _File:
    path: str
    language: str
    options: object = None              # api.Options of this file (its C build flags)
    text: str = ""
    program: object = None
    key: Optional[str] = None           # file-level cache key
    report: object = None               # complete Report (file cache hit)
    slots: dict = field(default_factory=dict)   # function name -> findings (None: pending)


def _read(path: str, options, language: str, select=None) -> _File:
    """Read and check the file cache (a hit: fi.report is set)."""
    from veriline.analyses import api
    fi = _File(path, language, options)
    fi.text = read_source(path, language)
    if options.cache is not None and select is None and not options.record_proofs:
        fi.key = api._file_key(fi.text, path, options, language)
        fi.report = api._file_from_cache(options.cache, fi.key, path, language)
    return fi


def _prepare(fi: _File, select=None, preparsed=None) -> _File:
    """Parse (or take the helper's Program, preparse.py) and check the function cache.
    select(path, program) -> names: verify only those functions (--diff; no file-level
    cache then)."""
    from veriline.analyses import api
    if fi.report is not None:
        return fi
    options, path = fi.options, fi.path
    fi.program = preparsed or parse_file(
        fi.text, path, fi.language,
        lambda text, p, lang: api.parse(text, p, lang, options.c_flags))
    remember_program(path, fi.language, fi.text, fi.program)
    names = fi.program.functions if select is None else select(path, fi.program)
    for name in fi.program.functions:
        if name in names:      # (no cache: no lookup, no deep-stack thread per function)
            fi.slots[name] = None if options.cache is None else \
                deep_call(api.cached_findings, fi.program, name, options)
    return fi


def run_check(files: list[str], options, *, jobs: int = 1, budget_s: float = DEFAULT_BUDGET_S,
              cache_spec: Optional[str] = None, progress: Optional[Progress] = None,
              verbose: bool = False, select=None, make_pool=None) -> RunResult:
    """Verify `files` (paths, as shown to the user) with `options` (its cache object is
    used here; workers open `cache_spec`, None meaning no cache); `select`: see _prepare;
    make_pool() -> what runs the tasks (default: a WorkerPool of `jobs` local processes;
    --dask gives a DaskPool, which has the same interface).  Local workers start on a
    file's functions as soon as it is parsed, while the next files are parsed."""
    from veriline.analyses import api
    t0 = time.perf_counter()
    result = RunResult([], [])
    prepared: list[tuple[int, _File]] = []
    files_by_i: dict = {}
    by_index: dict = {}
    events = _Events(progress)
    pool = pre = None
    streaming = make_pool is None

    def settle(task: FunctionTask, found: list, seconds: float) -> None:
        fi = files_by_i[task.index[0]]
        _charge(found, seconds)
        fi.slots[task.name] = found
        events.function_done(fi.path, task.name, found)

    def done(res: TaskResult) -> None:
        task = by_index[res.index]
        fi = files_by_i[res.index[0]]
        settle(task, res.findings if not res.error else
               [_internal(fi, task.name, res.error)], res.seconds)

    def timed_out(task: FunctionTask, seconds: float, died: bool) -> None:
        fi = files_by_i[task.index[0]]
        settle(task, _out_of_time(fi, task.name, budget_s) if not died else
               [_internal(fi, task.name, "the worker process died (out of memory?)")], seconds)

    try:
        tasks: list[FunctionTask] = []
        read = _read_all(files, options, select)
        pre = _preparser(read)
        for i, path in enumerate(files):
            try:
                fi = read[i]
                if isinstance(fi, BaseException):
                    raise fi
                if pool is None and streaming and _to_parse(fi) and pre.conn is not None:
                    pool = _open_pool(jobs, done, timed_out)
                program = pre.take(path, fi.text, pool.wait_also if pool is not None else None) \
                    if _to_parse(fi) else None
                fi = _prepare(fi, select, program)
            except FileError as e:
                _file_error(result, progress, path, str(e), e.__cause__ if verbose else None)
                continue
            except (Interrupted, KeyboardInterrupt):
                raise
            except BaseException as e:      # noqa: BLE001 - one file never stops the run
                _file_error(result, progress, path, f"internal error: {describe_crash(e)}",
                            e if verbose else None)
                continue
            prepared.append((i, fi))
            files_by_i[i] = fi
            new = _tasks([(i, fi)], budget_s, cache_spec)
            by_index.update((t.index, t) for t in new)
            tasks += new
            if streaming and new:
                if pool is None:
                    pool = _open_pool(jobs, done, timed_out)
                pool.submit(new, [task_weight(fi.program.functions[t.name]) for t in new])
            elif streaming and pool is not None:
                pool.poll()
        pre.close()
        events.start(len(files), sum(len(f.slots) for _, f in prepared if f.report is None),
                     prepared)
        if streaming and pool is not None:
            pool.drain()
        elif tasks:
            pool = make_pool()
            pool.run(tasks, done, timed_out)
    except (Interrupted, KeyboardInterrupt) as e:
        result.incomplete = True
        result.signum = getattr(e, "signum", 2)
    finally:
        if pre is not None:
            pre.close()
        if pool is not None:
            pool.close(now=result.incomplete)
            result.workers = pool.started
    forget_programs()
    for _, fi in prepared:
        try:
            rep = _report(fi, complete=not result.incomplete)
        except (Interrupted, KeyboardInterrupt) as e:   # a signal now: still report
            result.incomplete, result.signum = True, getattr(e, "signum", 2)
            rep = _report(fi, complete=False)
        result.reports.append(rep)
    if len(prepared) + len(result.errors) < len(files):
        result.incomplete = True
    if progress is not None:
        progress.close()
    result.elapsed_ms = (time.perf_counter() - t0) * 1000
    return result


def _read_all(files: list[str], options, select) -> list:
    """Each file read and checked against the file cache (a _File), or the exception that
    stopped it, raised when its turn comes so errors keep the files' order."""
    from veriline.analyses import api
    out: list = []
    for path in files:
        try:
            out.append(_read(path, options.for_file(path), api.language_of(path) or "python",
                             select))
        except (Interrupted, KeyboardInterrupt):
            raise
        except BaseException as e:      # noqa: BLE001 - reported in its turn
            out.append(e)
    return out


def _to_parse(fi) -> bool:
    return isinstance(fi, _File) and fi.report is None


def _preparser(read: list):
    """The helper that parses the files the cache does not answer (preparse.py)."""
    from veriline.analyses import api
    from .preparse import Preparser
    return Preparser([(fi.path, fi.language, fi.text, tuple(fi.options.c_flags))
                      for fi in read if _to_parse(fi)], api.parse)


def _open_pool(jobs: int, done, timed_out):
    from .pool import WorkerPool
    pool = WorkerPool(jobs)
    pool.open(done, timed_out)
    return pool


class _Events:
    """The Progress calls in the promised order: function_done only after start (a worker
    may finish while later files are still being parsed: its call waits for start)."""

    def __init__(self, progress: Optional[Progress]) -> None:
        self.progress = progress
        self.started = False
        self.held: dict = {}               # (file, function) -> findings, before start

    def start(self, files: int, functions: int, prepared) -> None:
        """Start, then the functions the cache answered, then those done meanwhile."""
        self.started = True
        if self.progress is None:
            return
        self.progress.start(files, functions)
        for _, fi in prepared:
            for name, found in fi.slots.items():
                if found is not None and (fi.path, name) not in self.held:
                    self.progress.function_done(fi.path, name, found)
        for (file, name), found in self.held.items():
            self.progress.function_done(file, name, found)
        self.held.clear()

    def function_done(self, file: str, function: str, findings: list) -> None:
        if not self.started:
            self.held[(file, function)] = findings
        elif self.progress is not None:
            self.progress.function_done(file, function, findings)


def task_weight(fn) -> int:
    """A rough cost of verifying fn, to start slow functions first: loops (termination,
    invariants) dominate; statements count a little."""
    from veriline.analyses import ir
    weight, todo = 0, list(fn.body)
    while todo:
        st = todo.pop()
        weight += 1
        if isinstance(st, ir.While):
            weight += 20
            todo += st.body + st.update
        elif isinstance(st, ir.If):
            todo += st.then + st.orelse
    return weight


def _file_error(result: RunResult, progress, path: str, reason: str, exc) -> None:
    result.errors.append(FileFailure(path, reason))
    if exc is not None:
        sys.stderr.write(format_traceback(exc))
    if progress is not None:
        progress.file_error(path, reason)


def _tasks(prepared, budget_s: float, cache_spec) -> list[FunctionTask]:
    out = []
    for i, fi in prepared:
        if fi.report is not None:
            continue
        bare = replace(fi.options, cache=None)
        for j, (name, found) in enumerate(fi.slots.items()):
            if found is None:
                out.append(FunctionTask(fi.path, fi.text, fi.language, name, bare, budget_s,
                                        cache_spec, (i, j)))
    return out


def _report(fi: _File, complete: bool):
    """The file's Report: its functions' findings in source order (functions an
    interrupted run did not finish are left out)."""
    from veriline.analyses import api
    if fi.report is not None:
        return fi.report
    findings = [f for found in fi.slots.values() if found is not None for f in found]
    if complete and fi.key is not None and all(v is not None for v in fi.slots.values()):
        api.store_file(fi.options, fi.key, fi.program, findings)
    return api.Report(fi.path, fi.program, findings)


def _charge(findings: list, seconds: float) -> None:
    """Budget findings carry the function's whole wall time (what the budget bounds)."""
    for f in findings:
        if f.property in ("budget", "internal"):
            f.time_ms = seconds * 1000


def _out_of_time(fi: _File, name: str, budget_s: float) -> list:
    """What a killed worker leaves: every property of the function is 'don't know'."""
    from veriline.analyses.engine.undecided import undecided
    fn = fi.program.functions[name]
    return deep_call(undecided, fi.program, fn, set(fi.options.analyses), [], budget_s)


def _internal(fi: _File, name: str, why: str):
    from veriline.analyses.findings import UNKNOWN, Finding
    fn = fi.program.functions[name]
    span = fn.name_span if fn.name_span and fn.name_span.line else fn.span
    return Finding(file=fi.path, function=fn.qualname or fn.name, kind="contract",
                   status=UNKNOWN, span=span, message=f"don't know: internal error: {why}",
                   property="internal", reason=f"internal error: {why}")
