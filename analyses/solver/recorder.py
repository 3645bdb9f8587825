"""Recording of the solver queries that decide each finding, for auditable proofs.

Off by default: `query.check` asks `active()` (one ContextVar read) and records nothing
unless the engine opened `recording()` (veriline check --emit-proofs / --cross-check, or
the editor's "Show proof obligation").  Inside a recording the engine opens a `scope()`
around each property it decides, so every query lands on the findings it decided without
lists being passed around; `outside()` hides the open scopes (shared work such as the
abstract run, whose queries support every finding of the function); `role()` names what
a query checks.  The text of a query is the portable SMT-LIB 2 the other solvers read
(backends.smt2), so what is written is exactly what was decided.
"""
from __future__ import annotations

import hashlib
import re
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Optional

from .backends import smt2

_ACTIVE: ContextVar[Optional["Recorder"]] = ContextVar("veriline_recorder", default=None)
_DROP = ("; benchmark generated", "(set-info :status")
MAX_QUERIES = 5000           # per function: a runaway search keeps its first queries


class Recorded:
    """One query as it was asked: its assertions (z3 terms), where its parts begin, and
    the answer with the solver that gave it."""

    __slots__ = ("assertions", "parts", "status", "solver", "cached", "role", "scoped",
                 "_core")

    def __init__(self, assertions, parts, status, solver, cached, role) -> None:
        self.assertions, self.parts = list(assertions), parts
        self.status, self.solver, self.cached, self.role = status, solver, cached, role
        self.scoped = False
        self._core: Optional[str] = None

    def core(self) -> str:
        """The query without comments: logic, declarations, assertions, (check-sat)."""
        if self._core is None:
            self._core = core_text(self.assertions)
        return self._core

    def text(self, header: list[str] = ()) -> str:
        """A standalone SMT-LIB 2 file: comment header, then the core with each part
        (assumptions, negated goal, type ranges) introduced by a comment."""
        return annotate(self.core(), self.parts, len(self.assertions),
                        list(header) + [f"expected answer: {self.status}"
                                        + (f" (decided by {self.solver})"
                                           if self.solver else "")])

    def digest(self) -> str:
        return digest(self.core())

    def to_json(self) -> dict:
        return {"smt2": self.core(), "sha256": self.digest(), "expected": self.status,
                "solver": self.solver, "cached": self.cached, "role": self.role,
                "parts": list(self.parts) if self.parts else None,
                "n_assertions": len(self.assertions)}


class Recorder:
    def __init__(self) -> None:
        self.queries: list[Recorded] = []
        self._scopes: list[list] = []
        self._roles: list[str] = []
        self._hidden = 0
        self.memo: dict = {}       # audit.py: each query's JSON form, made once

    def add(self, assertions, result, parts=None) -> None:
        if len(self.queries) >= MAX_QUERIES:
            return
        q = Recorded(assertions, parts, result.status, result.solver or "z3",
                     bool(result.cached), self._roles[-1] if self._roles else "")
        self.queries.append(q)
        if not self._hidden:
            for sc in self._scopes:
                sc.append(q)
                q.scoped = True

    @contextmanager
    def scope(self):
        mine: list = []
        self._scopes.append(mine)
        try:
            yield mine
        finally:
            self._scopes = [s for s in self._scopes if s is not mine]


def active() -> Optional[Recorder]:
    return _ACTIVE.get()


@contextmanager
def recording():
    """Record every query made in this thread (and context) until the block ends."""
    rec = Recorder()
    token = _ACTIVE.set(rec)
    try:
        yield rec
    finally:
        _ACTIVE.reset(token)


@contextmanager
def scope():
    """The queries made inside the block (None when nothing is recorded)."""
    rec = _ACTIVE.get()
    if rec is None:
        yield None
        return
    with rec.scope() as mine:
        yield mine


@contextmanager
def outside():
    """Queries made inside belong to no open scope (shared, supporting work)."""
    rec = _ACTIVE.get()
    if rec is None:
        yield
        return
    rec._hidden += 1
    try:
        yield
    finally:
        rec._hidden -= 1


@contextmanager
def role(text: str):
    rec = _ACTIVE.get()
    if rec is None:
        yield
        return
    rec._roles.append(text)
    try:
        yield
    finally:
        rec._roles.pop()


def note(assertions, result, parts=None) -> None:
    """Record one answered query (no-op unless recording)."""
    rec = _ACTIVE.get()
    if rec is not None:
        rec.add(assertions, result, parts)


# ---------------------------------------------------------------------------- text
_UF_DECL = re.compile(r"^\(declare-fun \S+ \((?!\))", re.M)


def logic(body: str) -> str:
    """The narrowest standard logic the query text fits (cvc5 checks it; z3 accepts any).
    Read from the printed text (a scan in C), not by walking the terms in Python."""
    if any(op in body for op in ("int2bv", "bv2int", "bv2nat")):
        return "ALL"               # both theories
    has_bv = any(t in body for t in ("(_ BitVec", "(_ bv", "#x", "#b"))
    has_int = " Int)" in body or " Int\n" in body or " Int " in body
    if has_bv == has_int:          # both, or neither (Booleans only)
        return "ALL"
    quant = "(forall" in body or "(exists" in body
    uf = _UF_DECL.search(body) is not None
    base = ("UF" if uf else "") + ("BV" if has_bv else "NIA")
    return ("" if quant else "QF_") + base


def core_text(assertions: list) -> str:
    body = "\n".join(ln for ln in smt2(assertions).splitlines()
                     if not ln.startswith(_DROP)).strip()
    return f"(set-logic {logic(body)})\n" + body + "\n"


def digest(core: str) -> str:
    """sha256 of a query's core text (also stored with each proved lemma-cache entry)."""
    return hashlib.sha256(core.encode("utf-8", "surrogatepass")).hexdigest()


PART_NAMES = ("assumptions (path condition, preconditions, invariants)",
              "the negated goal (a model would be a violation)",
              "extra constraints of this attempt (e.g. small input values)",
              "ranges of the integer types of the constants")


def annotate(core: str, parts, n: int, header: list[str]) -> str:
    """core with a comment header and, when its asserts line up with `parts` (goal index,
    number of engine assertions), a comment line before each part.  Only comment lines
    are added: the file without its lines starting with ';' is the core again (so its
    sha256 can be recomputed by anyone: `grep -v '^;' FILE | sha256sum`)."""
    out = [f"; {h}" for h in header]
    lines = core.splitlines()
    asserts = [i for i, ln in enumerate(lines) if ln.startswith("(assert")]
    starts = {}
    if parts and len(asserts) == n:
        goal, user = parts
        for k, (lo, hi) in enumerate(((0, goal), (goal, goal + 1), (goal + 1, user),
                                      (user, n))):
            if lo < hi:
                starts[asserts[lo]] = PART_NAMES[k]
    for i, ln in enumerate(lines):
        if i in starts:
            out.append(f"; -- {starts[i]}")
        out.append(ln)
    return "\n".join(out) + "\n"
