"""Quick fixes for findings: suppression comments and counterexamples as pytest tests.

The suppression comment goes at the end of the finding's first line, in the syntax the
library reads (`veriline: ignore[kind]`); an existing `veriline: ignore[...]` on that line
gets the kind added instead of a second comment.  The pytest test is appended to the end
of the file: it calls the function with the counterexample's inputs and asserts the
failure, so the bug stays reproducible after the editor is closed.
"""
from __future__ import annotations

import io
import re
import tokenize
from typing import Optional

from lsprotocol import types as lsp

from veriline.analyses import ir
from veriline.analyses.findings import COUNTEREXAMPLE, Finding

from .convert import Positions, severity
from .scheduler import DocResults

_IGNORE = re.compile(r"veriline:\s*ignore\[([^\]]*)\]")


def _edit(uri: str, rng: lsp.Range, text: str) -> lsp.WorkspaceEdit:
    return lsp.WorkspaceEdit(changes={uri: [lsp.TextEdit(range=rng, new_text=text)]})


def _ends_inside_literal(lines: list[str], line1: int, language: str) -> bool:
    """True when line1 ends inside a multi-line string (Python) or block comment (C):
    a comment appended there would be text of the literal, not a suppression."""
    if language == "python":
        try:
            for tok in tokenize.generate_tokens(io.StringIO("".join(lines)).readline):
                if tok.start[0] > line1:
                    return False
                if tok.type == tokenize.STRING and tok.start[0] <= line1 < tok.end[0]:
                    return True
        except (tokenize.TokenError, SyntaxError, IndentationError):
            return False
        return False
    inside = False
    for i, text in enumerate(lines[:line1]):
        j = 0
        while j < len(text):
            if inside:
                k = text.find("*/", j)
                if k < 0:
                    break
                inside, j = False, k + 2
            elif text.startswith("//", j):
                break
            elif text.startswith("/*", j):
                inside, j = True, j + 2
            else:
                j += 1
    return inside


def suppression_edit(uri: str, pos: Positions, line1: int, kind: str, language: str) -> Optional[lsp.WorkspaceEdit]:
    line0 = line1 - 1
    if not 0 <= line0 < len(pos.lines):
        return None
    text = pos.lines[line0].rstrip("\r\n")
    if _ends_inside_literal(pos.lines, line1, language):
        return None
    m = _IGNORE.search(text)
    if m:
        kinds = [k.strip() for k in m.group(1).split(",") if k.strip()]
        if kind in kinds or "*" in kinds:
            return None
        start = pos.position(line1, m.start(1) + 1)
        end = pos.position(line1, m.end(1) + 1)
        return _edit(uri, lsp.Range(start=start, end=end), ", ".join(kinds + [kind]))
    marker = "#" if language == "python" else "//"
    eol = pos.end_of_line(line0)
    return _edit(uri, lsp.Range(start=eol, end=eol), f"  {marker} veriline: ignore[{kind}]")


def _contract_text(fn: ir.Function, f: Finding) -> Optional[ir.Contract]:
    spans = [f.span] + [r.span for r in f.related]
    for c in fn.ensures:
        if any(c.span.line and c.span.line <= s.line <= (c.span.end_line or c.span.line)
               for s in spans):
            return c
    return fn.ensures[0] if len(fn.ensures) == 1 else None


def pytest_test(program: ir.Program, f: Finding) -> Optional[str]:
    """Source of a pytest test reproducing a Python counterexample (None if not testable)."""
    fn = program.functions.get(f.function)
    cx = f.counterexample
    if fn is None or cx is None or f.status != COUNTEREXAMPLE or f.kind == "termination":
        return None
    if fn.qualname and fn.qualname != fn.name:
        return None     # a method: needs an instance the counterexample does not describe
    call = cx.call or "{}({})".format(fn.name, ", ".join(
        repr(cx.inputs.get(p.name, 0)) for p in fn.params))
    safe = re.sub(r"\W", "_", f.property or f.kind)
    head = [f"def test_{fn.name}_{safe}_counterexample():",
            f'    """veriline: {f.message.replace(chr(34) * 3, "")}"""']
    prop = f.property or ""
    if "division" in prop or "zero" in prop:
        body = ["    import pytest", "    with pytest.raises(ZeroDivisionError):", f"        {call}"]
    elif prop in ("ensures", "post", "postcondition") or (fn.ensures and prop != "assert"
                                                           and _contract_text(fn, f)):
        c = _contract_text(fn, f)
        body = [f"    result = {call}"]
        text = (c.text if c else "").strip()
        if text and not re.search(r"__old__|\bOLD\b|\\old", text):
            text = re.sub(r"__return__", "result", text)
            body.append(f"    assert not ({text})  # the postcondition fails")
        else:
            body.append(f"    # expected to violate the postcondition{': ' + text if text else ''}")
    else:
        body = ["    import pytest", "    with pytest.raises(AssertionError):", f"        {call}"]
    return "\n".join(head + body) + "\n"


def code_actions(res: DocResults, pos: Positions, rng: lsp.Range, language: str,
                 unknown_severity: str = "information") -> list[lsp.CodeAction]:
    """Actions for the findings shown on the lines of rng."""
    first, last = rng.start.line + 1, rng.end.line + 1
    out: list[lsp.CodeAction] = []
    seen: set[tuple] = set()
    for f in res.findings():
        if severity(f, unknown_severity) is None:
            continue
        if not (f.span.line <= last and (f.span.end_line or f.span.line) >= first):
            continue
        key = (f.span.line, f.kind)
        edit = suppression_edit(res.uri, pos, f.span.line, f.kind, language)
        if edit is not None and key not in seen:
            seen.add(key)
            out.append(lsp.CodeAction(
                title=f"Suppress this {f.kind} finding (veriline: ignore[{f.kind}])",
                kind=lsp.CodeActionKind.QuickFix, edit=edit))
        if language == "python":
            test = pytest_test(res.program, f)
            if test is not None:
                tail = pos.lines[-1] if pos.lines else "\n"
                if tail.endswith("\n"):
                    end, sep = lsp.Position(line=len(pos.lines), character=0), "\n\n"
                else:
                    end, sep = pos.end_of_line(len(pos.lines) - 1), "\n\n\n"
                out.append(lsp.CodeAction(
                    title=f"Copy counterexample as a pytest test ({f.function})",
                    kind=lsp.CodeActionKind.QuickFix,
                    edit=_edit(res.uri, lsp.Range(start=end, end=end), sep + test)))
    return out


def proof_actions(res: DocResults, rng: lsp.Range, command: str) -> list[lsp.CodeAction]:
    """"Show proof obligation" for each finding (✓ included) on the lines of rng."""
    first, last = rng.start.line + 1, rng.end.line + 1
    out, seen = [], set()
    for f in res.findings():
        if not (f.span.line <= last and (f.span.end_line or f.span.line) >= first):
            continue
        if (f.span.line, f.kind) in seen:
            continue
        seen.add((f.span.line, f.kind))
        title = f"Show proof obligation ({f.kind}, line {f.span.line})"
        out.append(lsp.CodeAction(title=title, kind=lsp.CodeActionKind.QuickFix,
                                  command=lsp.Command(title=title, command=command,
                                                      arguments=[res.uri, f.span.line - 1,
                                                                 f.kind])))
    return out
