"""Boundary-value candidates for a counterexample query the solver struggles with.

A nonlinear query (`a * (b / g)` after a gcd loop, `base * base % m`) can defeat z3 and
cvc5 for seconds even when inputs as plain as `lcm(2, INT_MAX)` break it.  With every
input fixed, the same formula is only arithmetic on constants: z3's simplifier evaluates
it to true or false in about a millisecond.  So, when a bounded search for a readable
model gave up, each input is set to one of its type's boundary values (0, 1, MAX, -1, 2,
MIN, MAX - 1, MIN + 1) — combinations in order of how far down those lists they reach —
for at most LIMIT_MS and MAX_COMBOS combinations (about a millisecond each).  A
combination whose formula simplifies to true is a model like any other: the caller turns
it into inputs that the concrete interpreter must re-run and see fail.  One that leaves
something open (a value the run does not fix, such as a loop's abstracted state) is
skipped, never guessed.
"""
from __future__ import annotations

import time
from typing import Iterator, Optional

import z3

from .. import ir
from ..solver import Model, const_like, free_consts

LIMIT_MS = 1000        # only after the solver gave up: the rest would be a 5 s query
MAX_COMBOS = 512
MAX_VALUES = 8


def boundary_values(t: ir.Type) -> list[int]:
    """The values tried for an input of type t, the most telling first."""
    if isinstance(t, ir.BoolT):
        return [0, 1]
    if not isinstance(t, ir.IntT):
        return []
    if t.bits is None:
        return [0, 1, -1, 2, -2]
    if t.max - t.min < MAX_VALUES:             # _Bool, tiny bit-fields: every value
        return list(range(t.min, t.max + 1))
    vals = [0, 1, t.max, -1, 2, t.min, t.max - 1, t.min + 1]
    return list(dict.fromkeys(v for v in vals if t.min <= v <= t.max))


def combinations(sizes: list[int]) -> Iterator[tuple]:
    """Index tuples (one index per input, below its size) by increasing sum, so that every
    mix of the first values of each list comes before any later value is used."""
    top = sum(n - 1 for n in sizes)

    def parts(k: int, total: int):
        if k == len(sizes):
            if total == 0:
                yield ()
            return
        for i in range(min(total, sizes[k] - 1) + 1):
            for rest in parts(k + 1, total - i):
                yield (i,) + rest
    for total in range(top + 1):
        yield from parts(0, total)


def edge_model(assertions: list, values: list, cancel=None,
               limit_ms: int = LIMIT_MS) -> Optional[Model]:
    """A model fixing each (const, type) of `values` to a boundary value under which the
    assertions simplify to true, or None."""
    if not values or any(not boundary_values(t) for _, t in values):
        return None
    goal = z3.And(*assertions)
    names = {c.decl().name() for c, _ in values}
    if not set(free_consts([goal])) <= names:
        return None         # something the inputs do not fix: never decided by simplify
    lists = [[const_like(c, v) for v in boundary_values(t)] for c, t in values]
    deadline = time.monotonic() + limit_ms / 1000
    for n, idx in enumerate(combinations([len(xs) for xs in lists])):
        if n >= MAX_COMBOS or time.monotonic() > deadline:
            return None
        if cancel is not None:
            cancel.check()
        subs = [(c, xs[i]) for (c, _), xs, i in zip(values, lists, idx)]
        if z3.is_true(z3.simplify(z3.substitute(goal, *subs))):
            vals = {c.decl().name(): _value(lit) for c, lit in subs}
            model = Model(values=vals, decls=free_consts(assertions))
            if all(model.eval(a) is True for a in assertions):
                return model
    return None


def _value(lit):
    if z3.is_true(lit) or z3.is_false(lit):
        return z3.is_true(lit)
    return z3.simplify(lit).as_long()
