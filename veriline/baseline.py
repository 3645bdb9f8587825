"""Baselines: record today's ✗ and ? so CI fails only on new ones.

An entry is matched by file (relative to the baseline file's directory), function, kind,
property and fingerprint (veriline/fingerprint.py: the normalized text of the finding's
span, never its line).  A ✗ matches only a recorded ✗; a ? matches a recorded ? or ✗ (a
known problem the solver can no longer decide is not new).  Recorded entries nothing
matches are "fixed": proved now, or gone.  Entries of files or functions this run did not
verify (other paths, --diff) are neither fixed nor new.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from .fingerprint import error_fingerprint, fingerprints, read_text

VERSION = 1


def _rel(path: str, base: str) -> str:
    return os.path.relpath(os.path.abspath(path), base).replace(os.sep, "/")


def _entries(reports, base: str) -> list[tuple[dict, object]]:
    """(entry, finding-or-None) for every finding and syntax error of the reports."""
    out = []
    for rep in reports:
        text = rep.program.text or read_text(rep.path) or ""
        prints = fingerprints(rep, text)
        rel = _rel(rep.path, base)
        for f in rep.findings:
            p = prints[id(f)]
            out.append(({"file": rel, "function": f.function, "kind": f.kind,
                         "property": f.property, "status": f.status,
                         "fingerprint": p.fingerprint, "function_hash": p.function_hash,
                         "line": f.span.line, "message": f.message,
                         "severity": f.severity}, f))
        lines = text.splitlines()
        for e in rep.program.errors:
            out.append(({"file": rel, "function": "", "kind": "syntax", "property": "",
                         "status": "unknown", "fingerprint": error_fingerprint(lines, e),
                         "function_hash": "", "line": e.span.line, "message": e.message,
                         "severity": "error"}, e))
    return out


def _key(e: dict) -> tuple:
    return (e["file"], e["function"], e["kind"], e["property"], e["fingerprint"])


def write_baseline(path: str, reports) -> int:
    """Record every ✗ and ? (and syntax error); returns how many."""
    base = os.path.dirname(os.path.abspath(path))
    entries = [e for e, _ in _entries(reports, base) if e["status"] != "proved"]
    entries.sort(key=lambda e: (e["file"], e["line"], e["kind"], e["fingerprint"]))
    doc = {"version": VERSION, "tool": "veriline", "findings": entries}
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(doc, fh, indent=1, sort_keys=True)
        fh.write("\n")
    return len(entries)


def load_baseline(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    if not isinstance(doc, dict) or doc.get("version") != VERSION or \
            not isinstance(doc.get("findings"), list):
        raise ValueError(f"{path}: not a veriline baseline (version {VERSION})")
    need = ("file", "function", "kind", "property", "status", "fingerprint")
    for e in doc["findings"]:
        if not isinstance(e, dict) or any(not isinstance(e.get(k), str) for k in need):
            raise ValueError(f"{path}: malformed baseline entry {e!r}")
    return doc["findings"]


@dataclass
class Comparison:
    states: dict[int, str] = field(default_factory=dict)   # id(finding|error) -> new|known
    new: list = field(default_factory=list)                # findings and syntax errors
    known: list = field(default_factory=list)
    fixed: list[dict] = field(default_factory=list)        # entries, with "now": proved|gone

    def state(self, item) -> str | None:
        return self.states.get(id(item))

    def counts(self) -> dict:
        return {"new": len(self.new), "known": len(self.known), "fixed": len(self.fixed)}

    def to_json(self) -> dict:
        return {**self.counts(), "fixed_findings": [
            {k: e.get(k) for k in ("file", "function", "kind", "property", "status",
                                   "line", "message", "now")} for e in self.fixed]}


def compare(baseline: list[dict], reports, baseline_path: str,
            verified: dict[str, set[str]] | None = None) -> Comparison:
    """Classify this run's ✗/? as new or known, and the baseline's unmatched entries as
    fixed.  verified: file -> functions verified (None: every function of every report)."""
    base = os.path.dirname(os.path.abspath(baseline_path))
    current = _entries(reports, base)
    scope_files = {_rel(r.path, base) for r in reports}
    scope_fns = None if verified is None else \
        {_rel(p, base): set(names) for p, names in verified.items()}
    pool: dict[tuple, list[dict]] = {}
    for e in baseline:
        if e["file"] not in scope_files:
            continue
        if scope_fns is not None and e["kind"] != "syntax" and \
                e["function"] not in scope_fns.get(e["file"], set()):
            continue
        pool.setdefault(_key(e), []).append(e)
    out = Comparison()
    proved_keys = set()
    # ✗ first, so a recorded ✗ goes to the current ✗ rather than to a ? with the same key
    order = sorted(current, key=lambda ef: ef[0]["status"] != "counterexample")
    for e, item in order:
        if e["status"] == "proved":
            proved_keys.add(_key(e))
            continue
        cands = pool.get(_key(e), [])
        ok = [c for c in cands if c["status"] == e["status"] or
              (e["status"] == "unknown" and c["status"] == "counterexample")]
        if ok:
            cands.remove(ok[0])
            out.states[id(item)] = "known"
            out.known.append(item)
        else:
            out.states[id(item)] = "new"
            out.new.append(item)
    for key, rest in pool.items():
        for e in rest:
            out.fixed.append({**e, "now": "proved" if key in proved_keys else "gone"})
    out.fixed.sort(key=lambda e: (e["file"], e.get("line", 0)))
    out.new = [x for e, x in current if out.states.get(id(x)) == "new"]
    out.known = [x for e, x in current if out.states.get(id(x)) == "known"]
    return out


def is_failure(item, strict: bool) -> bool:
    """Does this new item fail the build? ✗ (not informational) always, ? and syntax
    errors with --strict."""
    status = getattr(item, "status", "unknown")
    if status == "counterexample":
        return getattr(item, "severity", "error") != "info"
    return strict
