"""SARIF 2.1.0 output that GitHub code scanning accepts (one result per ✗ and ?).

Each result carries partialFingerprints (veriline/fingerprint.py: no line numbers), so code
scanning keeps tracking an alert when the code around it moves; with a baseline, results
carry baselineState (new / unchanged).
"""
from __future__ import annotations

import os

from . import __version__

RULES = {
    "contract": "Contract (assert, pre/postcondition, invariant) may fail",
    "overflow": "Integer overflow, division by zero or other undefined arithmetic",
    "termination": "Loop or recursion may not terminate",
    "syntax": "The file could not be parsed",
}
LEVEL = {("counterexample", "error"): "error", ("counterexample", "warning"): "warning",
         ("counterexample", "info"): "note"}


def _uri(path: str, base: str) -> str:
    rel = os.path.relpath(os.path.abspath(path), base)
    return rel.replace(os.sep, "/") if not rel.startswith("..") else \
        "file://" + os.path.abspath(path)


def _region(span) -> dict:
    r = {"startLine": max(1, span.line), "startColumn": max(1, span.col)}
    if span.end_line >= span.line and span.end_line:
        r["endLine"] = span.end_line
        if span.end_col > 0:
            r["endColumn"] = span.end_col
    return r


def to_sarif(reports, base: str | None = None, comparison=None) -> dict:
    from .fingerprint import error_fingerprint, fingerprints, read_text
    base = os.path.abspath(base or os.getcwd())
    ids = list(RULES)
    results = []
    state = {"new": "new", "known": "unchanged"}
    for rep in reports:
        uri = _uri(rep.path, base)
        text = rep.program.text or read_text(rep.path) or ""
        prints = fingerprints(rep, text)
        lines = text.splitlines()
        for err in rep.program.errors:
            res = {"ruleId": "syntax", "ruleIndex": ids.index("syntax"),
                   "level": "error", "message": {"text": err.message},
                   "locations": [_loc(uri, err.span)],
                   "partialFingerprints": {"veriline/v1": error_fingerprint(lines, err)}}
            if comparison is not None and comparison.state(err) in state:
                res["baselineState"] = state[comparison.state(err)]
            results.append(res)
        for f in rep.findings:
            if f.status == "proved":
                continue
            level = LEVEL.get((f.status, f.severity), "note")
            text = f.message
            if f.counterexample and f.counterexample.call and f.counterexample.call not in text:
                text += f" (e.g. {f.counterexample.call})"
            res = {"ruleId": f.kind, "ruleIndex": ids.index(f.kind), "level": level,
                   "message": {"text": text}, "locations": [_loc(uri, f.span)],
                   "properties": {"status": f.status, "function": f.function,
                                  "property": f.property}}
            if f.reason:
                res["properties"]["reason"] = f.reason
            if f.counterexample:
                res["properties"]["counterexample"] = f.counterexample.to_json()
            p = prints[id(f)]
            res["partialFingerprints"] = {"veriline/v1": p.fingerprint}
            if p.function_hash:
                res["partialFingerprints"]["veriline/function/v1"] = p.function_hash
            if comparison is not None and comparison.state(f) in state:
                res["baselineState"] = state[comparison.state(f)]
            results.append(res)
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "veriline", "version": __version__, "semanticVersion": __version__,
                "informationUri": "https://github.com/veriline/veriline",
                "rules": [{"id": k, "name": k.capitalize(),
                           "shortDescription": {"text": v},
                           "defaultConfiguration": {"level": "error" if k != "termination"
                                                    else "warning"}}
                          for k, v in RULES.items()]}},
            "originalUriBaseIds": {"SRCROOT": {"uri": "file://" + base.rstrip("/") + "/"}},
            "results": results,
        }],
    }


def _loc(uri: str, span) -> dict:
    art = {"uri": uri}
    if not uri.startswith("file://"):
        art["uriBaseId"] = "SRCROOT"
    return {"physicalLocation": {"artifactLocation": art, "region": _region(span)}}
