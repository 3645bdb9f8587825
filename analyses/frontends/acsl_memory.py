"""ACSL memory predicates: `\\valid(p + (lo .. hi))`, `\\valid_read(...)`, `\\separated(...)`.

Inside the function they annotate, `\\valid` / `\\valid_read` facts give the range of
elements a pointer parameter may be indexed by: the C frontend reads them before lowering
the body (`valid_ranges`) and checks every access against them (c_bounds.py).  As IR
predicates they are "don't know" (`Unsupported`): memory is not modelled across calls, so
a caller's obligation to pass a valid array is never proved, only reported unknown.  The
function's own contract marks such a clause with origin `acsl-memory`: its run assumes
it (the counterexamples it gets are for arrays of exactly that range).
"""
from __future__ import annotations

from dataclasses import dataclass

from .. import ir

MEMORY_PREDICATES = {"\\valid", "\\valid_read", "\\separated"}
MEMORY_ORIGIN = ir.MEMORY_CONTRACT


@dataclass(frozen=True)
class ValidRange:
    """`\\valid(pointer + (lo .. hi))`: elements lo..hi (inclusive, MATH_INT terms) exist."""
    pointer: str          # C name of the pointer
    lo: ir.Expr
    hi: ir.Expr
    read_only: bool
    size_text: str = ""   # `hi + 1` as C text when lo is 0 (for --replay's driver)


class AcslError(Exception):
    """An ACSL annotation that does not parse (defined here, the lower module; acsl.py
    re-exports it)."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


def memory_predicate(parser, tok: str, start: int) -> ir.Expr:
    """Parse the predicate after its keyword; record \\valid facts in parser.env.memory."""
    parser.take("(")
    if tok == "\\separated":
        depth = 1
        while depth:
            t = parser.take()
            depth += {"(": 1, ")": -1}.get(t, 0)
        return _unknown(parser, tok, start)
    name = parser.take()
    if not (name[0].isalpha() or name[0] == "_"):
        raise AcslError(f"{tok}: expected a pointer name", start)
    zero = ir.Const(value=0, type=ir.MATH_INT, span=parser.span(start))
    lo = hi = zero
    text = "0"
    if parser.peek() == "+":
        parser.take()
        if parser.peek() == "(":
            mark = parser.i
            parser.take("(")
            first = parser.ternary()
            if parser.peek() == "..":
                parser.take()
                j = parser.i
                lo, hi = first, parser.ternary()
                text = " ".join(tok for tok, _ in parser.toks[j:parser.i])
                parser.take(")")
            else:                       # `p + (i)`: a plain parenthesised term
                parser.i = mark
                lo = hi = parser.additive()
                text = ""
        else:
            lo = hi = parser.additive()
            text = ""
    parser.take(")")
    node = _unknown(parser, tok, start)
    size = f"({text}) + 1" if text and isinstance(lo, ir.Const) and lo.value == 0 else ""
    parser.env.memory.append((node, ValidRange(name, _int(lo), _int(hi),
                                               tok == "\\valid_read", size)))
    return node


def _int(e: ir.Expr) -> ir.Expr:
    return e if e.type == ir.MATH_INT else ir.Cast(arg=e, type=ir.MATH_INT, span=e.span)


def _unknown(parser, tok: str, start: int) -> ir.Expr:
    return ir.Unsupported(what=f"{tok} (memory is not modelled across calls)",
                          type=ir.BOOL, span=parser.span(start))


def conjuncts(e: ir.Expr) -> list[ir.Expr]:
    """The top-level `&&` operands of a predicate."""
    if isinstance(e, ir.Binary) and e.op == "and":
        return conjuncts(e.left) + conjuncts(e.right)
    return [e]


def unconditional(pred: ir.Expr, memory: list) -> list[ValidRange]:
    """The \\valid facts of `memory` ((node, range) pairs from parsing pred) that are
    top-level conjuncts of pred: those hold whenever pred does."""
    tops = {id(c) for c in conjuncts(pred)}
    return [r for node, r in memory if id(node) in tops]


def is_memory_fact(e: ir.Expr) -> bool:
    return isinstance(e, ir.Unsupported) and any(
        e.what.startswith(t + " ") for t in MEMORY_PREDICATES)
