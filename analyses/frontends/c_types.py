"""C integer types for the C frontend: resolution of declarations, integer constants,
integer promotions and the usual arithmetic conversions (C11 6.3.1, 6.4.4.1)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional, Union

from pycparser import c_ast

from .. import ir


@dataclass(frozen=True)
class NonInt:
    """A type outside the integer subset (pointer, array, struct, float, function...).
    `elem` is the pointed-to / element type when known (for `*p`, `a[i]`)."""
    desc: str
    elem: Optional["CType"] = None
    key: str = ""            # struct/union: its entry in TypeEnv.structs (field types)
    ret: Optional["CType"] = None      # function: its result type
    length: Optional[int] = None       # array of constant size: its number of elements

    @property
    def pointer(self) -> bool:
        """A pointer or an array (which decays to one): what `+`, `-`, `*`, `[]` accept."""
        return self.elem is not None


CType = Union[ir.IntT, NonInt]
VOID = NonInt("void")


class DataModel:
    """Integer widths of one data model: LP64 (x86-64 Linux) or ILP32 (long is 32-bit)."""

    def __init__(self, name: str = "LP64"):
        self.name = name
        lw = 64 if name == "LP64" else 32
        self.long = ir.IntT(lw, True, "long")
        self.ulong = ir.IntT(lw, False, "unsigned long")
        self.size_t = self.ulong if lw == 64 else ir.C_UINT

    def rank(self, t: ir.IntT) -> int:
        base = t.name.replace("unsigned ", "").replace("signed ", "")
        return {"_Bool": 0, "char": 1, "short": 2, "int": 3, "long": 4,
                "long long": 5}.get(base, t.bits or 99)

    def from_names(self, names: list[str]) -> Optional[ir.IntT]:
        """['unsigned', 'long', 'int'] -> unsigned long; None if not an integer type."""
        ns = [n for n in names if n not in ("const", "volatile")]
        unsigned = "unsigned" in ns
        signed = "signed" in ns
        longs = ns.count("long")
        if "_Bool" in ns:
            return ir.C_BOOL
        if any(n in ("float", "double", "void", "_Complex", "__int128") for n in ns):
            return None
        if "char" in ns:
            return ir.C_UCHAR if unsigned else ir.C_SCHAR if signed else ir.C_CHAR
        if "short" in ns:
            return ir.C_USHORT if unsigned else ir.C_SHORT
        if longs >= 2:
            return ir.C_ULLONG if unsigned else ir.C_LLONG
        if longs == 1:
            return self.ulong if unsigned else self.long
        if set(ns) <= {"int", "signed", "unsigned"} and ns:
            return ir.C_UINT if unsigned else ir.C_INT
        return None

    # ------------------------------------------------------------------ conversions

    def promote(self, t: ir.Type) -> ir.Type:
        """Integer promotion: types of rank below int become int (all their values fit)."""
        if isinstance(t, ir.BoolT):
            return ir.C_INT
        if t.bits is not None and t.bits < 32:
            return ir.C_INT
        return t

    def uac(self, a: ir.Type, b: ir.Type) -> ir.IntT:
        """Usual arithmetic conversions of two (integer) operand types."""
        a, b = self.promote(a), self.promote(b)
        if a == b:
            return a
        if a.signed == b.signed:
            return a if self.rank(a) >= self.rank(b) else b
        u, s = (a, b) if not a.signed else (b, a)
        if self.rank(u) >= self.rank(s):
            return u
        if s.bits > u.bits:
            return s
        return {"long": self.ulong, "long long": ir.C_ULLONG,
                "int": ir.C_UINT}.get(s.name, ir.IntT(s.bits, False, "unsigned " + s.name))

    # ------------------------------------------------------------------ constants

    def int_constant(self, text: str) -> tuple[int, ir.IntT]:
        """Value and type of an integer literal such as 0xFFFFFFFF, 10UL, 0755."""
        m = re.fullmatch(r"(0[xX][0-9a-fA-F]+|0[bB][01]+|\d+)([uUlL]*)", text)
        if not m:
            raise ValueError(f"bad integer constant {text}")
        digits, suffix = m.group(1), m.group(2).lower()
        if digits[:2].lower() == "0x":
            value, decimal = int(digits[2:], 16), False
        elif digits[:2].lower() == "0b":
            value, decimal = int(digits[2:], 2), False
        elif len(digits) > 1 and digits[0] == "0":
            value, decimal = int(digits, 8), False
        else:
            value, decimal = int(digits), True
        uns = "u" in suffix
        nl = suffix.count("l")
        cands: list[ir.IntT] = []
        if nl == 0:
            cands = [ir.C_INT, ir.C_UINT] if not uns else [ir.C_UINT]
        if nl <= 1:
            cands += [self.long, self.ulong] if not uns else [self.ulong]
        cands += [ir.C_LLONG, ir.C_ULLONG] if not uns else [ir.C_ULLONG]
        if decimal and not uns:
            cands = [c for c in cands if c.signed]
        for c in cands:
            if value <= c.max:
                return value, c
        return value & ((1 << 64) - 1), ir.C_ULLONG

    @staticmethod
    def char_constant(text: str) -> int:
        """Value (type int) of a character constant like 'a', '\\n', '\\xff' (char is signed)."""
        body = text[text.index("'") + 1:-1]
        simple = {"n": 10, "t": 9, "r": 13, "0": 0, "a": 7, "b": 8, "f": 12, "v": 11,
                  "\\": 92, "'": 39, '"': 34, "?": 63, "e": 27}
        if body.startswith("\\"):
            rest = body[1:]
            if rest[:1] in ("x", "X"):
                v = int(rest[1:], 16)
            elif rest[:1].isdigit():
                v = int(rest, 8)
            else:
                v = simple.get(rest, ord(rest[:1] or "\0"))
        else:
            v = ord(body[0]) if body else 0
        v &= 0xFF
        return v - 256 if v >= 128 else v


def convert(e: ir.Expr, t: ir.Type, explicit: bool = False) -> ir.Expr:
    """Wrap e in a Cast to t unless it already has type t (user casts are always kept)."""
    if e.type == t and not explicit:
        return e
    if isinstance(e, ir.Const) and not explicit and isinstance(t, ir.IntT) and \
            isinstance(e.type, ir.IntT) and t.bits and t.min <= e.value <= t.max:
        return ir.Const(value=e.value, type=t, span=e.span)
    return ir.Cast(arg=e, type=t, explicit=explicit, span=e.span)


def as_value(e: ir.Expr) -> ir.Expr:
    """A BOOL (comparison, !, &&) used as a C value has type int."""
    if isinstance(e.type, ir.BoolT):
        return ir.Cast(arg=e, type=ir.C_INT, span=e.span)
    return e


def as_cond(e: ir.Expr) -> ir.Expr:
    """A C scalar used as a condition: `e != 0` as a BOOL."""
    if isinstance(e.type, ir.BoolT):
        return e
    if isinstance(e, ir.Const):
        return ir.Const(value=int(e.value != 0), type=ir.BOOL, span=e.span)
    if isinstance(e, ir.Cast) and not e.explicit and isinstance(e.arg.type, ir.BoolT):
        return e.arg
    return ir.Cast(arg=e, type=ir.BOOL, span=e.span)


class TypeEnv:
    """Typedef names and the resolution of pycparser type nodes to CTypes."""

    def __init__(self, dm: DataModel):
        self.dm = dm
        self.typedefs: dict[str, CType] = {"size_t": dm.size_t}
        self.structs: dict[str, list] = {}     # key -> member declarations
        self.struct_nodes: dict[str, object] = {}   # key -> its defining Struct/Union node
        self.typedef_nodes: dict[str, object] = {}  # typedef name -> its declaration
        self.enum_nodes: dict[str, object] = {}     # enum tag -> its defining Enum node
        self._anon: dict[int, str] = {}        # id(anonymous struct node) -> key

    def resolve(self, node) -> CType:
        if isinstance(node, c_ast.Typename) or isinstance(node, c_ast.Decl):
            return self.resolve(node.type)
        if isinstance(node, c_ast.TypeDecl):
            return self.resolve(node.type)
        if isinstance(node, c_ast.IdentifierType):
            names = node.names
            if len(names) == 1 and names[0] in self.typedefs:
                return self.typedefs[names[0]]
            t = self.dm.from_names(names)
            if t is None:
                return VOID if names == ["void"] else NonInt(" ".join(names))
            return t
        if isinstance(node, c_ast.PtrDecl):
            inner = self.resolve(node.type)
            return NonInt(f"{describe(inner)} *", inner)
        if isinstance(node, c_ast.ArrayDecl):
            inner = self.resolve(node.type)
            n = self.array_length(node.dim)
            return NonInt(f"{describe(inner)} []", inner, length=n)
        if isinstance(node, c_ast.FuncDecl):
            return NonInt("function", ret=self.resolve(node.type))
        if isinstance(node, c_ast.Enum):
            if node.name and node.values is not None:
                self.enum_nodes[node.name] = node
            return ir.C_INT
        if isinstance(node, (c_ast.Struct, c_ast.Union)):
            return self._record(node)
        return NonInt(type(node).__name__)

    def define(self, name: str, decl) -> None:
        """A typedef: its type, and its declaration (c_layout reads its text)."""
        self.typedefs[name] = self.resolve(decl.type)
        self.typedef_nodes[name] = decl

    def array_length(self, dim) -> Optional[int]:
        """The number of elements of `T a[dim]` when dim is an integer constant
        expression of literals (`16`, `4 * 8`), else None."""
        if isinstance(dim, c_ast.Constant) and dim.type in ("int", "unsigned int", "long",
                                                             "unsigned long", "long long",
                                                             "unsigned long long"):
            try:
                v = self.dm.int_constant(dim.value)[0]
            except ValueError:
                return None
            return v if v > 0 else None
        if isinstance(dim, c_ast.BinaryOp) and dim.op in ("+", "-", "*", "/", "<<"):
            a, b = self.array_length(dim.left), self.array_length(dim.right)
            if a is None or b is None or (dim.op == "/" and b == 0) or \
                    (dim.op == "<<" and b > 62):
                return None
            v = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                 "/": lambda: a // b, "<<": lambda: a << b}[dim.op]()
            return v if v > 0 else None
        return None

    def _record(self, node) -> NonInt:
        kind = "struct" if isinstance(node, c_ast.Struct) else "union"
        if node.name:
            key = f"{kind} {node.name}"
        else:
            key = self._anon.get(id(node))
            if key is None:
                key = self._anon[id(node)] = f"{kind} #{len(self._anon) + 1}"
        if node.decls is not None:
            self.structs[key] = list(node.decls)
            old = self.struct_nodes.get(key)
            if old is not None and old is not node:     # a tag defined again (a scope):
                self.struct_nodes[key + " (redefined)"] = node    # no layout (c_layout)
            self.struct_nodes[key] = node
        return NonInt(f"{kind} {node.name or ''}".strip(), key=key)

    def field_type(self, record: CType, name: str) -> Optional[CType]:
        """The type of member `name` of a struct/union type (None: not known).  A bit-field
        narrower than int reads as int: its values all fit, so it promotes to int."""
        if not isinstance(record, NonInt) or record.key not in self.structs:
            return None
        for d in self.structs[record.key]:
            if getattr(d, "name", None) == name:
                t = self.resolve(d.type)
                width = getattr(d, "bitsize", None)
                if width is not None and isinstance(t, ir.IntT) and t.name != "_Bool":
                    w = const_int(width)
                    if w is None or w < 32:
                        return ir.C_INT if w is not None else None
                return t
            if getattr(d, "name", None) is None and isinstance(getattr(d, "type", None),
                                                               (c_ast.Struct, c_ast.Union)):
                inner = self.field_type(self.resolve(d.type), name)   # anonymous member
                if inner is not None:
                    return inner
        return None


def is_const_object(decl) -> bool:
    """Is the declared object itself `const` (and not volatile)?  `const int *p` is not:
    the qualifier must sit on the object's own type."""
    t = getattr(decl, "type", None)
    return isinstance(t, c_ast.TypeDecl) and "const" in t.quals and "volatile" not in t.quals


def const_int(node) -> Optional[int]:
    """The value of a plain integer literal node (bit-field widths), else None."""
    if isinstance(node, c_ast.Constant) and node.type == "int":
        try:
            return int(node.value.rstrip("uUlL"), 0)
        except ValueError:
            return None
    return None


def describe(t: CType) -> str:
    return t.name if isinstance(t, ir.IntT) else t.desc


def wrap(value: int, t: ir.IntT) -> int:
    if t.bits is None:
        return value
    if t.name == "_Bool":
        return int(value != 0)
    value &= (1 << t.bits) - 1
    return value - (1 << t.bits) if t.signed and value > t.max else value


def const_value(e: ir.Expr) -> Optional[int]:
    """Value of a constant IR expression (C semantics), or None if not constant."""
    if isinstance(e, ir.Const):
        return e.value
    if isinstance(e, ir.Cast):
        v = const_value(e.arg)
        if v is None:
            return None
        return int(v != 0) if isinstance(e.type, ir.BoolT) else wrap(v, e.type)
    if isinstance(e, ir.Unary):
        v = const_value(e.arg)
        if v is None:
            return None
        r = {"neg": -v, "bnot": ~v, "not": int(not v)}[e.op]
        return r if isinstance(e.type, ir.BoolT) else wrap(r, e.type)
    if isinstance(e, ir.Ite):
        c = const_value(e.cond)
        return None if c is None else const_value(e.then if c else e.orelse)
    if isinstance(e, ir.Binary):
        a, b = const_value(e.left), const_value(e.right)
        if a is None or b is None:
            return None
        op = e.op
        if op in ("div", "mod"):
            if b == 0:
                return None
            q = abs(a) // abs(b) * (1 if (a >= 0) == (b >= 0) else -1)
            r = q if op == "div" else a - q * b
        elif op in ("shl", "shr"):
            if b < 0 or b >= (e.type.bits or 64):
                return None
            r = a << b if op == "shl" else a >> b
        else:
            r = {"add": a + b, "sub": a - b, "mul": a * b, "band": a & b, "bor": a | b,
                 "bxor": a ^ b, "lt": a < b, "le": a <= b, "gt": a > b, "ge": a >= b,
                 "eq": a == b, "ne": a != b, "and": a and b, "or": a or b}.get(op)
            if r is None:
                return None
            r = int(r)
        return r if isinstance(e.type, ir.BoolT) else wrap(r, e.type)
    return None
