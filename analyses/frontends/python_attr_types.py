"""Which attributes of a class hold ints, from what the class itself says about them.

A modelled `self.x` (python_selfattrs) is an unbounded int.  That is only sound when x
holds ints: `assert self.n + 1 > self.n` is false for `self.n = 1e20`.  An attribute is
"other" (its reads stay "don't know") when the class body annotates it with a non-int
type (`x: float`, a dataclass field `name: str`) or gives it a default that may not be an
int (`ratio = 0.5`), or when some method assigns it a value
that may not be an int: anything but int literals, booleans, parameters the method takes
as ints (annotated int, or unannotated — the frontend's rule for parameters), module int
constants, other attributes of self, and integer arithmetic (`+ - * // % ** << >> & | ^`,
unary `- + ~`) or `len`/`int`/`abs`/`min`/`max`/`ord`/`hash` of such values.
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from .python_context import ModuleIndex
from .python_types import annotation_kind

_INT_CALLS = {"len", "int", "abs", "min", "max", "ord", "hash", "sum", "round"}
_NOT_INT_OPS = {"Divide", "MatrixMultiply"}


def attribute_kinds(node: cst.ClassDef, index: ModuleIndex) -> dict[str, str]:
    """attribute name -> 'int' | 'other' for the attributes the class mentions."""
    kinds: dict[str, str] = {}
    copies: list[tuple[str, set]] = []          # x is int only if these attributes are

    def mark(attr: str, ok: bool, deps: frozenset = frozenset()) -> None:
        if not ok:
            kinds[attr] = "other"
        else:
            kinds.setdefault(attr, "int")
            if deps:
                copies.append((attr, set(deps)))
    body = node.body.body if isinstance(node.body, cst.IndentedBlock) else []
    for stmt in body:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    mark(small.target.value, _int_annotation(small.annotation, index) and (
                        small.value is None or _int_like(small.value, "", set(), index, set())))
                elif isinstance(small, cst.Assign):     # a class attribute's default value
                    for t in small.targets:
                        if isinstance(t.target, cst.Name):
                            mark(t.target.value,
                                 _int_like(small.value, "", set(), index, set()))
        elif isinstance(stmt, cst.FunctionDef):
            _method(stmt, index, mark)
    changed = True
    while changed:                              # `self.x = self.y` with y not an int
        changed = False
        for attr, deps in copies:
            if kinds.get(attr) != "other" and any(kinds.get(d) == "other" for d in deps):
                kinds[attr], changed = "other", True
    return kinds


def _int_annotation(ann: Optional[cst.Annotation], index: ModuleIndex) -> bool:
    if ann is None:
        return True
    node = ann.annotation
    if isinstance(node, cst.SimpleString):
        try:
            node = cst.parse_expression(str(node.evaluated_value))
        except Exception:
            return False
    if isinstance(node, cst.Subscript) and index.resolve(node.value) in (
            "typing.ClassVar", "ClassVar", "typing.Final", "Final"):
        elems = node.slice
        inner = elems[0].slice if elems and isinstance(elems[0].slice, cst.Index) else None
        node = inner.value if inner is not None else node
    return annotation_kind(index.resolve(node))[0] in ("int", "bool")


def _method(fn: cst.FunctionDef, index: ModuleIndex, mark) -> None:
    params = [*fn.params.posonly_params, *fn.params.params, *fn.params.kwonly_params]
    if not params:
        return
    me = params[0].name.value
    ints = {p.name.value for p in params[1:] if _int_annotation(p.annotation, index)}
    stack: list[cst.CSTNode] = list(fn.body.children)
    while stack:
        n = stack.pop()
        if isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        targets, value = [], None
        if isinstance(n, cst.Assign):
            targets, value = [t.target for t in n.targets], n.value
        elif isinstance(n, (cst.AnnAssign, cst.AugAssign)) and n.value is not None:
            targets, value = [n.target], n.value
        for t in targets:
            for attr in _self_attrs_bound(t, me):
                deps: set = set()
                ok = not isinstance(t, (cst.Tuple, cst.List)) and \
                    _int_like(value, me, ints, index, deps)
                if isinstance(n, cst.AugAssign) and type(n.operator).__name__ in (
                        "DivideAssign", "MatrixMultiplyAssign"):
                    ok = False
                if isinstance(n, cst.AnnAssign):
                    ok = ok and _int_annotation(n.annotation, index)
                mark(attr, ok, frozenset(deps))
        stack.extend(n.children)


def _self_attrs_bound(target: cst.CSTNode, me: str) -> list[str]:
    out = []
    stack = [target]
    while stack:
        t = stack.pop()
        if isinstance(t, cst.Attribute) and isinstance(t.value, cst.Name) and t.value.value == me:
            out.append(t.attr.value)
        elif isinstance(t, (cst.Tuple, cst.List)):
            stack.extend(e.value for e in t.elements)
        elif isinstance(t, cst.StarredElement):
            stack.append(t.value)
    return out


def _int_like(e: cst.BaseExpression, me: str, ints: set, index: ModuleIndex,
             deps: set) -> bool:
    """Is e an int whenever the attributes of self it reads (added to deps) are?"""
    if isinstance(e, cst.Integer):
        return True
    if isinstance(e, cst.Name):
        return e.value in ("True", "False") or e.value in ints or e.value in index.constants
    if isinstance(e, cst.Attribute):
        if isinstance(e.value, cst.Name) and e.value.value == me:
            deps.add(e.attr.value)
            return True
        return False
    if isinstance(e, cst.UnaryOperation):
        return type(e.operator).__name__ != "Not" and \
            _int_like(e.expression, me, ints, index, deps)
    if isinstance(e, cst.BinaryOperation):
        return (type(e.operator).__name__ not in _NOT_INT_OPS
                and _int_like(e.left, me, ints, index, deps)
                and _int_like(e.right, me, ints, index, deps))
    if isinstance(e, cst.Call):
        name = index.resolve(e.func)
        if name in index.signatures:
            return False
        if name == "len":
            return True
        return name in _INT_CALLS and bool(e.args) and all(
            _int_like(a.value, me, ints, index, deps) for a in e.args)
    return False
