"""The header prefix of a preprocessed C file, parsed once and reused.

Real system headers (stdio.h, Python.h's includes, ...) are thousands of declarations; an
editor re-parses the file on every keystroke.  Everything gcc emits before the first line
of the user's own code is the same text for every edit that leaves the #include lines
alone, so its AST and the file-scope facts drawn from it (typedefs, prototypes, globals,
enums) are kept, keyed by that text.  The user's part is then parsed behind one line of
`typedef int NAME;` stubs, so pycparser still knows which identifiers are type names.
"""
from __future__ import annotations

import copy
import hashlib
import re
from collections import OrderedDict
from typing import Callable, Optional

from pycparser import c_ast, c_parser

from .c_memory import memory_free_functions

STUB_FILE = "<veriline-typedefs>"
_MARKER = re.compile(r'#line (\d+) "((?:\\.|[^"\\])*)"')
_CACHE: "OrderedDict[str, tuple[dict, list[str]]]" = OrderedDict()
CACHE_SIZE = 16
MIN_PREFIX_CHARS = 20_000          # smaller prefixes parse faster than they hash and copy


def split(pp_text: str, main_file: str) -> Optional[tuple[str, str]]:
    """(header prefix, the rest starting at the user's first code line's linemarker)."""
    lines = pp_text.split("\n")
    cur, offset, marker_off = None, 0, 0
    for line in lines:
        m = _MARKER.match(line)
        if m:
            cur, marker_off = m.group(2), offset
        elif cur == main_file and line.strip():
            if marker_off == 0:
                return None
            return pp_text[:marker_off], pp_text[marker_off:]
        offset += len(line) + 1
    return None


def _typedef_names(ast: c_ast.FileAST) -> list[str]:
    names = []
    for ext in ast.ext:
        if isinstance(ext, c_ast.Typedef):
            names.append(ext.name)
    return names


_PER_FILE = {"macros"}          # set from the whole file's preprocessing, not the headers'


def _state(ctx) -> dict:
    """Copies of the file-scope facts of ctx (every dict attribute, and the program's)."""
    out = {("ctx", k): copy.copy(v) for k, v in vars(ctx).items()
           if isinstance(v, dict) and k not in _PER_FILE}
    out.update({("tenv", k): copy.copy(v) for k, v in vars(ctx.tenv).items()
                if isinstance(v, dict)})
    out[("program", "globals")] = dict(ctx.program.globals)
    out[("program", "global_init")] = dict(ctx.program.global_init)
    out[("errors", "")] = list(ctx.errors)
    return out


def _restore(ctx, state: dict) -> None:
    for (where, k), v in state.items():
        if where == "ctx":
            setattr(ctx, k, copy.copy(v))
        elif where == "tenv":
            setattr(ctx.tenv, k, copy.copy(v))
        elif where == "program":
            getattr(ctx.program, k).update(v)
        else:
            ctx.errors.extend(v)


def main_text(pp_text: str, main_file: str, ctx, fresh_ctx: Callable[[], object],
              lower: Callable[[object, object], None]) -> Optional[str]:
    """The text to parse for the user's items (typedef stubs + the user's part), with ctx
    already holding the headers' facts; None when the text does not split (the caller
    parses it whole).  Raises pycparser's error when the headers do not parse."""
    parts = split(pp_text, main_file)
    if parts is None or len(parts[0]) < MIN_PREFIX_CHARS:
        return None
    prefix, rest = parts
    key = hashlib.sha256(f"{ctx.dm.name}\0{prefix}".encode("utf-8", "surrogatepass")).hexdigest()
    hit = _CACHE.get(key)
    if hit is None:
        ast = c_parser.CParser().parse(prefix, main_file)
        hctx = fresh_ctx()
        for ext in ast.ext:
            lower(hctx, ext)
        hctx.memory_free_headers = {n: True for n in memory_free_functions(ast.ext)}
        hit = (_state(hctx), _typedef_names(ast))
        _CACHE[key] = hit
        while len(_CACHE) > CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    state, names = hit
    _restore(ctx, state)
    stubs = " ".join(f"typedef int {n};" for n in names)
    return f'#line 1 "{STUB_FILE}"\n{stubs}\n{rest}'


def is_stub(ext) -> bool:
    return getattr(getattr(ext, "coord", None), "file", None) == STUB_FILE
