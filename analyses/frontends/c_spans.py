"""Source spans for pycparser nodes.

pycparser only records where a node starts; ends are recovered from the children and by
scanning the comment-free original text (closing parentheses of calls, the `;` that ends
a statement, the `}` that ends a block).
"""
from __future__ import annotations

from pycparser import c_ast

from .. import ir
from .c_preprocess import MAIN_FILE
from .c_source_text import LineIndex

_CLOSE = {"(": ")", "[": "]", "{": "}"}
_FIRST_CHILD = {c_ast.Assignment: "lvalue", c_ast.BinaryOp: "left", c_ast.TernaryOp: "cond",
                c_ast.FuncCall: "name", c_ast.ArrayRef: "name", c_ast.StructRef: "name"}


class SpanFinder:
    def __init__(self, masked: str, colmaps=None):
        self.masked = masked              # original text, comments/strings blanked
        self.index = LineIndex(masked)
        self.colmaps = colmaps or {}      # macro-expanded lines: pycparser col -> col

    def coord(self, line: int, col: int) -> tuple[int, int]:
        return line, self.colmaps.get(line, {}).get(col, col)

    # ------------------------------------------------------------------ primitives
    def start(self, node) -> tuple[int, int] | None:
        c = getattr(node, "coord", None)
        if c is None or c.file != MAIN_FILE or not c.line:
            return None
        own = self.coord(c.line, c.column or 1)
        if isinstance(node, c_ast.UnaryOp) and node.op not in ("p++", "p--"):
            inner = self.start(node.expr) if isinstance(node.expr, c_ast.Node) else None
            return self._prefix_start(node, inner or own)
        first = _FIRST_CHILD.get(type(node))
        if first is not None:
            sub = getattr(node, first, None)
            if isinstance(sub, c_ast.Node) and (p := self.start(sub)) is not None:
                return min(p, own)
        return own

    def _prefix_start(self, node, pos):
        """pycparser puts a prefix operator at its operand: step back over the operator."""
        op = node.op
        k = self.offset(pos)
        while k > 0 and self.masked[k - 1] in " \t(":
            k -= 1
        if self.masked[max(k - len(op), 0):k] == op:
            return self.index.pos(k - len(op))
        return pos

    def offset(self, pos: tuple[int, int]) -> int:
        """Offset of a (line, column); columns past the end (macro expansions) clamp."""
        line, col = pos
        return self.index.offset(line, min(col, len(self.index.line_text(line)) + 1))

    def clamp(self, start: int, end: int) -> int:
        """Ends of tokens that came from a macro expansion stay on their line."""
        line_end = self.masked.find("\n", start)
        if line_end >= 0 and end > line_end and "\n" not in self.masked[start:end].rstrip():
            return line_end
        return end

    def match(self, off: int) -> int:
        """Offset just after the bracket matching the one at/after `off`."""
        text = self.masked
        while off < len(text) and text[off] not in _CLOSE:
            off += 1
        if off >= len(text):
            return len(text)
        stack = []
        for i in range(off, len(text)):
            ch = text[i]
            if ch in _CLOSE:
                stack.append(_CLOSE[ch])
            elif stack and ch == stack[-1]:
                stack.pop()
                if not stack:
                    return i + 1
        return len(text)

    def skip_to(self, off: int, token: str) -> int:
        """Offset just after the next `token` at or after off (or off if absent nearby)."""
        k = self.masked.find(token, off)
        if k < 0 or self.masked[off:k].count("\n") > 50:
            return off
        return k + len(token)

    # ------------------------------------------------------------------ ends
    def end_offset(self, node) -> int | None:
        st = self.start(node)
        base = self.offset(st) if st else None
        if isinstance(node, c_ast.ID) and base is not None:
            return self.clamp(base, base + len(node.name))
        if isinstance(node, c_ast.Constant) and base is not None:
            return self.clamp(base, base + len(node.value))
        if isinstance(node, c_ast.FuncCall):
            e = self.end_offset(node.name)
            return self.match(e) if e is not None else None
        if isinstance(node, c_ast.Compound) and base is not None:
            return self.match(base)
        if base is not None and (isinstance(node, (c_ast.Break, c_ast.Continue, c_ast.Goto))
                                 or isinstance(node, c_ast.Return) and node.expr is None):
            return self.skip_to(base, ";")
        if isinstance(node, (c_ast.If, c_ast.While, c_ast.For, c_ast.Label, c_ast.Case,
                             c_ast.Default)):
            ends = [self.offset((sp.end_line, sp.end_col)) for _, ch in node.children()
                    if (sp := self.stmt_span(ch)) != ir.NOSPAN]
        else:
            ends = [e for _, ch in node.children() if (e := self.end_offset(ch)) is not None]
        end = max(ends) if ends else (base + 1 if base is not None else None)
        if end is None:
            return None
        if isinstance(node, c_ast.UnaryOp) and node.op in ("p++", "p--"):
            return self.skip_to(end, node.op[1:])
        if isinstance(node, c_ast.UnaryOp) and node.op == "sizeof" or \
                isinstance(node, c_ast.ArrayRef):
            tail = self.masked[end:end + 40].lstrip(" \t")
            if tail[:1] in ")]":
                return self.skip_to(end, tail[0])
        return end

    def decl_extent(self, node: c_ast.Decl):
        """A declaration runs from its first type specifier to its name or initializer."""
        starts = [p for n in _walk(node.type) if (p := self.start(n))]
        st = self.start(node)
        named = [n for n in _walk(node.type)
                 if isinstance(n, c_ast.TypeDecl) and n.declname == node.name]
        if named and self.start(named[0]) is not None:
            st = self.start(named[0])
        if not starts or st is None:
            return None, None
        begin = self.offset(min(starts))
        if node.init is not None:
            end = self.end_offset(node.init)
        else:
            end = self.offset(st) + len(node.name or "")
            tail = self.masked[end:end + 200].lstrip(" \t")
            if tail[:1] == "[":
                end = self.match(end)
        return begin, end

    def span(self, node) -> ir.Span:
        if isinstance(node, c_ast.Decl):
            begin, end = self.decl_extent(node)
            if begin is not None and end is not None:
                return ir.Span(*self.index.pos(begin), *self.index.pos(end))
        st = self.start(node)
        if st is None:
            return ir.NOSPAN
        end = self.end_offset(node)
        base = self.offset(st)
        if end is None or end < base:
            end = base
        el, ec = self.index.pos(end)
        return ir.Span(st[0], st[1], el, ec)

    def stmt_span(self, node) -> ir.Span:
        """Like span, extended to the terminating `;` for simple statements."""
        sp = self.span(node)
        if sp == ir.NOSPAN:
            return sp
        if isinstance(node, (c_ast.If, c_ast.While, c_ast.For, c_ast.Compound,
                             c_ast.Switch, c_ast.Label, c_ast.Case, c_ast.Default)):
            return sp
        end = self.index.offset(sp.end_line, sp.end_col)
        tail = self.masked[end:end + 200]
        k = tail.find(";")
        if k >= 0 and not tail[:k].strip(" \t\n)]"):
            end += k + 1
        el, ec = self.index.pos(end)
        return ir.Span(sp.line, sp.col, el, ec)



def _walk(node):
    yield node
    for _, child in node.children():
        yield from _walk(child)
