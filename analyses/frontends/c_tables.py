"""Huge file-scope data tables, blanked before pycparser reads the file."""
from __future__ import annotations

import re
from typing import Optional


TABLE_CHARS = 4000
_TABLE_START = re.compile(r"=\s*\{")


def shrink_tables(text: str) -> str:
    """Blank the contents of huge file-scope initializers (`= { 1, 2, ... }` data tables:
    pycparser needs a minute for half a million items) to `{0`, newlines kept.  Sound:
    the analysis never reads a global array's elements (such reads are unknowns)."""
    if len(text) < TABLE_CHARS:
        return text
    out, depth, i, n = [], 0, 0, len(text)
    last = 0
    while i < n:
        c = text[i]
        if c in "\"'":
            i = _past_literal(text, i, n)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth = max(depth - 1, 0)
        elif c == "=" and depth == 0:
            m = _TABLE_START.match(text, i)
            if m:
                end = _matching_brace(text, m.end() - 1)
                if end is not None and end - m.end() > TABLE_CHARS and \
                        ";" not in text[m.end():end]:
                    body = text[m.end():end]
                    out.append(text[last:m.end()])
                    out.append("0" + re.sub(r"[^\n]", " ", body))
                    last, i = end, end
                    continue
        i += 1
    out.append(text[last:])
    return "".join(out)


def _matching_brace(text: str, open_at: int) -> Optional[int]:
    depth, i, n = 0, open_at, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            i = _past_literal(text, i, n)
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return None


def _past_literal(text: str, i: int, n: int) -> int:
    """The index just past the string or character literal that starts at text[i]."""
    j = i + 1
    while j < n and text[j] not in (text[i], "\n"):
        j += 2 if text[j] == "\\" else 1
    return j + 1
