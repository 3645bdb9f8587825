"""Lengths of Python containers as hidden integer variables `len(xs)`.

Every name known to hold a finite container (python_iterables) gets `len(xs)`, arbitrary
(>= 0) at entry; an assignment sets it (exactly for literals and displays); `len(xs)`
reads it, and a `for` over xs runs that many times.  Whatever may change a *mutable*
container behind our back resets the lengths of all mutable ones to arbitrary (>= 0):
after every statement that calls anything but a few builtins, or that assigns into, deletes
from or augments a tracked container, at the start of the branches of an `if` whose test
calls something, and so on.  Inside one expression, `len(xs)` after such a call is the
old unknown call.  Immutable containers (str, tuple, bytes, frozenset) never change.
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from .. import ir
from .python_dict_keys import display_keys
from .python_iterables import ABSTRACT, IMMUTABLE
from .python_literals import int_literal
from .python_names import kids
from .python_str_methods import STR_METHODS, str_valued

# builtin exception classes: constructing one stores its arguments and runs no other code
BUILTIN_EXCEPTIONS = {"Exception", "ValueError", "TypeError", "KeyError", "IndexError",
                      "LookupError", "RuntimeError", "AssertionError", "AttributeError",
                      "NotImplementedError", "ZeroDivisionError", "OverflowError",
                      "StopIteration", "ArithmeticError", "UnicodeError", "OSError"}
SIZED = {"str", "bytes", "tuple", "frozenset", "list", "dict", "set", "bytearray",
         "deque"} | ABSTRACT
# calls that run no user code able to change a container (on the ints the model assumes)
SAFE_CALLS = {"len", "abs", "min", "max", "int", "bool", "isinstance", "ord", "chr",
              "divmod", "range", "enumerate", "zip", "reversed", "print", "str", "repr",
              "hash", "round", "math.gcd", "math.isqrt", "math.factorial", "math.comb",
              "math.perm", "math.lcm", "sorted", "sum", "list", "tuple", "set",
              "frozenset", "any", "all"} | BUILTIN_EXCEPTIONS
# methods that do not change the container: reading them is safe
_READS = {"count", "index", "get", "keys", "values", "items", "copy", "find", "rfind",
          "startswith", "endswith", "split", "rsplit", "strip", "lstrip", "rstrip",
          "lower", "upper", "isdigit", "isalpha", "isalnum", "isspace", "join", "replace",
          "encode", "decode", "rindex", "splitlines", "partition", "rpartition", "format"}


def len_var(name: str) -> str:
    return f"len({name})"


def tracked(ctx) -> dict[str, str]:
    model = ctx.iterables
    if model is None:
        return {}
    return {n: k for n, k in model.kinds.items() if k in SIZED and n not in ctx.global_names}


EPOCH = "$epoch"


def bump(ctx, span: ir.Span) -> list[ir.Stmt]:
    """Containers may have changed: every remembered `k in c` answer is stale
    (python_membership; only in functions that test membership)."""
    if not ctx.membership:
        return []
    ctx.declare(EPOCH, ir.MATH_INT)
    var = ir.Var(name=EPOCH, type=ir.MATH_INT, span=span)
    return [ir.Assign(target=EPOCH, value=ir.Binary(
        op="add", left=var, right=ir.Const(value=1, span=span), span=span), span=span)]


def arbitrary(ctx, names, what: str, span: ir.Span) -> list[ir.Stmt]:
    """The lengths of `names` become arbitrary values >= 0."""
    vs = [len_var(n) for n in sorted(names)]
    if not vs:
        return []
    for v in vs:
        ctx.declare(v, ir.MATH_INT)
    zero = ir.Const(value=0, span=span)
    return bump(ctx, span) + [ir.Havoc(targets=vs, what=what, span=span)] + [
        ir.Assume(cond=ir.Binary(op="ge", left=ir.Var(name=v, type=ir.MATH_INT, span=span),
                                 right=zero, type=ir.BOOL, span=span), span=span)
        for v in vs]


SEQUENCES = ("list", "tuple", "str", "bytes", "bytearray")


def sequence_params(ctx) -> list[str]:
    """Parameters annotated as sequences whose IR value stands for their length (the
    integer value of such a parameter is otherwise never read: see bad_params), so a
    counterexample can name a list of that length (engine/context.call_text)."""
    return [n for n, k in tracked(ctx).items() if k in SEQUENCES and n in ctx.param_names
            and n in ctx.bad_params and n not in ctx.local_names]


def entry(ctx, span: ir.Span) -> list[ir.Stmt]:
    """Parameters' lengths are inputs (a local's is set where it is bound; a read before
    that is Python's UnboundLocalError): a sequence parameter's is its IR value (>= 0),
    any other container's is arbitrary."""
    seqs = sequence_params(ctx)
    params = [n for n in tracked(ctx) if (n in ctx.param_names or n in ctx.star_names)
              and n not in seqs]
    out: list[ir.Stmt] = []
    zero = ir.Const(value=0, span=span)
    for n in sorted(seqs):
        ctx.declare(len_var(n), ir.MATH_INT)
        p = ir.Var(name=n, type=ctx.locals.get(n, ir.MATH_INT), span=span)
        out += [ir.Assume(cond=ir.Binary(op="ge", left=p, right=zero, type=ir.BOOL, span=span),
                          span=span),
                ir.Assign(target=len_var(n), value=p, span=span)]
    return out + arbitrary(ctx, params, "the lengths of the containers at entry", span)


def invalidate(ctx, span: ir.Span) -> list[ir.Stmt]:
    """Mutable containers may have changed: their lengths are arbitrary again."""
    names = [n for n, k in tracked(ctx).items() if k not in IMMUTABLE]
    return arbitrary(ctx, names, f"a call or update at line {span.line} that may change "
                                 f"the length of a container", span)


def is_safe_call(ctx, call: cst.Call) -> bool:
    func = call.func
    model = ctx.iterables
    if isinstance(func, cst.Attribute) and model is not None and not isinstance(
            func.value, (cst.Name, cst.SimpleString)) and func.attr.value in STR_METHODS \
            and str_valued(func.value, model) and not any(a.star for a in call.args):
        return True         # singular[0].upper(): a str method runs no user code
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.SimpleString):
        attr = func.attr.value          # ', '.join(..) of a finite container, '{}'.format
        return attr in _READS and (attr not in _CONSUMING or all(
            model is not None and model.kind(a.value) is not None for a in call.args))
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
        attr = func.attr.value
        if attr in _CONSUMING and not all(
                model is not None and model.kind(a.value) is not None for a in call.args):
            return False    # iterating an unknown iterable runs its code
        if attr in _READS and tracked(ctx).get(func.value.value) not in ABSTRACT | {None}:
            return True
        if (model is not None and func.value.value in model.fresh
                and attr in _MUTATORS):
            return True     # changes only that fresh container (see fresh_updates)
    name = ctx.index.resolve(func)
    if name not in SAFE_CALLS or any(a.keyword is not None for a in call.args):
        return False
    head = name.split(".")[0]
    return (head not in ctx.local_names and head not in ctx.param_names
            and name not in ctx.index.signatures and model is not None)


def single_index(node: cst.Subscript) -> Optional[cst.BaseExpression]:
    """The index expression of `xs[i]` (None for slices and tuples of indices)."""
    if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return None
    idx = node.slice[0].slice
    return None if idx.star is not None else idx.value


def item_store(ctx, target: cst.BaseExpression) -> bool:
    """`xs[i] = v` on a tracked list (one index, not a slice): no length changes."""
    return (isinstance(target, cst.Subscript) and single_index(target) is not None
            and isinstance(target.value, cst.Name)
            and tracked(ctx).get(target.value.value) in ("list", "bytearray"))


def may_change(ctx, node: cst.CSTNode, deep: bool = False) -> bool:
    """Does evaluating `node` (a statement or a header expression; with `deep`, a whole
    block) call something that may change a container, or assign into / delete from /
    augment a tracked one?"""
    names = tracked(ctx)
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Call) and not is_safe_call(ctx, n):
            return True
        if isinstance(n, (cst.Yield, cst.Await)):
            return True                     # other code runs meanwhile
        if isinstance(n, (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.Del)):
            targets = [t.target for t in n.targets] if isinstance(n, cst.Assign) \
                else [n.target]
            for t in targets:
                if not isinstance(n, cst.Del) and item_store(ctx, t):
                    continue                # xs[i] = v: the length stays (python_index)
                if isinstance(t, cst.Subscript) and isinstance(t.value, cst.Name) \
                        and t.value.value in ctx.known_dicts:
                    continue                # its length is kept (python_known_dicts)
                if isinstance(n, cst.AugAssign) and isinstance(t, cst.Name) and t.value in names:
                    return True
                while isinstance(t, (cst.Subscript, cst.Attribute)):
                    t = t.value
                    if isinstance(t, cst.Name):
                        return True         # xs[i] = v, o.attr = v: may be a container
        if isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda)) or (
                isinstance(n, cst.IndentedBlock) and not deep):
            continue                        # not evaluated here (blocks: their own stmts)
        stack.extend(kids(n))
    return False


def assigned(ctx, name: str, value: cst.BaseExpression, span: ir.Span) -> list[ir.Stmt]:
    """`name = value` for a tracked name: its length."""
    if name not in tracked(ctx):
        return []
    e = length_expr(ctx, value, span)
    if e is None:
        return arbitrary(ctx, [name], f"the length of {name} at line {span.line}", span)
    ctx.declare(len_var(name), ir.MATH_INT)
    return [ir.Assign(target=len_var(name), value=e, span=span)]


def length_expr(ctx, value: cst.BaseExpression, span: ir.Span) -> Optional[ir.Expr]:
    """The length of a container expression, over the length variables, when exact."""
    n = literal_length(ctx, value)
    if n is not None:
        return ir.Const(value=n, span=span)
    if isinstance(value, cst.BinaryOperation) and isinstance(value.operator, cst.Add):
        a, b = length_expr(ctx, value.left, span), length_expr(ctx, value.right, span)
        if a is not None and b is not None and ctx.iterables.kind(value) in (
                "list", "tuple", "str", "bytes"):
            return ir.Binary(op="add", left=a, right=b, span=span)
        return None
    if isinstance(value, cst.Subscript):
        return _slice_length(ctx, value, span)
    return length_of(ctx, value)


def _slice_length(ctx, node: cst.Subscript, span: ir.Span) -> Optional[ir.Expr]:
    """len(xs[a:b]) for a tracked sequence xs and int-literal (or absent) bounds, no step:
    Python clamps each bound into [0, len(xs)] (a negative one counts from the end)."""
    if not (isinstance(node.value, cst.Name) and tracked(ctx).get(node.value.value) in (
            "list", "tuple", "str", "bytes", "bytearray")) or len(node.slice) != 1:
        return None
    sl = node.slice[0].slice
    if not isinstance(sl, cst.Slice) or sl.step is not None:
        return None
    bounds = []
    for b in (sl.lower, sl.upper):
        v = None if b is None else int_literal(b)
        if b is not None and v is None:
            return None
        bounds.append(v)
    n = ir.Var(name=len_var(node.value.value), type=ir.MATH_INT, span=span)

    def c(k: int) -> ir.Expr:
        return ir.Const(value=k, span=span)

    def clamp(i: Optional[int], default: ir.Expr) -> ir.Expr:
        if i is None:
            return default
        if i >= 0:          # min(i, n)
            return ir.Ite(cond=ir.Binary(op="le", left=c(i), right=n, type=ir.BOOL,
                                         span=span), then=c(i), orelse=n, span=span)
        shifted = ir.Binary(op="add", left=n, right=c(i), span=span)    # max(n + i, 0)
        return ir.Ite(cond=ir.Binary(op="ge", left=shifted, right=c(0), type=ir.BOOL,
                                     span=span), then=shifted, orelse=c(0), span=span)
    lo, hi = clamp(bounds[0], c(0)), clamp(bounds[1], n)
    diff = ir.Binary(op="sub", left=hi, right=lo, span=span)
    return ir.Ite(cond=ir.Binary(op="ge", left=diff, right=c(0), type=ir.BOOL, span=span),
                  then=diff, orelse=c(0), span=span)


_CONSUMING = {"join", "extend", "update", "extendleft", "difference_update",
              "intersection_update", "symmetric_difference_update"}
_GROW_ONE = {"append", "insert", "appendleft"}
_MUTATORS = {"append", "insert", "appendleft", "add", "extend", "update", "pop", "popleft",
             "popitem", "remove", "discard", "clear", "setdefault", "extendleft",
             "difference_update", "intersection_update", "symmetric_difference_update"}


def fresh_updates(ctx, node: cst.CSTNode, span: ir.Span) -> list[ir.Stmt]:
    """Lengths after a statement that mutates fresh local containers by their methods:
    `out.append(v)` as a statement (or `x = out.pop()`) adds one, `out.pop()` removes
    one (after its IndexError check), `out.clear()` empties; others: arbitrary."""
    model = ctx.iterables
    if model is None or not model.fresh:
        return []
    value = node.value if isinstance(node, cst.Expr) or (
        isinstance(node, cst.Assign) and len(node.targets) == 1
        and isinstance(node.targets[0].target, cst.Name)) else None
    if isinstance(node, cst.Assign) and isinstance(value, cst.Call) and isinstance(
            value.func, cst.Attribute) and isinstance(value.func.value, cst.Name) \
            and value.func.value.value == node.targets[0].target.value:
        value = None                    # `xs = xs.pop()`: rebinds xs (its length is set)
    if isinstance(value, cst.Call):
        call = value
        f = call.func
        if (isinstance(f, cst.Attribute) and isinstance(f.value, cst.Name)
                and f.value.value in model.fresh and f.value.value in tracked(ctx)
                and not _mutated_fresh(ctx, call.args)):
            v = len_var(f.value.value)
            ctx.declare(v, ir.MATH_INT)
            var = ir.Var(name=v, type=ir.MATH_INT, span=span)
            if f.attr.value in _GROW_ONE:
                one = ir.Const(value=1, span=span)
                return [ir.Assign(target=v, value=ir.Binary(op="add", left=var, right=one,
                                                            span=span), span=span)]
            if f.attr.value == "clear":
                return [ir.Assign(target=v, value=ir.Const(value=0, span=span), span=span)]
            if f.attr.value == "pop" and len(call.args) <= 1 and tracked(ctx)[
                    f.value.value] in ("list", "bytearray"):    # checked non-empty before
                one = ir.Const(value=1, span=span)
                return [ir.Assign(target=v, value=ir.Binary(op="sub", left=var, right=one,
                                                            span=span), span=span)]
    names = _mutated_fresh(ctx, [node])
    return arbitrary(ctx, names, f"the length of a container at line {span.line}", span)


def _mutated_fresh(ctx, nodes) -> set[str]:
    out: set[str] = set()
    stack = list(nodes)
    fresh = ctx.iterables.fresh
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) \
                and isinstance(n.func.value, cst.Name) and n.func.value.value in fresh \
                and n.func.attr.value in _MUTATORS:
            out.add(n.func.value.value)
        stack.extend(kids(n))
    return out & set(tracked(ctx))


def literal_length(ctx, value: cst.BaseExpression) -> Optional[int]:
    model = ctx.iterables
    if model is None:
        return None
    if isinstance(value, (cst.Dict, cst.Set)) and not value.elements:
        return 0
    if isinstance(value, cst.Dict) and display_keys(value) is not None:
        return len(display_keys(value))         # distinct literal keys
    if isinstance(value, (cst.Tuple, cst.List, cst.SimpleString)) or isinstance(value, cst.Call):
        return model.literal_length(value)
    return None


def length_of(ctx, it: cst.BaseExpression) -> Optional[ir.Expr]:
    """The length of a `for` iterable as an IR expression over the length variables."""
    names = tracked(ctx)
    span = ctx.spanner.span(it)
    if isinstance(it, cst.Name) and it.value in names:
        return ir.Var(name=len_var(it.value), type=ir.MATH_INT, span=span)
    model = ctx.iterables
    if isinstance(it, cst.Call) and model is not None and it.args \
            and not any(a.star or a.keyword for a in it.args):
        name = model.builtin(it.func)
        if name in ("enumerate", "reversed", "sorted", "list", "tuple") and len(it.args) == 1:
            return length_of(ctx, it.args[0].value)
        if isinstance(it.func, cst.Attribute) and it.func.attr.value in (
                "keys", "values", "items") and not it.args:
            return length_of(ctx, it.func.value)
    if isinstance(it, cst.Call) and isinstance(it.func, cst.Attribute) and not it.args \
            and it.func.attr.value in ("keys", "values", "items"):
        return length_of(ctx, it.func.value)
    return None
