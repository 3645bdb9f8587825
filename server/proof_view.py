""""Show proof obligation": a finding's recorded solver queries as one SMT-LIB document.

The editor's results carry no queries (recording costs time), so the command verifies the
finding's function again with proof recording on (analyses/engine/audit.py; the
function-level result cache is skipped, the lemma cache is not) and renders every query
of the findings at that place: the ones that decided the verdict first, then the
supporting queries of the function (the abstract run's invariant checks, ...).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Optional

from veriline.analyses.findings import Finding

MARK = {"proved": "✓", "counterexample": "✗", "unknown": "?"}


def findings_at(findings: list[Finding], line: int, kind: Optional[str] = None) -> list[Finding]:
    """Findings whose span starts on the 1-based line (of one kind, when given)."""
    return [f for f in findings if f.span.line == line and (kind is None or f.kind == kind)]


def verify_with_proofs(program, name: str, options, seconds: float) -> list[Finding]:
    """In-process, within a Budget of `seconds` (where os.fork is missing; the server
    otherwise runs it in a killable child: isolation.prove)."""
    from veriline.analyses.api import verify_function
    from veriline.analyses.engine.budget import Budget
    with Budget(seconds) as budget:
        return verify_function(program, name, replace(options, record_proofs=True), budget)


def out_of_time(name: str, seconds: float) -> str:
    """The document's first line when the function's budget ran out before an answer."""
    return (f"; the proof of `{name}` did not finish within the function's time budget of "
            f"{seconds:g} s (veriline.functionTimeout): its process was stopped; what it "
            f"decided before is shown without its queries\n")


def cross_check_text(f: Finding) -> str:
    """How the hover and the document describe a ✓'s second opinion."""
    cc = f.details.get("cross_check")
    if cc == "agreed":
        return f"cross-checked: {f.details.get('cross_checked_by') or 'a second solver'} agrees"
    if cc == "not cross-checked":
        note = f.details.get("cross_check_note")
        return "not cross-checked" + (f" ({note})" if note else "")
    if cc == "disagree":
        return "solvers disagree"
    return "not cross-checked (turn on veriline.crossCheck)"


def render(findings: list[Finding]) -> str:
    out: list[str] = []
    for f in findings:
        out.append(f"; {'=' * 76}")
        out.append(f"; {MARK.get(f.status, '?')} {f.kind} [{f.function}] line {f.span.line}: "
                   f"{f.message}")
        if f.status == "proved":
            out.append(f"; proved by {f.solver or 'z3'}; {cross_check_text(f)}")
        own = [p for p in f.proof if not p["support"]]
        support = [p for p in f.proof if p["support"]]
        own.sort(key=lambda p: not p["decides"])
        out.append(f"; {len(own)} queries of this property "
                   f"({sum(p['decides'] for p in own)} decided the verdict), "
                   f"{len(support)} supporting queries of the function")
        for k, p in enumerate(own + support):
            tag = "decides the verdict" if p["decides"] else \
                "supporting (function-wide)" if p["support"] else "attempt"
            cc = p.get("cross_check")
            out.append("")
            out.append(f"; ---- query {k + 1}: {p['role'] or 'query'} [{tag}]")
            out.append(f"; answer: {p['expected']} (by {p['solver']}"
                       + (", from the lemma cache" if p["cached"] else "") + ")"
                       + (f"; second solver {cc['by']}: {cc['status']}" if cc else ""))
            out.append(p["smt2"].rstrip("\n"))
        out.append("")
    if not findings:
        out.append("; no finding at this place")
    return "\n".join(out) + "\n"
