"""ACSL annotations (requires/ensures/loop invariant/loop variant...) -> IR contracts.

ACSL terms are mathematical integers: C variables are read through `Cast(var, MATH_INT)`,
arithmetic happens on MATH_INT, and relations chain (`a <= b < c` is `a <= b && b < c`).
Formal parameters inside `ensures` denote their values at entry (ACSL 2.4.2), so they are
wrapped in `Old`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Optional

from .. import ir
from .c_source_text import Annotation, LineIndex
from .c_types import DataModel
from .acsl_memory import MEMORY_PREDICATES, AcslError, memory_predicate  # noqa: F401

M = ir.MATH_INT




@dataclass
class RawClause:
    kind: str          # 'requires', 'ensures', 'loop invariant', 'loop variant', ...
    text: str          # the whole clause, keyword included, without ';'
    start: int         # offsets in the original file
    end: int
    expr_text: str
    expr_offset: int


FUNCTION_CLAUSES = {"requires", "ensures", "assigns", "decreases", "terminates", "frees",
                    "allocates", "exits", "reads"}
LOOP_CLAUSES = {"loop invariant", "loop variant", "loop assigns", "loop frees",
                "loop allocates"}
STATEMENT_CLAUSES = {"assert", "check", "admit"}


def split_clauses(ann: Annotation) -> list[RawClause]:
    """Split an annotation at top-level ';' into clauses (keyword + predicate text)."""
    out, depth, begin = [], 0, 0
    text = ann.content
    for i, ch in enumerate(text + ";"):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == ";" and depth <= 0:
            piece = text[begin:i]
            stripped = piece.strip()
            if stripped:
                lead = len(piece) - len(piece.lstrip())
                start = begin + lead
                m = re.match(r"(loop\s+\w+|\w+)", stripped)
                kw = re.sub(r"\s+", " ", m.group(1)) if m else ""
                ex = start + (m.end() if m else 0)
                out.append(RawClause(kw, stripped, ann.base + start,
                                     ann.base + start + len(stripped),
                                     text[ex:begin + lead + len(stripped)], ann.base + ex))
            begin = i + 1
    return out


@dataclass
class AcslEnv:
    """What names mean inside one clause."""
    lookup: Callable[[str], Optional[ir.Expr]]     # C variable -> typed Var (or None)
    index: LineIndex
    dm: DataModel
    ret: Optional[ir.IntT] = None
    post: bool = False                             # inside ensures: \result, \old
    params: frozenset = frozenset()                # names read as Old(...) in ensures
    macros: dict = field(default_factory=dict)
    enums: dict = field(default_factory=dict)
    typedefs: dict = field(default_factory=dict)
    memory: list = field(default_factory=list)     # \valid facts seen (acsl_memory)


_TOK = re.compile(r"\s*(?:(\\?[A-Za-z_]\w*)|(0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*)"
                  r"|('(?:\\.|[^'\\])+')|(<==>|==>|<-->|-->|\^\^|\.\.|<<|>>|<=|>=|==|!=|&&|\|\|"
                  r"|[-+*/%<>!~&|^()?:,]))")

_REL = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}
_ARITH = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod", "<<": "shl",
          ">>": "shr", "&": "band", "|": "bor", "^": "bxor"}
_TYPE_WORDS = {"int", "unsigned", "signed", "char", "short", "long", "_Bool"}


def tokenize(text: str, offset: int) -> list[tuple[str, int]]:
    toks, pos = [], 0
    while pos < len(text):
        if not text[pos:].strip():
            break
        m = _TOK.match(text, pos)
        if not m or m.end() == pos:
            bad = pos + len(text[pos:]) - len(text[pos:].lstrip())
            raise AcslError(f"unexpected character {text[bad]!r} in annotation", offset + bad)
        tok = m.group(m.lastindex)
        toks.append((tok, offset + m.start(m.lastindex)))
        pos = m.end()
    return toks


def _bool(e: ir.Expr) -> ir.Expr:
    return e if isinstance(e.type, ir.BoolT) else ir.Cast(arg=e, type=ir.BOOL, span=e.span)


def _int(e: ir.Expr) -> ir.Expr:
    return e if e.type == M else ir.Cast(arg=e, type=M, span=e.span)


class _Parser:
    def __init__(self, toks, env: AcslEnv, end_offset: int, depth: int = 0):
        self.toks, self.env, self.i, self.end, self.depth = toks, env, 0, end_offset, depth

    # ---------------------------------------------------------------- helpers
    def peek(self, k: int = 0) -> Optional[str]:
        j = self.i + k
        return self.toks[j][0] if j < len(self.toks) else None

    def off(self) -> int:
        return self.toks[self.i][1] if self.i < len(self.toks) else self.end

    def take(self, expect: Optional[str] = None) -> str:
        tok = self.peek()
        if tok is None or (expect is not None and tok != expect):
            raise AcslError(f"expected {expect or 'a term'}"
                            + (f", found {tok!r}" if tok else " at end of clause"), self.off())
        self.i += 1
        return tok

    def span(self, start: int) -> ir.Span:
        prev = self.toks[self.i - 1] if self.i else (None, start)
        end = prev[1] + len(prev[0] or "")
        return self.env.index.span(start, max(end, start))

    # ---------------------------------------------------------------- grammar
    def parse(self) -> ir.Expr:
        e = self.ternary()
        if self.peek() is not None:
            raise AcslError(f"unexpected {self.peek()!r}", self.off())
        return e

    def ternary(self) -> ir.Expr:
        start = self.off()
        c = self.equiv()
        if self.peek() == "?":
            self.take()
            a = self.ternary()
            self.take(":")
            b = self.ternary()
            if isinstance(a.type, ir.BoolT) or isinstance(b.type, ir.BoolT):
                a, b, t = _bool(a), _bool(b), ir.BOOL
            else:
                t = M
            return ir.Ite(cond=_bool(c), then=a, orelse=b, type=t, span=self.span(start))
        return c

    def equiv(self) -> ir.Expr:
        start = self.off()
        e = self.implies()
        while self.peek() == "<==>":
            self.take()
            r = self.implies()
            e = ir.Binary(op="eq", left=_bool(e), right=_bool(r), type=ir.BOOL,
                          span=self.span(start))
        return e

    def implies(self) -> ir.Expr:
        start = self.off()
        e = self.logic_or()
        if self.peek() == "==>":
            self.take()
            r = self.implies()
            return ir.Binary(op="implies", left=_bool(e), right=_bool(r), type=ir.BOOL,
                             span=self.span(start))
        return e

    def _logic(self, ops: dict, sub) -> ir.Expr:
        start = self.off()
        e = sub()
        while self.peek() in ops:
            op = ops[self.take()]
            r = sub()
            if op == "xor":
                e = ir.Binary(op="ne", left=_bool(e), right=_bool(r), type=ir.BOOL,
                              span=self.span(start))
            else:
                e = ir.Binary(op=op, left=_bool(e), right=_bool(r), type=ir.BOOL,
                              span=self.span(start))
        return e

    def logic_or(self):
        return self._logic({"||": "or"}, self.logic_xor)

    def logic_xor(self):
        return self._logic({"^^": "xor"}, self.logic_and)

    def logic_and(self):
        return self._logic({"&&": "and"}, lambda: self._arith({"|"}, self.bit_xor))

    def bit_xor(self):
        return self._arith({"^"}, lambda: self._arith({"&"}, self.relation))

    def _arith(self, ops: set, sub) -> ir.Expr:
        start = self.off()
        e = sub()
        while self.peek() in ops:
            op = _ARITH[self.take()]
            r = sub()
            e = ir.Binary(op=op, left=_int(e), right=_int(r), type=M, span=self.span(start))
        return e

    def relation(self) -> ir.Expr:
        start = self.off()
        left = self.shift()
        parts = []
        while self.peek() in _REL:
            op = _REL[self.take()]
            right = self.shift()
            parts.append(ir.Binary(op=op, left=_int(left), right=_int(right), type=ir.BOOL,
                                   span=self.span(start)))
            left = right
        if not parts:
            return left
        e = parts[0]
        for p in parts[1:]:
            e = ir.Binary(op="and", left=e, right=p, type=ir.BOOL, span=self.span(start))
        return e

    def shift(self):
        return self._arith({"<<", ">>"}, self.additive)

    def additive(self):
        return self._arith({"+", "-"}, self.multiplicative)

    def multiplicative(self):
        return self._arith({"*", "/", "%"}, self.unary)

    def unary(self) -> ir.Expr:
        start = self.off()
        tok = self.peek()
        if tok in ("-", "~", "+"):
            self.take()
            a = _int(self.unary())
            if tok == "+":
                return a
            if isinstance(a, ir.Const) and tok == "-":
                return ir.Const(value=-a.value, type=M, span=self.span(start))
            return ir.Unary(op="neg" if tok == "-" else "bnot", arg=a, type=M,
                            span=self.span(start))
        if tok == "!":
            self.take()
            a = _bool(self.unary())
            return ir.Unary(op="not", arg=a, type=ir.BOOL, span=self.span(start))
        if tok == "(" and self.peek(1) is not None and self._is_type(self.peek(1)):
            self.take("(")
            words = []
            while self.peek() != ")":
                words.append(self.take())
            self.take(")")
            t = self.env.typedefs.get(words[0]) if len(words) == 1 else None
            t = t if isinstance(t, ir.IntT) else self.env.dm.from_names(words)
            if t is None:
                raise AcslError(f"unsupported cast to {' '.join(words)}", start)
            a = self.unary()
            return ir.Cast(arg=ir.Cast(arg=_int(a), type=t, explicit=True,
                                       span=self.span(start)), type=M, span=self.span(start))
        return self.primary()

    def _is_type(self, tok: str) -> bool:
        return tok in _TYPE_WORDS or isinstance(self.env.typedefs.get(tok), ir.IntT)

    def primary(self) -> ir.Expr:
        start = self.off()
        tok = self.take()
        if tok == "(":
            e = self.ternary()
            self.take(")")
            return e
        if tok[0].isdigit():
            return ir.Const(value=self.env.dm.int_constant(tok)[0], type=M,
                            span=self.span(start))
        if tok[0] == "'":
            return ir.Const(value=self.env.dm.char_constant(tok), type=M,
                            span=self.span(start))
        if tok in ("\\true", "\\false"):
            return ir.Const(value=int(tok == "\\true"), type=ir.BOOL, span=self.span(start))
        if tok == "\\result":
            if not self.env.post or self.env.ret is None:
                raise AcslError("\\result is only allowed in ensures of a non-void "
                                "function", start)
            v = ir.Var(name=ir.RESULT, type=self.env.ret, span=self.span(start))
            return ir.Cast(arg=v, type=M, span=v.span)
        if tok in ("\\old", "\\at"):
            if not self.env.post:
                raise AcslError(f"{tok} is only allowed in ensures", start)
            self.take("(")
            saved, self.env.params = self.env.params, frozenset()
            inner = self.ternary()
            if tok == "\\at":
                self.take(",")
                label = self.take()
                if label not in ("Pre", "Old"):
                    raise AcslError(f"\\at label {label} not supported", start)
            self.take(")")
            self.env.params = saved
            return ir.Old(arg=inner, type=inner.type, span=self.span(start))
        if tok in ("\\abs", "\\max", "\\min"):
            self.take("(")
            a = _int(self.ternary())
            b = None
            if tok != "\\abs":
                self.take(",")
                b = _int(self.ternary())
            self.take(")")
            sp = self.span(start)
            if tok == "\\abs":
                neg = ir.Unary(op="neg", arg=a, type=M, span=sp)
                c = ir.Binary(op="lt", left=a, right=ir.Const(value=0, type=M, span=sp),
                              type=ir.BOOL, span=sp)
                return ir.Ite(cond=c, then=neg, orelse=a, type=M, span=sp)
            c = ir.Binary(op="ge" if tok == "\\max" else "le", left=a, right=b,
                          type=ir.BOOL, span=sp)
            return ir.Ite(cond=c, then=a, orelse=b, type=M, span=sp)
        if tok in MEMORY_PREDICATES:
            return memory_predicate(self, tok, start)
        if tok.startswith("\\"):
            raise AcslError(f"ACSL construct {tok} not supported", start)
        if tok[0].isalpha() or tok[0] == "_":
            return self.name(tok, start)
        raise AcslError(f"unexpected {tok!r}", start)

    def name(self, tok: str, start: int) -> ir.Expr:
        if self.peek() == "(":
            raise AcslError(f"logic function call {tok}(...) not supported", start)
        v = self.env.lookup(tok)
        if v is not None:
            sp = self.span(start)
            v = ir.Var(name=v.name, type=v.type, span=sp) if isinstance(v, ir.Var) else v
            if self.env.post and tok in self.env.params:
                v = ir.Old(arg=v, type=v.type, span=sp)
            return ir.Cast(arg=v, type=M, span=sp)
        if tok in self.env.enums:
            return ir.Const(value=self.env.enums[tok], type=M, span=self.span(start))
        if tok in ("true", "false"):
            return ir.Const(value=int(tok == "true"), type=M, span=self.span(start))
        if tok in self.env.macros and self.depth < 20:
            body = self.env.macros[tok]
            try:
                sub = _Parser(tokenize(body, start), self.env, start, self.depth + 1)
                e = sub.parse()
            except AcslError as exc:
                raise AcslError(f"in macro {tok}: {exc}", start) from None
            return _respan(e, self.span(start))
        raise AcslError(f"unknown identifier {tok}", start)


def _respan(e: ir.Expr, span: ir.Span) -> ir.Expr:
    """Give every node of a macro's expansion the span of the macro name."""
    import dataclasses
    changes = {"span": span}
    for f in ("arg", "left", "right", "cond", "then", "orelse"):
        sub = getattr(e, f, None)
        if isinstance(sub, ir.Expr):
            changes[f] = _respan(sub, span)
    return dataclasses.replace(e, **changes)


def parse_predicate(clause: RawClause, env: AcslEnv) -> ir.Expr:
    """The clause's predicate as a BOOL expression; raises AcslError with an offset."""
    toks = tokenize(clause.expr_text, clause.expr_offset)
    if not toks:
        raise AcslError(f"empty {clause.kind} clause", clause.start)
    return _bool(_Parser(toks, env, clause.end).parse())


def parse_term(clause: RawClause, env: AcslEnv) -> ir.Expr:
    """A term (loop variant, decreases) as a MATH_INT expression."""
    toks = tokenize(clause.expr_text, clause.expr_offset)
    if not toks:
        raise AcslError(f"empty {clause.kind} clause", clause.start)
    return _int(_Parser(toks, env, clause.end).parse())


def contract(clause: RawClause, expr: ir.Expr, index: LineIndex) -> ir.Contract:
    return ir.Contract(expr=expr, span=index.span(clause.start, clause.end),
                       text=clause.text, origin="acsl")


def issue(exc: AcslError, index: LineIndex, end: Optional[int] = None) -> ir.SyntaxIssue:
    return ir.SyntaxIssue(message=f"ACSL: {exc}",
                          span=index.span(exc.offset, max(end or exc.offset + 1,
                                                          exc.offset)))
