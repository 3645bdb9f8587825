"""The IR's statements and contract clauses (see ir.py for the rules).

Import these through `ir` like every other IR name; this module only keeps ir.py short.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .ir_exprs import Binary, Expr
from .ir_types import NOSPAN, Span


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
    yields: bool = False    # Python: the body yields or awaits (a generator's or coroutine's
    #                         loop may run for ever by design: no ✗ for never ending)


# Assert kinds that are run-time checks of the language rather than the user's asserts:
# an `overflow`-kind finding with this property (Python IndexError / KeyError)
RUNTIME_CHECKS = ("index",)


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


# --------------------------------------------------------------------------- contracts

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

