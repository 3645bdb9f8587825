"""Pointer parameters of static functions that every caller points at one whole object.

The out-parameter idiom `static int find(..., T *out)` called as `find(..., &x)`: `*out`
is in bounds (element 0 of an object of one element) when every call in the file passes
`&x` for a variable x of exactly the pointed-to type that is not an array, or passes a
parameter of its own (never reassigned) that has the same property.  Only a static
function the file never uses as a value qualifies: then these are all its calls.  The
property is the greatest fixpoint over the file's calls, which is sound by induction on
the call stack: an activation's pointer comes from its caller's `&x` (alive during the
call) or from the caller's own such parameter.
"""
from __future__ import annotations

from pycparser import c_ast

from .c_memory import _Scan


def single_object_params(ctx) -> dict[str, frozenset]:
    """Function name -> names of its parameters that point to one object (cached)."""
    got = getattr(ctx, "single_objects", None)
    if got is None:
        got = ctx.single_objects = _compute(getattr(ctx, "file_items", None) or [],
                                            ctx.tenv)
    return got


def called_functions(ctx) -> frozenset:
    """Names the file's code calls directly (cached)."""
    got = getattr(ctx, "called_names", None)
    if got is None:
        uses = _Uses()
        for e in getattr(ctx, "file_items", None) or []:
            uses.visit(e)
        got = ctx.called_names = frozenset(f for _, f, _ in uses.calls)
    return got


class _Uses(c_ast.NodeVisitor):
    """Calls by name (with their caller) and every other use of a name."""

    def __init__(self):
        self.calls: list = []            # (caller FuncDef or None, callee name, args)
        self.values: set[str] = set()
        self.caller = None

    def visit_FuncDef(self, node):
        self.caller = node
        self.visit(node.body)
        self.caller = None

    def visit_FuncCall(self, node):
        if isinstance(node.name, c_ast.ID):
            args = list(node.args.exprs) if node.args is not None else []
            self.calls.append((self.caller, node.name.name, args))
        else:
            self.visit(node.name)
        if node.args is not None:
            self.visit(node.args)

    def visit_ID(self, node):
        self.values.add(node.name)


def _decls(node, name: str) -> list:
    """Every declaration of `name` inside node (parameters and locals of a body)."""
    found = []

    class V(c_ast.NodeVisitor):
        def visit_Decl(self, d):
            if d.name == name:
                found.append(d)
            self.generic_visit(d)
    V().visit(node)
    return found


def _compute(items, tenv) -> dict[str, frozenset]:
    defs = {e.decl.name: e for e in items if isinstance(e, c_ast.FuncDef)}
    globals_ = {}
    for e in items:
        if isinstance(e, c_ast.Decl) and e.name and not isinstance(e.type, c_ast.FuncDecl):
            globals_.setdefault(e.name, []).append(e)
    uses = _Uses()
    for e in items:
        uses.visit(e)
    cand: dict[str, dict[int, tuple[str, object]]] = {}
    for name, fdef in defs.items():
        if "static" not in (fdef.decl.storage or []) or name in uses.values:
            continue
        args = fdef.decl.type.args
        params = list(args.params) if args is not None else []
        scan = _Scan()
        scan.visit(fdef.body)
        cand[name] = {i: (p.name, tenv.resolve(p.type.type)) for i, p in enumerate(params)
                      if isinstance(p, c_ast.Decl) and p.name and
                      isinstance(p.type, c_ast.PtrDecl) and p.name not in scan.assigned}
    calls = [(c, f, a) for c, f, a in uses.calls if f in cand]
    for caller, f, args in calls:
        if len(args) != len(fdef_params(defs[f])) or caller is None:
            cand[f] = {}
    changed = True
    while changed:
        changed = False
        for caller, f, args in calls:
            for i in list(cand[f]):
                if not _passes_one(caller, args[i], cand[f][i][1], cand, globals_, tenv):
                    del cand[f][i]
                    changed = True
    return {f: frozenset(n for n, _ in ps.values()) for f, ps in cand.items() if ps}


def fdef_params(fdef) -> list:
    args = fdef.decl.type.args
    return list(args.params) if args is not None else []


def _passes_one(caller, arg, pointee, cand, globals_, tenv) -> bool:
    """Does `arg` (in `caller`) point to one object of type `pointee`?"""
    if isinstance(arg, c_ast.UnaryOp) and arg.op == "&" and isinstance(arg.expr, c_ast.ID):
        x = arg.expr.name
        decls = _decls(caller, x) + globals_.get(x, [])
        return bool(decls) and all(
            not isinstance(d.type, c_ast.ArrayDecl) and tenv.resolve(d.type) == pointee
            for d in decls)
    if isinstance(arg, c_ast.ID):
        name = caller.decl.name
        params = fdef_params(caller)
        own = [i for i, p in enumerate(params) if getattr(p, "name", None) == arg.name]
        shadowed = _decls(caller.body, arg.name)
        return len(own) == 1 and not shadowed and own[0] in cand.get(name, {}) and \
            cand[name][own[0]][1] == pointee
    return False
