"""Source-text helpers of the Python frontend: spans, suppression comments, and the
top-level block splitting that lets a file with a syntax error still be verified."""
from __future__ import annotations

import ast
import contextlib
import copy
import gc
import io
import threading
import re
import tokenize
import warnings
from collections import OrderedDict
from typing import Optional

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from .. import ir


_gc_lock = threading.Lock()
_gc_depth = 0
_gc_was_enabled = False


@contextlib.contextmanager
def gc_paused():
    """Pause the cyclic GC: libcst allocates millions of (acyclic) nodes for a big file,
    and the collector's repeated full scans make parsing quadratic.  Re-entrant."""
    global _gc_depth, _gc_was_enabled
    with _gc_lock:
        if _gc_depth == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_was_enabled:
                gc.enable()


class Spanner:
    """Maps libcst nodes of one parsed fragment to file spans.

    A fragment parsed on its own starts at file line `line_offset + 1`; or, with
    `line_map`, fragment line k sits at file line line_map[k-1][0] shifted right by
    line_map[k-1][1] columns (a batch of docstring contracts, one per line)."""

    def __init__(self, module: cst.Module, line_offset: int = 0,
                 line_map: Optional[list[tuple[int, int]]] = None):
        self.module = module
        self.positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
        self.line_offset = line_offset
        self.line_map = line_map

    def _pos(self, line: int, col: int) -> tuple[int, int]:
        if self.line_map is not None and 0 < line <= len(self.line_map):
            file_line, shift = self.line_map[line - 1]
            return file_line, col + 1 + shift
        return line + self.line_offset, col + 1

    def span(self, node: cst.CSTNode) -> ir.Span:
        r = self.positions.get(node)
        if r is None:
            return ir.NOSPAN
        return ir.Span(*self._pos(r.start.line, r.start.column),
                       *self._pos(r.end.line, r.end.column))

    def code(self, node: cst.CSTNode) -> str:
        return self.module.code_for_node(node)


class LineIndex:
    """Offsets of line starts, to slice exact source text by span in O(1)."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0]
        pos = text.find("\n")
        while pos >= 0:
            self.starts.append(pos + 1)
            pos = text.find("\n", pos + 1)

    def offset(self, line: int, col: int) -> int:
        if line - 1 >= len(self.starts):
            return len(self.text)
        return min(self.starts[line - 1] + col - 1, len(self.text))

    def slice(self, span: ir.Span) -> str:
        return self.text[self.offset(span.line, span.col):self.offset(span.end_line, span.end_col)]


# --------------------------------------------------------------------------- suppressions

_IGNORE = re.compile(r"#\s*veriline\s*:\s*ignore\b(?:\s*\[([^\]]*)\])?")


def _comments(text: str) -> list[tuple[int, int, str]]:
    """(line, 0-based col, comment text) of every comment; regex fallback if tokenizing
    fails (a file with a syntax error)."""
    out = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                out.append((tok.start[0], tok.start[1], tok.string))
        return out
    except (tokenize.TokenError, SyntaxError, IndentationError):
        out = []
    for i, line in enumerate(text.splitlines(), 1):
        j = line.find("#")
        if j >= 0 and "veriline" in line:
            out.append((i, j, line[j:]))
    return out


def suppressions(text: str) -> dict[int, set[str]]:
    """`# veriline: ignore[kinds]` -> {line: kinds}.  The comment applies to its own line
    when code precedes it there, else to the next line that is neither blank nor only a
    comment."""
    result: dict[int, set[str]] = {}
    if "veriline" not in text:
        return result
    lines = text.splitlines()
    for line, col, comment in _comments(text):
        m = _IGNORE.search(comment)
        if not m:
            continue
        kinds = {k.strip() for k in m.group(1).split(",") if k.strip()} if m.group(1) else set()
        kinds = kinds or {"*"}
        target = line
        if not lines[line - 1][:col].strip():
            target = line + 1
            while target <= len(lines) and (not lines[target - 1].strip()
                                            or lines[target - 1].lstrip().startswith("#")):
                target += 1
            if target > len(lines):
                continue
        result.setdefault(target, set()).update(kinds)
    return result


# --------------------------------------------------------------------------- syntax errors

_BOGUS_POS = re.compile(r"^(parser error: )?error at \d+:\d+: ")


def syntax_issue(text: str, err: cst.ParserSyntaxError) -> ir.SyntaxIssue:
    """libcst's message; the position from CPython's parser when it agrees the text is
    broken (libcst often reports the token after the real error)."""
    message = _BOGUS_POS.sub("", err.message.strip())
    line, col = err.raw_line, err.raw_column + 1
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except SyntaxError as e:
        if e.lineno:
            line, col = e.lineno, max(e.offset or 1, 1)
        message = f"{e.msg} ({message})" if e.msg and e.msg != "invalid syntax" else message
    except (ValueError, RecursionError, MemoryError):
        pass
    return ir.SyntaxIssue(message=f"syntax error: {message}", span=ir.Span(line, col, line, col + 1))


_BLOCK_START = re.compile(r"(?:def|async\s+def|class)\b|@")


def top_level_blocks(text: str) -> list[tuple[int, str]]:
    """Split text into (line_offset, block_text) at column-0 lines that start a def, an
    async def, a class or a decorator (decorators stay with their def).  Linear time."""
    lines = text.splitlines(keepends=True)
    blocks: list[tuple[int, list[str]]] = [(0, [])]
    only_decorators = False
    for i, line in enumerate(lines):
        m = _BLOCK_START.match(line)
        if m:
            is_decorator = line.startswith("@")
            if not only_decorators:
                blocks.append((i, []))
            only_decorators = is_decorator
        blocks[-1][1].append(line)
    return [(off, "".join(ls)) for off, ls in blocks if ls]


def parse_block(block: str) -> Optional[cst.Module]:
    try:
        return cst.parse_module(block)
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return None


_UNIT_CACHE: "OrderedDict[str, Spanner]" = OrderedDict()
_UNIT_CACHE_SIZE = 4096


def cached_units(text: str) -> Optional[list[Spanner]]:
    """The file as separately parsed top-level blocks, each parsed (and its positions
    computed) once and reused while its text is unchanged — an edit re-parses only the
    blocks it touches.  None when some block does not parse on its own: the caller then
    parses the whole file (for the exact syntax error, or a block split inside a string)."""
    units = []
    for off, block in top_level_blocks(text):
        sp = _UNIT_CACHE.get(block)
        if sp is None:
            module = parse_block(block)
            if module is None:
                return None
            sp = Spanner(module)
            _UNIT_CACHE[block] = sp
            if len(_UNIT_CACHE) > _UNIT_CACHE_SIZE:
                _UNIT_CACHE.popitem(last=False)
        else:
            _UNIT_CACHE.move_to_end(block)
        placed = copy.copy(sp)
        placed.line_offset = off
        placed.block_key = block       # lets the frontend reuse this block's functions
        units.append(placed)
    return units


def recover_modules(text: str) -> list[tuple[cst.Module, int]]:
    """Modules (with their line offsets) covering the top-level blocks that parse.  The
    good blocks are parsed again as one module in which each bad block is replaced by as
    many empty lines, so positions stay right and only one position table is built."""
    blocks = top_level_blocks(text)
    good = [parse_block(b) is not None for _, b in blocks]
    joined = "".join(b if ok else "\n" * b.count("\n") for (_, b), ok in zip(blocks, good))
    module = parse_block(joined)
    if module is not None:
        return [(module, 0)]
    return [(m, off) for (off, b), ok in zip(blocks, good) if ok
            for m in [parse_block(b)] if m is not None]
