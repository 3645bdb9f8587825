"""Which names a piece of Python code binds (Python's scoping: any binding makes a name
local to the whole function), without descending into nested scopes."""
from __future__ import annotations

import dataclasses
from typing import Optional

import libcst as cst

_TRIVIA = {"lpar", "rpar", "leading_lines", "lines_after_decorators", "comma", "semicolon",
           "header", "footer", "trailing_whitespace", "newline", "colon", "equal",
           "operator", "asynchronous", "lbracket", "rbracket", "lbrace", "rbrace", "dot",
           "decorators", "returns", "annotation"}
_FIELDS: dict[type, tuple[str, ...]] = {}


def kids(node: cst.CSTNode) -> list[cst.CSTNode]:
    """Child nodes that can hold code (no whitespace/punctuation); much faster than
    libcst's `children`, which re-visits the node."""
    names = _FIELDS.get(type(node))
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(node)
                      if not f.name.startswith("whitespace") and f.name not in _TRIVIA)
        _FIELDS[type(node)] = names
    out = []
    for name in names:
        v = getattr(node, name)
        if isinstance(v, cst.CSTNode):
            out.append(v)
        elif isinstance(v, (list, tuple)):
            out.extend(x for x in v if isinstance(x, cst.CSTNode))
    return out


def mentions(node: cst.CSTNode, name: str) -> bool:
    """Does the name occur anywhere inside node?"""
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Name) and n.value == name:
            return True
        stack.extend(kids(n))
    return False


_NESTED_SCOPES = (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.ListComp, cst.SetComp,
                  cst.DictComp, cst.GeneratorExp)


def target_names(target: cst.CSTNode) -> list[str]:
    """Plain names assigned by an assignment target (tuples and lists unpacked)."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for el in target.elements for n in target_names(el.value)]
    if isinstance(target, cst.StarredElement):
        return target_names(target.value)
    if isinstance(target, cst.Del):
        return target_names(target.target)
    return []


def bound_names(node: cst.CSTNode) -> list[str]:
    """Names bound by `node` in its own scope, first binding first (nested def/class names
    included, their bodies not)."""
    out: dict[str, None] = {}
    stack = [node]
    while stack:
        n = stack.pop()
        if n is not node and isinstance(n, (cst.FunctionDef, cst.ClassDef)):
            out.setdefault(n.name.value)
            continue
        if n is not node and isinstance(n, _NESTED_SCOPES):
            continue
        names: list[str] = []
        if isinstance(n, cst.AssignTarget):
            names = target_names(n.target)
        elif isinstance(n, (cst.AugAssign, cst.AnnAssign, cst.For, cst.NamedExpr)):
            names = target_names(n.target)
        elif isinstance(n, cst.AsName):
            names = target_names(n.name)
        elif isinstance(n, cst.ImportAlias) and n.asname is None:
            name = n.name
            while isinstance(name, cst.Attribute):
                name = name.value
            names = [name.value] if isinstance(name, cst.Name) else []
        elif isinstance(n, (cst.MatchAs, cst.MatchStar)) and n.name is not None:
            names = [n.name.value]
        elif isinstance(n, cst.MatchMapping) and n.rest is not None:
            names = [n.rest.value]
        elif isinstance(n, cst.Del):
            names = target_names(n.target)
        for name in names:
            out.setdefault(name)
        stack.extend(reversed(kids(n)))
    return list(out)


def suspends(body: cst.CSTNode) -> bool:
    """Does `body` yield or await (in its own scope)?  Other code runs meanwhile, and a
    loop that does is a generator's or coroutine's, which may run for ever by design."""
    stack = [body]
    while stack:
        n = stack.pop()
        if isinstance(n, (cst.Yield, cst.Await)):
            return True
        if not isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            stack.extend(kids(n))
    return False


def nested_definitions(body: cst.CSTNode) -> set[str]:
    """Names of functions/classes defined inside a function body."""
    found: set[str] = set()
    stack = kids(body)
    while stack:
        n = stack.pop()
        if isinstance(n, (cst.FunctionDef, cst.ClassDef)):
            found.add(n.name.value)
            continue
        if isinstance(n, _NESTED_SCOPES):
            continue
        stack.extend(kids(n))
    return found


def declared_global(body: cst.CSTNode) -> set[str]:
    """Names of `global` / `nonlocal` statements in a function body."""
    found: set[str] = set()
    stack = kids(body)
    while stack:
        n = stack.pop()
        if isinstance(n, (cst.Global, cst.Nonlocal)):
            found.update(item.name.value for item in n.names)
        elif not isinstance(n, _NESTED_SCOPES):
            stack.extend(kids(n))
    return found


def has_value_return(body: cst.CSTNode) -> bool:
    stack = kids(body)
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Return) and n.value is not None:
            return True
        if not isinstance(n, _NESTED_SCOPES):
            stack.extend(kids(n))
    return False


def _int_shaped(node: cst.CSTNode, is_int_call) -> bool:
    """Whether an expression surely evaluates to an int (or bool) in Python."""
    if isinstance(node, cst.Integer):
        return True
    if isinstance(node, cst.Name):
        return node.value != "None"
    if isinstance(node, cst.BinaryOperation):
        return (not isinstance(node.operator, (cst.Divide, cst.MatrixMultiply))
                and _int_shaped(node.left, is_int_call) and _int_shaped(node.right, is_int_call))
    if isinstance(node, cst.UnaryOperation):
        return _int_shaped(node.expression, is_int_call)
    if isinstance(node, (cst.Comparison, cst.BooleanOperation)):
        return isinstance(node, cst.Comparison) or (
            _int_shaped(node.left, is_int_call) and _int_shaped(node.right, is_int_call))
    if isinstance(node, cst.IfExp):
        return _int_shaped(node.body, is_int_call) and _int_shaped(node.orelse, is_int_call)
    if isinstance(node, cst.Call):
        return is_int_call(node)
    return False


def _names_read(node: cst.CSTNode) -> set[str]:
    found, stack = set(), [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Name):
            found.add(n.value)
        elif isinstance(n, cst.Call):
            stack.extend(a.value for a in n.args)
        elif not isinstance(n, _NESTED_SCOPES):
            stack.extend(kids(n))
    return found


def maybe_non_int(body: cst.CSTNode, params: dict[str, bool], is_int_call,
                  is_range_loop) -> set[str]:
    """Names that may hold a non-int at some point (an `isinstance(x, int)` on them is not
    known to hold).  params: name -> whether its annotation makes it an int."""
    tainted = {p for p, ok in params.items() if not ok}
    edges: list[tuple[str, set[str]]] = []

    def assign(target: cst.CSTNode, value: Optional[cst.CSTNode]) -> None:
        if isinstance(target, cst.Name):
            if value is not None and _int_shaped(value, is_int_call):
                edges.append((target.value, _names_read(value)))
            else:
                tainted.add(target.value)
        elif isinstance(target, (cst.Tuple, cst.List)) and isinstance(value, (cst.Tuple, cst.List)) \
                and len(target.elements) == len(value.elements):
            for t, v in zip(target.elements, value.elements):
                assign(t.value, v.value if isinstance(v, cst.Element) else None)
        else:
            tainted.update(target_names(target))

    stack = kids(body)
    while stack:
        n = stack.pop()
        if isinstance(n, _NESTED_SCOPES):
            continue
        if isinstance(n, cst.Assign):
            for t in n.targets:
                assign(t.target, n.value)
        elif isinstance(n, cst.AugAssign):
            ok = not isinstance(n.operator, cst.DivideAssign)
            assign(n.target, n.value if ok else None)
        elif isinstance(n, cst.AnnAssign):
            assign(n.target, n.value)
        elif isinstance(n, cst.For):
            if not is_range_loop(n):
                tainted.update(target_names(n.target))
        elif isinstance(n, (cst.AsName, cst.NamedExpr, cst.MatchAs, cst.MatchStar, cst.Del)):
            tainted.update(bound_names(n) if not isinstance(n, cst.AsName)
                           else target_names(n.name))
        stack.extend(kids(n))
    changed = True
    while changed:
        changed = False
        for target, reads in edges:
            if target not in tainted and reads & tainted:
                tainted.add(target)
                changed = True
    return tainted


class _Rename(cst.CSTTransformer):
    def __init__(self, old: str, new: str) -> None:
        self.old, self.new = old, new

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.Name:
        return updated.with_changes(value=self.new) if updated.value == self.old else updated


def renamed(expr: cst.BaseExpression, old: str, new: str) -> cst.BaseExpression:
    """expr with the name `old` read as `new` (a lambda's or property's own self name)."""
    return expr.visit(_Rename(old, new))


def nonlocal_in_nested(body: cst.CSTNode) -> set[str]:
    """Names that `nonlocal` statements inside nested functions of body rebind."""
    found: set[str] = set()
    stack = [(k, False) for k in kids(body)]
    while stack:
        n, nested = stack.pop()
        if nested and isinstance(n, cst.Nonlocal):
            found.update(item.name.value for item in n.names)
        inner = nested or isinstance(n, (cst.FunctionDef, cst.Lambda, cst.ClassDef))
        stack.extend((k, inner) for k in kids(n))
    return found
