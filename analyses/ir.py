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
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union


# --------------------------------------------------------------------------- spans

@dataclass(frozen=True)
class Span:
    line: int
    col: int
    end_line: int
    end_col: int

    def to_json(self) -> dict:
        return {"start": {"line": self.line, "column": self.col},
                "end": {"line": self.end_line, "column": self.end_col}}


NOSPAN = Span(0, 0, 0, 0)


# --------------------------------------------------------------------------- types

@dataclass(frozen=True)
class IntT:
    """An integer type.  bits=None: unbounded.  bits=1 and name '_Bool': C's _Bool."""
    bits: Optional[int] = None
    signed: bool = True
    name: str = "int"

    @property
    def bounded(self) -> bool:
        return self.bits is not None

    @property
    def min(self) -> Optional[int]:
        if self.bits is None:
            return None
        return -(1 << (self.bits - 1)) if self.signed else 0

    @property
    def max(self) -> Optional[int]:
        if self.bits is None:
            return None
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class BoolT:
    """A logical truth value (not C's _Bool, which is IntT(1, False, '_Bool'))."""
    name: str = "bool"

    def __str__(self) -> str:
        return "bool"


Type = Union[IntT, BoolT]

MATH_INT = IntT(None, True, "int")           # Python int / ACSL integer
BOOL = BoolT()
# C types, LP64
C_BOOL = IntT(1, False, "_Bool")
C_CHAR = IntT(8, True, "char")
C_SCHAR = IntT(8, True, "signed char")
C_UCHAR = IntT(8, False, "unsigned char")
C_SHORT = IntT(16, True, "short")
C_USHORT = IntT(16, False, "unsigned short")
C_INT = IntT(32, True, "int")
C_UINT = IntT(32, False, "unsigned int")
C_LONG = IntT(64, True, "long")
C_ULONG = IntT(64, False, "unsigned long")
C_LLONG = IntT(64, True, "long long")
C_ULLONG = IntT(64, False, "unsigned long long")


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
    (or it is inlined); otherwise it is an unknown external function."""
    func: str
    args: tuple[Expr, ...] = ()


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


RESULT = "__result__"   # name of the Var that denotes the return value in ensures


# --------------------------------------------------------------------------- statements

@dataclass(kw_only=True)
class Stmt:
    span: Span = NOSPAN


@dataclass(kw_only=True)
class Assign(Stmt):
    target: str
    value: Expr


@dataclass(kw_only=True)
class If(Stmt):
    cond: Expr
    then: list[Stmt] = field(default_factory=list)
    orelse: list[Stmt] = field(default_factory=list)


@dataclass(kw_only=True)
class While(Stmt):
    """A loop.  Each iteration: (unless do_while and first iteration) test cond; run body;
    run update (C for-loop increment; reached by fall-through and by `continue`).
    `range_var`: set by the Python frontend for `for v in range(...)` loops whose hidden
    counter the body cannot change (they terminate by construction when the step is
    nonzero); also for `for v in <finite container>` (`iterates` says which), lowered to a
    hidden index below the container's length.  `invariants`/`variant` come from the user
    (ACSL loop invariant/variant)."""
    cond: Expr
    body: list[Stmt] = field(default_factory=list)
    update: list[Stmt] = field(default_factory=list)
    do_while: bool = False
    invariants: list["Contract"] = field(default_factory=list)
    variant: Optional["Contract"] = None
    range_loop: bool = False
    iterates: str = ""      # range_loop over a finite container: which one ("the list xs")
    assumed_finite: str = ""    # range_loop only under this stated assumption (Python: "the
    #                             iterable seq is finite ..."); strict mode drops such loops


# Assert kinds that are run-time checks of the language rather than the user's asserts:
# an `overflow`-kind finding with this property (Python IndexError / KeyError)
RUNTIME_CHECKS = ("index",)

# `what` of the Unsupported choice "a statement raised an exception the frontend does not
# model" (python_try): the concrete interpreter takes it as false (no such exception)
EXCEPTION_ROUTE = "an exception the tool does not model"
# ... and of "this Optional[int] parameter is None" (python_optional): false there too
MAYBE_NONE = "whether this parameter is None:"


@dataclass(kw_only=True)
class Assert(Stmt):
    """A property to prove.  kind: 'assert' | 'reach_error' | 'isinstance' | 'index'
    (Python: a subscript in range / a key present: see RUNTIME_CHECKS) | 'bounds'
    (C element access in range, see bounds_parts: undefined behaviour, not a contract)."""
    cond: Expr
    kind: str = "assert"
    message: str = ""


def bounds_parts(a: Assert) -> Optional[tuple[Expr, Expr, Expr]]:
    """(lo, index, hi) of an `Assert(kind="bounds")`, whose cond the C frontend writes as
    `lo <= index && index <= hi` over MATH_INT (an element access; out of range is UB)."""
    c = a.cond
    if a.kind == "bounds" and isinstance(c, Binary) and c.op == "and" and \
            isinstance(c.left, Binary) and isinstance(c.right, Binary):
        return c.left.left, c.right.left, c.right.right
    return None


@dataclass(kw_only=True)
class Assume(Stmt):
    """__VERIFIER_assume(c), type facts of parameters: paths violating c are discarded."""
    cond: Expr


@dataclass(kw_only=True)
class Return(Stmt):
    value: Optional[Expr] = None


@dataclass(kw_only=True)
class Break(Stmt):
    pass


@dataclass(kw_only=True)
class Continue(Stmt):
    pass


@dataclass(kw_only=True)
class Halt(Stmt):
    """The path ends without returning: C abort()/exit(), Python `raise`.
    No postcondition is checked on it; it counts as terminating."""
    what: str = "abort"


@dataclass(kw_only=True)
class ExprStmt(Stmt):
    """An expression evaluated for its effects (a call whose value is discarded)."""
    expr: Expr


@dataclass(kw_only=True)
class Havoc(Stmt):
    """Unsupported statement: the listed variables get arbitrary values; results that
    depend on it are 'unknown' with reason `what`."""
    targets: list[str] = field(default_factory=list)
    what: str = ""
    # C: a write through a pointer parameter the function never reassigns (`p[i] = v`,
    # `p->f = v`).  The targets are what it may change if p aliases them; a concrete run
    # of the function itself (its caller's choice of p: a separate, large enough object)
    # changes none of them, so the interpreter runs it as a no-op at the top level.
    caller_memory: bool = False


@dataclass(kw_only=True)
class Store(Stmt):
    """C: `array[index] = value` on a local array of Function.arrays (index MATH_INT,
    already bounds-checked; value of the element type)."""
    array: str
    index: Expr
    value: Expr


@dataclass(kw_only=True)
class ArrayInit(Stmt):
    """C: the declaration of a local array of Function.arrays with `length` elements:
    `values` first, the rest 0 (an initializer, C11 6.7.9p21), or, with values None,
    indeterminate contents (reading an element never written is unknown)."""
    array: str
    length: int
    values: Optional[list] = None


# --------------------------------------------------------------------------- functions

# Contract.origin of an ACSL `\valid(...)` requires: the C frontend checks the function's
# accesses against it; the function's own run takes it as given (a counterexample's arrays
# have exactly that size), while at call sites it is "don't know" (an Unsupported expr).
MEMORY_CONTRACT = "acsl-memory"


@dataclass(kw_only=True)
class Contract:
    """A requires/ensures/invariant clause; expr has type BOOL."""
    expr: Expr
    span: Span = NOSPAN
    text: str = ""
    origin: str = ""     # 'acsl', 'pep316', 'icontract', 'deal', ...


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
