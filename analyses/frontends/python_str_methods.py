"""Methods of str values that are not names: `singular[0].upper()`, `s.strip().lower()`,
`s[1:].startswith('x')`.

A str method runs no user code and always returns (a str, a bool or an int), so such a
call is no unknown function: the receiver is evaluated (with its own IndexError check:
`singular[0]`), the arguments too, and the result is an arbitrary value (what depends on
it is "don't know", as for reading methods of known containers, python_builtins)."""
from __future__ import annotations

from typing import Optional

import libcst as cst

from .. import ir

# str methods that take no iterable and call nothing of the user's (`format`, `join`,
# `format_map` and `translate` can)
STR_METHODS = {"upper", "lower", "strip", "lstrip", "rstrip", "casefold", "title",
               "capitalize", "swapcase", "startswith", "endswith", "isdigit", "isalpha",
               "isalnum", "isspace", "isupper", "islower", "isnumeric", "isdecimal",
               "isidentifier", "isprintable", "istitle", "isascii", "find", "rfind",
               "count", "replace", "zfill", "center", "ljust", "rjust", "removeprefix",
               "removesuffix", "expandtabs", "split", "rsplit", "splitlines", "partition",
               "rpartition", "index", "rindex", "encode"}
# those whose result is a str again (so a chain `s.strip().lower()` stays a str)
_STR_RESULT = {"upper", "lower", "strip", "lstrip", "rstrip", "casefold", "title",
               "capitalize", "swapcase", "replace", "zfill", "center", "ljust", "rjust",
               "removeprefix", "removesuffix", "expandtabs"}


def str_valued(node: cst.BaseExpression, model) -> bool:
    """Is node's value a str by the source alone?"""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
        return not (isinstance(node, cst.SimpleString) and "b" in node.prefix.lower())
    if isinstance(node, cst.Name):
        return model.kinds.get(node.value) == "str"
    if isinstance(node, cst.Subscript) and len(node.slice) == 1:
        return str_valued(node.value, model)      # s[i] and s[a:b] are str
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) \
            and node.func.attr.value in _STR_RESULT and str_valued(node.func.value, model):
        return True
    return False


def str_method(lw, node: cst.Call, as_cond: bool) -> Optional[ir.Expr]:
    """The IR of a str method call on a str-valued receiver that is not a plain name
    (python_builtins handles names), or None."""
    func, model = node.func, lw.ctx.iterables
    if (model is None or not isinstance(func, cst.Attribute) or lw.cond_depth > 0
            or isinstance(func.value, (cst.Name, cst.SimpleString))
            or func.attr.value not in STR_METHODS or not str_valued(func.value, model)
            or any(a.star or a.keyword is not None for a in node.args)):
        return None
    if any(not _simple_arg(a.value, model) for a in node.args):
        return None
    for part in [func.value] + [a.value for a in node.args]:
        e = lw.value(part)                  # evaluated for its checks (singular[0])
        if not isinstance(e, (ir.Const, ir.Var, ir.Unsupported)):
            lw.pre.append(ir.ExprStmt(expr=e, span=e.span))
    code = lw.ctx.spanner.code(func)
    return lw.unsupported(f"the result of {code}()", node, ir.BOOL if as_cond else ir.MATH_INT)


def _simple_arg(node: cst.BaseExpression, model) -> bool:
    """An argument whose evaluation calls nothing (a literal, a name, an int expression)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, (cst.Call, cst.Lambda, cst.Yield, cst.Await, cst.ListComp,
                          cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            return False
        stack.extend(c for c in n.children if isinstance(c, cst.BaseExpression))
    return True
