"""The one result type every analysis produces, and its JSON shape.

A Finding is one property instance (one assert, one postcondition on one function, one
arithmetic operation, one loop or recursive function) with one of three verdicts.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .ir import Span

KINDS = ("contract", "overflow", "termination")
PROVED, COUNTEREXAMPLE, UNKNOWN = "proved", "counterexample", "unknown"
STATUSES = (PROVED, COUNTEREXAMPLE, UNKNOWN)


@dataclass
class TraceStep:
    line: int
    values: dict[str, int]

    def to_json(self) -> dict:
        return {"line": self.line, "values": dict(self.values)}


@dataclass
class Counterexample:
    inputs: dict[str, int]                     # parameters (and globals) at entry
    trace: list[TraceStep] = field(default_factory=list)
    nondet: list[int] = field(default_factory=list)   # __VERIFIER_nondet_* values in order
    confirmed: Optional[bool] = None           # None: not replayed; True/False: real run
    replay_note: str = ""                      # what the replay saw (e.g. UBSan message)
    call: str = ""                             # reproducing call, e.g. "g2(5, 0)"
    assumptions: list[str] = field(default_factory=list)   # e.g. about unknown callees
    values_at_failure: dict[str, int] = field(default_factory=dict)  # operands etc.

    def to_json(self) -> dict:
        d = {"inputs": dict(self.inputs), "trace": [t.to_json() for t in self.trace],
             "confirmed": self.confirmed, "call": self.call}
        if self.nondet:
            d["nondet"] = list(self.nondet)
        if self.assumptions:
            d["assumptions"] = list(self.assumptions)
        if self.values_at_failure:
            d["values_at_failure"] = dict(self.values_at_failure)
        if self.replay_note:
            d["replay_note"] = self.replay_note
        return d


@dataclass
class Related:
    span: Span
    message: str


@dataclass
class Finding:
    file: str
    function: str
    kind: str                  # contract | overflow | termination
    status: str                # proved | counterexample | unknown
    span: Span
    message: str
    property: str = ""         # finer kind: assert, ensures, requires-call, reach_error,
                               # signed-overflow, division-by-zero, shift, conversion,
                               # unsigned-wrap, loop, recursion, invariant, ...
    reason: Optional[str] = None
    counterexample: Optional[Counterexample] = None
    time_ms: float = 0.0
    cached: bool = False
    severity: str = "error"    # error | warning | info (e.g. implementation-defined)
    related: list[Related] = field(default_factory=list)
    details: dict = field(default_factory=dict)   # ranking function, witness, ...
    solver: str = ""           # solver/encoding that decided it, e.g. "z3/int", "bitwuzla/bv"
    # the recorded queries that decided it (engine/audit.py; only with --emit-proofs or
    # --cross-check): not part of to_json, written as files by veriline/proof_files.py
    proof: list = field(default_factory=list, repr=False)

    def to_json(self) -> dict:
        return {
            "file": self.file, "function": self.function, "kind": self.kind,
            "status": self.status, "property": self.property,
            "range": self.span.to_json(), "message": self.message, "reason": self.reason,
            "counterexample": self.counterexample.to_json() if self.counterexample else None,
            "time_ms": round(self.time_ms, 3), "cached": self.cached,
            "severity": self.severity,
            "related": [{"range": r.span.to_json(), "message": r.message} for r in self.related],
            "details": dict(self.details), "solver": self.solver,
        }


def _span(d: dict) -> Span:
    return Span(d["start"]["line"], d["start"]["column"], d["end"]["line"], d["end"]["column"])


def finding_from_json(d: dict) -> Finding:
    """Inverse of Finding.to_json (used by the function-level result cache)."""
    cex = None
    if d.get("counterexample"):
        c = d["counterexample"]
        cex = Counterexample(
            inputs=dict(c["inputs"]), trace=[TraceStep(t["line"], dict(t["values"]))
                                             for t in c.get("trace", [])],
            nondet=list(c.get("nondet", [])), confirmed=c.get("confirmed"),
            replay_note=c.get("replay_note", ""), call=c.get("call", ""),
            assumptions=list(c.get("assumptions", [])),
            values_at_failure=dict(c.get("values_at_failure", {})))
    return Finding(file=d["file"], function=d["function"], kind=d["kind"], status=d["status"],
                   span=_span(d["range"]), message=d["message"], property=d.get("property", ""),
                   reason=d.get("reason"), counterexample=cex, time_ms=d.get("time_ms", 0.0),
                   cached=d.get("cached", False), severity=d.get("severity", "error"),
                   related=[Related(_span(r["range"]), r["message"]) for r in d.get("related", [])],
                   details=dict(d.get("details", {})), solver=d.get("solver", ""))


def summarize(findings: list[Finding]) -> dict:
    s = {PROVED: 0, COUNTEREXAMPLE: 0, UNKNOWN: 0}
    for f in findings:
        s[f.status] += 1
    s["time_ms"] = round(sum(f.time_ms for f in findings), 3)
    s["cached"] = sum(1 for f in findings if f.cached)
    checks = [f.details.get("cross_check") for f in findings if f.details.get("cross_check")]
    if checks:     # --cross-check (engine/audit.py)
        s["cross_checked"] = checks.count("agreed")
        s["not_cross_checked"] = checks.count("not cross-checked")
        s["disagreements"] = checks.count("disagree")
    return s
