"""Sizes, alignments and member offsets of C types: `sizeof`, `_Alignof`, `offsetof`.

Exact for the System V ABIs of the two data models: LP64 (x86-64) and ILP32 (i386, where
`long long` and `double` are 4-aligned inside structs and `long double` is 12 bytes).
Structs get padding before each member to its alignment and at the end to the struct's
alignment; a flexible array member adds no size but its alignment; unions are their
largest member rounded up.  Anything else is unknown (a reason string, never a guess):
bit-fields, incomplete types, arrays without a constant length, function types, `void`,
and every definition the preprocessor may have changed behind pycparser's back.

Why the text check: gcc -E runs with `__attribute__(x)` defined away, so `packed` or
`aligned(16)` never reach the AST.  A struct or typedef definition is only trusted when
its own source text (read from the file its coordinates name) has no attribute, no
`_Alignas`, no function-like macro call and no object-like macro that expands to one;
a `#pragma pack` anywhere in the translation unit, or `-fpack-struct`, makes every
layout unknown.
"""
from __future__ import annotations

import re
from typing import Optional, Union

from pycparser import c_ast

from .. import ir
from .c_types import CType, NonInt

Layout = tuple[int, int]                  # (size, alignment) in bytes
_SUSPECT = re.compile(r"attribute|align|packed|declspec|pragma|vector_size", re.I)
_CALLISH = re.compile(r"\b([A-Za-z_]\w*)\s*\((?!\s*\*)")
_IDENT = re.compile(r"\b[A-Za-z_]\w*\b")
_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_NOT_MACRO_CALLS = {"sizeof"}


class Unknown(Exception):
    """The layout is not known; the message says why."""


class Layouts:
    """The layouts of one translation unit's types (needs ctx.tenv, ctx.dm, ctx.macros,
    ctx.enums, ctx.text and ctx.packing)."""

    def __init__(self, ctx):
        self.ctx, self.tenv, self.dm = ctx, ctx.tenv, ctx.dm
        self.ilp32 = ctx.dm.name != "LP64"
        self._checked: dict = {}
        self._files: dict[str, Optional[list[str]]] = {}

    # ------------------------------------------------------------------ entry points
    def of_node(self, node) -> Union[Layout, str]:
        """(size, alignment) of the type a pycparser type node (Typename...) names."""
        try:
            return self._node(node)
        except Unknown as exc:
            return str(exc)
        except RecursionError:
            return "the type is nested too deeply"

    def of_type(self, t: CType) -> Union[Layout, str]:
        """(size, alignment) of a resolved C type (the static type of an expression)."""
        try:
            return self._ctype(t)
        except Unknown as exc:
            return str(exc)
        except RecursionError:
            return "the type is nested too deeply"

    def offset_of(self, tnode, path: list) -> Union[int, str]:
        """offsetof(T, m.n[k]...): path items are member names (str) or indices (int)."""
        try:
            t = tnode
            off = 0
            for item in path:
                if isinstance(item, int):
                    arr = _strip(t)
                    if not isinstance(arr, c_ast.ArrayDecl):
                        raise Unknown("offsetof: an index into a non-array member")
                    size = self._node(arr.type)[0]
                    off += item * size
                    t = arr.type
                    continue
                rec = self._record_node(_strip(t))
                found = self._member(rec, item)
                if found is None:
                    raise Unknown(f"offsetof: no member {item} known")
                moff, t = found
                off += moff
            return off
        except Unknown as exc:
            return str(exc)
        except RecursionError:
            return "the type is nested too deeply"

    # ------------------------------------------------------------------ resolved types
    def _ctype(self, t: CType) -> Layout:
        if isinstance(t, ir.IntT):
            return self._int(t)
        if not isinstance(t, NonInt):
            raise Unknown("not a C object type")
        if t.key:
            rec = self.tenv.struct_nodes.get(t.key)
            if rec is None or t.key not in self.tenv.structs:
                raise Unknown(f"{t.desc} is an incomplete type")
            return self._record(rec)
        if t.desc.endswith("*"):
            return self._pointer()
        if t.desc.endswith("[]") and t.elem is not None:
            if t.length is None:
                raise Unknown("array without a constant length")
            size, align = self._ctype(t.elem)
            return size * t.length, align
        return self._floating(t.desc.split())

    def _int(self, t: ir.IntT) -> Layout:
        size = max(t.bits // 8, 1)
        return size, (4 if self.ilp32 and size == 8 else size)

    def _pointer(self) -> Layout:
        n = self.dm.ulong.bits // 8
        return n, n

    def _floating(self, names: list[str]) -> Layout:
        ns = [n for n in names if n not in ("const", "volatile")]
        if ns == ["float"]:
            return 4, 4
        if ns == ["double"]:
            return 8, (4 if self.ilp32 else 8)
        if sorted(ns) == ["double", "long"]:
            return (12, 4) if self.ilp32 else (16, 16)
        if ns == ["__int128"] or sorted(ns) == ["__int128", "unsigned"]:
            if not self.ilp32:
                return 16, 16
        raise Unknown(f"size of {' '.join(names)} is not known")

    # ------------------------------------------------------------------ type nodes
    def _node(self, node) -> Layout:
        if isinstance(node, (c_ast.Typename, c_ast.Decl)):
            if getattr(node, "bitsize", None) is not None:
                raise Unknown("a bit-field's layout is implementation-defined")
            return self._node(node.type)
        if isinstance(node, c_ast.TypeDecl):
            return self._node(node.type)
        if isinstance(node, c_ast.PtrDecl):
            return self._pointer()
        if isinstance(node, c_ast.ArrayDecl):
            n = self.tenv.array_length(node.dim) if node.dim is not None else None
            if n is None:
                raise Unknown("array without a constant length")
            size, align = self._node(node.type)
            return size * n, align
        if isinstance(node, (c_ast.Struct, c_ast.Union)):
            return self._record(self._record_node(node))
        if isinstance(node, c_ast.Enum):
            return self._enum(node)
        if isinstance(node, c_ast.IdentifierType):
            names = node.names
            if len(names) == 1 and names[0] in self.tenv.typedefs:
                decl = self.tenv.typedef_nodes.get(names[0])
                if decl is None:           # a built-in one (size_t): a plain integer
                    return self._ctype(self.tenv.typedefs[names[0]])
                self._trust(decl, f"typedef {names[0]}")
                return self._node(decl.type)
            t = self.dm.from_names(names)
            if t is not None:
                return self._int(t)
            return self._floating(names)
        raise Unknown(f"size of a {type(node).__name__} type is not known")

    def _enum(self, node: c_ast.Enum) -> Layout:
        defn = node if node.values is not None else self.tenv.enum_nodes.get(node.name)
        if defn is None:
            raise Unknown(f"enum {node.name} is an incomplete type")
        for en in defn.values.enumerators:
            v = self.ctx.enums.get(en.name)
            if v is None or not -(1 << 31) <= v < (1 << 31):
                raise Unknown(f"enum {node.name or ''} has values beyond int")
        return 4, 4

    def _record_node(self, node):
        if not isinstance(node, (c_ast.Struct, c_ast.Union)):
            raise Unknown("not a struct or union")
        if node.decls is not None:
            return node
        kind = "struct" if isinstance(node, c_ast.Struct) else "union"
        rec = self.tenv.struct_nodes.get(f"{kind} {node.name}")
        if rec is None:
            raise Unknown(f"{kind} {node.name} is an incomplete type")
        return rec

    def _record(self, rec) -> Layout:
        self._file_wide()
        key = next((k for k, n in self.tenv.struct_nodes.items() if n is rec), "")
        if f"{key} (redefined)" in self.tenv.struct_nodes:
            raise Unknown(f"{key} is defined more than once (scopes)")
        self._aliases(rec)
        self._trust(rec, "the struct" if isinstance(rec, c_ast.Struct) else "the union")
        union = isinstance(rec, c_ast.Union)
        size = align = 0
        if not rec.decls:
            raise Unknown("an empty struct or union (a GNU extension)")
        decls = list(rec.decls)
        for i, d in enumerate(decls):
            t = _strip(d.type) if isinstance(d, c_ast.Decl) else None
            if isinstance(d, c_ast.Decl) and d.bitsize is not None:
                raise Unknown("a bit-field's layout is implementation-defined")
            flexible = isinstance(t, c_ast.ArrayDecl) and t.dim is None
            if flexible:
                if union or i != len(decls) - 1 or i == 0:
                    raise Unknown("a flexible array member outside the last place")
                msize, malign = 0, self._node(t.type)[1]
            else:
                msize, malign = self._node(d)
            align = max(align, malign)
            if union:
                size = max(size, msize)
            else:
                size = _round(size, malign) + msize
        return _round(size, align), align

    def _member(self, rec, name: str):
        """(offset, type node) of a member of a record, anonymous members searched."""
        self._record(rec)                 # the whole record's layout must be known
        union = isinstance(rec, c_ast.Union)
        off = 0
        for d in rec.decls:
            t = _strip(d.type)
            if isinstance(t, c_ast.ArrayDecl) and t.dim is None:
                malign, msize = self._node(t.type)[1], 0
            else:
                msize, malign = self._node(d)
            here = 0 if union else _round(off, malign)
            if d.name == name:
                return here, d.type
            if d.name is None and isinstance(t, (c_ast.Struct, c_ast.Union)):
                inner = self._member(self._record_node(t), name)
                if inner is not None:
                    return here + inner[0], inner[1]
            off = here + msize
        return None

    # ------------------------------------------------------------------ trust
    def _aliases(self, rec) -> None:
        """Every typedef naming this record must be trusted too: `typedef struct S T
        __attribute__((aligned(32)))` changes what sizeof of a T object is."""
        key = next((k for k, n in self.tenv.struct_nodes.items() if n is rec), None)
        if key is not None and key.endswith(" (redefined)"):
            key = None
        for name, decl in self.tenv.typedef_nodes.items():
            t = self.tenv.typedefs.get(name)
            if key is not None and isinstance(t, NonInt) and t.key == key:
                self._trust(decl, f"typedef {name}")

    def _file_wide(self) -> None:
        if getattr(self.ctx, "packing", True):
            raise Unknown("the translation unit changes struct packing (#pragma pack or "
                          "-fpack-struct)")

    def _trust(self, node, what: str) -> None:
        """Raise Unknown unless the definition's own text shows nothing the preprocessor
        could have hidden from the AST (attributes, alignment specifiers, macros)."""
        key = id(node)
        if key not in self._checked:
            self._checked[key] = (node, self._suspicion(node))
        why = self._checked[key][1]
        if why:
            raise Unknown(f"layout of {what} is not known: {why}")

    def _suspicion(self, node) -> str:
        coord = getattr(node, "coord", None)
        if coord is None or not coord.line:
            return "its definition cannot be located"
        lines = self._lines(coord.file)
        if lines is None or coord.line > len(lines):
            return f"its definition ({coord.file}) cannot be read"
        start = _start(lines, coord.line - 1)
        head = ""
        if start > 0 and not lines[start - 1].lstrip().startswith("#"):
            prev = lines[start - 1]       # `int x; struct __attribute__((packed))`
            head = prev[max(prev.rfind(";"), prev.rfind("{"), prev.rfind("}")) + 1:]
        text = _COMMENT.sub(" ", head + "\n" + _definition(lines, start))
        return _suspect_text(text, self.ctx.macros)

    def _lines(self, file: str) -> Optional[list[str]]:
        if file not in self._files:
            from .c_preprocess import MAIN_FILE
            if file == MAIN_FILE:
                self._files[file] = self.ctx.text.split("\n")
            else:
                try:
                    with open(file, encoding="utf-8", errors="replace") as fh:
                        self._files[file] = fh.read().split("\n")
                except (OSError, ValueError):
                    self._files[file] = None
        return self._files[file]


def _start(lines: list[str], at: int) -> int:
    """The first line of the declaration whose node pycparser places on line `at`: its
    coordinate may be the tag's or the brace's line, after `struct __attribute__((...))`
    on lines before.  Earlier lines are taken back to the end of the previous declaration
    (a `;`, `{`, `}` or a directive), at most 20."""
    start = at
    while start > 0 and at - start < 20:
        prev = _COMMENT.sub(" ", lines[start - 1])
        if any(ch in prev for ch in ";{}") or prev.lstrip().startswith("#"):
            break
        start -= 1
    return start


def _definition(lines: list[str], start: int) -> str:
    """The text from line `start` to the `;` that ends the declaration (braces balanced),
    at most 400 lines."""
    out, depth = [], 0
    for ln in lines[start:start + 400]:
        out.append(ln)
        for i, ch in enumerate(ln):
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            elif ch == ";" and depth <= 0:
                out[-1] = ln[:i + 1]
                return "\n".join(out)
    return "\n".join(out)


def _suspect_text(text: str, macros: dict, depth: int = 0) -> str:
    """Why a definition's text may hide layout changes, or ''."""
    m = _SUSPECT.search(text)
    if m:
        return f"`{m.group(0)}` in its definition"
    for call in _CALLISH.finditer(text):
        if call.group(1) not in _NOT_MACRO_CALLS and call.group(1) not in _TYPE_WORDS:
            return f"`{call.group(1)}(` in its definition may be a macro"
    if depth < 8:
        for ident in dict.fromkeys(_IDENT.findall(text)):
            body = macros.get(ident)
            if body:
                why = _suspect_text(body, macros, depth + 1)
                if why:
                    return f"macro {ident}: {why}"
    return ""


_TYPE_WORDS = {"int", "char", "short", "long", "unsigned", "signed", "float", "double",
               "void", "_Bool", "const", "volatile", "struct", "union", "enum"}


def _strip(t):
    while isinstance(t, c_ast.TypeDecl):
        t = t.type
    return t


def _round(n: int, a: int) -> int:
    return (n + a - 1) // a * a if a > 1 else n
