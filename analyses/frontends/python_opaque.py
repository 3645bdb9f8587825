"""Python values of unknown type stay out of integer reasoning.

The engine reads an unmodelled value (`ir.Unsupported`, an unknown function's result) as
an arbitrary int: sound where the value is an int, wrong where it is not.  `0.5 % 1 == 0`
is false, `float('nan') == float('nan')` is false, `x + 1 > x` fails for `x = 1e16`; each
held "for all ints" and was proved.  So in the Python frontend such a value is *opaque*:

* sources: every unmodelled construct (a float literal, a true division, an attribute of
  unknown type, ...), an unknown function's result, a parameter annotated with a non-int
  type, and a local variable the function ever binds to an opaque value (found by
  lowering again with those names as opaque: `taint`);
* sinks: an arithmetic operation, a negation or a comparison with an opaque operand is
  itself an unknown value (`result`), so no property is proved from the value's int
  semantics; its operands are still evaluated (their own checks, calls and effects).

Truth tests (`if x:`) and the counts of modelled builtins (`len(..)`) stay as they are.
"""
from __future__ import annotations

from typing import Optional

from .. import ir


def is_opaque(e: ir.Expr) -> bool:
    """Does e's value depend on an opaque value (not through a modelled call)?"""
    if isinstance(e, ir.Unsupported):
        return e.opaque
    if isinstance(e, ir.Call):
        return e.opaque
    if isinstance(e, (ir.Binary, ir.Unary, ir.Ite, ir.Cast)):
        return any(is_opaque(v) for v in vars(e).values() if isinstance(v, ir.Expr))
    return False


def first_opaque(e: ir.Expr) -> Optional[str]:
    """The reason of the first opaque value inside e (for the message), or None."""
    if isinstance(e, ir.Unsupported):
        return e.what if e.opaque else None
    if isinstance(e, ir.Call):
        return f"the result of `{e.func}` (of unknown type)" if e.opaque else None
    if isinstance(e, (ir.Binary, ir.Unary, ir.Ite, ir.Cast)):
        for v in vars(e).values():
            if isinstance(v, ir.Expr):
                found = first_opaque(v)
                if found is not None:
                    return found
    return None


def result(operands: list, typ: ir.Type, span: ir.Span) -> ir.Expr:
    """An unknown value of typ standing for an operation on opaque operands, after the
    operands' evaluation (`unknown + 0 * operand`: their checks and calls still run)."""
    why = next((w for w in map(first_opaque, operands) if w is not None), "an opaque value")
    out: ir.Expr = ir.Unsupported(what=why, type=ir.MATH_INT, span=span, opaque=True)
    for op in reversed(operands):
        if isinstance(op, ir.Unsupported):
            continue
        zero = ir.Const(value=0, span=op.span)
        kept = ir.Binary(op="mul", left=_as_int(op), right=zero, type=ir.MATH_INT,
                         span=op.span)
        out = ir.Binary(op="add", left=kept, right=out, type=ir.MATH_INT, span=span)
    if typ == ir.BOOL:
        return ir.Binary(op="ne", left=out, right=ir.Const(value=0, span=span),
                         type=ir.BOOL, span=span)
    return out


def _as_int(e: ir.Expr) -> ir.Expr:
    if e.type == ir.BOOL:
        return ir.Ite(cond=e, then=ir.Const(value=1, span=e.span),
                      orelse=ir.Const(value=0, span=e.span), type=ir.MATH_INT, span=e.span)
    if isinstance(e.type, ir.IntT) and e.type.bounded:
        return ir.Cast(arg=e, type=ir.MATH_INT, span=e.span)
    return e


def tainted_locals(body: list, names: set) -> dict:
    """Locals among `names` that some assignment of the lowered body binds to an opaque
    value: name -> why."""
    out: dict = {}
    stack = list(body)
    while stack:
        s = stack.pop()
        if isinstance(s, ir.Assign) and s.target in names and s.target not in out \
                and is_opaque(s.value):
            out[s.target] = f"the value of {s.target} ({first_opaque(s.value)})"
        elif isinstance(s, ir.Havoc):           # e.g. the target of an unknown iteration
            for t in s.targets:
                if t in names and t not in out:
                    out[t] = f"the value of {t} ({s.what})"
        for sub in ("then", "orelse", "body", "update"):
            stack.extend(getattr(s, sub, None) or [])
    return out
