"""`veriline check --emit-proofs DIR [--certificates]` and `--cross-check`.

Every finding's recorded queries (engine/audit.py) are written as standalone SMT-LIB 2
files, named by file, function, kind, property and line (`…L12.q3.smt2`), each query
once per function; `index.json` maps each finding to its files and expected answers.
With --certificates, cvc5 re-decides every unsat query with proof production on and its
proof (cvc5's own format) is kept next to the query (`….cvc5.proof`).
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import replace

INDEX_FORMAT = 1


def add_arguments(p) -> None:
    g = p.add_argument_group("auditable proofs (docs/proofs.md)")
    g.add_argument("--emit-proofs", metavar="DIR",
                   help="write each finding's solver queries as SMT-LIB 2 files, with "
                        "DIR/index.json")
    g.add_argument("--cross-check", action="store_true",
                   help="re-decide every proved query with a second solver (cvc5 or "
                        "Bitwuzla) from its SMT-LIB text; a disagreement is 'don't know' "
                        "and fails the run")
    g.add_argument("--certificates", action="store_true",
                   help="with --emit-proofs: keep cvc5's proof of each unsat query")


def apply(options, args):
    """The options with proof recording / cross-checking turned on as asked."""
    if getattr(args, "certificates", False) and not getattr(args, "emit_proofs", None):
        raise ValueError("--certificates needs --emit-proofs DIR")
    if getattr(args, "emit_proofs", None):
        options = replace(options, record_proofs=True)
    if getattr(args, "cross_check", False):
        options = replace(options, cross_check=True)
    return options


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.+-]+", "_", text).strip("_") or "_"


def write(directory: str, reports, certificates: bool = False, timeout_ms: int = 10_000) -> dict:
    """Write the files and index; returns the index."""
    os.makedirs(directory, exist_ok=True)
    entries, written = [], {}          # (file, function, sha256) -> relative path
    for r in reports:
        fdir = _safe(r.path)
        for f in r.findings:
            stem = f"{_safe(f.function)}.{f.kind}.{_safe(f.property or 'x')}.L{f.span.line}"
            qs = []
            for k, p in enumerate(f.proof):
                key = (r.path, f.function, p["sha256"])
                if key not in written:
                    name = (f"{_safe(f.function)}.support.{p['sha256'][:10]}.smt2"
                            if p["support"] else f"{stem}.q{k}.smt2")
                    rel = os.path.join(fdir, name)
                    _write_query(directory, rel, r.path, f, p)
                    written[key] = rel
                q = {"path": written[key], "expected": p["expected"], "solver": p["solver"],
                     "role": p["role"], "decides": p["decides"], "support": p["support"],
                     "sha256": p["sha256"], "logic": p["logic"], "cached": p["cached"]}
                if p.get("cross_check"):
                    q["cross_check"] = p["cross_check"]
                qs.append(q)
            entries.append({"file": r.path, "function": f.function, "kind": f.kind,
                            "property": f.property, "line": f.span.line,
                            "column": f.span.col, "status": f.status, "message": f.message,
                            "solver": f.solver,
                            "cross_check": f.details.get("cross_check"),
                            "queries": qs})
    index = {"format": INDEX_FORMAT, "findings": entries}
    if certificates:
        index["certificates"] = _certificates(directory, entries, timeout_ms)
    with open(os.path.join(directory, "index.json"), "w", encoding="utf-8") as fh:
        json.dump(index, fh, indent=2)
        fh.write("\n")
    return index


def _write_query(directory: str, rel: str, path: str, f, p: dict) -> None:
    header = [f"veriline proof obligation: {path}, function {f.function}, {f.kind} "
              f"({f.property}) at line {f.span.line}" if not p["support"] else
              f"veriline supporting query of {path}, function {f.function}",
              f"role: {p['role'] or 'query'}",
              f"finding: {f.status}: {f.message}",
              f"sha256 of the lines not starting with ';': {p['sha256']}"]
    os.makedirs(os.path.dirname(os.path.join(directory, rel)), exist_ok=True)
    with open(os.path.join(directory, rel), "w", encoding="utf-8") as fh:
        fh.write("".join(f"; {h}\n" for h in header) + p["smt2"])


def _certificates(directory: str, entries: list, timeout_ms: int) -> dict:
    """cvc5's proof of every unsat query, next to it.  Counts of what was produced."""
    from veriline.analyses.solver.backends import installed
    if not installed("cvc5"):
        return {"produced": 0, "missing": 0, "note": "cvc5 is not installed"}
    from veriline.analyses.solver.crosscheck import decide_batch
    paths = sorted({q["path"] for e in entries for q in e["queries"]
                    if q["expected"] == "unsat"})
    texts = []
    for rel in paths:
        with open(os.path.join(directory, rel), encoding="utf-8") as fh:
            texts.append(fh.read())
    produced = 0
    by_path = {}
    for rel, ans in zip(paths, decide_batch(texts, "cvc5-proof", timeout_ms)):
        if ans.get("status") == "unsat" and ans.get("proof"):
            cert = rel[:-len(".smt2")] + ".cvc5.proof"
            with open(os.path.join(directory, cert), "w", encoding="utf-8") as fh:
                fh.write(ans["proof"])
            by_path[rel] = cert
            produced += 1
    for e in entries:
        for q in e["queries"]:
            if q["path"] in by_path:
                q["certificate"] = by_path[q["path"]]
    return {"produced": produced, "missing": len(paths) - produced, "format": "cvc5"}


def summary_text(summary: dict) -> str:
    """The cross-check line of the text report ('' without --cross-check)."""
    if "disagreements" not in summary:
        return ""
    return (f"cross-check: {summary['cross_checked']} proved findings re-decided by a second "
            f"solver, {summary['not_cross_checked']} not cross-checked, "
            f"{summary['disagreements']} disagreements")
