"""The IR's source spans and integer types (see ir.py for the design rules).

Import these through `ir` like every other IR name; this module only keeps ir.py short.
"""
from __future__ import annotations

from dataclasses import dataclass
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
