"""`for` loops over iterables from outside the function — an unannotated parameter,
`self.items`, `f.readlines()`, the result of an unknown call, a local bound to one —
are finite only under a stated assumption.

Nothing in the file says whether `seq` yields finitely many items (it may be
`itertools.count()`); a loop over it whose body does not grow it terminates *if* it
does.  That assumption ("the iterable seq is finite (yields finitely many items)") is
stated in the loop's finding and in the function's assumptions, like "the unannotated
parameter x holds ints", and is never made where the file shows the iterable may be
infinite (python_module_iterables: itertools.count/cycle/repeat(x), iter(f, sentinel), a
generator of this file with a `while` loop, anything bound to or built from one) or where
the body grows what the iterable reads (python_growth, plus attribute chains here).
Strict mode (`Options.assume_finite_iterables=False`) turns these loops back into "don't
know" (engine/termination_assumed.py).
"""
from __future__ import annotations

import builtins
import re
from typing import Optional

import libcst as cst

from .python_iterables import FiniteIter, IterableModel
from .python_growing_functions import growing_functions
from .python_module_iterables import infinite_sources, module_containers
from .python_names import kids, suspends, target_names

_BUILTINS = frozenset(dir(builtins))
_MAX_TEXT = 60


def assumption_text(code: str) -> str:
    return f"the iterable {code} is finite (yields finitely many items)"


def calls_assumption(desc: str, line: int) -> str:
    """A known finite mutable container whose loop body calls (or yields to) code that
    could reach it."""
    return f"no other code adds to {desc} while the loop at line {line} runs"


def other_code_adds(ctx, node: cst.For, fin: FiniteIter) -> Optional[str]:
    """A known finite container the body does not grow, but whose body yields: other code
    may run meanwhile.  Finite under the stated assumption (fin.assumed is set), unless
    the body itself feeds it (the reason)."""
    if not (fin.roots - ctx.iterables.private - fin.private_roots) or not suspends(node.body):
        return None
    why = feeds(ctx, node.body)
    if why is None:
        fin.assumed = calls_assumption(fin.desc, ctx.spanner.span(node.iter).line)
    return why


def module_iterables(index, modules: list[cst.Module]) -> None:
    """Fill index.infinite and index.module_kinds (once per file)."""
    index.infinite = infinite_sources(modules, index.resolve)
    index.growing = growing_functions(modules)

    def kind_of(expr: cst.BaseExpression, known: dict[str, str]) -> Optional[str]:
        model = IterableModel(index.resolve, dict(known),
                              lambda n: n in index.signatures or n in index.infinite.names)
        kind = model.kind(expr)
        return None if kind in (None, "lazy", "range", "enum") else kind
    index.module_kinds = module_containers(modules, kind_of)


def assumed_iter(ctx, it: cst.BaseExpression, body: cst.CSTNode) -> tuple[
        Optional[FiniteIter], str]:
    """(the iterable, finite under its stated assumption; or None and why not)."""
    inf = ctx.index.infinite
    if inf is not None:
        taint, bound = inf.in_function(ctx.fn_node)
        why = inf.mentioned_in(it, ctx.index.resolve, (taint, bound))
        if why is not None:
            return None, f"it may be an infinite iterator: {why}"
    why = feeds(ctx, body)
    if why is not None:
        return None, why
    roots = _roots(ctx, it)
    sources = [it] + ([v for n in sorted(_local_sources(ctx, it)) if n in ctx.local_names
                       for v in _bindings_of(ctx.fn_node.body, n)]
                      if ctx.fn_node is not None else [])
    chains = [c for src in sources for c in _chains(src)]
    chain = _grown_chain(chains, body)
    if chain is not None:
        return None, f"the body uses {chain}, which may change it"
    if chains:
        roots.add("$attribute")     # growth_blocker: no call of the file's code, no yield
    code = ctx.spanner.code(it)
    code = " ".join(code.split())
    if len(code) > _MAX_TEXT:
        code = code[:_MAX_TEXT - 3] + "..."
    fin = FiniteIter(desc=iterable_text(ctx, it, code), roots=roots, assumed=assumption_text(code))
    if isinstance(it, cst.Call) and ctx.iterables.builtin(it.func) == "enumerate" \
            and not any(a.star for a in it.args):
        fin.enumerated = True
        pos = [a for a in it.args if not a.keyword]
        kw = [a for a in it.args if a.keyword and a.keyword.value == "start"]
        fin.enumerate_start = pos[1].value if len(pos) > 1 else (kw[0].value if kw else None)
    return fin, ""


def iterable_text(ctx, it: cst.BaseExpression, code: str = "") -> str:
    """How messages name the iterable of a for loop ("the parameter xs", "d.items(...)",
    an attribute chain by its code when given, "a list")."""
    if isinstance(it, cst.Call):
        name = ctx.index.resolve(it.func)
        return f"{name}(...)" if name else "a call result"
    if isinstance(it, cst.Name):
        what = "parameter" if it.value in ctx.param_names else (
            "local" if it.value in ctx.local_names else "name")
        return f"the {what} {it.value}"
    if code and isinstance(it, cst.Attribute):
        return code
    return {"List": "a list", "Tuple": "a tuple",
            "SimpleString": "a string"}.get(type(it).__name__, "an iterable")


def _names(node: cst.CSTNode, bases: bool = True) -> set[str]:
    """Names of values inside node (not a call's function; with `bases`, also the `self`
    of an attribute chain `self.items`, which _grown_chain checks instead)."""
    out: set[str] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Name):
            out.add(n.value)
            continue
        if isinstance(n, cst.Call):
            stack.extend(a.value for a in n.args)
            f = n.func
            if isinstance(f, cst.Attribute):
                stack.append(f.value)       # seq.items(): seq
            continue
        if isinstance(n, cst.Attribute):
            if bases:
                stack.append(n.value)
            continue
        if isinstance(n, (cst.Lambda, cst.FunctionDef)):
            continue
        stack.extend(kids(n))
    return out


def _through_locals(ctx, start: set[str], names_of) -> set[str]:
    """start, and for locals, what names_of finds in their bindings (transitively)."""
    todo, seen = list(start), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in ctx.local_names and ctx.fn_node is not None:
            for value in _bindings_of(ctx.fn_node.body, name):
                todo.extend(names_of(value))
    return seen


def _local_sources(ctx, it: cst.BaseExpression, bases: bool = True) -> set[str]:
    """The names `it` reads, and, for locals, the names their bindings read (transitive)."""
    return _through_locals(ctx, _names(it, bases), lambda v: _names(v, bases))


def _iterated(node: cst.CSTNode) -> set[str]:
    """Names whose object the value of node may iterate lazily: `xs`, the receiver of a
    method (`d.items()`), the arguments of a call (`enumerate(xs)`, `f(xs)` may return a
    view of xs), the container of a subscript (`d[key]`: d, not key)."""
    if isinstance(node, cst.Name):
        return {node.value}
    if isinstance(node, cst.Subscript):
        return _iterated(node.value)
    if isinstance(node, cst.Attribute):
        return set()                        # attribute chains: _grown_chain
    if isinstance(node, cst.Call):
        out = set().union(*(_iterated(a.value) for a in node.args)) if node.args else set()
        if isinstance(node.func, cst.Attribute):
            out |= _iterated(node.func.value)
        return out
    if isinstance(node, (cst.Lambda, cst.FunctionDef)):
        return set()
    return set().union(*(_iterated(k) for k in kids(node))) if kids(node) else set()


def _roots(ctx, it: cst.BaseExpression) -> set[str]:
    """Names the body must not grow: every variable whose object the iteration may read,
    directly or through the bindings of locals (`it = iter(q)`: q), but not builtins,
    imports and functions of the file."""
    idx = ctx.index
    seen = _through_locals(ctx, _iterated(it), _iterated)
    return {n for n in seen
            if n in ctx.param_names or n in ctx.local_names
            or not (n in _BUILTINS or n in idx.aliases or n in idx.signatures
                    or n in ctx.nested_defs or any(q.startswith(n + ".")
                                                   for q in idx.signatures))}


def _bindings_of(body: cst.CSTNode, name: str) -> list[cst.CSTNode]:
    """The values `name` is bound to in the function (nested scopes excluded)."""
    out: list[cst.CSTNode] = []
    stack: list[cst.CSTNode] = [body]
    while stack:
        n = stack.pop()
        if isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        pairs: list = []
        if isinstance(n, cst.Assign):
            pairs = [(t.target, n.value) for t in n.targets]
        elif isinstance(n, (cst.AnnAssign, cst.AugAssign)) and n.value is not None:
            pairs = [(n.target, n.value)]
        elif isinstance(n, cst.NamedExpr):
            pairs = [(n.target, n.value)]
        elif isinstance(n, cst.For):
            pairs = [(n.target, n.iter)]
        elif isinstance(n, cst.WithItem) and n.asname is not None:
            pairs = [(n.asname.name, n.item)]
        out.extend(v for t, v in pairs if name in target_names(t))
        stack.extend(kids(n))
    return out


def _grown_chain(chains: list[str], body: cst.CSTNode) -> Optional[str]:
    """An attribute chain the iteration reads (`self.items`) that the body mentions other
    than in `len(..)`: it may be grown there (python_growth only knows plain names)."""
    text = cst.Module(body=[]).code_for_node(body)
    for chain in chains:
        pat = re.escape(chain)
        rest = re.sub(rf"\blen\(\s*{pat}\s*\)", "", text)
        if re.search(rf"(?<![\w.]){pat}(?!\w)", rest):
            return chain
    return None


def _chains(node: cst.CSTNode) -> list[str]:
    out: list[str] = []
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Call):
            stack.extend(a.value for a in n.args)
            if isinstance(n.func, cst.Attribute):
                stack.append(n.func.value)
            continue
        if isinstance(n, cst.Attribute):
            out.append(cst.Module(body=[]).code_for_node(n))
            continue
        stack.extend(kids(n))
    return out


# methods that add to the list (or deque, queue, generator) they are called on; a dict or
# set that changes size while it is iterated raises RuntimeError (the loop ends)
GROWING = {"append", "extend", "insert", "appendleft", "extendleft", "send", "put",
           "put_nowait", "__iadd__", "__setitem__"}


def feeds(ctx, body: cst.CSTNode) -> Optional[str]:
    """Why the loop body itself may add to what the loop iterates through another name
    (`ys.append(x)` with `ys = xs`, two parameters that may be one list, `add(x)` with
    `add = xs.append` or a lambda of the function): a growing method or a slice store on
    anything but a fresh local (None: it does neither).  Code the body calls that is not
    the function's own may add to it too: the assumption states it does not."""
    model = ctx.iterables
    own = model.fresh | model.private

    def foreign(target: cst.CSTNode) -> bool:
        while isinstance(target, (cst.Subscript, cst.Attribute)):
            target = target.value
        return not (isinstance(target, cst.Name) and target.value in own)
    stack = [body]
    while stack:
        n = stack.pop()
        if isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(n, cst.Call) and isinstance(n.func, cst.Name) and (
                n.func.value in ctx.nested_defs or _own_code(ctx, n.func.value, foreign)):
            return f"the body calls {n.func.value}, code of this function that may add to it"
        if isinstance(n, cst.Call) and isinstance(n.func, cst.Attribute) \
                and n.func.attr.value in GROWING and foreign(n.func.value):
            return f"the body calls {ctx.spanner.code(n.func)}, which may add to it"
        targets = [t.target for t in n.targets] if isinstance(n, cst.Assign) else (
            [n.target] if isinstance(n, (cst.AugAssign, cst.AnnAssign)) else [])
        for t in targets:
            if isinstance(t, cst.Subscript) and foreign(t) and any(
                    isinstance(e.slice, cst.Slice) for e in t.slice):
                return f"the body stores into {ctx.spanner.code(t)}, which may add to it"
        stack.extend(kids(n))
    return None


def _own_code(ctx, name: str, foreign) -> bool:
    """Is local `name` bound to a lambda of this function or to a growing method
    (`add = xs.append`)?"""
    if name not in ctx.local_names or ctx.fn_node is None:
        return False
    return any(isinstance(v, cst.Lambda) or (
        isinstance(v, cst.Attribute) and v.attr.value in GROWING and foreign(v.value))
        for v in _bindings_of(ctx.fn_node.body, name))
