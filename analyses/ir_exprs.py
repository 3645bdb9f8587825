"""The IR's expressions: pure trees of integer/BOOL values (see ir.py for the rules).

Import these through `ir` like every other IR name; this module only keeps ir.py short.
"""
from __future__ import annotations

from dataclasses import dataclass

from .ir_types import MATH_INT, NOSPAN, Span, Type


# --------------------------------------------------------------------------- expressions

# Binary operators.  Arithmetic: add sub mul; 'div'/'mod' truncate toward zero (C, ACSL);
# 'floordiv'/'floormod' follow Python's floor semantics.  Bitwise: band bor bxor shl shr
# (shr is arithmetic for signed types, logical for unsigned).  Comparisons (result BOOL):
# lt le gt ge eq ne.  Logical (BOOL operands, short-circuit): and or implies.
ARITH_OPS = {"add", "sub", "mul", "div", "mod", "floordiv", "floormod",
             "band", "bor", "bxor", "shl", "shr"}
CMP_OPS = {"lt", "le", "gt", "ge", "eq", "ne"}
LOGIC_OPS = {"and", "or", "implies"}
# Unary: 'neg' (arithmetic minus), 'bnot' (bitwise ~), 'not' (logical, BOOL operand).
UNARY_OPS = {"neg", "bnot", "not"}


@dataclass(frozen=True, kw_only=True)
class Expr:
    type: Type = MATH_INT
    span: Span = NOSPAN


@dataclass(frozen=True, kw_only=True)
class Const(Expr):
    value: int          # bool constants are 0/1 with type BOOL


@dataclass(frozen=True, kw_only=True)
class Var(Expr):
    name: str


@dataclass(frozen=True, kw_only=True)
class Unary(Expr):
    op: str
    arg: Expr


@dataclass(frozen=True, kw_only=True)
class Binary(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(frozen=True, kw_only=True)
class Ite(Expr):
    cond: Expr          # BOOL
    then: Expr
    orelse: Expr


@dataclass(frozen=True, kw_only=True)
class Cast(Expr):
    """Convert arg to self.type.  To a bounded type: modulo 2^bits (C conversion; for
    signed targets that is gcc's implementation-defined choice).  To _Bool: arg != 0.
    From BOOL to an int type: 0/1.  To BOOL from an int: arg != 0.
    explicit: written by the user (a C cast) rather than implied by the language."""
    arg: Expr
    explicit: bool = False


@dataclass(frozen=True, kw_only=True)
class Call(Expr):
    """A call.  If func names a function of the same Program, its contract is used
    (or it is inlined); otherwise it is an unknown external function.  asserts_caught
    (Python): an enclosing try may catch the AssertionError of a failing entry assert of
    the callee, so that assert is no obligation of this call (the try's exception route
    covers the failing case)."""
    func: str
    args: tuple[Expr, ...] = ()
    asserts_caught: bool = False
    opaque: bool = False    # Python: an unknown function's result, of unknown type


@dataclass(frozen=True, kw_only=True)
class Nondet(Expr):
    """SV-COMP __VERIFIER_nondet_<type>(): a fresh arbitrary value of self.type."""
    label: str = ""


@dataclass(frozen=True, kw_only=True)
class Element(Expr):
    """C: element `index` (MATH_INT) of the array the pointer parameter `array` points to,
    as it is at entry (only for functions that write no memory, see c_memory): an input
    like a parameter.  Counterexamples give its values as inputs named `array[k]`."""
    array: str
    index: Expr


@dataclass(frozen=True, kw_only=True)
class Load(Expr):
    """C: element `index` (MATH_INT, already bounds-checked) of the local array `array`
    (a name of Function.arrays) as it is now: one z3 array in the engine's state."""
    array: str
    index: Expr


@dataclass(frozen=True, kw_only=True)
class Old(Expr):
    """\\old(e) / __old__.e / OLD.e in a postcondition: e evaluated at function entry."""
    arg: Expr


@dataclass(frozen=True, kw_only=True)
class Unsupported(Expr):
    """A construct outside the subset.  Evaluates to an arbitrary value of self.type;
    results that depend on it are 'unknown' with this reason.  `lazy`: its evaluation
    cannot fail or have effects (e.g. an element read after its IndexError check), so
    the interpreter may store it in a variable and stop only where the value is used."""
    what: str
    lazy: bool = False
    opaque: bool = False    # Python: a value of unknown or non-int type (a float, a str, an
    #                         object): no int reasoning may use it (python_opaque.py)


RESULT = "__result__"   # name of the Var that denotes the return value in ensures

# `what` of the Unsupported choice "a statement raised an exception the frontend does not
# model" (python_try): the concrete interpreter takes it as false (no such exception)
EXCEPTION_ROUTE = "an exception the tool does not model"
# ... and of "this Optional[int] parameter is None" (python_optional): false there too
MAYBE_NONE = "whether this parameter is None:"
