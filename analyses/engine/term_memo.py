"""Walks of z3 terms that the engine repeats on the same subterms, remembered by
(context, id): the conjuncts of a path condition (joins, engine/state.py) and the free
constants of an assertion (range facts, engine/encoding_modes.py).  Path conditions share long
prefixes and a function's queries repeat them; z3's Python API was slower to walk them
again than z3 was to solve.  Every entry holds its term (and so its context), so no other
term can take its key while the entry exists.
"""
from __future__ import annotations

from collections import OrderedDict

import z3

from ..solver import free_consts


_AND_NODES: "OrderedDict[tuple, tuple]" = OrderedDict()  # key -> (term, [(key, child)])
_AND_NODES_MAX = 200_000


def _key(t: z3.ExprRef) -> tuple:
    return id(t.ctx), t.get_id()


def _and_children(t: z3.BoolRef, tid: tuple):
    """[(key, child)] of an `And` term (None for anything else), remembered by its key
    (context, id): path conditions share long prefixes, and z3's Python API is slow to
    walk them again.  Each entry holds its term (and so its context), so no other term
    can take its key meanwhile."""
    hit = _AND_NODES.get(tid)
    if hit is not None:
        return hit[1]
    kids = [(_key(c), c) for c in t.children()] if z3.is_and(t) else None
    _AND_NODES[tid] = (t, kids)
    if len(_AND_NODES) > _AND_NODES_MAX:
        _AND_NODES.popitem(last=False)
    return kids


def conjuncts(t: z3.BoolRef) -> list:
    """[(key, conjunct)] of t, nested `And`s flattened (a path condition is built by
    conj)."""
    out, todo = [], [(_key(t), t)]
    while todo:
        xid, x = todo.pop()
        kids = _and_children(x, xid)
        if kids is not None:
            todo.extend(reversed(kids))
        elif not z3.is_true(x):
            out.append((xid, x))
    return out


_FREE: "OrderedDict[tuple, tuple]" = OrderedDict()     # (context, id) -> (term, consts)
_FREE_MAX = 20_000


def free_consts_of(a: z3.ExprRef) -> dict:
    """free_consts of one assertion, remembered: a function's queries repeat the same
    path conditions (Houdini rounds, one query per obligation), and walking them with
    z3's Python API again cost more than solving.  The entry holds its term, so no other
    term can take its (context, id) meanwhile."""
    key = (id(a.ctx), a.get_id())
    hit = _FREE.get(key)
    if hit is None:
        if z3.is_and(a):        # a path condition: its conjuncts recur in other queries
            found: dict = {}
            for _, c in conjuncts(a):
                found.update(free_consts_of(c))
        else:
            found = free_consts([a])
        hit = _FREE[key] = (a, found)
        if len(_FREE) > _FREE_MAX:
            _FREE.popitem(last=False)
    else:
        _FREE.move_to_end(key)
    return hit[1]
