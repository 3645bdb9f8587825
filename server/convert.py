"""Findings → LSP values (diagnostics, hovers, code lenses, inlay hints).

Pure functions of the verification results and the document text, so each presentation
rule is unit-testable without a server.  Library spans are 1-based (line, column in code
points, end exclusive); LSP positions are 0-based in the negotiated encoding (UTF-16
unless the client chose otherwise).
"""
from __future__ import annotations

import re
from typing import Iterable, Optional

from lsprotocol import types as lsp

from veriline.analyses import ir
from veriline.analyses.findings import COUNTEREXAMPLE, PROVED, UNKNOWN, Finding

from .scheduler import DocResults, FunctionResult

SOURCE = "veriline"
ICON = {PROVED: "✓", COUNTEREXAMPLE: "✗", UNKNOWN: "?"}
UNKNOWN_SEVERITY = {"information": lsp.DiagnosticSeverity.Information,
                    "hint": lsp.DiagnosticSeverity.Hint,
                    "warning": lsp.DiagnosticSeverity.Warning}
FINDING_SEVERITY = {"error": lsp.DiagnosticSeverity.Error,
                    "warning": lsp.DiagnosticSeverity.Warning,
                    "info": lsp.DiagnosticSeverity.Information}


class Positions:
    """Library (1-based, code point) ↔ LSP (0-based, client units) positions."""

    def __init__(self, lines: list[str], encoding: str = "utf-16") -> None:
        self.lines = lines
        self.utf16 = str(encoding).lower().replace("_", "-") == "utf-16"

    def _text(self, line0: int) -> str:
        return self.lines[line0].rstrip("\r\n") if 0 <= line0 < len(self.lines) else ""

    def _units(self, line0: int, col0: int) -> int:
        if not self.utf16 or col0 <= 0:
            return max(col0, 0)
        head = self._text(line0)[:col0]
        return len(head.encode("utf-16-le")) // 2 + max(0, col0 - len(head))

    def position(self, line: int, col: int) -> lsp.Position:
        line0 = max(line - 1, 0)
        return lsp.Position(line=line0, character=self._units(line0, max(col - 1, 0)))

    def range(self, span: ir.Span) -> lsp.Range:
        start = self.position(span.line, span.col)
        end = self.position(span.end_line or span.line, span.end_col or span.col)
        if (end.line, end.character) < (start.line, start.character):
            end = start
        return lsp.Range(start=start, end=end)

    def end_of_line(self, line0: int) -> lsp.Position:
        text = self._text(line0)
        return lsp.Position(line=line0, character=self._units(line0, len(text)))

    def code_point_col(self, line0: int, character: int) -> int:
        """0-based client column → 0-based code point column."""
        if not self.utf16:
            return character
        units = 0
        for i, ch in enumerate(self._text(line0)):
            if units >= character:
                return i
            units += 2 if ord(ch) > 0xFFFF else 1
        return len(self._text(line0))


# ----------------------------------------------------------------------------- diagnostics

def severity(f: Finding, unknown_severity: str = "information") -> Optional[lsp.DiagnosticSeverity]:
    if f.status == PROVED:
        return None
    if f.status == UNKNOWN:
        return UNKNOWN_SEVERITY.get(unknown_severity)
    if f.kind == "termination" and f.severity == "error":
        return lsp.DiagnosticSeverity.Warning
    return FINDING_SEVERITY.get(f.severity, lsp.DiagnosticSeverity.Error)


def message(f: Finding) -> str:
    """The finding's message, made to name the reproducing call / the unknown's reason."""
    text = f.message or f"{f.kind} {f.status}"
    cx = f.counterexample
    if f.status == COUNTEREXAMPLE and cx is not None and cx.call and cx.call not in text:
        text += f" (e.g. {cx.call})"
    if f.status == UNKNOWN and f.reason and f.reason not in text:
        text += f": {f.reason}"
    return text


def diagnostic(f: Finding, pos: Positions, uri: str, unknown_severity: str) -> Optional[lsp.Diagnostic]:
    sev = severity(f, unknown_severity)
    if sev is None:
        return None
    related = [lsp.DiagnosticRelatedInformation(
        location=lsp.Location(uri=uri, range=pos.range(r.span)), message=r.message)
        for r in f.related if r.span.line]
    return lsp.Diagnostic(
        range=pos.range(f.span), message=message(f), severity=sev, code=f.kind,
        source=SOURCE, related_information=related or None,
        data={"function": f.function, "kind": f.kind, "status": f.status,
              "property": f.property, "line": f.span.line})


def syntax_diagnostic(issue: ir.SyntaxIssue, pos: Positions) -> lsp.Diagnostic:
    return lsp.Diagnostic(range=pos.range(issue.span), message=issue.message,
                          severity=lsp.DiagnosticSeverity.Error, code="syntax", source=SOURCE)


def diagnostics(res: DocResults, pos: Positions, unknown_severity: str) -> list[lsp.Diagnostic]:
    """Syntax errors + the findings of every function known so far."""
    out = [syntax_diagnostic(e, pos) for e in res.program.errors]
    for f in res.findings():
        d = diagnostic(f, pos, res.uri, unknown_severity)
        if d is not None:
            out.append(d)
    return out


# ----------------------------------------------------------------------------- code lens

def lens_title(r: Optional[FunctionResult]) -> str:
    if r is None:
        return "veriline: verifying…"
    n = {s: sum(1 for f in r.findings if f.status == s) for s in ICON}
    if r.partial:
        return (f"veriline: verifying… (so far ✓ {n[PROVED]} · ✗ {n[COUNTEREXAMPLE]} · "
                f"? {n[UNKNOWN]})")
    ms = round(sum(f.time_ms for f in r.findings))
    cached = not r.reverified or (r.findings and all(f.cached for f in r.findings))
    return (f"✓ {n[PROVED]} proved · ✗ {n[COUNTEREXAMPLE]} · ? {n[UNKNOWN]} — {ms} ms"
            + (" (cached)" if cached else ""))


def code_lenses(res: DocResults, pos: Positions) -> list[lsp.CodeLens]:
    out = []
    for name, fn in res.program.functions.items():
        anchor = fn.name_span if fn.name_span.line else fn.span
        line0 = max(anchor.line - 1, 0)
        cmd = lsp.Command(title=lens_title(res.functions.get(name)),
                          command="veriline.verifyFunction", arguments=[res.uri, name])
        out.append(lsp.CodeLens(range=lsp.Range(start=lsp.Position(line=line0, character=0),
                                                end=lsp.Position(line=line0, character=0)),
                                command=cmd))
    return out


# ----------------------------------------------------------------------------- inlay hints

_C_DECL = r"(?:(?:unsigned|signed|const|static|register|volatile|int|long|short|char|_Bool|" \
          r"bool|size_t|ssize_t|u?int\d+_t)\s+)*\**\s*"
_ASSIGN = re.compile(r"^\s*" + _C_DECL + r"([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s*"
                     r"(?::\s*[^=]+?)?\s*(?:\*\*|//|<<|>>|[-+*/%&|^])?=(?!=)")
_INCDEC = re.compile(r"^\s*(?:(\+\+|--)\s*([A-Za-z_]\w*)|([A-Za-z_]\w*)\s*(\+\+|--))\s*;")


def assigned_names(line: str) -> list[str]:
    """Variables a source line assigns (Python or C statement syntax)."""
    m = _ASSIGN.match(line)
    if m:
        return [n.strip() for n in m.group(1).split(",")]
    m = _INCDEC.match(line)
    if m:
        return [m.group(2) or m.group(3)]
    return []


def _values_at(steps: Iterable, line: int, var: str) -> list[int]:
    vals: list[int] = []
    for s in steps:
        if s.line == line and var in s.values and (not vals or vals[-1] != s.values[var]):
            vals.append(s.values[var])
    return vals


def _show(vals: list[int]) -> str:
    return " → ".join(str(v) for v in vals[:4]) + (" → …" if len(vals) > 4 else "")


def inlay_hints(res: DocResults, pos: Positions, first0: int, last0: int) -> list[lsp.InlayHint]:
    """`x = 5` after each assignment on a counterexample's path (lines first0..last0)."""
    labels: dict[int, list[str]] = {}
    for f in res.findings():
        if f.status != COUNTEREXAMPLE or f.counterexample is None:
            continue
        steps = f.counterexample.trace
        for line in sorted({s.line for s in steps}):
            if not first0 <= line - 1 <= last0 or line - 1 >= len(pos.lines):
                continue
            for var in assigned_names(pos.lines[line - 1]):
                vals = _values_at(steps, line, var)
                label = f"{var} = {_show(vals)}"
                if vals and label not in labels.setdefault(line - 1, []):
                    labels[line - 1].append(label)
    return [lsp.InlayHint(position=pos.end_of_line(l0), label=", ".join(ls), padding_left=True)
            for l0, ls in sorted(labels.items()) if ls]


# ----------------------------------------------------------------------------- hover

def _covers(span: ir.Span, line: int) -> bool:
    return span.line <= line <= (span.end_line or span.line)


def _confirmation(f: Finding) -> str:
    cx = f.counterexample
    if cx is None or cx.confirmed is None:
        return "found by z3 and re-run by the IR interpreter (not replayed on your code)"
    if cx.confirmed:
        return "confirmed by running your code" + (f": {cx.replay_note}" if cx.replay_note else "")
    return "**not** reproduced by running your code" + (f": {cx.replay_note}" if cx.replay_note else "")


def _counterexample_md(f: Finding, line: int, word: str) -> list[str]:
    cx = f.counterexample
    out = [f"**✗ {f.kind}** — {message(f)}"]
    if cx is None:
        return out
    if cx.call:
        out.append(f"Reproduce: `{cx.call}` — {_confirmation(f)}")
    if cx.inputs:
        out.append("Inputs: " + ", ".join(f"`{k} = {v}`" for k, v in cx.inputs.items()))
    here = [s for s in cx.trace if s.line == line]
    if word and here:
        vals = _values_at(here, line, word)
        if vals:
            out.append(f"At line {line}: `{word} = {_show(vals)}`")
    elif here:
        last = here[-1].values
        if last:
            out.append(f"At line {line}: " + ", ".join(f"`{k} = {v}`" for k, v in last.items()))
    if cx.values_at_failure:
        out.append("At the failure: " + ", ".join(f"`{k} = {v}`"
                                                  for k, v in cx.values_at_failure.items()))
    out += [f"Assumes: {a}" for a in cx.assumptions]
    return out


def _loop_md(f: Finding) -> list[str]:
    """Why a loop (or recursion) terminates, or the witness that it does not."""
    d = f.details or {}
    measure, ranking, witness = d.get("measure"), d.get("ranking"), d.get("witness")
    out: list[str] = []
    if measure or ranking:
        head = f"**{ICON[f.status]} termination**"
        if measure:
            ms = measure if isinstance(measure, (list, tuple)) else [measure]
            head += " — ranking function " + ", ".join(f"`{m}`" for m in ms)
        out.append(head)
        if ranking and str(ranking) not in head:
            out.append(str(ranking))
        if d.get("invariants"):
            out.append("Invariants: " + ", ".join(f"`{i}`" for i in d["invariants"]))
        if d.get("assumes_return"):
            out.append("Assuming the calls to " + ", ".join(
                f"`{n}`" for n in d["assumes_return"]) + " return (judged separately)")
    elif witness is not None:
        if isinstance(witness, dict):
            text = witness.get("description") or witness.get("kind") or "witness"
            state = witness.get("state") or {}
            out.append(f"**✗ termination** — non-termination witness: {text}"
                       + ("" if not state else " (state " + ", ".join(
                           f"`{k} = {v}`" for k, v in state.items()) + ")"))
        else:
            out.append(f"**✗ termination** — non-termination witness: `{witness}`")
    return out


def _unknown_md(f: Finding) -> list[str]:
    return [f"**? {f.kind}** — {f.message}", f"Why unknown: {f.reason or 'no reason given'}"]


def _summary_md(fn: ir.Function, r: Optional[FunctionResult]) -> list[str]:
    if r is None:
        return [f"**{fn.name}** — verifying…"]
    out = [f"**{fn.name}** — {lens_title(r)}"]
    out += [f"- {ICON[f.status]} {f.kind} (line {f.span.line}): {message(f)}" for f in r.findings]
    if fn.assumptions:
        out.append(f"Proofs assume {'; '.join(fn.assumptions)}.")
    return out


def hover_markdown(res: DocResults, line: int, col: int, word: str) -> Optional[str]:
    """Markdown for a hover at the 1-based line and column (0-based code points)."""
    fn = res.function_at(line)
    if fn is None:
        return None
    r = res.functions.get(fn.name)
    ns = fn.name_span
    if ns.line == line and ns.col - 1 <= col <= ns.end_col - 1 and word == fn.name:
        return "\n\n".join(_summary_md(fn, r))
    if r is None:
        return None
    parts: list[str] = []
    for f in r.findings:
        if f.kind == "termination" and f.span.line == line:
            parts += _loop_md(f)
        if f.status == COUNTEREXAMPLE and _covers(f.span, line):
            parts += _counterexample_md(f, line, word)
        elif f.status == UNKNOWN and _covers(f.span, line):
            parts += _unknown_md(f)
        elif f.status == PROVED and f.kind != "termination" and _covers(f.span, line) \
                and f.details.get("invariants"):      # proved with a CHC invariant
            parts += [f"**✓ {f.kind}** — {message(f)}",
                      "Inferred loop invariant (z3's CHC engine, re-checked): "
                      + ", ".join(f"`{i}`" for i in f.details["invariants"])]
        parts += [f"Judged: {f.details['judgement']}"] if f.status != PROVED and _covers(f.span, line) and "judgement" in f.details else []  # noqa: E501
        parts += [f"Decided by `{f.solver}`"] if f.solver and parts and _covers(f.span, line) else []
        parts += [f"Assumes {'; '.join(f.details['assumes'])}"] \
            if f.status == PROVED and parts and _covers(f.span, line) and f.details.get("assumes") else []
    if not parts and word:          # a variable of the function: its counterexample value
        for f in r.findings:
            cx = f.counterexample
            if f.status != COUNTEREXAMPLE or cx is None:
                continue
            vals, where = _values_at(cx.trace, line, word), f"at line {line}"
            if not vals and word in cx.inputs:
                vals, where = [cx.inputs[word]], "on entry"
            if vals:
                parts += [f"`{word} = {_show(vals)}` {where} in the counterexample "
                          f"`{cx.call}` ({f.kind}: {message(f)})"]
    parts += [_proved_md(f) for f in r.findings if f.status == PROVED and _covers(f.span, line)]
    return "\n\n".join(parts) if parts else None


def _proved_md(f: Finding) -> str:
    """Who proved a ✓ and whether a second solver re-checked it (docs/proofs.md)."""
    from .proof_view import cross_check_text
    return (f"✓ {f.kind}: {message(f)} — proved by `{f.solver or 'z3'}`; "
            f"{cross_check_text(f)}")
