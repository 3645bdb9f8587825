"""Whether a `for` loop's body may grow the mutable container it iterates (so the loop
may run forever): python_iterables decides which iterables are finite, this module
whether they stay so while the body runs."""
from __future__ import annotations

from typing import Callable, Optional

import libcst as cst

from .python_iterables import ABSTRACT, READ_METHODS, IterableModel
from .python_names import kids, target_names


def growth_blocker(body: cst.CSTNode, roots: set[str], model: IterableModel,
                   calls_program: Callable[[cst.Call], bool],
                   private: set[str] = frozenset(), yields_ok: bool = False) -> Optional[str]:
    """Why the loop body may grow one of `roots` (None: it cannot).  yields_ok: other code
    running while the body yields is covered by a stated assumption."""
    if not roots:
        return None
    bad = _unsafe_use(body, roots, model)
    if bad is not None or roots <= model.private | private:
        return bad          # no one else holds a private local: only direct uses count
    stack = [body]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Call) and calls_program(n):
            return "the body calls a function of this file, which may grow it"
        if isinstance(n, (cst.Yield, cst.Await)) and not yields_ok:
            return "the body yields, and other code may grow it meanwhile"
        stack.extend(kids(n))
    return None


def _unsafe_use(node: cst.CSTNode, roots: set[str], model: IterableModel) -> Optional[str]:
    """The first occurrence of a root name that may mutate it or let it escape."""
    if isinstance(node, cst.Name):
        return f"{node.value} is used in a way that may change it" if node.value in roots \
            else None
    skip: list[cst.CSTNode] = []
    if isinstance(node, cst.Subscript) and isinstance(node.value, cst.Name):
        skip.append(node.value)                                 # xs[i] (a read)
    elif isinstance(node, cst.Call):
        f = node.func
        if isinstance(f, cst.Name):
            skip.append(f)      # key(x): calling a root grows no container (a list raises)
        if (isinstance(f, cst.Attribute) and isinstance(f.value, cst.Name)
                and f.attr.value in READ_METHODS
                and model.kinds.get(f.value.value) not in ABSTRACT):
            skip.append(f.value)                                # xs.count(v)
        elif isinstance(f, cst.Attribute) and isinstance(f.value, cst.SimpleString):
            skip.extend(a.value for a in node.args              # ', '.join(xs)
                        if isinstance(a.value, cst.Name))
        elif model.builtin(f) in ("len", "sorted", "list", "tuple", "set", "frozenset",
                                  "enumerate", "reversed", "zip", "min", "max", "sum",
                                  "any", "all"):
            skip.extend(a.value for a in node.args if isinstance(a.value, cst.Name))
    elif isinstance(node, cst.Comparison):
        skip.extend(c.comparator for c in node.comparisons
                    if isinstance(c.operator, (cst.In, cst.NotIn)))
    elif isinstance(node, (cst.For, cst.CompFor)):
        skip.append(node.iter)                                  # a nested for over it
    elif isinstance(node, (cst.Assign, cst.AugAssign, cst.AnnAssign, cst.Del)):
        targets = ([t.target for t in node.targets] if isinstance(node, cst.Assign)
                   else [node.target])
        for t in targets:
            if any(n in roots for n in target_names(t)):
                return f"the body rebinds {', '.join(sorted(roots))}"
            while isinstance(t, (cst.Subscript, cst.Attribute)):
                t = t.value
            if isinstance(t, cst.Name) and t.value in roots:
                return f"the body assigns into {t.value}"
    for k in kids(node):
        v = k.value if isinstance(k, cst.Arg) else k
        if isinstance(v, cst.Name) and any(v is s for s in skip):
            continue
        found = _unsafe_use(k, roots, model)
        if found is not None:
            return found
    return None
