"""The definite answers of one function's verification, shared among its queries.

A function's analyses (safety, termination, their quick and exact views) run their own
symbolic executions and ask the same loop-invariant (Houdini) queries again; an identical
query, term for term, has the same answer.  Kept only while one verify() runs.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Optional

from .. import solver
from ..solver import recorder


class _Answers:
    """The definite answers of one function's verification (answers_for_one_function),
    by the queries' terms: its analyses run their symbolic executions separately and ask
    the same loop-invariant (Houdini) queries again.  A 'sat' hands out a copy of its model
    (evaluating with model completion extends a z3 model); an answer from the lemma cache
    stays one.  Off while proofs are recorded: each query is noted in its own role."""

    MAX = 4096

    def __init__(self) -> None:
        self._memo: "OrderedDict[tuple, tuple]" = OrderedDict()
        self._lock = threading.Lock()          # the server verifies in threads

    @staticmethod
    def _key(assertions: list) -> tuple:
        return tuple((id(a.ctx), a.get_id()) for a in assertions)

    def get(self, assertions: list) -> Optional[solver.Result]:
        if not self._memo or recorder.active() is not None:
            return None
        key = self._key(assertions)
        with self._lock:
            hit = self._memo.get(key)
        if hit is None:
            return None
        _, status, model, who, cached = hit
        return solver.Result(status, model.copy() if model is not None else None, 0.0,
                             cached=cached, solver=who)

    def put(self, assertions: list, r: solver.Result) -> None:
        if r.status not in ("sat", "unsat") or recorder.active() is not None:
            return
        m = r.model.copy() if r.model is not None else None   # before any caller's
        if r.status == "sat" and m is None:                    # evaluation completes it
            return
        key = self._key(assertions)
        with self._lock:          # the entry holds the terms: their ids stay theirs
            self._memo[key] = (assertions, r.status, m, r.solver, r.cached)
            if len(self._memo) > self.MAX:
                self._memo.popitem(last=False)


_ANSWERS: ContextVar[Optional[_Answers]] = ContextVar("veriline_answers", default=None)


@contextmanager
def answers_for_one_function():
    """Share the definite answers among the queries made meanwhile (one verify())."""
    token = _ANSWERS.set(_Answers())
    try:
        yield
    finally:
        _ANSWERS.reset(token)


def current_answers() -> Optional[_Answers]:
    return _ANSWERS.get()
