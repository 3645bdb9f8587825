"""Local arrays as values: `int a[8]; a[i] = v; ... a[j]` with exact contents.

A local array of integers of constant size (also `char b[] = "abc"`, `int c[] = {1, 2}`)
declared once in a function without `goto` is tracked: its contents are a value of the
run (ir.ArrayInit, ir.Store, ir.Load: one z3 array in the engine's state; a tuple in the
interpreter), read and written through `a[i]` (`a[i] = v`, `a[i]++`, `a[i] += v`).
When its name is used any other way (`a` passed to a function, `&a[i]`, `p = a`, `*a`,
`a + 1`) its address escapes: it then counts as address-taken (Function.address_taken),
so every call that may write memory and every write through an untracked pointer havoc
it (fresh contents), and reads through the alias stay unknown.  The bounds obligation of
every access (c_bounds) comes first, so stores and loads only ever see indices in range.
"""
from __future__ import annotations

from typing import Optional

from pycparser import c_ast

from .. import ir
from .c_bounds import check_access
from .c_common import impure, is_int
from .c_strings import sized_by_initializer, string_node
from .c_types import NonInt, convert, wrap

MAX_LENGTH = 1 << 16


class _Uses(c_ast.NodeVisitor):
    """Names of `cands` used other than as `name[i]` or under sizeof."""

    def __init__(self, cands: set[str]):
        self.cands, self.escaped = cands, set()
        self.gotos = False

    def visit_ArrayRef(self, node):
        if isinstance(node.name, c_ast.ID) and node.name.name in self.cands:
            self.visit(node.subscript)
        else:
            self.generic_visit(node)

    def visit_UnaryOp(self, node):
        if node.op not in ("sizeof", "_Alignof"):
            self.generic_visit(node)

    def visit_StructRef(self, node):
        self.visit(node.name)             # the member name is not a variable

    def visit_ID(self, node):
        if node.name in self.cands:
            self.escaped.add(node.name)

    def visit_Goto(self, node):
        self.gotos = True


class _Decls(c_ast.NodeVisitor):
    def __init__(self):
        self.decls: dict[str, list] = {}

    def visit_Decl(self, node):
        if node.name:
            self.decls.setdefault(node.name, []).append(node)
        self.generic_visit(node)


def tracked_arrays(fdef: c_ast.FuncDef, tenv) -> tuple[set[str], set[str]]:
    """C names of the local arrays of fdef that are tracked, and of those the ones whose
    address escapes (see the module docstring)."""
    found = _Decls()
    found.visit(fdef.body)
    params = fdef.decl.type.args.params if fdef.decl.type.args is not None else []
    pnames = {getattr(p, "name", None) for p in params}
    cands = set()
    for name, decls in found.decls.items():
        d = decls[0]
        if len(decls) != 1 or name in pnames or set(d.storage) - {"auto", "register"} or \
                not isinstance(d.type, c_ast.ArrayDecl) or \
                "volatile" in getattr(d.type.type, "quals", ["volatile"]):
            continue
        t = sized_by_initializer(tenv.resolve(d.type), d)
        if isinstance(t, NonInt) and is_int(t.elem) and t.length is not None and \
                0 < t.length <= MAX_LENGTH:
            cands.add(name)
    if not cands:
        return set(), set()
    uses = _Uses(cands)
    uses.visit(fdef.body)
    return (set(), set()) if uses.gotos else (cands, uses.escaped)


def init_arrays(lw, tracked: set[str], escaped: set[str] = frozenset()) -> None:
    lw.tracked_arrays = tracked           # C names
    lw.escaped_arrays = escaped           # ... whose address escapes (havocked like `&x`)
    lw.array_entries = {}                 # id(scope entry) -> IR name
    lw.arrays = {}                        # IR name -> element type


def declare_array(lw, node, t: NonInt) -> bool:
    """Lower the declaration of a tracked array (False: not one)."""
    if node.name not in getattr(lw, "tracked_arrays", ()):
        return False
    name = node.name
    while name in lw.locals or name in lw.ctx.globals or name in lw.ctx.funcs or \
            name in lw.arrays:
        lw.n += 1
        name = f"{node.name}${lw.n}"
    entry = (None, t)
    lw.scopes[-1][node.name] = entry
    lw.array_entries[id(entry)] = name
    lw.arrays[name] = t.elem
    if node.name in lw.escaped_arrays:
        lw.addr_ir.add(name)
    values = _initial_values(lw, node, t)
    lw.out.append(ir.ArrayInit(array=name, length=t.length, values=values,
                               span=lw.ctx.spans.stmt_span(node)))
    return True


def _initial_values(lw, node, t: NonInt) -> Optional[list]:
    init, elem = node.init, t.elem
    if init is None:
        return None
    data = string_node(init)
    if data is not None and elem.bits == 8:
        data = data[:t.length]            # `char s[3] = "abc"`: no room for the NUL
        return [ir.Const(value=wrap(b, elem), type=elem) for b in data]
    if isinstance(init, c_ast.InitList) and len(init.exprs) <= t.length and not any(
            isinstance(x, (c_ast.NamedInitializer, c_ast.InitList)) for x in init.exprs):
        out = []
        for x in init.exprs:
            v = lw.rvalue(x)
            if lw.is_opaque(v):
                lw.note("array initializer that is not an integer", x)
                return None
            v = convert(v, elem)
            if impure(v):
                tmp = lw.temp(elem, "init")
                lw.out.append(ir.Assign(target=tmp, value=v, span=v.span))
                v = ir.Var(name=tmp, type=elem, span=v.span)
            out.append(v)
        return out
    lw.note(f"initializer of the array {node.name}", init)
    return None


def array_of(lw, base) -> Optional[tuple[str, ir.IntT]]:
    """(IR name, element type) when `base` (the `a` of `a[i]`) names a tracked array."""
    if not isinstance(base, c_ast.ID):
        return None
    entry = lw.lookup(base.name)
    name = lw.array_entries.get(id(entry)) if entry is not None else None
    return None if name is None else (name, lw.arrays[name])


def _index(lw, node) -> Optional[ir.Expr]:
    """The index c_bounds lowered (and checked) for the access `node`."""
    got = lw.premade.get(id(node.subscript))
    return None if got is None else convert(got, ir.MATH_INT)


def load(lw, node) -> Optional[ir.Expr]:
    """The value of `a[i]` for a tracked a (its bounds already checked), else None."""
    found = array_of(lw, node.name)
    index = _index(lw, node) if found else None
    if index is None:
        return None
    return ir.Load(array=found[0], index=index, type=found[1], span=lw.sp(node))


def store(lw, node, value_of, want_old: bool = False) -> Optional[ir.Expr]:
    """`a[i] = v`, `a[i] op= v`, `a[i]++`... on a tracked a: `value_of(old)` gives the new
    value (old: the element's current value).  Returns the assignment's value (the old
    one with want_old: `a[i]++`), or None when `node` is not such an access."""
    found = array_of(lw, node.name)
    if found is None:
        return None
    name, elem = found
    span = lw.sp(node)
    key = check_access(lw, node)
    try:
        index = _index(lw, node)
        if index is None or lw.is_opaque(index):       # the array may change anywhere
            lw.effects(node.subscript) if key is None else None
            value_of(lw.unsup(f"element of {node.name.name}", node, elem))
            lw.havoc(f"assignment to {node.name.name} at an unknown index", node, [name])
            return lw.unsup(f"value of the assignment to {node.name.name}", node, elem)
        old = ir.Load(array=name, index=index, type=elem, span=span)
        saved = None
        if want_old:
            saved = lw.temp(elem, "old")
            lw.out.append(ir.Assign(target=saved, value=old, span=span))
            old = ir.Var(name=saved, type=elem, span=span)
        new = convert(value_of(old), elem)
        if not isinstance(new, (ir.Var, ir.Const)):
            tmp = lw.temp(elem, "elem")
            lw.out.append(ir.Assign(target=tmp, value=new, span=span))
            new = ir.Var(name=tmp, type=elem, span=span)
        lw.out.append(ir.Store(array=name, index=index, value=new, span=span))
        return old if want_old else new
    finally:
        if key is not None:
            lw.premade.pop(key, None)


def assign_array(lw, node) -> Optional[ir.Expr]:
    """`a[i] = v` / `a[i] op= v` (node: the Assignment) on a tracked array, else None."""
    if not isinstance(node.lvalue, c_ast.ArrayRef):
        return None
    span = lw.sp(node)
    if node.op == "=":
        return store(lw, node.lvalue, lambda old: lw.rvalue(node.rvalue))
    return store(lw, node.lvalue, lambda old: lw.binop(node.op[:-1], old,
                                                       lw.rvalue(node.rvalue), span))


def incdec_array(lw, node) -> Optional[ir.Expr]:
    """`a[i]++`, `--a[i]`... (node: the UnaryOp) on a tracked array, else None."""
    if not isinstance(node.expr, c_ast.ArrayRef):
        return None
    span = lw.sp(node)
    one = ir.Const(value=1, type=ir.C_INT, span=span)
    return store(lw, node.expr, lambda old: lw.binop("+" if "+" in node.op else "-", old,
                                                     one, span),
                 want_old=node.op.startswith("p"))
