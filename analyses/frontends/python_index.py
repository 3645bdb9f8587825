"""IndexError obligations of Python subscripts on known sequences.

`xs[i]` (read, store, `del`, augmented) on a name known to hold a list, tuple, str, bytes
or bytearray (python_iterables: annotations, displays, literals) with one integer index
is an `Assert(kind='index')`: `-len(xs) <= i < len(xs)` over the hidden length variable
(python_lengths).  The engine makes it an `overflow`-kind finding with property `index`;
the interpreter checks the same condition, and a failing run stops there (IndexError).

The check is hoisted into the statements that run before the expression (`pre`), so
where the subscript is only evaluated conditionally (right of `and`/`or`, an
if-expression branch, a later comparison of a chain) it is guarded by the conditions
that lead there.  When that is not exact (a guard that calls something, a length read
after a call in the same expression that may change the container) the condition is
unknown, so the finding is "don't know", never a wrong verdict.  Slices never raise.
Subscripts of anything else (dicts, user classes, unknown values) get no obligation.
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from .. import ir
from . import python_lengths as L
from .python_try import check
from .python_values import is_pure, to_bool


def sequence_name(ctx, node: cst.BaseExpression) -> Optional[str]:
    """The tracked sequence `node` names, if any."""
    if isinstance(node, cst.Name) and L.tracked(ctx).get(node.value) in L.SEQUENCES:
        return node.value
    return None


def index_check(lw, node: cst.Subscript, what: str = "read") -> bool:
    """Append to lw.pre the IndexError check of `node` when it subscripts a known
    sequence with one index (the index is evaluated once, in order).  True if done."""
    name, idx = sequence_name(lw.ctx, node.value), L.single_index(node)
    if name is None or idx is None:
        return False
    span = lw.span(node)
    i = lw.once(lw.value(idx))
    length = ir.Var(name=L.len_var(name), type=ir.MATH_INT, span=span)
    _emit(lw, _in_range(i, length, span), span,
          f"IndexError: {name}[{lw.ctx.spanner.code(idx)}] ({what}) out of range", name)
    return True


_POPS = {"list": ("pop",), "bytearray": ("pop",), "deque": ("pop", "popleft")}


def pop_check(lw, node: cst.Call) -> bool:
    """`xs.pop()` / `xs.pop(i)` (and a deque's `popleft()`) on a tracked container raise
    IndexError when it is empty / i is out of range: the same obligation as `xs[i]`.
    An index other than a name or a literal is not lowered twice: the check is unknown."""
    func = node.func
    if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name)):
        return False
    name, attr = func.value.value, func.attr.value
    if attr not in _POPS.get(L.tracked(lw.ctx).get(name, ""), ()) or len(node.args) > 1 \
            or any(a.keyword or a.star for a in node.args) \
            or (attr == "popleft" and node.args):
        return False
    span = lw.span(node)
    length = ir.Var(name=L.len_var(name), type=ir.MATH_INT, span=span)
    zero = ir.Const(value=0, span=span)
    if not node.args:
        ok: ir.Expr = ir.Binary(op="lt", left=zero, right=length, type=ir.BOOL, span=span)
        text = f"{name}.{attr}() from an empty {L.tracked(lw.ctx)[name]}"
    else:
        arg = node.args[0].value
        text = f"{name}.pop({lw.ctx.spanner.code(arg)}) out of range"
        if isinstance(arg, (cst.Name, cst.Integer, cst.UnaryOperation)) and \
                isinstance(i := lw.value(arg), (ir.Var, ir.Const)):
            ok = _in_range(i, length, span)
        else:
            ok = ir.Unsupported(what=f"the index of the pop at line {span.line}",
                                type=ir.BOOL, span=span)
    _emit(lw, ok, span, f"IndexError: {text}", name)
    return True


def _in_range(i: ir.Expr, length: ir.Expr, span: ir.Span) -> ir.Expr:
    return ir.Binary(
        op="and",
        left=ir.Binary(op="le", left=ir.Unary(op="neg", arg=length, span=span),
                       right=i, type=ir.BOOL, span=span),
        right=ir.Binary(op="lt", left=i, right=length, type=ir.BOOL, span=span),
        type=ir.BOOL, span=span)


def _emit(lw, ok: ir.Expr, span: ir.Span, message: str, name: str) -> None:
    """The check, exact only when the length is current and the guards are pure."""
    if lw.called:
        ok = ir.Unsupported(what=f"the length of {name} after a call in the same expression "
                                 f"at line {span.line}", type=ir.BOOL, span=span)
    guards = list(lw.guards)
    if guards and not all(is_pure(g) for g in guards):
        ok = ir.Unsupported(what=f"the condition under which line {span.line} runs",
                            type=ir.BOOL, span=span)
    elif guards:
        g = guards[0]
        for h in guards[1:]:
            g = ir.Binary(op="and", left=g, right=h, type=ir.BOOL, span=span)
        ok = ir.Binary(op="implies", left=to_bool(g), right=ok, type=ir.BOOL, span=span)
    # inside a try whose handler catches IndexError: a jump there (python_try)
    lw.pre += check(lw.ctx, ok, span, message, IndexError)


def unmodelled_subscripts(lw, node: cst.BaseExpression) -> None:
    """Subscripts of tracked containers inside an expression that is not modelled (a
    comprehension, a lambda's caller, ...): each is a "don't know" obligation, not
    silence.  (Not inside a lambda or a nested scope's body: it does not run here.)
    One that always runs when the expression does (not in a comprehension, an `and`/`or`,
    an if-expression or a comparison chain) on an immutable sequence (str, bytes, tuple:
    no call before it in the expression changes its length) with an int literal index
    gets its exact check (`(fmt.format(s[0], s[1:]), 1)`)."""
    names = L.tracked(lw.ctx)
    top = _lazy(node)
    stack = [(c, top) for c in reversed(node.children)] if not isinstance(
        node, cst.Subscript) else [(c, top) for c in reversed(node.slice)]
    while stack:
        n, lazy = stack.pop()
        if isinstance(n, cst.Lambda):
            continue
        if isinstance(n, cst.Subscript) and isinstance(n.value, cst.Name) and (
                names.get(n.value.value) in L.SEQUENCES + ("dict",)) \
                and L.single_index(n) is not None:
            if not lazy and names[n.value.value] in ("str", "bytes", "tuple") and \
                    _int_literal(L.single_index(n)) and _exact_check(lw, n):
                stack.extend((c, lazy) for c in reversed(n.children))
                continue
            span = lw.span(n)
            error = KeyError if names[n.value.value] == "dict" else IndexError
            lw.pre += check(lw.ctx, ir.Unsupported(
                what=f"a subscript inside a {type(node).__name__} at line {span.line}",
                type=ir.BOOL, span=span), span,
                f"{error.__name__}: {lw.ctx.spanner.code(n)} out of range", error)
        lazy = lazy or _lazy(n)
        stack.extend((c, lazy) for c in reversed(n.children))


def _lazy(n: cst.CSTNode) -> bool:
    """Are the parts of n evaluated only sometimes (or in another scope, or rebinding)?"""
    return isinstance(n, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp,
                          cst.IfExp, cst.BooleanOperation, cst.NamedExpr, cst.Lambda,
                          cst.Yield, cst.Await)) or (
        isinstance(n, cst.Comparison) and len(n.comparisons) > 1)


def _int_literal(node) -> bool:
    return isinstance(node, cst.Integer) or (
        isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus)
        and isinstance(node.expression, cst.Integer))


def _exact_check(lw, node: cst.Subscript) -> bool:
    """The exact IndexError check of `node`, without the `called` rule of _emit: the
    sequence is immutable, so its length is current after any call."""
    called, lw.called = lw.called, False
    try:
        return index_check(lw, node)
    finally:
        lw.called = called
