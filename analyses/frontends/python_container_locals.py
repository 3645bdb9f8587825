"""Which locals of a Python function hold a finite container (list, str, dict, ...), and
which of them are *fresh* (bound only to new objects, so never an alias of another name).
python_iterables uses them to decide which `for` loops terminate."""
from __future__ import annotations

from typing import Optional

import libcst as cst

from .python_escape import escaping_names
from .python_iterables import MUTABLE, IterableModel, container_kind, element_kind
from .python_names import bound_names, kids, nonlocal_in_nested, target_names


def finite_locals(body: cst.CSTNode, params: dict[str, str], model_for,
                  elements: Optional[dict[str, str]] = None,
                  opaque_params=()) -> tuple[dict[str, str], set[str]]:
    """Locals every binding of which is a finite container (an optimistic fixpoint over
    the bindings).  params: parameter -> container kind (from annotations), its value at
    entry.  model_for(kinds) gives an IterableModel that knows `kinds`.  Also returns the
    fresh locals: those whose every binding creates a new object (no alias of another
    name), so mutating them cannot grow any other container."""
    bindings: dict[str, list] = {}
    other: set[str] = set()
    element_of: list[tuple[str, str, str]] = []
    stack = kids(body)
    while stack:
        n = stack.pop()
        if isinstance(n, (cst.FunctionDef, cst.ClassDef)):
            other.add(n.name.value)
            continue
        if isinstance(n, cst.Lambda):
            continue
        if isinstance(n, cst.Assign):
            for t in n.targets:
                if isinstance(t.target, cst.Name):
                    bindings.setdefault(t.target.value, []).append(n.value)
                elif _split_parts(t.target, n.value):
                    for e in t.target.elements:     # a, b = s.split('-'): strings
                        bindings.setdefault(e.value.value, []).append(_PartOf(n.value))
                else:
                    other.update(target_names(t.target))
        elif isinstance(n, cst.AnnAssign) and isinstance(n.target, cst.Name):
            if n.value is not None:
                bindings.setdefault(n.target.value, []).append(n.value)
        elif isinstance(n, cst.AugAssign) and isinstance(n.target, cst.Name):
            bindings.setdefault(n.target.value, []).append(n.value)   # xs += [..] / s += ".."
        elif isinstance(n, cst.For):
            ek = (elements or {}).get(n.iter.value) if isinstance(n.iter, cst.Name) else None
            if ek is not None and isinstance(n.target, cst.Name):
                element_of.append((n.target.value, n.iter.value, ek))
            else:
                other.update(target_names(n.target))
        elif isinstance(n, (cst.AsName, cst.NamedExpr, cst.Global, cst.Nonlocal,
                            cst.MatchAs, cst.MatchStar, cst.Import, cst.ImportFrom, cst.Del)):
            other.update(bound_names(n))
            if isinstance(n, (cst.Global, cst.Nonlocal)):
                other.update(x.name.value for x in n.names)
        stack.extend(kids(n))
    for p in opaque_params:         # a parameter without a container annotation: its
        if p not in params:         # value at entry may be anything (itertools.count())
            bindings.setdefault(p, []).append(_Opaque())
    for target, source, ek in element_of:   # `for row in rows` (rows: list[list[int]])
        if source in bindings or source in other:
            other.add(target)                   # rows is rebound: its elements are unknown
        else:
            bindings.setdefault(target, []).append(ek)
    cand = {n: bindings.get(n, []) for n in set(bindings) | set(params) if n not in other}
    kinds = {n: params.get(n, "?") for n in cand}
    changed = True
    while changed:
        changed = False
        model = model_for(kinds)
        for n, vs in cand.items():
            if n not in kinds:
                continue
            ks = {v if isinstance(v, str) else v.kind(model) if isinstance(v, (_PartOf, _Opaque))
                  else (model.kind(v) or model.eager_kind(v))
                  for v in vs} | ({params[n]} if n in params else set())
            known = ks - {"?"}
            if None in ks:
                del kinds[n]
                changed = True
            elif kinds[n] == "?" and known:
                mutable = sorted(known & MUTABLE)
                kinds[n] = mutable[0] if mutable else sorted(known)[0]
                changed = True
            elif len(known) > 1 and kinds[n] not in MUTABLE and known & MUTABLE:
                kinds[n] = sorted(known & MUTABLE)[0]
                changed = True
    kinds = {n: k for n, k in kinds.items() if k != "?"}
    fresh = {n for n in kinds if n not in params and all(_creates(v) for v in cand[n])}
    return kinds, fresh


_SPLITS = ("split", "rsplit", "partition", "rpartition", "splitlines")


class _PartOf:
    """A name bound by unpacking `s.split(..)` (or rpartition, ...): a str when s is one
    (bytes for bytes); unknown otherwise (the method of an unknown object may return
    anything)."""

    def __init__(self, call: cst.Call):
        self.call = call

    def kind(self, model) -> Optional[str]:
        owner = model.kind(self.call.func.value)
        return owner if owner in ("str", "bytes") and all(
            model._pure(a.value) for a in self.call.args) else None


class _Opaque:
    """The value of a parameter at entry when its annotation names no finite container."""

    def kind(self, model) -> None:
        return None


def _split_parts(target: cst.BaseExpression, value: cst.BaseExpression) -> bool:
    return (isinstance(target, (cst.Tuple, cst.List)) and bool(target.elements)
            and all(isinstance(e, cst.Element) and isinstance(e.value, cst.Name)
                    for e in target.elements)
            and isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute)
            and value.func.attr.value in _SPLITS and not any(a.star for a in value.args))


def _creates(value: cst.BaseExpression) -> bool:
    """Does this (finite) expression evaluate to a new object rather than an existing one?"""
    if isinstance(value, (str, cst.Name)):
        return False                # an element of another container, or an alias
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute):
        return value.func.attr.value not in ("keys", "values", "items")
    return True


def iterable_model(ctx, node: cst.FunctionDef) -> IterableModel:
    """What this function's `for` loops may iterate over (see python_iterables)."""
    params, elements = dict(ctx.star_names), {}    # *args: a tuple, **kwargs: a dict
    ps = node.params
    for p in (*ps.posonly_params, *ps.params, *ps.kwonly_params):
        ann = p.annotation.annotation if p.annotation else None
        kind = container_kind(ann, ctx.index.resolve)
        if kind is not None:
            params[p.name.value] = kind
            elem = element_kind(ann, ctx.index.resolve)
            if elem is not None:
                elements[p.name.value] = elem

    def shadowed(name: str) -> bool:
        return (name in ctx.index.signatures or name in ctx.nested_defs
                or name in ctx.param_names or name in ctx.local_names)

    def model_for(kinds, fresh=frozenset()):
        return IterableModel(ctx.index.resolve, kinds, shadowed, fresh, ctx.index.enums)
    every = [p.name.value for p in (*ps.posonly_params, *ps.params, *ps.kwonly_params)]
    kinds, fresh = finite_locals(node.body, params, model_for, elements,
                                 every + list(ctx.star_names))
    model = model_for(kinds, frozenset(fresh))
    escaping = escaping_names(node.body, model.builtin)
    model.escaping = frozenset(escaping)
    ctx.fn_nonlocals = nonlocal_in_nested(node.body)
    model.private = frozenset(n for n in fresh if n not in escaping
                              and n not in ctx.param_names and n not in ctx.star_names)
    return model
