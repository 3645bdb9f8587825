"""Pieces the C expression lowering (c_expr) and the call lowering (c_calls) share: the
signature of a C function, the SV-COMP/libc names with a fixed meaning, and small IR
predicates.  Kept apart so that c_calls does not import c_expr (which calls into it)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .. import ir
from .c_types import CType

NONDET = {"int": ir.C_INT, "uint": ir.C_UINT, "unsigned": ir.C_UINT,
          "unsigned_int": ir.C_UINT, "char": ir.C_CHAR, "uchar": ir.C_UCHAR,
          "short": ir.C_SHORT, "ushort": ir.C_USHORT, "longlong": ir.C_LLONG,
          "ulonglong": ir.C_ULLONG, "bool": ir.C_BOOL, "_Bool": ir.C_BOOL,
          "s8": ir.C_SCHAR, "u8": ir.C_UCHAR, "s16": ir.C_SHORT, "u16": ir.C_USHORT,
          "s32": ir.C_INT, "u32": ir.C_UINT, "s64": ir.C_LLONG, "u64": ir.C_ULLONG}
HALTS = {"abort", "exit", "_Exit", "__builtin_abort", "__builtin_trap", "quick_exit"}
ERRORS = {"reach_error", "__VERIFIER_error"}


@dataclass
class FuncSig:
    ret: CType                        # VOID for void
    params: Optional[list[CType]]     # None: unprototyped
    variadic: bool = False
    # For a function defined in this file: the argument positions that bind to the IR
    # function's parameters (its named integer parameters), in order.  A call passes
    # exactly these arguments, so the engine binds each value to the right parameter.
    positions: Optional[list[int]] = None


def is_int(t) -> bool:
    return isinstance(t, ir.IntT)


def impure(e: ir.Expr) -> bool:
    if isinstance(e, (ir.Call, ir.Nondet)):
        return True
    return any(isinstance(v, ir.Expr) and impure(v) for v in vars(e).values()) or \
        any(impure(a) for a in getattr(e, "args", ()))


def has_call(e: ir.Expr) -> bool:
    if isinstance(e, ir.Call):
        return True
    return any(isinstance(v, ir.Expr) and has_call(v) for v in vars(e).values()) or \
        any(has_call(a) for a in getattr(e, "args", ()))
