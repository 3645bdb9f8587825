"""Replay's shared parts: what a replay must observe, and how user code is run (limited).

Replay runs the user's real code on a counterexample (opt-in ``--replay``).

The interpreter confirms counterexamples against the IR; replay confirms them against
what the code really does (CPython, or gcc + UBSan for C).  User code never runs in
this process: a subprocess in its own process group with a hard timeout, killed
afterwards, so a hanging or crashing program cannot take the caller down.
``confirmed`` is True (the failure happened), False (the run did not show it) or None
(replay could not tell: load/compile error, unsupported feature, timeout).
"""
from __future__ import annotations

import os
import signal
import subprocess
from dataclasses import dataclass
from typing import Optional


__all__ = ["Expect", "ReplayResult", "ProcessRun", "expect_for", "run_limited", "clean_env", "MARK"]

MARK = "__VERILINE__"


@dataclass(frozen=True)
class Expect:
    """What the replay must observe.  kind: 'exception' (Python: `exception` type name,
    raised at `line` if given), 'postcondition' (`expr` false after the call), 'overflow'
    (numpy fixed-width overflow at `line`), 'ub' (C: UBSan runtime error at `line`;
    its message must contain one of `contains`'s '|'-separated words), 'assert' (C assert()/reach_error
    at `line`), 'bounds' (C: an out-of-bounds access at `line`, seen by AddressSanitizer
    or UBSan), 'nontermination' (still running after the timeout)."""
    kind: str
    exception: str = ""
    line: Optional[int] = None
    expr: str = ""
    contains: str = ""


@dataclass
class ReplayResult:
    confirmed: Optional[bool]
    note: str = ""


@dataclass
class ProcessRun:
    returncode: Optional[int]       # None: killed after the timeout
    stdout: str
    stderr: str

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


def clean_env(extra: Optional[dict] = None) -> dict:
    """The caller's environment without variables that change how Python starts."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(extra or {})
    return env


def run_limited(argv: list[str], timeout_s: float, env: Optional[dict] = None,
                cwd: Optional[str] = None) -> ProcessRun:
    """Run argv in a new session; on timeout kill its whole process group."""
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env, cwd=cwd,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout_s)
        code: Optional[int] = proc.returncode
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        code = None
    return ProcessRun(code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"))


# --------------------------------------------------------------------------- Python


_PY_EXCEPTION = {"assert": "AssertionError", "division-by-zero": "ZeroDivisionError",
                 "shift": "ValueError", "index": "LookupError"}
_C_UB_TEXT = {"signed-overflow": "signed integer overflow|negation of",
              "div-overflow": "cannot be represented",
              "division-by-zero": "division by zero", "shift": "shift"}


def expect_for(language: str, prop: str, line: Optional[int], text: str = "") -> Optional[Expect]:
    """The Expect that confirms a finding of property `prop` (Finding.property) at `line`;
    None when real code cannot show it (e.g. requires-call: nothing checks it at run time,
    conversions and unsigned wrap: not UB)."""
    if prop in ("loop", "recursion", "termination"):
        return Expect("nontermination")
    if prop == "ensures":
        return Expect("postcondition", expr=text) if text else None
    if language == "python":
        if prop in ("assert", "isinstance", "division-by-zero", "shift", "index"):
            return Expect("exception", exception=_PY_EXCEPTION.get(prop, "AssertionError"),
                          line=line)
        if prop in ("signed-overflow", "div-overflow"):
            return Expect("overflow", line=line)
        return None
    if prop in ("assert", "reach_error"):
        return Expect("assert", line=line)
    if prop == "bounds":                   # AddressSanitizer (or UBSan's -fsanitize=bounds)
        return Expect("bounds", line=line)
    if prop in _C_UB_TEXT:
        return Expect("ub", line=line, contains=_C_UB_TEXT[prop])
    return None
