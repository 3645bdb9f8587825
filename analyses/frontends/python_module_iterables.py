"""Module-level facts about iterables, computed once per file.

* `module_containers`: names bound exactly once, at the top level of the module, to a
  finite display (`PLURALS = [(..), ..]`, `NAMES = ('a', 'b')`, `{..}`, a string) and
  never declared `global` in any function (so no function rebinds them).  A `for` over
  such a name runs over a finite container (a mutable one may still be grown by the loop
  body: python_growth decides that, as for a local list).
* `infinite_sources`: what may be an infinite iterator by the source text: names and
  attributes bound anywhere in the file to `itertools.count/cycle/repeat(x)`,
  `iter(f, sentinel)`, a generator of this file that loops with `while` (or to anything
  built from those), the names of such generators, and the classes of this file that
  iterate by their own code (`__iter__`, `__getitem__`, `__next__`, a metaclass, or such
  a base class: judged nowhere as an iterable).  The assumption "the iterable X
  is finite" (python_assumed_iterables) is never made for them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import libcst as cst

from .python_names import bound_names, kids, target_names

_CONTAINER_KINDS = {"list", "tuple", "set", "frozenset", "dict", "str", "bytes"}


@dataclass
class InfiniteSources:
    names: set[str] = field(default_factory=set)        # plain names (any scope)
    attrs: set[str] = field(default_factory=set)        # attribute names (`self.it`)
    generators: set[str] = field(default_factory=set)   # generator functions of the file
    # id(FunctionDef) -> (its infinite locals, every name it binds); names a function
    # binds are judged by its own bindings, free names by every scope's (`names`)
    scopes: dict = field(default_factory=dict, compare=False, repr=False)

    def key(self) -> tuple:
        return (sorted(self.names), sorted(self.attrs), sorted(self.generators))

    def in_function(self, fn: Optional[cst.FunctionDef]) -> tuple[set, set]:
        return self.scopes.get(id(fn), (set(), set())) if fn is not None else (set(), set())

    def mentioned_in(self, node: cst.CSTNode, resolve, scope=None) -> Optional[str]:
        """The first thing inside `node` that may be an infinite iterator (None: none);
        scope: (infinite locals, bound names) of the function node is in."""
        taint, bound = scope if scope is not None else (set(), set())
        stack = [node]
        while stack:
            n = stack.pop()
            if isinstance(n, cst.Name) and (n.value in taint if n.value in bound
                                            else n.value in self.names):
                return n.value
            if isinstance(n, cst.Attribute) and n.attr.value in self.attrs:
                return n.attr.value
            if isinstance(n, cst.Call):
                why = infinite_call(n, resolve)
                if why is None:
                    f = n.func
                    last = f.value if isinstance(f, cst.Name) else (
                        f.attr.value if isinstance(f, cst.Attribute) else None)
                    if last in self.generators:
                        why = f"{last}(...)"
                if why is not None:
                    return why
            stack.extend(kids(n))
        return None


def infinite_call(call: cst.Call, resolve) -> Optional[str]:
    """`itertools.count()`, `cycle(xs)`, `repeat(x)` (no count), `iter(f, sentinel)`; a
    bare `count`/`cycle`/`repeat` (a star import) counts too: "don't know" is safe."""
    name = resolve(call.func) or ""
    short = name[len("itertools."):] if name.startswith("itertools.") else name
    if short in ("count", "cycle"):
        return f"{name}(...)"
    pos = [a for a in call.args if a.keyword is None and not a.star]
    if short == "repeat" and len(pos) < 2 and not any(
            a.star or (a.keyword is not None and a.keyword.value == "times")
            for a in call.args):
        return f"{name}(...)"
    if name == "iter" and len(call.args) >= 2:
        return "iter(callable, sentinel)"
    return None


def _bindings(scope: cst.CSTNode):
    """(target nodes, value) of every binding of one scope (nested functions and lambdas
    are their own scopes; a parameter's default value binds it)."""
    stack: list[cst.CSTNode] = list(kids(scope)) if isinstance(scope, cst.FunctionDef) \
        else [scope]
    if isinstance(scope, cst.FunctionDef):
        ps = scope.params
        for p in (*ps.posonly_params, *ps.params, *ps.kwonly_params):
            if p.default is not None:
                yield [p.name], p.default
    while stack:
        n = stack.pop()
        if isinstance(n, (cst.FunctionDef, cst.Lambda)):
            continue
        if isinstance(n, cst.Assign) and n.value is not None:
            yield [t.target for t in n.targets], n.value
        elif isinstance(n, (cst.AnnAssign, cst.AugAssign)) and n.value is not None:
            yield [n.target], n.value
        elif isinstance(n, cst.NamedExpr):
            yield [n.target], n.value
        elif isinstance(n, (cst.For, cst.CompFor)):
            yield [n.target], n.iter
        elif isinstance(n, cst.WithItem) and n.asname is not None:
            yield [n.asname.name], n.item
        stack.extend(kids(n))


def _targets(t: cst.CSTNode, names: set[str], attrs: set[str]) -> bool:
    changed = False
    for n in target_names(t):
        if n not in names:
            names.add(n)
            changed = True
    for el in _elements(t):
        if isinstance(el, cst.Attribute) and el.attr.value not in attrs:
            attrs.add(el.attr.value)
            changed = True
    return changed


def _elements(t: cst.CSTNode) -> list[cst.CSTNode]:
    if isinstance(t, (cst.Tuple, cst.List)):
        return [x for e in t.elements for x in _elements(e.value)]
    if isinstance(t, cst.StarredElement):
        return _elements(t.value)
    return [t]


def _has(node: cst.CSTNode, types) -> bool:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, types):
            return True
        stack.extend(kids(n))
    return False


def infinite_sources(modules: list[cst.Module], resolve) -> InfiniteSources:
    """A fixpoint over every binding and generator of the file (see the docstring)."""
    out = InfiniteSources()
    gens: list[cst.FunctionDef] = []
    class_defs: list[cst.ClassDef] = []
    scopes: list[cst.CSTNode] = list(modules)
    for module in modules:
        stack: list[cst.CSTNode] = [module]
        while stack:
            n = stack.pop()
            if isinstance(n, cst.ClassDef):
                class_defs.append(n)
            if isinstance(n, cst.FunctionDef):
                scopes.append(n)
                if _has(n.body, (cst.Yield,)):
                    gens.append(n)
                    if _has(n.body, (cst.While,)):
                        out.generators.add(n.name.value)
            stack.extend(kids(n))
    classes = _iterating_classes(class_defs)
    out.names |= classes
    binds = {id(s): list(_bindings(s)) for s in scopes}
    bound = {id(s): {n for ts, _ in binds[id(s)] for t in ts for n in target_names(t)}
             | _params(s) for s in scopes}
    taint: dict[int, set] = {id(s): set() for s in scopes}
    for s in scopes:
        out.scopes[id(s)] = (taint[id(s)], bound[id(s)])
    changed = True
    while changed:
        changed = False
        for s in scopes:
            scope = (taint[id(s)], bound[id(s)])
            for targets, value in binds[id(s)]:
                if out.mentioned_in(value, resolve, scope) is not None:
                    for t in targets:
                        changed |= _targets(t, taint[id(s)], out.attrs)
        out.names = classes.union(*taint.values())
        for g in gens:
            if g.name.value not in out.generators and out.mentioned_in(
                    g.body, resolve, (taint[id(g)], bound[id(g)])) is not None:
                out.generators.add(g.name.value)
                changed = True
    return out


def _params(scope: cst.CSTNode) -> set[str]:
    if not isinstance(scope, cst.FunctionDef):
        return set()
    ps = scope.params
    out = {p.name.value for p in (*ps.posonly_params, *ps.params, *ps.kwonly_params)}
    for star in (ps.star_arg, ps.star_kwarg):
        if isinstance(star, cst.Param):
            out.add(star.name.value)
    return out


_ITER_METHODS = {"__iter__", "__getitem__", "__next__", "__aiter__", "__anext__"}


def _iterating_classes(classes: list[cst.ClassDef]) -> set[str]:
    """Classes of the file whose instances (or, with a metaclass, the class itself) iterate
    by code of the file: an `__iter__`/`__getitem__`/`__next__` of their own, a
    `metaclass=`, or a base among these."""
    out: set[str] = set()
    changed = True
    while changed:
        changed = False
        for c in classes:
            if c.name.value in out:
                continue
            own = any(isinstance(st, cst.FunctionDef) and st.name.value in _ITER_METHODS
                      for st in c.body.body) if isinstance(c.body, cst.IndentedBlock) else False
            meta = any(a.keyword is not None and a.keyword.value == "metaclass"
                       for a in (*c.bases, *c.keywords))
            bases = any(isinstance(a.value, cst.Name) and a.value.value in out
                        for a in c.bases)
            if own or meta or bases:
                out.add(c.name.value)
                changed = True
    return out


def module_containers(modules: list[cst.Module], kind_of: Callable) -> dict[str, str]:
    """Top-level names bound once to a finite display, never `global` in a function.
    kind_of(expr, known) -> the container kind of a display (python_iterables)."""
    counts: dict[str, int] = {}
    found: dict[str, str] = {}
    declared: set[str] = set()
    for module in modules:
        stack: list[cst.CSTNode] = list(module.body)
        while stack:                        # `global X` anywhere: X may be rebound
            n = stack.pop()
            if isinstance(n, cst.Global):
                declared.update(a.name.value for a in n.names)
            stack.extend(kids(n))
        for stmt in module.body:
            names = [stmt.name.value] if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) \
                else bound_names(stmt)
            for name in names:
                counts[name] = counts.get(name, 0) + 1
            if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
                small = stmt.body[0]
                value, target = None, None
                if isinstance(small, cst.Assign) and len(small.targets) == 1:
                    value, target = small.value, small.targets[0].target
                elif isinstance(small, cst.AnnAssign) and small.value is not None:
                    value, target = small.value, small.target
                if isinstance(target, cst.Name) and value is not None:
                    kind = kind_of(value, dict(found))
                    if kind in _CONTAINER_KINDS:
                        found[target.value] = kind
    return {n: k for n, k in found.items() if counts.get(n) == 1 and n not in declared}
