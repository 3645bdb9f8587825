"""Who calls whom inside one Program: recursion detection and change fingerprints."""
from __future__ import annotations

from . import ir


def calls_in(node) -> list[ir.Call]:
    """Every Call expression inside a statement list, statement or expression."""
    out: list[ir.Call] = []
    _walk(node, out)
    return out


def _walk(node, out: list) -> None:
    if isinstance(node, list) or isinstance(node, tuple):
        for n in node:
            _walk(n, out)
        return
    if isinstance(node, ir.Call):
        out.append(node)
    if isinstance(node, (ir.Expr, ir.Stmt, ir.Contract)):
        for v in vars(node).values():
            if isinstance(v, (ir.Expr, ir.Stmt, ir.Contract, list, tuple)):
                _walk(v, out)


def assigned(stmts) -> list[str]:
    """Variables a statement list may assign (Assign targets, Havoc targets), first-seen
    order, nested blocks and loops included."""
    out: dict[str, None] = {}
    for s in stmts:
        if isinstance(s, ir.Assign):
            out.setdefault(s.target, None)
        elif isinstance(s, ir.Havoc):
            out.update(dict.fromkeys(s.targets))
        elif isinstance(s, (ir.Store, ir.ArrayInit)):
            out.setdefault(s.array, None)
        elif isinstance(s, ir.If):
            out.update(dict.fromkeys(assigned(s.then) + assigned(s.orelse)))
        elif isinstance(s, ir.While):
            out.update(dict.fromkeys(assigned(s.body) + assigned(s.update)))
    return list(out)


def loops_in(stmts, out=None) -> list[ir.While]:
    """Every loop in a statement list, outer before inner, in source order."""
    out = [] if out is None else out
    for s in stmts:
        if isinstance(s, ir.While):
            out.append(s)
            loops_in(s.body + s.update, out)
        elif isinstance(s, ir.If):
            loops_in(s.then, out)
            loops_in(s.orelse, out)
    return out


def callees(fn: ir.Function) -> list[str]:
    """Names of called functions, first-call order, without duplicates (memoized on the
    function: the IR is not mutated after parsing)."""
    cached = fn.__dict__.get("_callees")
    if cached is not None:
        return list(cached)
    seen: dict[str, None] = {}
    for c in calls_in(fn.body) + calls_in(fn.requires) + calls_in(fn.ensures):
        seen.setdefault(c.func, None)
    fn.__dict__["_callees"] = tuple(seen)
    return list(seen)


def has_contract(fn: ir.Function) -> bool:
    return bool(fn.requires or fn.ensures)


def reachable(program: ir.Program, name: str) -> set[str]:
    """Functions of the program reachable from name through calls (name excluded unless
    it is reachable from itself, i.e. recursive)."""
    seen: set[str] = set()
    todo = [c for c in callees(program.functions[name]) if c in program.functions]
    while todo:
        f = todo.pop()
        if f in seen:
            continue
        seen.add(f)
        todo.extend(c for c in callees(program.functions[f]) if c in program.functions)
    return seen


def is_recursive(program: ir.Program, name: str) -> bool:
    return name in reachable(program, name)


def sccs(program: ir.Program) -> list[set[str]]:
    """Strongly connected components of the call graph (mutual recursion groups);
    computed once per Program."""
    cached = getattr(program, "_sccs", None)
    if cached is not None:
        return cached
    comps = _sccs(program)
    program._sccs = comps
    return comps


def _sccs(program: ir.Program) -> list[set[str]]:
    funcs = program.functions
    return strongly_connected({f: [c for c in callees(fn) if c in funcs]
                               for f, fn in funcs.items()})


def strongly_connected(succ: dict) -> list[set]:
    """Tarjan's algorithm (iterative) over a graph node -> successors (every successor a
    node), components in the order of their first node."""
    index: dict = {}
    low: dict = {}
    stack: list = []
    on_stack: set = set()
    comps: list[set] = []
    for start in succ:
        if start in index:
            continue
        work = [(start, iter(succ[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(succ[w])))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = set()
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    comp.add(w)
                    if w == v:
                        break
                comps.append(comp)
    order = {f: i for i, f in enumerate(succ)}
    comps.sort(key=lambda c: min(order[f] for f in c))
    return comps


def dependencies(program: ir.Program, name: str) -> list[str]:
    """What name's verdicts depend on: its own source, the contract of each callee, and the
    source of callees that have no contract (they are inlined)."""
    fn = program.functions[name]
    deps = [f"fn:{fn.name}:{fn.source}",     # and contracts written elsewhere (class invariants)
            "own:" + "|".join(c.text or repr(c.expr) for c in fn.requires + fn.ensures)]
    for callee in sorted(reachable(program, name)):
        g = program.functions[callee]
        contract = "|".join(c.text or repr(c.expr) for c in g.requires + g.ensures)
        deps.append(f"contract:{callee}:{contract}")
        deps.append(f"src:{callee}:{g.source}")
    unknown = sorted({c for c in callees(fn) if c not in program.functions})
    deps.append("extern:" + ",".join(unknown))
    return deps
