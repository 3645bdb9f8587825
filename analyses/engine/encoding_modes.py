"""Which z3 encoding the IR's integers get right now: a thread's encoding modes.

Unbounded ints are z3 Int (or, in C contracts, a bit-vector wide enough that no term
wraps: math_width); bounded C integers are bit-vectors, or z3 Ints in their type's range
under the integer model (int_model); signed C integers may be read as unbounded while
looking for non-termination (unbounded_signed).  encode.py and encode_ops.py build terms
under whatever mode is on; the engine's drivers switch them.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

import z3

from .. import ir
from .term_memo import free_consts_of as _free_consts_of

_MATH = threading.local()


def math_bits():
    """Width used for unbounded (ACSL) integers in C code, or None for z3 Int.

    C contracts are mathematical-integer terms over bit-vector variables; mixing z3 Int
    with BV2Int makes z3 give up, so they are evaluated exactly in a bit-vector wide
    enough that no term in the function can wrap (see math_width)."""
    return getattr(_MATH, "bits", None)


def signed_math() -> bool:
    """Are signed C integers read as unbounded mathematical integers?  Only while looking
    for non-termination as SV-COMP defines it (runs that go on forever over unbounded
    integers even if a real run would overflow first); never for proofs."""
    return getattr(_MATH, "signed", False)


@contextmanager
def unbounded_signed(on: bool = True, bits=None):
    """Read signed C integers as unbounded (on) or as exact bit-vectors (off, with `bits`
    the width for contract terms, see math_width)."""
    old = (getattr(_MATH, "signed", False), getattr(_MATH, "bits", None))
    _MATH.signed, _MATH.bits = on, (None if on else bits)
    try:
        yield
    finally:
        _MATH.signed, _MATH.bits = old


def unbounded(t) -> bool:
    """Is t encoded as a z3 Int-like mathematical integer (no wrap-around)?"""
    return isinstance(t, ir.IntT) and (
        t.bits is None or (t.signed and t.name != "_Bool" and signed_math()))


def int_model_on() -> bool:
    return getattr(_MATH, "intmodel", False)


@contextmanager
def int_model(on: bool = True):
    """Encode C integers as mathematical integers in their type's range (intmodel.py)
    instead of bit-vectors.  Contract terms are then plain z3 Ints.  Every constant made
    meanwhile is registered with its range (see range_facts)."""
    old = (int_model_on(), getattr(_MATH, "bits", None), getattr(_MATH, "ranges", None),
           getattr(_MATH, "facts", None))
    _MATH.intmodel = on
    if on:
        _MATH.bits, _MATH.ranges, _MATH.facts = None, {}, {}
    try:
        yield
    finally:
        _MATH.intmodel, _MATH.bits, _MATH.ranges, _MATH.facts = old


@contextmanager
def bit_vectors():
    """Bit-vector encoding for one bitwise operation inside the integer model."""
    old = int_model_on()
    _MATH.intmodel = False
    try:
        yield
    finally:
        _MATH.intmodel = old


def int_sorted(t) -> bool:
    """Is the bounded C integer type t encoded as a z3 Int (the integer model)?"""
    return (isinstance(t, ir.IntT) and t.bits is not None and t.name != "_Bool"
            and int_model_on() and not unbounded(t))


def range_facts(assertions: list) -> list:
    """Type-range facts of the integer model's constants that occur in assertions (sound:
    every value of a C variable lies in its type's range)."""
    ranges = getattr(_MATH, "ranges", None)
    if not ranges:
        return []
    consts: dict = {}
    for a in assertions:
        consts.update(_free_consts_of(a))
    facts = _MATH.facts      # (name, context, term id) -> (range, fact, term): a function's
    out = []                 # queries repeat the same constants; z3's API is slow to rebuild
    for name, c in consts.items():
        r = ranges.get(name)
        if r is None:
            continue
        key = (name, id(c.ctx), c.get_id())
        hit = facts.get(key)
        if hit is None or hit[0] != r:
            fact = z3.And(c >= r[0], c <= r[1]) if c.sort().kind() == z3.Z3_INT_SORT else None
            hit = facts[key] = (r, fact, c)  # holds c: no other term takes its id meanwhile
        if hit[1] is not None:
            out.append(hit[1])
    return out


def note_range(name: str, t) -> None:
    """Register the integer model's constant `name` of type t with its type's range."""
    if int_sorted(t):
        ranges = _MATH.ranges
        lo, hi = ranges.get(name, (t.min, t.max))
        ranges[name] = (min(lo, t.min), max(hi, t.max))    # a name reused: the union


@contextmanager
def math_width(bits):
    old = getattr(_MATH, "bits", None)
    _MATH.bits = bits
    try:
        yield
    finally:
        _MATH.bits = old
