"""The runner's unit of work: one function of one file, with the file's source text.

`verify_task` is a plain, picklable top-level function of a picklable FunctionTask, so a
process pool, a Dask cluster or the current process can run it alike.  It opens the lemma
cache from its spec (connections do not cross processes), keeps the last parsed programs
(a warm worker parses a file once for all its functions) and runs the engine under a
Budget, so the function's time limit is normally kept cooperatively.
"""
from __future__ import annotations

import hashlib
import os
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from typing import Optional

from .source import deep_call


@dataclass(frozen=True)
class FunctionTask:
    path: str                  # as shown to the user
    text: str                  # the whole file's source
    language: str
    name: str                  # function key in Program.functions
    options: object            # api.Options without its cache object
    budget_s: float            # the function's time budget (seconds)
    cache_spec: Optional[str] = None    # None: no cache; "": the default cache
    index: tuple = field(default=(0, 0))   # (file, function) position, for stable output


@dataclass
class TaskResult:
    index: tuple
    findings: list
    seconds: float
    error: str = ""            # an internal failure outside the engine (rare)


COOPERATIVE_MARGIN = 0.1
_PROGRAMS: "OrderedDict[tuple, object]" = OrderedDict()
_CACHES: dict = {}
_SEEDED: dict = {}             # programs the parent parsed (inherited by forked workers)


def _key(path: str, language: str, text: str) -> tuple:
    return (path, language, hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest())


def remember_program(path: str, language: str, text: str, program) -> None:
    """Hand a program parsed in this process to the tasks run in processes forked from it
    (they then skip parsing)."""
    _SEEDED[_key(path, language, text)] = program


def forget_programs() -> None:
    _SEEDED.clear()


def _program(task: FunctionTask):
    from veriline.analyses.api import parse
    key = _key(task.path, task.language, task.text)
    if key in _SEEDED:
        return _SEEDED[key]
    prog = _PROGRAMS.get(key)
    if prog is None:
        prog = parse(task.text, task.path, task.language, task.options.c_flags)
        _PROGRAMS[key] = prog
        while len(_PROGRAMS) > 8:
            _PROGRAMS.popitem(last=False)
    else:
        _PROGRAMS.move_to_end(key)
    return prog


def _cache(spec: Optional[str]):
    if spec is None:
        return None
    if spec not in _CACHES:
        try:
            from veriline.analyses.cache import open_cache
            _CACHES[spec] = open_cache(spec or None)
        except Exception:          # a broken cache never stops verification
            _CACHES[spec] = None
    return _CACHES[spec]


def _verify(task: FunctionTask, t0: float, cancel=None, report=None):
    from veriline.analyses.api import verify_function
    from veriline.analyses.engine.budget import Budget
    # stop cooperatively a little early: z3 can be late to notice an interrupt, and the
    # answer must reach the parent before the kill at budget * (1 + KILL_GRACE)
    budget = Budget(task.budget_s * (1 - COOPERATIVE_MARGIN) - (time.monotonic() - t0),
                    parent=cancel)
    budget.seconds = task.budget_s
    try:
        program = _program(task)
        options = replace(task.options, cache=_cache(task.cache_spec),
                          on_progress=_with_test_hang(task.name, report))
        return verify_function(program, task.name, options, budget)
    finally:
        budget.stop()


def verify_task(task: FunctionTask, cancel=None, report=None) -> TaskResult:
    """Findings of one function (never raises: failures become an error string);
    cancel: a CancelToken that can stop it early (the language server's child);
    report(msg): each finding as it is decided (engine/progress.py), for a parent that
    keeps them should it have to kill this process."""
    t0 = time.monotonic()
    try:
        findings = deep_call(_verify, task, t0, cancel, report)
        return TaskResult(task.index, findings, time.monotonic() - t0)
    except BaseException as e:     # noqa: BLE001 - reported per function, run goes on
        return TaskResult(task.index, [], time.monotonic() - t0,
                          error=f"{type(e).__name__}: {e}")


HANG_ENV = "VERILINE_TEST_HANG_AFTER"   # test hook: "name:k,..." (see _with_test_hang)


def _with_test_hang(name: str, report):
    """Test hook ($VERILINE_TEST_HANG_AFTER, comma-separated `name:k`): once function
    `name` reported k decided findings, it hangs ignoring every limit, as z3 can on the
    next property (deterministic partial results of a killed function)."""
    k = next((int(item.rpartition(":")[2]) for item in
              os.environ.get(HANG_ENV, "").split(",")
              if item.rpartition(":")[0] == name), None)
    if k is None or report is None:
        return report
    seen = [0]

    def hanging(msg: dict) -> None:
        report(msg)
        seen[0] = msg["at"] + len(msg["decided"])
        if seen[0] >= k:
            time.sleep(3600)
    return hanging
