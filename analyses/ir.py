"""The one small typed IR that both frontends lower to and every analysis consumes.

Design rules (the contract between frontends and the engine):

* Every value is an integer.  ``IntT(bits=None)`` is an unbounded mathematical integer
  (Python ints, ACSL terms); ``IntT(bits=n, signed=s)`` is an exact n-bit C integer.
  ``BOOL`` is a logical truth value (conditions, comparisons, ``and``/``or``/``not``).
* The C frontend makes every implicit conversion explicit with ``Cast`` nodes, so the
  operands of an arithmetic ``Binary`` always have the ``Binary``'s own type (integer
  promotions and usual arithmetic conversions are already applied).  Shifts are the one
  exception: the right operand keeps its own (promoted) type.
* Expressions are side-effect free except ``Call`` and ``Nondet``; frontends hoist
  assignments and ``++``/``--`` into statements.  ``and``/``or``/``Ite`` short-circuit,
  so a ``Call`` on their right is only evaluated when reached.
* Every node carries a ``span`` (1-based line/column, end exclusive) into the original file.

Every IR name is used as ``ir.<Name>``: the types live in ir_types.py, the expressions in
ir_exprs.py, the statements and contract clauses in ir_stmts.py (each imported here), and
functions and programs below.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .ir_exprs import (  # noqa: F401  (the IR's names, used as ir.<Name>)
    ARITH_OPS, CMP_OPS, EXCEPTION_ROUTE, LOGIC_OPS, MAYBE_NONE, RESULT, UNARY_OPS, Binary,
    Call, Cast, Const, Element, Expr, Ite, Load, Nondet, Old, Unary, Unsupported, Var)
from .ir_stmts import (  # noqa: F401
    MEMORY_CONTRACT, RUNTIME_CHECKS, ArrayInit, Assert, Assign, Assume, Break, Continue,
    Contract, ExprStmt, Halt, Havoc, If, Return, Stmt, Store, While, bounds_parts)
from .ir_types import (  # noqa: F401
    BOOL, C_BOOL, C_CHAR, C_INT, C_LLONG, C_LONG, C_SCHAR, C_SHORT, C_UCHAR, C_UINT,
    C_ULLONG, C_ULONG, C_USHORT, MATH_INT, NOSPAN, BoolT, IntT, Span, Type)


# --------------------------------------------------------------------------- functions

@dataclass(kw_only=True)
class Param:
    name: str
    type: IntT
    span: Span = NOSPAN
    # Python: 'list' | 'tuple' | 'str' | 'bytes' | 'bytearray' when the parameter is such a
    # sequence and its integer value stands for its length (shown as one in counterexamples)
    container: str = ""


@dataclass(frozen=True)
class ArrayParam:
    """C: a pointer/array parameter whose size is known (`\\valid`, `[static N]`, `[n]`),
    for --replay's driver: C argument `position`, `size` elements of type `elem` (`size`
    is C source over the integer parameters' names)."""
    position: int
    name: str
    elem: IntT
    size: str


@dataclass(kw_only=True)
class Function:
    name: str
    params: list[Param]
    ret: Optional[IntT]                     # None: returns nothing (void / -> None)
    body: list[Stmt]
    span: Span                              # the whole definition
    name_span: Span = NOSPAN                # just the name (code lens / diagnostics anchor)
    language: str = "python"                # 'python' | 'c'
    locals: dict[str, IntT] = field(default_factory=dict)   # every variable: params too
    requires: list[Contract] = field(default_factory=list)
    ensures: list[Contract] = field(default_factory=list)
    unsupported: list[tuple[str, Span]] = field(default_factory=list)
    bounds_unknown: list[tuple[str, Span]] = field(default_factory=list)  # C accesses of
    # an object of unknown size: one "don't know" bounds finding each (reason, place)
    source: str = ""                        # the function's own source text (for hashing)
    qualname: str = ""                      # 'Class.method' for methods; else == name
    internal: bool = False                  # C `static`: callable only from this file
    assumptions: list[str] = field(default_factory=list)   # what its proofs take for granted
    array_params: list[ArrayParam] = field(default_factory=list)   # C, for --replay
    c_arity: int = -1                       # C: number of parameters (-1: not known)
    # C locals (IR names) whose address is taken: a call may change them through it
    address_taken: frozenset = frozenset()
    # C local arrays whose address never escapes (IR name -> element type): their
    # contents are values of the run (ArrayInit, Store, Load), not memory
    arrays: dict[str, IntT] = field(default_factory=dict)


@dataclass(kw_only=True)
class SyntaxIssue:
    message: str
    span: Span


@dataclass(kw_only=True)
class Program:
    path: str
    language: str
    functions: dict[str, Function] = field(default_factory=dict)
    errors: list[SyntaxIssue] = field(default_factory=list)
    globals: dict[str, IntT] = field(default_factory=dict)
    global_init: dict[str, int] = field(default_factory=dict)   # C: value at program start
    text: str = ""                                              # the whole source file
    # per-line suppressions: line -> set of kinds ('*' = all), from `veriline: ignore[...]`
    suppressions: dict[int, set[str]] = field(default_factory=dict)
