"""Lowering of Python calls: the few builtins the subset understands (abs, min, max, int,
bool, isinstance), NumPy/ctypes conversions, calls to functions of the same file (with
their keyword and default arguments) and unknown externals (by dotted name)."""
from __future__ import annotations

from typing import Optional

import libcst as cst

from .. import ir
from .python_builtins import (CONSUMING, INT_FUNCTIONS, consuming_name, container_method,
                               int_function, len_call)
from .python_context import Signature
from .python_lengths import is_safe_call
from . import python_opaque as opaque
from .python_try import may_catch
from .python_types import fixed_type, join
from .python_values import coerce

BUILTINS = {"abs", "min", "max", "int", "bool", "isinstance", "len"}


def lower_call(lw, node: cst.Call, as_cond: bool) -> ir.Expr:
    out = _lower_call(lw, node, as_cond)
    if not is_safe_call(lw.ctx, node):
        lw.called = True        # later len(xs) reads in this expression may be stale
    return out


def _lower_call(lw, node: cst.Call, as_cond: bool) -> ir.Expr:
    ctx = lw.ctx
    func = node.func
    sig, drop_first = _program_callee(lw, func)
    if sig is not None:
        return _program_call(lw, node, sig, drop_first)
    method = container_method(lw, node, as_cond)
    if method is not None:
        return method
    head = _head_name(func)
    if head is not None and (head in ctx.locals or head in ctx.local_names
                             or head in ctx.bad_params or head in ctx.nested_defs):
        name = (f"{ctx.qualname}.<locals>.{head}" if isinstance(func, cst.Name)
                else ctx.spanner.code(func))
        return _external(lw, node, name)
    dotted = ctx.index.resolve(func)
    if dotted in CONSUMING and not _shadowed(lw, dotted):
        name = consuming_name(lw, node, dotted)
        if name != dotted:
            return _external(lw, node, name)
    if dotted in INT_FUNCTIONS and not _shadowed(lw, dotted):
        modelled = int_function(lw, node, dotted)
        if modelled is not None:
            return modelled
    if dotted in BUILTINS and not _shadowed(lw, dotted):
        return _builtin(lw, node, dotted, as_cond)
    fixed = fixed_type(dotted) if dotted else None
    if fixed is not None and len(node.args) == 1 and not node.args[0].keyword:
        if dotted.startswith("ctypes."):
            return lw.unsupported(f"ctypes object {dotted}", node)
        return coerce(lw.value(node.args[0].value), fixed, explicit=True)
    return _external(lw, node, dotted or ctx.spanner.code(func))


def _head_name(func: cst.BaseExpression) -> Optional[str]:
    while isinstance(func, cst.Attribute):
        func = func.value
    return func.value if isinstance(func, cst.Name) else None


def _shadowed(lw, name: str) -> bool:
    idx = lw.ctx.index
    return name in idx.signatures or name in idx.constants or name in idx.aliases


def _program_callee(lw, func) -> tuple[Optional[Signature], bool]:
    """The same-file function a call targets, and whether the call passes `self`
    explicitly (an instance method called through its class)."""
    ctx, sigs = lw.ctx, lw.ctx.index.signatures
    if isinstance(func, cst.Name):
        if func.value in ctx.locals or func.value in ctx.local_names:
            return None, False
        sig = sigs.get(func.value)
        return (sig, False) if sig and "." not in func.value else (None, False)
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        owner, attr = func.value.value, func.attr.value
        if ctx.class_name and ctx.self_name and owner == ctx.self_name:
            sig = sigs.get(f"{ctx.class_name}.{attr}")
            return sig, False
        if owner not in ctx.locals and owner not in ctx.local_names:
            sig = sigs.get(f"{owner}.{attr}")
            if sig is not None:
                return sig, sig.kind == "instance"
    return None, False


def _program_call(lw, node: cst.Call, sig: Signature,
                  drop_first: bool) -> ir.Expr:
    positional = [a for a in node.args if not a.keyword and not a.star]
    if any(a.star for a in node.args):
        return _external(lw, node, sig.qualname, note="call with *args or **kwargs")
    if drop_first and positional:
        positional = positional[1:]
    bound: dict[str, ir.Expr] = {}
    for pname, arg in zip(sig.params, positional):
        bound[pname] = lw.value(arg.value)
    for a in node.args:
        if a.keyword and a.keyword.value in sig.params:
            bound[a.keyword.value] = lw.value(a.value)
    args = []
    for pname, ptype in zip(sig.params, sig.types):
        if pname in bound:
            args.append(coerce(bound[pname], ptype))
        elif sig.defaults.get(pname) is not None:
            args.append(ir.Const(value=sig.defaults[pname], type=ptype, span=lw.span(node)))
        else:
            args.append(lw.unsupported(f"argument {pname} of call to {sig.qualname}", node))
    return ir.Call(func=sig.qualname, args=tuple(args), type=sig.ret or ir.MATH_INT,
                   span=lw.span(node), asserts_caught=may_catch(lw.ctx, AssertionError),
                   opaque=sig.qualname in lw.ctx.index.opaque_returns)


def _external(lw, node: cst.Call, name: str, note: str = "") -> ir.Expr:
    if note:
        return lw.unsupported(note, node)
    args = tuple(lw.value(a.value) for a in node.args)
    return ir.Call(func=name, args=args, type=ir.MATH_INT, span=lw.span(node), opaque=True)


def _builtin(lw, node: cst.Call, name: str, as_cond: bool) -> ir.Expr:
    args = [a.value for a in node.args if not a.keyword and not a.star]
    if len(args) != len(node.args):
        return _external(lw, node, name)
    span = lw.span(node)
    if name == "int":
        if not args:
            return ir.Const(value=0, span=span)
        if len(args) == 1:
            e = lw.value(args[0])
            e = coerce(e, ir.MATH_INT, explicit=True) if e.type.bounded else e
            return opaque.as_int(lw.ctx, e, f"int() of a value of unknown type at line "
                                 f"{span.line}", span)
    elif name == "bool":
        if not args:
            return ir.Const(value=0, type=ir.BOOL, span=span)
        if len(args) == 1:
            return lw.cond(args[0])
    elif name == "abs" and len(args) == 1:
        e = lw.once(lw.value(args[0]))
        t = e.type if e.type.bounded else ir.MATH_INT
        zero = ir.Const(value=0, type=t, span=span)
        test = ir.Binary(op="ge", left=e, right=zero, type=ir.BOOL, span=span)
        neg = ir.Unary(op="neg", arg=e, type=t, span=span)
        return opaque.guard(lw.ctx, ir.Ite(cond=test, then=e, orelse=neg, type=t, span=span),
                            [e], span)
    elif name in ("min", "max") and len(args) >= 2:
        out = _min_max(lw, name, args, span, node)
        return opaque.guard(lw.ctx, out, [out], span)
    elif name == "isinstance" and len(args) == 2:
        return _isinstance(lw, args, node)
    elif name == "len":
        modelled = len_call(lw, node)
        if modelled is not None:
            return modelled
    return _external(lw, node, name)


def _min_max(lw, name: str, args, span: ir.Span, node) -> ir.Expr:
    """Python returns the first extreme operand: min(a, b) = b if b < a else a."""
    acc = lw.once(lw.value(args[0]))
    for arg in args[1:]:
        e = lw.once(lw.value(arg))
        t = join(acc.type, e.type)
        if t is None:
            return lw.unsupported(f"mixing {acc.type} and {e.type}", node)
        a, b = coerce(acc, t), coerce(e, t)
        test = ir.Binary(op="lt" if name == "min" else "gt", left=b, right=a, type=ir.BOOL,
                         span=span)
        acc = ir.Ite(cond=test, then=b, orelse=a, type=t, span=span)
    return acc


_INT_CLASSES = {"int", "builtins.int", "numbers.Integral", "numbers.Number",
                "numbers.Real", "numbers.Rational", "object"}


def _isinstance(lw, args, node) -> ir.Expr:
    """isinstance(x, int) holds for every int-typed value (parameters are ints by
    assumption); a fixed-width value is an instance of its own NumPy type."""
    subject, classes = args
    ctx = lw.ctx
    if not (isinstance(subject, cst.Name) and subject.value not in ctx.non_int
            and (subject.value in ctx.param_names or subject.value in ctx.local_names)):
        return lw.unsupported("isinstance test", node, ir.BOOL)
    e = lw.value(subject)
    names = ([lw.ctx.index.resolve(el.value) for el in classes.elements]
             if isinstance(classes, cst.Tuple) else [lw.ctx.index.resolve(classes)])
    if not isinstance(e, ir.Unsupported):
        for n in names:
            if n is None:
                continue
            t = e.type
            if not t.bounded and (n in _INT_CLASSES or (n in ("bool", "builtins.bool")
                                                          and t.name == "bool")):
                return ir.Const(value=1, type=ir.BOOL, span=lw.span(node))
            if t.bounded and (fixed_type(n) == t or n in ("numpy.integer", "object")):
                return ir.Const(value=1, type=ir.BOOL, span=lw.span(node))
    return lw.unsupported("isinstance test", node, ir.BOOL)
