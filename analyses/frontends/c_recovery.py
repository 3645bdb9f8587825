"""Syntax-error recovery for the C frontend: when pycparser rejects the preprocessed
text, first blank the top-level item holding each error (linear; works for a header's
items too), else keep the file's own items one by one while they parse."""
from __future__ import annotations

import re
import time
from typing import Optional

from pycparser import c_parser

from .. import ir
from .c_preprocess import MAIN_FILE


_PARSE_ERROR = re.compile(r"^(.*?):(\d+)(?::(\d+))?: (.*)$", re.S)


def _error_issue(exc: Exception, parser, last_line: int) -> ir.SyntaxIssue:
    m = _PARSE_ERROR.match(str(exc))
    if not m:          # no position in the message: use the parser's next token
        try:
            tok = parser._tokens.peek()
            if tok is None:
                msg = str(exc).split(": ", 1)[-1]
                return ir.SyntaxIssue(message=f"syntax error: {msg}",
                                      span=ir.Span(last_line, 1, last_line, 1))
            if tok is not None and parser.clex.filename == MAIN_FILE:
                msg = str(exc).split(": ", 1)[-1]
                return ir.SyntaxIssue(message=f"syntax error: {msg} before {tok.value!r}",
                                      span=ir.Span(tok.lineno, tok.column, tok.lineno,
                                                   tok.column + len(str(tok.value))))
        except Exception:
            pass
    if m and m.group(1) == MAIN_FILE:
        line, col = int(m.group(2)), int(m.group(3) or 1)
        return ir.SyntaxIssue(message=f"syntax error: {m.group(4)}",
                              span=ir.Span(line, col, line, col + 1))
    return ir.SyntaxIssue(message=f"syntax error: {exc}", span=ir.Span(1, 1, 1, 1))


def parse_with_recovery(pp_text: str, program: ir.Program, last_line: int):
    parser = c_parser.CParser()
    try:
        return parser.parse(pp_text, MAIN_FILE)
    except Exception as exc:
        program.errors.append(_error_issue(exc, parser, last_line))
        first = exc
    items = _split_items(pp_text)
    ast = _drop_failing_items(pp_text, items, program, last_line)
    if ast is not None or re.match(r"(?!<stdin>)[^:\n]+: ", str(first)):
        return ast        # a header's error: dropping the file's own items cannot help
    keep = [False] * len(items)
    deadline, skipped = time.monotonic() + RECOVERY_S, 0
    for i, (start, end, in_main) in enumerate(items):
        keep[i] = True
        if not in_main:
            continue
        if time.monotonic() > deadline:       # each try re-parses the prefix: quadratic
            keep[i] = False
            skipped += 1
            continue
        try:
            c_parser.CParser().parse(_blank_except(pp_text, items, keep, end), MAIN_FILE)
        except Exception:
            keep[i] = False
    if skipped:
        program.errors.append(ir.SyntaxIssue(
            message=f"syntax-error recovery stopped after {RECOVERY_S} s: the last {skipped} "
                    "top-level items were skipped", span=ir.Span(last_line, 1, last_line, 1)))
    try:
        return c_parser.CParser().parse(_blank_except(pp_text, items, keep, len(pp_text)),
                                        MAIN_FILE)
    except Exception:
        return None


MAX_DROPS = 12
RECOVERY_S = 20


def _error_position(exc: Exception, parser) -> Optional[tuple[str, int]]:
    """(file, line) of a parse error: from the message, else the parser's next token."""
    m = _PARSE_ERROR.match(str(exc))
    if m and m.group(2):
        return m.group(1), int(m.group(2))
    try:
        tok = parser._tokens.peek()
        return (parser.clex.filename, tok.lineno) if tok is not None else None
    except Exception:
        return None


def _drop_failing_items(pp_text: str, items, program: ir.Program, last_line: int):
    """Blank the item holding each parse error's position (a header's too: the error
    names the header and line) and parse again, a few times: linear, unlike trying every
    item.  None when an error has no position or it does not converge."""
    keep = [True] * len(items)
    starts = _line_starts_by_file(pp_text)
    for _round in range(MAX_DROPS):
        text = _blank_except(pp_text, items, keep, len(pp_text))
        parser = c_parser.CParser()
        try:
            return parser.parse(text, MAIN_FILE)
        except Exception as exc:
            where = _error_position(exc, parser)
            if where is None or where not in starts:
                return None
            off = starts[where]
            hit = [i for i, (a, b, _) in enumerate(items) if a <= off < b and keep[i]]
            if not hit:
                return None
            keep[hit[0]] = False
            if _round and where[0] != MAIN_FILE:
                program.errors.append(ir.SyntaxIssue(
                    message=f"syntax error in a header, declaration skipped: {exc}",
                    span=ir.Span(1, 1, 1, 1)))
            elif _round:
                msg = str(exc).split(": ", 1)[-1]
                program.errors.append(ir.SyntaxIssue(message=f"syntax error: {msg}",
                                                     span=ir.Span(where[1], 1, where[1], 1)))
    return None


def _line_starts_by_file(text: str) -> dict[tuple[str, int], int]:
    """(file, line) -> offset in preprocessed text, following the linemarkers."""
    out: dict[tuple[str, int], int] = {}
    cur, line, off = MAIN_FILE, 1, 0
    for ln in text.split("\n"):
        m = re.match(r'#\s*(?:line\s+)?(\d+)\s+"((?:\\.|[^"\\])*)"', ln)
        if m:
            cur, line = m.group(2), int(m.group(1))
        else:
            out.setdefault((cur, line), off)
            line += 1
        off += len(ln) + 1
    return out


def _blank_except(text: str, items, keep, upto: int) -> str:
    chars = list(text[:upto])
    for (start, end, _), k in zip(items, keep):
        if not k and start < upto:
            for j in range(start, min(end, upto)):
                if chars[j] != "\n":
                    chars[j] = " "
    return "".join(chars)


_HEADER = re.compile(r"(?!(?:if|else|while|for|switch|return|do|case|default|goto)\b)"
                     r"[A-Za-z_][\w \t*]*\b[A-Za-z_]\w*\s*\([^;{}]*\)\s*(\{.*)?$")


def _split_items(text: str) -> list[tuple[int, int, bool]]:
    """Top-level items (declarations, function definitions) of preprocessed text, as
    (start, end, from_main_file); `#` lines stay outside items so line numbers survive."""
    items, depth, start, i, n = [], 0, None, 0, len(text)
    in_main, item_main = True, True
    line_start = True
    while i < n:
        if line_start:
            eol = text.find("\n", i)
            eol = n if eol < 0 else eol
            line = text[i:eol]
            if line.lstrip().startswith("#"):
                m = re.match(r'\s*#\s*(?:line\s+)?\d+\s+"([^"]*)"', line)
                if m:
                    in_main = m.group(1) == MAIN_FILE
                i = eol
                continue
            if depth > 0 and in_main and start is not None and _HEADER.match(line):
                items.append((start, i, item_main))
                depth, start = 0, None
        ch = text[i]
        line_start = ch == "\n"
        if ch in "\"'":
            j = i + 1
            while j < n and text[j] not in (ch, "\n"):
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if not ch.isspace() and start is None:
            start, item_main = i, in_main
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth = max(depth - 1, 0)
            if ch == "}" and depth == 0 and start is not None and \
                    re.search(r"\)\s*(\{|$)", _header_of(text, start, i)):
                items.append((start, i + 1, item_main))
                start = None
        elif ch == ";" and depth == 0 and start is not None:
            items.append((start, i + 1, item_main))
            start = None
        i += 1
    if start is not None:
        items.append((start, n, item_main))
    return items


def _header_of(text: str, start: int, close: int) -> str:
    """The text of an item before its first top-level `{` (to spot function bodies)."""
    k = text.find("{", start, close)
    return text[start:k + 1] if k >= 0 else ""
