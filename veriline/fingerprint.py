"""Fingerprints of findings that survive line moves (baselines, SARIF partialFingerprints).

A finding is identified by its function, kind, property, the normalized source text of its
span (whitespace removed, so moving, re-indenting or re-spacing code keeps it) and its occurrence
number among findings of the same function with the same text (two overflows on one
line).  Line numbers never enter the hash.  The hash of the function's normalized source is
kept beside it: it says whether the code around the finding changed.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_WS = re.compile(r"\s+")


def normalize(text: str) -> str:
    return _WS.sub("", text)


def span_text(lines: list[str], span) -> str:
    """The source text a span covers (1-based lines and columns; the end column is taken
    inclusively, frontends differ by one there and a stray character does not move)."""
    if span.line < 1 or span.line > len(lines):
        return ""
    end_line = min(max(span.end_line, span.line), len(lines))
    if end_line == span.line:
        line = lines[span.line - 1]
        end = span.end_col if span.end_col >= span.col else len(line)
        return line[max(span.col - 1, 0):end]
    out = [lines[span.line - 1][max(span.col - 1, 0):]]
    out.extend(lines[span.line:end_line - 1])
    out.append(lines[end_line - 1][:span.end_col] if span.end_col else lines[end_line - 1])
    return "\n".join(out)


def _hash(*parts: str) -> str:
    h = hashlib.sha256()
    for p in parts:
        b = p.encode("utf-8", "surrogatepass")
        h.update(len(b).to_bytes(8, "big"))
        h.update(b)
    return h.hexdigest()[:32]


@dataclass(frozen=True)
class Print:
    fingerprint: str       # kind, property, function, span text, occurrence
    function_hash: str     # the function's normalized source ("" when unknown)


def function_sources(report, text: str | None = None) -> dict[str, str]:
    """Each function's source text.  A report answered from the whole-file cache carries
    no functions: the text is parsed again then (cheap next to verifying it)."""
    fns = getattr(report.program, "functions", {}) or {}
    if not fns and report.findings:
        if text is None:
            text = read_text(report.path)
        if text is not None:
            from veriline.analyses.api import parse
            try:
                fns = parse(text, report.path, report.program.language).functions
            except Exception:   # a frontend failure must not sink the report
                fns = {}
    return {name: fn.source for name, fn in fns.items()}


def read_text(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as fh:
            return fh.read()
    except OSError:
        return None


def fingerprints(report, text: str | None = None) -> dict[int, Print]:
    """id(finding) -> Print for every finding of a report (all statuses, so a finding
    keeps its occurrence number when a neighbour becomes proved)."""
    if text is None:
        text = report.program.text or read_text(report.path) or ""
    lines = text.splitlines()
    sources = function_sources(report, text)
    fn_hash = {name: _hash(normalize(src)) for name, src in sources.items()}
    seen: dict[tuple, int] = {}
    out: dict[int, Print] = {}
    for f in report.findings:
        body = normalize(span_text(lines, f.span))
        key = (f.function, f.kind, f.property, body)
        n = seen.get(key, 0)
        seen[key] = n + 1
        out[id(f)] = Print(_hash(f.kind, f.property, f.function, body, str(n)),
                           fn_hash.get(f.function, ""))
    return out


def error_fingerprint(lines: list[str], err) -> str:
    """A syntax error: the text of its line."""
    line = lines[err.span.line - 1] if 0 < err.span.line <= len(lines) else ""
    return _hash("syntax", normalize(line), normalize(err.message))
