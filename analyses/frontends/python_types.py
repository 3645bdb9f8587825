"""Python annotations -> IR integer types, and NumPy's promotion rule for fixed-width ints.

Python ints are unbounded (MATH_INT).  Only NumPy fixed-width scalars and ctypes integers
are bounded: their arithmetic wraps, so the engine checks it for overflow.
"""
from __future__ import annotations

from typing import Optional

from .. import ir

BOOL_PARAM = ir.IntT(None, True, "bool")     # a bool parameter: an int constrained to 0/1


def _fixed_table() -> dict[str, ir.IntT]:
    table: dict[str, ir.IntT] = {}
    for bits in (8, 16, 32, 64):
        table[f"numpy.int{bits}"] = ir.IntT(bits, True, f"np.int{bits}")
        table[f"numpy.uint{bits}"] = ir.IntT(bits, False, f"np.uint{bits}")
        table[f"ctypes.c_int{bits}"] = ir.IntT(bits, True, f"ctypes.c_int{bits}")
        table[f"ctypes.c_uint{bits}"] = ir.IntT(bits, False, f"ctypes.c_uint{bits}")
    aliases = {  # NumPy C-named scalar types (LP64) and ctypes' C-named ones
        "numpy.byte": (8, True), "numpy.ubyte": (8, False), "numpy.short": (16, True),
        "numpy.ushort": (16, False), "numpy.intc": (32, True), "numpy.uintc": (32, False),
        "numpy.int_": (64, True), "numpy.intp": (64, True), "numpy.uintp": (64, False),
        "numpy.longlong": (64, True), "numpy.ulonglong": (64, False),
        "ctypes.c_byte": (8, True), "ctypes.c_ubyte": (8, False),
        "ctypes.c_short": (16, True), "ctypes.c_ushort": (16, False),
        "ctypes.c_int": (32, True), "ctypes.c_uint": (32, False),
        "ctypes.c_long": (64, True), "ctypes.c_ulong": (64, False),
        "ctypes.c_longlong": (64, True), "ctypes.c_ulonglong": (64, False),
        "ctypes.c_size_t": (64, False), "ctypes.c_ssize_t": (64, True),
    }
    for full, (bits, signed) in aliases.items():
        short = full.replace("numpy.", "np.")
        table[full] = ir.IntT(bits, signed, short)
    return table


FIXED_TYPES = _fixed_table()


def fixed_type(dotted: str) -> Optional[ir.IntT]:
    """The bounded type named by a resolved dotted name ('numpy.int8'), if any."""
    return FIXED_TYPES.get(dotted)


def annotation_kind(dotted: Optional[str]) -> tuple[str, Optional[ir.IntT]]:
    """Classify a resolved annotation name: ('int'|'bool'|'fixed'|'none'|'other', type)."""
    if dotted is None:
        return "other", None
    if dotted in ("int", "builtins.int", "typing.SupportsInt"):
        return "int", ir.MATH_INT
    if dotted in ("bool", "builtins.bool"):
        return "bool", BOOL_PARAM
    if dotted in ("None", "typing.NoReturn", "typing.Never"):
        return "none", None
    t = fixed_type(dotted)
    if t is not None:
        return "fixed", t
    return "other", None


def join(a: ir.Type, b: ir.Type) -> Optional[ir.IntT]:
    """Result type of a binary integer operation (NumPy 2 / NEP 50 promotion).

    Python ints are 'weak': int8 + int stays int8.  None means the result is a float
    (int64 mixed with uint64), which is outside the subset."""
    a = a if isinstance(a, ir.IntT) else ir.MATH_INT
    b = b if isinstance(b, ir.IntT) else ir.MATH_INT
    if not a.bounded and not b.bounded:
        return ir.MATH_INT
    if not a.bounded:
        return b
    if not b.bounded or a == b:
        return a
    if a.signed == b.signed:
        return a if a.bits >= b.bits else b
    s, u = (a, b) if a.signed else (b, a)
    if s.bits > u.bits:
        return s
    bits = 2 * max(s.bits, u.bits)
    return ir.IntT(bits, True, f"np.int{bits}") if bits <= 64 else None


def same_domain(a: ir.Type, b: ir.Type) -> bool:
    """Whether two int types can meet in one operation without a Cast (unbounded types
    of any name are interchangeable; bounded ones must be identical)."""
    if isinstance(a, ir.IntT) and isinstance(b, ir.IntT):
        return a == b or (not a.bounded and not b.bounded)
    return a == b
