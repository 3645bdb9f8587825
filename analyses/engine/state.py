"""Symbolic states and the records the executor leaves for the checks."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import z3

from .. import ir
from .term_memo import conjuncts as _conjuncts

FALSE = z3.BoolVal(False)
TRUE = z3.BoolVal(True)


@dataclass
class State:
    """Variable values (z3 terms) and the path condition reaching this point."""
    vars: dict
    pc: z3.BoolRef

    def copy(self, pc: Optional[z3.BoolRef] = None) -> "State":
        return State(dict(self.vars), self.pc if pc is None else pc)

    @property
    def dead(self) -> bool:
        return z3.is_false(self.pc)


def conj(a: z3.BoolRef, b: z3.BoolRef) -> z3.BoolRef:
    if z3.is_true(a):
        return b
    if z3.is_true(b):
        return a
    if z3.is_false(a) or z3.is_false(b):
        return FALSE
    return z3.And(a, b)


def disj(items: list) -> z3.BoolRef:
    items = [i for i in items if not z3.is_false(i)]
    if not items:
        return FALSE
    if len(items) == 1:
        return items[0]
    return z3.Or(*items)


def merge(states: list[State]) -> State:
    """Join control-flow paths: the path condition is the disjunction, each variable an
    if-then-else over the incoming paths."""
    live = [s for s in states if not s.dead]
    if not live:
        base = states[0].vars if states else {}
        return State(dict(base), FALSE)
    if len(live) == 1:
        return live[0].copy()
    names: dict[str, None] = {}
    for s in live:
        for n in s.vars:
            names.setdefault(n, None)
    out = {}
    for n in names:
        vals = [(s.pc, s.vars[n]) for s in live if n in s.vars]
        first = vals[-1][1]
        if all(v.eq(first) for _, v in vals):
            out[n] = first
            continue
        term = vals[-1][1]
        for pc, v in reversed(vals[:-1]):
            term = z3.If(pc, v, term)
        out[n] = term
    return State(out, join_pcs([s.pc for s in live]))


def join_pcs(pcs: list) -> z3.BoolRef:
    """The disjunction of path conditions with their common conjuncts factored out:
    Or(And(P, c), And(P, Not c)) is P, not a term that doubles at every join (z3's
    preprocessing walks it as a tree: exponential in the number of branches).
    Equivalent to disj(pcs) (distributivity), so nothing is lost."""
    pcs = [p for p in pcs if not z3.is_false(p)]
    if len(pcs) < 2:
        return disj(pcs)
    parts = [_conjuncts(p) for p in pcs]
    common_ids = set.intersection(*[{i for i, _ in ps} for ps in parts])
    if not common_ids:
        return disj(pcs)
    common = list({i: c for i, c in parts[0] if i in common_ids}.values())
    rests = [[c for i, c in ps if i not in common_ids] for ps in parts]
    if any(not r for r in rests):
        return _and(common)             # one path needs nothing more: the join is P
    if len(rests) == 2 and len(rests[0]) == len(rests[1]) == 1 and \
            _negations(rests[0][0], rests[1][0]):
        return _and(common)             # the two sides of one branch
    return _and(common + [disj([_and(r) for r in rests])])


def _negations(a: z3.BoolRef, b: z3.BoolRef) -> bool:
    return (z3.is_not(a) and a.arg(0).eq(b)) or (z3.is_not(b) and b.arg(0).eq(a))


def _and(items: list) -> z3.BoolRef:
    if not items:
        return TRUE
    return items[0] if len(items) == 1 else z3.And(*items)


@dataclass
class Obligation:
    """One instance of a property: on paths where `guard` holds, `ok` must hold."""
    kind: str                  # contract | overflow
    prop: str                  # assert, ensures, requires-call, invariant-init, ...
    span: ir.Span
    guard: z3.BoolRef
    ok: z3.BoolRef
    message: str = ""
    severity: str = "error"
    related: list = field(default_factory=list)       # [(Span, message)]
    operands: dict = field(default_factory=dict)       # label -> (term, type)
    text: str = ""             # contract text, when there is one
    entry_assert: Optional[ir.Span] = None   # requires-call of a callee's entry assert

    @property
    def key(self) -> tuple:
        """Findings are per property instance: one per contract clause and place, one per
        arithmetic operation (all its undefined-behaviour checks together)."""
        if self.kind == "overflow" and self.severity == "error" \
                and self.prop not in ir.RUNTIME_CHECKS:
            return (self.kind, "arith", self.span, "")
        return (self.kind, self.prop, self.span, self.text)


@dataclass
class Fresh:
    """A value the program did not compute: a nondet input, an unknown call's result."""
    const: z3.ExprRef
    type: ir.Type
    guard: z3.BoolRef
    what: str = ""
    span: ir.Span = ir.NOSPAN


@dataclass
class LoopRecord:
    """One loop as the abstract run saw it (for termination)."""
    loop: ir.While
    entry: State                    # state when control first reaches the loop
    head: State                     # havocked state at the loop head (invariants in pc)
    cond: z3.BoolRef                # loop condition at head
    back: State                     # state after one more iteration (continuing paths)
    exits: list                     # guards of paths leaving the loop from inside the body
    modified: list[str]
    ub: list = field(default_factory=list)                # guards of undefined behaviour
    inv_terms: list = field(default_factory=list)         # inferred invariants (in head.pc)

    def without_inferred(self, term):
        """term with the inferred invariants replaced by true: a smaller premise that is
        often much easier for z3 (any proof from it is still valid)."""
        if not self.inv_terms:
            return term
        return z3.substitute(term, *[(t, z3.BoolVal(True)) for t in self.inv_terms])
    invariants: list[str] = field(default_factory=list)   # inferred + user, as text
    callees: set = field(default_factory=set)             # functions called in the body


@dataclass
class CallSite:
    caller_entry: dict              # input terms of the caller (params)
    callee: str
    guard: z3.BoolRef
    args: list
    span: ir.Span


@dataclass
class OutCall:
    """A call of a program function made by the function being run (for the callee's
    calling context, engine/calling_contexts.py)."""
    callee: str
    pc: z3.BoolRef
    args: list
    globals: dict                   # global variables' values at the call
    span: ir.Span


def violation(obs) -> z3.BoolRef:
    """Some obligation of obs fails: its guard holds and its condition does not."""
    return disj([conj(o.guard, z3.Not(o.ok)) for o in obs])
