"""A model of the container methods and integer builtins real Python code calls.

Methods are only modelled on names known to hold a finite container (python_iterables):
* reading methods (`xs.count(v)`, `d.get(k)`, `s.find(t)`, ...) always return; their
  value is arbitrary ("don't know" for what depends on it);
* mutating methods (`out.append(v)`, `.add`, `.insert`, `.extend(<finite>)`, `.pop()`, ...)
  only on *fresh* locals (bound only to new objects, so no alias of a container a `for`
  loop iterates): they return, and their arguments are still evaluated (and checked).
Anything else stays an unknown function.  Integer builtins: `len(x) >= 0`; math.gcd,
isqrt, factorial, comb, perm and divmod / pow with literal exponents are in python_calls.
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from .. import ir
from . import python_lengths as L
from .python_index import pop_check
from .python_str_methods import str_method
from .python_iterables import ABSTRACT, MUTABLE, READ_METHODS

_READS = READ_METHODS | {"isupper", "islower", "isnumeric", "isdecimal", "isidentifier",
                         "isprintable", "istitle", "isascii", "casefold", "title",
                         "capitalize", "swapcase", "zfill", "center", "ljust", "rjust",
                         "removeprefix", "removesuffix", "expandtabs", "hex", "bit_length",
                         "most_common", "elements", "total"}
# methods that consume an iterable argument: it must be finite
_CONSUME = {"join", "union", "intersection", "difference", "symmetric_difference",
            "issubset", "issuperset", "isdisjoint", "extend", "update", "extendleft",
            "difference_update", "intersection_update", "symmetric_difference_update"}
_MUTATE_NONE = {"append", "add", "insert", "clear", "sort", "reverse", "discard",
                "appendleft", "extend", "update", "extendleft", "difference_update",
                "intersection_update", "symmetric_difference_update", "rotate"}
_MUTATE_VALUE = {"pop", "popleft", "popitem", "setdefault", "remove"}


def container_method(lw, node: cst.Call, as_cond: bool) -> Optional[ir.Expr]:
    """The IR for `name.method(args)` on a known finite container, or None (unknown)."""
    func, model = node.func, lw.ctx.iterables
    if isinstance(func, cst.Attribute) and not isinstance(func.value, (cst.Name,
                                                                     cst.SimpleString)):
        return str_method(lw, node, as_cond)     # singular[0].upper()
    checked = pop_check(lw, node)       # IndexError of xs.pop() (python_index)
    if (model is None or not isinstance(func, cst.Attribute) or lw.cond_depth > 0
            or not isinstance(func.value, (cst.Name, cst.SimpleString))):
        return None
    if isinstance(func.value, cst.SimpleString):       # ', '.join(..), '{}'.format(..)
        name, attr, kind = "a string literal", func.attr.value, "str"
    else:
        name, attr = func.value.value, func.attr.value
        kind = model.kinds.get(name)
    if kind is None or kind in ABSTRACT or any(a.star for a in node.args):
        return None         # a Sequence/Mapping annotation: its methods are any code
    if not all(a.keyword is None or model._keyword_ok(a.keyword.value, a.value)
               for a in node.args):
        return None
    args = [a.value for a in node.args if a.keyword is None]
    if attr in _CONSUME and not all(model.kind(a) is not None for a in args):
        return None
    mutates = attr in _MUTATE_NONE or attr in _MUTATE_VALUE
    if mutates and (name not in model.fresh or kind not in MUTABLE):
        return None
    if not mutates and attr not in _READS:
        return None
    for a in args:                      # evaluated for their effects (and checks)
        e = lw.value(a)
        if not isinstance(e, (ir.Const, ir.Var, ir.Unsupported)):
            lw.pre.append(ir.ExprStmt(expr=e, span=e.span))
    span = lw.span(node)
    if attr in _MUTATE_NONE:
        return ir.Const(value=0, type=ir.BOOL if as_cond else ir.MATH_INT, span=span)
    e = lw.unsupported(f"the result of {name}.{attr}()", node,
                       ir.BOOL if as_cond else ir.MATH_INT)
    if checked:         # a pop after its IndexError check cannot fail (python_index)
        return ir.Unsupported(what=e.what, type=e.type, span=e.span, lazy=True, opaque=True)
    return e


def len_call(lw, node: cst.Call) -> Optional[ir.Expr]:
    """len(x): a constant for a string literal or display; the length variable of a
    tracked container (python_lengths); else the (unknown) call's result, known to be
    >= 0 when it can be hoisted."""
    args = node.args
    if len(args) != 1 or args[0].keyword is not None or args[0].star:
        return None
    arg, span = args[0].value, lw.span(node)
    if isinstance(arg, cst.SimpleString):
        try:
            return ir.Const(value=len(arg.evaluated_value), span=span)
        except Exception:
            return None
    if isinstance(arg, (cst.Tuple, cst.List)) and all(
            isinstance(e, cst.Element) for e in arg.elements) and (
            lw.ctx.iterables is not None and lw.ctx.iterables.kind(arg) is not None):
        return ir.Const(value=len(arg.elements), span=span)
    if isinstance(arg, cst.Name) and arg.value in L.tracked(lw.ctx) and not lw.called:
        return ir.Var(name=L.len_var(arg.value), type=ir.MATH_INT, span=span)
    if lw.cond_depth > 0:
        return None
    e = lw.value(arg)
    call = ir.Call(func="len", args=(e,), type=ir.MATH_INT, span=span)
    tmp = lw.ctx.fresh("len")
    v = ir.Var(name=tmp, type=ir.MATH_INT, span=span)
    lw.pre += [ir.Assign(target=tmp, value=call, span=span),
               ir.Assume(cond=ir.Binary(op="ge", left=v, right=ir.Const(value=0, span=span),
                                        type=ir.BOOL, span=span), span=span)]
    return v


# builtins that iterate over their argument: they hang on an infinite iterator
CONSUMING = {"sum", "sorted", "list", "tuple", "set", "dict", "frozenset", "any", "all",
             "min", "max", "bytes", "bytearray", "str.join", "collections.deque",
             "collections.Counter", "collections.OrderedDict", "heapq.heapify",
             "heapq.nlargest", "heapq.nsmallest", "math.prod", "math.fsum"}


def consuming_name(lw, node: cst.Call, name: str) -> str:
    """The name to call a builtin that iterates its argument by: its own (a library
    function that returns) when the iterable is known finite and no key function may hang,
    otherwise a name no library knows (so the call may not return)."""
    model = lw.ctx.iterables
    pos = [a.value for a in node.args if a.keyword is None and not a.star]
    if any(a.star for a in node.args) or model is None:
        return f"{name} of a possibly infinite iterable"
    if not all(model._keyword_ok(a.keyword.value, a.value) or (
            name == "dict" and model._pure(a.value)) for a in node.args if a.keyword):
        return f"{name} with a key function that may not return"
    if name in ("min", "max") and len(pos) >= 2:
        return name if all(model._pure(a) for a in pos) else f"{name} of arguments"
    if not pos:
        return name
    if model.kind(pos[0]) is None or not all(model._pure(a) for a in pos[1:]):
        return f"{name} of a possibly infinite iterable"
    return name


def _ge(left: ir.Expr, right: ir.Expr, span: ir.Span) -> ir.Expr:
    return ir.Binary(op="ge", left=left, right=right, type=ir.BOOL, span=span)


def _facts(name: str, r: ir.Expr, args: list[ir.Expr], span: ir.Span) -> list[ir.Expr]:
    """What a math function's result r satisfies when the call returns (facts that never
    exclude a run: the call may be evaluated ahead of calls written before it)."""
    zero, one = ir.Const(value=0, span=span), ir.Const(value=1, span=span)
    if name in ("math.gcd", "math.comb", "math.perm", "math.lcm"):
        return [_ge(r, zero, span)]
    if name == "math.factorial":
        return [_ge(r, one, span)]
    if name == "math.isqrt" and len(args) == 1:
        n = args[0]
        sq = ir.Binary(op="mul", left=r, right=r, span=span)
        r1 = ir.Binary(op="add", left=r, right=one, span=span)
        sq1 = ir.Binary(op="mul", left=r1, right=r1, span=span)
        exact = ir.Binary(op="and", left=_ge(n, sq, span), right=ir.Binary(
            op="lt", left=n, right=sq1, type=ir.BOOL, span=span), type=ir.BOOL, span=span)
        # conditional: the call may be hoisted before earlier calls, so it must not prune
        # the paths where it raises (n < 0)
        return [_ge(r, zero, span), ir.Binary(op="implies", left=_ge(n, zero, span),
                                              right=exact, type=ir.BOOL, span=span)]
    return []


INT_FUNCTIONS = {"math.gcd", "math.comb", "math.perm", "math.lcm", "math.factorial",
                 "math.isqrt"}


def int_function(lw, node: cst.Call, name: str) -> Optional[ir.Expr]:
    """A call of a math integer function: the (unknown) result with what it satisfies."""
    if lw.cond_depth > 0 or any(a.keyword is not None or a.star for a in node.args):
        return None
    span = lw.span(node)
    args = [lw.once(lw.value(a.value)) for a in node.args]
    if any(isinstance(a.type, ir.IntT) and a.type.bounded for a in args):
        return None
    tmp = lw.ctx.fresh("r")
    v = ir.Var(name=tmp, type=ir.MATH_INT, span=span)
    lw.pre.append(ir.Assign(target=tmp, value=ir.Call(func=name, args=tuple(args),
                                                      type=ir.MATH_INT, span=span), span=span))
    lw.pre += [ir.Assume(cond=c, span=span) for c in _facts(name, v, args, span)]
    return v
