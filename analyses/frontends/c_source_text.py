"""The user's C text before gcc sees it: line index, comments, ACSL annotations and
suppression markers.

gcc removes comments and collapses whitespace, so comments (ACSL annotations, suppression
markers) are collected from the raw text first (c_preprocess.py then runs gcc).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .. import ir


class LineIndex:
    """Offsets <-> 1-based (line, column) in one text."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def pos(self, offset: int) -> tuple[int, int]:
        import bisect
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1

    def offset(self, line: int, col: int) -> int:
        if line < 1:
            return 0
        if line > len(self.starts):
            return len(self.text)
        return min(self.starts[line - 1] + max(col, 1) - 1, len(self.text))

    def line_text(self, line: int) -> str:
        if not 1 <= line <= len(self.starts):
            return ""
        start = self.starts[line - 1]
        end = self.starts[line] - 1 if line < len(self.starts) else len(self.text)
        return self.text[start:end]

    def span(self, start: int, end: int) -> ir.Span:
        a, b = self.pos(start), self.pos(end)
        return ir.Span(a[0], a[1], b[0], b[1])


@dataclass
class Comment:
    start: int          # offset of the opening /* or //
    end: int            # offset just after the comment
    text: str


@dataclass
class Annotation:
    """An ACSL comment: `content` with the `/*@`, `*/` and leading `@`s blanked, so that
    content[i] sits at offset `base + i` in the original text."""
    start: int
    end: int
    base: int
    content: str


def scan_comments(text: str) -> tuple[str, str, list[Comment]]:
    """Return (code, masked, comments): code has comments replaced by spaces (newlines
    kept); masked additionally blanks string and character literal contents."""
    code, masked, comments = list(text), list(text), []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and text.startswith("//", i):
            j = i
            while j < n and text[j] != "\n":
                j += 2 if text[j] == "\\" and j + 1 < n else 1
            comments.append(Comment(i, j, text[i:j]))
        elif c == "/" and text.startswith("/*", i):
            k = text.find("*/", i + 2)
            j = n if k < 0 else k + 2
            comments.append(Comment(i, j, text[i:j]))
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            for k in range(i + 1, min(j, n)):
                if masked[k] != "\n":
                    masked[k] = " "
            i = j + 1
            continue
        else:
            i += 1
            continue
        for k in range(i, j):
            if text[k] != "\n":
                code[k] = masked[k] = " "
        i = j
    return "".join(code), "".join(masked), comments


def acsl_annotations(comments: list[Comment]) -> list[Annotation]:
    out = []
    for c in comments:
        if c.text.startswith("/*@") or c.text.startswith("//@"):
            body = c.text[3:-2] if c.text.startswith("/*") and c.text.endswith("*/") \
                else c.text[3:]
            body = re.sub(r"(?m)^([ \t]*)@", lambda m: m.group(1) + " ", body)
            out.append(Annotation(c.start, c.end, c.start + 3, body))
    return out


_SUPPRESS = re.compile(r"veriline:\s*ignore(?:\[([^\]]*)\])?")


def suppressions(comments: list[Comment], code: str, index: LineIndex) -> dict[int, set[str]]:
    """`veriline: ignore[kinds]` comments -> {line: kinds}: the comment's own line when code
    precedes it there, else the next line with code."""
    out: dict[int, set[str]] = {}
    for c in comments:
        m = _SUPPRESS.search(c.text)
        if not m:
            continue
        kinds = {k.strip() for k in (m.group(1) or "").split(",") if k.strip()} or {"*"}
        line, col = index.pos(c.start)
        if code[index.offset(line, 1):c.start].strip():
            target = line
        else:
            rest = re.search(r"\S", code[c.end:])
            target = index.pos(c.end + rest.start())[0] if rest else line
        out.setdefault(target, set()).update(kinds)
    return out
