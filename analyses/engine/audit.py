"""Auditable proofs: the recorded queries of each finding, and their cross-check.

The engine opens `solver.recorder.scope()` around each property it decides and hands the
scope to `attach`; `finish` adds the function's supporting queries (the abstract run's
invariant checks, the callers' contexts, ...: work every finding of the function relies
on) and, with Options.cross_check, re-decides every unsat query of every proved finding
from its SMT-LIB text with a second solver.

Cross-check outcome per proved finding (details["cross_check"]):
  "agreed"   — the second solver answered unsat on every such query;
  "disagree" — it answered sat on one: the finding becomes "don't know" (reason
               "solvers disagree: ...") and is counted in the summary;
  "not cross-checked" — some query got no definite answer (timeout, no second solver for
               the theory, an unreadable text): the ✓ stays, counted apart.
"""
from __future__ import annotations

from typing import Optional

from ..findings import COUNTEREXAMPLE, PROVED, UNKNOWN, Finding
from ..solver import recorder

AGREED, DISAGREE, NOT_CHECKED = "agreed", "disagree", "not cross-checked"


def _entry(q, memo: dict) -> dict:
    d = memo.get(id(q))
    if d is None:
        core = q.core()
        d = memo[id(q)] = {"smt2": q.text(), "sha256": recorder.digest(core),
                           "expected": q.status, "solver": q.solver, "role": q.role,
                           "cached": q.cached, "logic": core.split(")", 1)[0][11:]}
    return d


def attach(f: Finding, queries: Optional[list], support: bool = False,
           shared: bool = False) -> None:
    """Add recorded queries to a finding's proof (no-op when nothing is recorded).
    shared: queries about several properties at once (a sat answer there is no
    counterexample to this one)."""
    rec = recorder.active()
    if queries is None or rec is None:
        return
    for q in queries:     # the text is made in finish(), after the analysis's own work
        f.proof.append({"_q": q, "support": support,
                        "decides": not support and _decides(f, q, shared)})


def _decides(f: Finding, q, shared: bool) -> bool:
    """Is q part of what established f's verdict (rather than a failed attempt)?"""
    role = q.role or ""
    if f.status == PROVED:     # (no repeating state: an attempt at the opposite verdict)
        return q.status == "unsat" and not role.startswith("non-termination")
    if f.status != COUNTEREXAMPLE:
        return False
    if f.kind == "termination":    # the closure of the witness, and its reachability
        return (q.status == "unsat" and ("closure" in role or "recurrent set" in role)) \
            or (q.status == "sat" and role.startswith("non-termination"))
    return q.status == "sat" and not shared


def finish(findings: list[Finding], rec, options, cancel=None) -> None:
    """Supporting queries onto every finding, then the cross-check if asked for."""
    support = [q for q in rec.queries if not q.scoped]
    for f in findings:
        attach(f, support, support=True)
        for e in f.proof:
            if "_q" in e:
                e.update(_entry(e.pop("_q"), rec.memo))
    if getattr(options, "cross_check", False):
        left = getattr(cancel, "remaining_ms", None)
        deadline = left() / 1000 if left is not None else None
        cross_check(findings, min(options.timeout_ms, 10_000), deadline)
    if not getattr(options, "record_proofs", False):
        for f in findings:      # only the verdicts were asked for: nothing to carry
            f.proof = []


def cross_check(findings: list[Finding], timeout_ms: int,
                deadline_s: Optional[float] = None) -> None:
    from ..solver.crosscheck import recheck
    proved = [f for f in findings if f.status == PROVED]
    todo: dict[str, tuple] = {}
    for f in proved:
        for p in f.proof:
            if p["expected"] == "unsat" and (p["decides"] or p["support"]):
                todo.setdefault(p["sha256"], (p["smt2"], p["solver"], p["logic"]))
    answers = dict(zip(todo, recheck(list(todo.values()), timeout_ms, deadline_s)))
    for f in proved:
        qs = [p for p in f.proof if p["expected"] == "unsat" and (p["decides"] or p["support"])]
        if not qs:
            f.details["cross_check"] = NOT_CHECKED
            f.details["cross_check_note"] = "no solver query decided it"
            continue
        for p in qs:
            a = answers[p["sha256"]]
            p["cross_check"] = {"status": a.get("status"), "by": a.get("by", ""),
                                "reason": a.get("reason", "")}
        bad = [p for p in qs if p["cross_check"]["status"] == "sat"]
        by = sorted({p["cross_check"]["by"] for p in qs if p["cross_check"]["by"]})
        if bad:
            _disagree(f, bad[0])
        elif all(p["cross_check"]["status"] == "unsat" for p in qs):
            f.details["cross_check"] = AGREED
            f.details["cross_checked_by"] = ", ".join(by)
        else:
            miss = next(p for p in qs if p["cross_check"]["status"] != "unsat")
            f.details["cross_check"] = NOT_CHECKED
            f.details["cross_check_note"] = (miss["cross_check"]["reason"]
                                             or f"{miss['cross_check']['by']}: unknown")


def _disagree(f: Finding, p: dict) -> None:
    """A ✓ that a second solver refutes is no ✓: "don't know", with both answers."""
    cc = p["cross_check"]
    what = p["role"] or "one of its queries"
    reason = (f"solvers disagree: {p['solver']} answered unsat but {cc['by']} answered "
              f"sat on {what} (sha256 {p['sha256'][:12]})")
    f.details["cross_check"] = DISAGREE
    f.details["proved_message"] = f.message
    f.status, f.reason = UNKNOWN, reason
    f.message = f"don't know: {reason}"
