"""C string literals as values: their bytes, `"abc"[i]` reads and their bounds.

A narrow literal is its bytes (escapes decoded, the source's UTF-8 kept) plus a NUL: an
array of `char` (signed on x86) of length len + 1.  `"0123456789abcdef"[c & 0xf]` reads
as an if-then-else over the index, after a bounds obligation `0 <= i <= len`.  Wide and
UTF-16/32 literals, `\\u` escapes and very long literals stay unknown.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Optional

from pycparser import c_ast

from .. import ir
from .c_types import NonInt, convert, wrap

M = ir.MATH_INT
MAX_READ = 256                     # longer literals: reads stay unknown (term size)
_SIMPLE = {"n": 10, "t": 9, "r": 13, "a": 7, "b": 8, "f": 12, "v": 11, "\\": 92, "'": 39,
           '"': 34, "?": 63, "e": 27}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]+|[0-7]{1,3}|.)", re.S)


def literal_bytes(value: str) -> Optional[bytes]:
    """The bytes of a narrow string literal's source text (`"a\\n"`), without the NUL;
    None for wide/Unicode literals, escapes whose encoding is not a plain byte, and octal
    or hex escapes of more than one digit (pycparser joins adjacent literals by plain
    concatenation, so such an escape may have absorbed the next literal's digits)."""
    if not (value.startswith('"') and value.endswith('"')) or len(value) < 2:
        return None
    body = value[1:-1]
    out = bytearray()
    pos = 0
    for m in _ESCAPE.finditer(body):
        out += body[pos:m.start()].encode("utf-8")
        esc = m.group(1)
        if esc[0] in "x01234567" and len(esc) > (2 if esc[0] == "x" else 1):
            return None     # "\1" "2" reaches us joined as "\12": ambiguous, unknown
        if esc[0] == "x":
            v = int(esc[1:], 16)
        elif esc[0] in "01234567":
            v = int(esc, 8)
        elif esc in _SIMPLE:
            v = _SIMPLE[esc]
        else:
            return None                   # \u, \U, unknown escapes
        if v > 0xFF:
            return None
        out.append(v)
        pos = m.end()
    out += body[pos:].encode("utf-8")
    if '"' in body.replace('\\"', ""):    # adjacent literals pycparser did not join
        return None
    return bytes(out)


def string_node(node) -> Optional[bytes]:
    """The bytes (with the NUL) of a string literal node, else None."""
    if isinstance(node, c_ast.Constant) and node.type == "string":
        data = literal_bytes(node.value)
        return None if data is None else data + b"\0"
    return None


def literal_range(data: bytes) -> tuple[ir.Expr, ir.Expr]:
    return ir.Const(value=0, type=M), ir.Const(value=len(data) - 1, type=M)


def read_literal(data: bytes, index: ir.Expr, span: ir.Span) -> Optional[ir.Expr]:
    """The char at `index` (MATH_INT) of a literal with bytes `data` (NUL included), for
    an index already checked to be in range: an if-then-else chain over the positions."""
    if len(data) > MAX_READ:
        return None
    vals = [wrap(b, ir.C_CHAR) for b in data]
    out: ir.Expr = ir.Const(value=vals[-1], type=ir.C_CHAR, span=span)
    for k in range(len(vals) - 2, -1, -1):
        if vals[k] == vals[k + 1] and isinstance(out, ir.Const):
            continue
        hit = ir.Binary(op="eq", left=index, right=ir.Const(value=k, type=M), type=ir.BOOL,
                        span=span)
        out = ir.Ite(cond=hit, then=ir.Const(value=vals[k], type=ir.C_CHAR, span=span),
                     orelse=out, type=ir.C_CHAR, span=span)
    return out


def literal_of(lw, node, assigned) -> Optional[bytes]:
    """The bytes of the literal `node` is, or that the local pointer `node` names when it
    was declared `const char *p = "..."` and is never reassigned (`assigned`: C names
    the body assigns, ++'s or takes the address of)."""
    data = string_node(node)
    if data is not None or not isinstance(node, c_ast.ID) or node.name in assigned:
        return data
    entry = lw.lookup(node.name)
    return lw.literal_pointers.get(id(entry)) if entry is not None else None


def sized_by_initializer(t, decl):
    """`char buf[] = "abc"` has 4 elements, `int a[] = {1, 2, 3}` 3 (C11 6.7.9p22)."""
    if not (isinstance(t, NonInt) and t.desc.endswith("[]") and t.length is None and
            isinstance(decl.type, c_ast.ArrayDecl) and decl.type.dim is None):
        return t
    init = decl.init
    data = string_node(init)
    if data is not None and isinstance(t.elem, ir.IntT) and t.elem.bits == 8:
        return dataclasses.replace(t, length=len(data))
    if isinstance(init, c_ast.InitList) and len(init.exprs) == 1 and \
            isinstance(init.exprs[0], c_ast.Constant) and init.exprs[0].value == "0":
        return t      # c_tables blanks a huge file-scope table to `{0`: size unknown
    if isinstance(init, c_ast.InitList) and init.exprs and isinstance(t.elem, ir.IntT) \
            and not any(isinstance(x, (c_ast.NamedInitializer, c_ast.InitList))
                        for x in init.exprs):
        return dataclasses.replace(t, length=len(init.exprs))
    return t


def const_char_pointer_literal(decl) -> Optional[bytes]:
    """The literal's bytes (NUL included) of `const char *p = "..."`, else None."""
    pt = decl.type
    if not isinstance(pt, c_ast.PtrDecl) or not isinstance(pt.type, c_ast.TypeDecl):
        return None
    inner = pt.type
    if "const" not in inner.quals or not isinstance(inner.type, c_ast.IdentifierType) or \
            inner.type.names != ["char"]:
        return None
    return string_node(decl.init)


def literal_read(lw, node, base, index_node) -> Optional[ir.Expr]:
    """A char of a string literal (`"abc"[i]`, `p[i]` with `const char *p = "abc"`) whose
    index c_bounds has just checked (and lowered, unless it is 0), else None."""
    if lw.bounds is None:
        return None
    data = literal_of(lw, base, lw.bounds.assigned)
    if data is None or (index_node is not None and id(index_node) not in lw.premade):
        return None
    index = ir.Const(value=0, type=M) if index_node is None else \
        convert(lw.premade[id(index_node)], M)
    return read_literal(data, index, lw.sp(node))


def is_table_read(e: ir.Expr) -> bool:
    """Is e a read_literal chain (nothing to evaluate for effects: its index is a value
    computed and checked before)?"""
    while isinstance(e, ir.Ite):
        c = e.cond
        if not (isinstance(e.then, ir.Const) and isinstance(c, ir.Binary) and c.op == "eq"
                and isinstance(c.right, ir.Const)
                and isinstance(c.left, (ir.Var, ir.Const, ir.Cast))
                and not isinstance(getattr(c.left, "arg", None), (ir.Call, ir.Nondet))):
            return False
        e = e.orelse
    return isinstance(e, ir.Const)
