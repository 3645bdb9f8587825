"""`self.x` in methods: attributes of self read as inputs (arbitrary at entry) and written
as state — in methods where nothing else can change them behind our back.

A method qualifies when `self` is never rebound, no nested function or lambda mentions it,
its class defines no `__getattr__`/`__getattribute__`/`__setattr__`, and it calls nothing
that could reach self: only integer builtins (len, abs, min, max, int, isinstance, ...)
and methods of fresh local containers (`out.append`).  It may assign attributes of self
only (an attribute of another object may be self).  Then `self.x` (x not a method or
property of the class) is the hidden variable `self.x`, havocked at entry.  Otherwise
attribute access stays "don't know".
"""
from __future__ import annotations

from typing import Optional

import libcst as cst

from .python_names import bound_names, kids, mentions

# builtins that run no user code that could reach self
_SAFE_CALLS = {"len", "abs", "min", "max", "int", "bool", "isinstance", "range", "divmod",
               "ord", "chr", "math.gcd", "math.isqrt", "math.factorial", "math.comb",
               "math.perm", "math.lcm"}
_HOOKS = ("__getattr__", "__getattribute__", "__setattr__", "__delattr__")


def self_attributes(body: cst.CSTNode, ctx, kind: str) -> Optional[set[str]]:
    """The attributes of self the method uses, or None when they cannot be modelled."""
    me, cls, sigs = ctx.self_name, ctx.class_name, ctx.index.signatures
    if kind != "instance" or not me or not cls or me in bound_names(body):
        return None
    if any(f"{cls}.{h}" in sigs for h in _HOOKS):
        return None
    fresh = ctx.iterables.fresh if ctx.iterables is not None else frozenset()
    attrs: set[str] = set()
    stack = kids(body)
    while stack:
        n = stack.pop()
        if isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            if mentions(n, me):
                return None
            continue
        if isinstance(n, cst.Call) and not _safe_call(n, ctx, fresh):
            return None
        if isinstance(n, (cst.With, cst.Await, cst.Yield)):
            return None                 # __enter__/__exit__, other coroutines
        if isinstance(n, (cst.For, cst.CompFor)) and (
                ctx.iterables is None or ctx.iterables.kind(n.iter) is None
                or _writes_attribute(n.target)):
            return None                 # advancing an unknown iterator runs its code
        if isinstance(n, (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.Del)):
            targets = [t.target for t in n.targets] if isinstance(n, cst.Assign) \
                else [n.target]
            for t in targets:
                if not _target_ok(t, me, fresh):
                    return None
                if isinstance(t, cst.Attribute) and \
                        f"{cls}.{t.attr.value}" in ctx.index.properties:
                    return None         # a property's setter runs code
        if isinstance(n, cst.Attribute) and isinstance(n.value, cst.Name) \
                and n.value.value == me:
            prop = ctx.index.properties.get(f"{cls}.{n.attr.value}")
            if prop is not None:        # a simple property: the attributes it reads
                attrs |= {a.attr.value for a in _attributes_of(prop[0], prop[1])}
                continue
            if f"{cls}.{n.attr.value}" in sigs:
                return None             # a method or property: reading it runs code
            attrs.add(n.attr.value)
        stack.extend(kids(n))
    return attrs


def _attributes_of(expr: cst.CSTNode, me: str) -> list[cst.Attribute]:
    out, stack = [], [expr]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Attribute) and isinstance(n.value, cst.Name) and n.value.value == me:
            out.append(n)
        else:
            stack.extend(kids(n))
    return out


def _safe_call(call: cst.Call, ctx, fresh) -> bool:
    func = call.func
    if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) \
            and func.value.value in fresh:
        return True                     # out.append(..) on a fresh local container
    name = ctx.index.resolve(func)
    if name not in _SAFE_CALLS:
        return False
    head = name.split(".")[0]
    return head not in ctx.local_names and name not in ctx.index.signatures


def _target_ok(target: cst.CSTNode, me: str, fresh) -> bool:
    """Assignments may bind names, items of fresh local containers or attributes of self
    (a `__setitem__` or attribute of another object may run code that reaches self)."""
    if isinstance(target, (cst.Tuple, cst.List, cst.StarredElement)):
        return not _writes_attribute(target)  # `self.a, self.b = ..` is not modelled
    if isinstance(target, cst.Attribute):
        return isinstance(target.value, cst.Name) and target.value.value == me
    if isinstance(target, cst.Subscript):
        return isinstance(target.value, cst.Name) and target.value.value in fresh
    return isinstance(target, cst.Name)


def _writes_attribute(target: cst.CSTNode) -> bool:
    """Does an assignment target (a for target, a tuple) bind an attribute or item?"""
    stack = [target]
    while stack:
        n = stack.pop()
        if isinstance(n, (cst.Attribute, cst.Subscript)):
            return True
        if isinstance(n, (cst.Tuple, cst.List)):
            stack.extend(e.value for e in n.elements)
        elif isinstance(n, cst.StarredElement):
            stack.append(n.value)
    return False
