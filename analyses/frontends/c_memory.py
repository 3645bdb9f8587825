"""Reads of array elements through pointer/array parameters: `tail[11]`, `*p`, `*(p + 2)`.

The elements a function reads are inputs, like its integer parameters: each distinct
element (parameter, constant index) becomes one value of the element type, chosen at
function entry (`Nondet`, labelled `p[i]`), so `tail[11] << 24` on a `const uint8_t *`
is found to overflow with the element's value in the counterexample.

This is exact only while memory cannot change under the function: the function writes no
memory (no assignment through a pointer, array or struct member), calls nothing that
could (only assert/abort-like functions), and never reassigns or takes the address of
the parameter.  Two different parameters may alias; treating their elements as
independent values only adds behaviours (proofs stay sound) and any counterexample is
realised by non-overlapping arrays.  Every other read stays "don't know" (Unsupported,
with the element type's range).
"""
from __future__ import annotations

from typing import Optional

from pycparser import c_ast

from .. import ir
from .c_common import impure
from .c_types import NonInt, const_value

# calls that read or write no memory the function can see
_MEMORY_FREE_CALLS = {"assert", "__assert_fail", "__assert", "__assert_rtn", "abort", "exit",
                      "_Exit", "reach_error", "__VERIFIER_error", "__VERIFIER_assume",
                      "__builtin_abort", "__builtin_trap", "__builtin_expect"}


def _is_pointer_like(t) -> bool:
    return isinstance(t, NonInt) and isinstance(t.elem, ir.IntT)


class _Scan(c_ast.NodeVisitor):
    """What in a function body rules out treating parameter elements as inputs."""

    def __init__(self, memory_free: frozenset = frozenset(),
                 local_arrays: frozenset = frozenset()):
        self.memory_free = memory_free      # the file's functions that write no memory
        self.local_arrays = local_arrays    # tracked local arrays (c_arrays): not memory
        self.writes = False
        self.calls = False
        self.assigned: set[str] = set()      # identifiers assigned, ++/--'d or &-taken
        self.declared: set[str] = set()      # names declared in the body (may shadow)
        self.decls: dict[str, list] = {}     # name -> [(Decl, inside a loop)]
        self.read_bases: set[str] = set()    # p of every p[..], *p, *(p + ..)
        self.variable_bases: set[str] = set()   # ... read at a non-literal index
        self.gotos = False
        self.loops = 0

    def visit_Goto(self, node):
        self.gotos = True

    def _loop(self, node):
        self.loops += 1
        self.generic_visit(node)
        self.loops -= 1
    visit_For = visit_While = visit_DoWhile = _loop

    def visit_ArrayRef(self, node):
        self._read(node)
        self.generic_visit(node)

    def _read(self, node):
        found = _base_and_index(node)
        if found:
            self.read_bases.add(found[0])
            if found[1] is not None and not _literal(found[1]):
                self.variable_bases.add(found[0])

    def visit_Assignment(self, node):
        self._target(node.lvalue)
        self.generic_visit(node)

    def visit_UnaryOp(self, node):
        self._read(node)
        if node.op in ("++", "--", "p++", "p--"):
            self._target(node.expr)
        elif node.op == "&" and isinstance(node.expr, c_ast.ID):
            self.assigned.add(node.expr.name)
        elif node.op == "&":
            self.writes = True            # &a[i], &s.f: memory may be written through it
        self.generic_visit(node)

    def visit_FuncCall(self, node):
        name = node.name.name if isinstance(node.name, c_ast.ID) else None
        if name is None or not (name in _MEMORY_FREE_CALLS or name in self.memory_free
                                or name.startswith("__VERIFIER_nondet_")):
            self.calls = True
        self.generic_visit(node)

    def visit_Decl(self, node):
        if node.name:
            self.declared.add(node.name)
            self.decls.setdefault(node.name, []).append((node, self.loops > 0))
        self.generic_visit(node)

    def _target(self, node):
        if isinstance(node, c_ast.ID):
            self.assigned.add(node.name)
        elif not (isinstance(node, c_ast.ArrayRef) and isinstance(node.name, c_ast.ID)
                  and node.name.name in self.local_arrays):
            self.writes = True


class ElementReads:
    """The element inputs of one function (see the module docstring)."""

    def __init__(self, fdef: c_ast.FuncDef, params: dict,
                 memory_free: frozenset = frozenset(), local_arrays: frozenset = frozenset()):
        scan = _Scan(memory_free, local_arrays)
        scan.visit(fdef.body)
        self.enabled = (not scan.writes and not scan.calls) or \
            (not scan.gotos and _writes_after_reads(fdef.body, memory_free, local_arrays))
        self.bases = {n for n, t in params.items() if _is_pointer_like(t)} \
            - scan.assigned - scan.declared
        local = _local_bases(scan, set(params)) if not scan.gotos else set()
        if local and len(scan.read_bases) == 1 and scan.read_bases <= local:
            self.bases |= local       # a local pointer may alias a parameter: alone only
        self.values: dict[tuple[str, int], tuple[str, ir.IntT, str]] = {}
        # bases read at a variable index: every read of them is an ir.Element (one z3
        # array), so a[0] and a[i] with i == 0 are the same value
        self.arrays = scan.variable_bases & self.bases

    def read(self, lw, node) -> Optional[ir.Expr]:
        """The value of an element read (node: ArrayRef or `*` UnaryOp), or None."""
        if not self.enabled:
            return None
        found = _base_and_index(node)
        if found is None or found[0] not in self.bases:
            return None
        base, index_node = found
        found_base = lw.lookup(base)
        t = found_base[1].elem if found_base and _is_pointer_like(found_base[1]) else None
        if not isinstance(t, ir.IntT):
            return None
        if base in self.arrays:
            return self._element(lw, node, base, index_node, t)
        index = 0
        if index_node is not None:
            mark, unsup = len(lw.out), len(lw.unsupported)
            value = const_value(lw.rvalue(index_node))
            if value is None or len(lw.out) != mark or len(lw.unsupported) != unsup:
                del lw.out[mark:]
                del lw.unsupported[unsup:]
                return None
            index = value
        key = (base, index)
        if key not in self.values:
            self.values[key] = (lw.temp(t, f"{base}_{index}".replace("-", "m")), t,
                                f"{base}[{index}]")
        name, t, _ = self.values[key]
        return ir.Var(name=name, type=t, span=lw.sp(node))

    def _element(self, lw, node, base, index_node, t) -> Optional[ir.Expr]:
        span = lw.sp(node)
        if index_node is None:
            index: ir.Expr = ir.Const(value=0, type=ir.MATH_INT, span=span)
        else:
            index = lw.rvalue(index_node)
            if not isinstance(index.type, ir.IntT) or lw.is_opaque(index):
                return None
            if impure(index):
                tmp = lw.temp(index.type, "idx")
                lw.out.append(ir.Assign(target=tmp, value=index, span=index.span))
                index = ir.Var(name=tmp, type=index.type, span=index.span)
            index = ir.Cast(arg=index, type=ir.MATH_INT, span=index.span)
        return ir.Element(array=base, index=index, type=t, span=span)

    def prologue(self) -> list[ir.Stmt]:
        """The entry assignments of the element values (one Nondet each)."""
        return [ir.Assign(target=name, value=ir.Nondet(type=t, label=label))
                for name, t, label in self.values.values()]


def _literal(node) -> bool:
    return isinstance(node, c_ast.Constant) or (
        isinstance(node, c_ast.UnaryOp) and node.op == "-" and
        isinstance(node.expr, c_ast.Constant))


def _writes_after_reads(body, memory_free: frozenset,
                        local_arrays: frozenset = frozenset()) -> bool:
    """Every memory write and unknown call sits in a top-level statement after the last
    one that reads an element (`*(uint32_t *)out = h1;` ending a hash function): all
    reads then see the memory as it was at entry."""
    first_change = None
    last_read = -1
    for i, stmt in enumerate(body.block_items or []):
        scan = _Scan(memory_free, local_arrays)
        scan.visit(stmt)
        if (scan.writes or scan.calls) and first_change is None:
            first_change = i
        if _reads_elements(stmt):
            last_read = i
    return first_change is not None and last_read < first_change


def _reads_elements(node) -> bool:
    class V(c_ast.NodeVisitor):
        found = False

        def visit_ArrayRef(self, n):
            self.found = True

        def visit_UnaryOp(self, n):
            if n.op == "*":
                self.found = True
            self.generic_visit(n)

        def visit_Assignment(self, n):          # the written element is not read
            target = n.lvalue
            if isinstance(target, c_ast.ArrayRef):
                self.visit(target.name)
                self.visit(target.subscript)
            elif isinstance(target, c_ast.UnaryOp) and target.op == "*":
                self.visit(target.expr)
            else:
                self.visit(target)
            if n.op != "=":                     # a compound assignment reads it too
                self.visit(target)
            self.visit(n.rvalue)
    v = V()
    v.visit(node)
    return v.found


def _local_bases(scan: _Scan, params: set[str]) -> set[str]:
    """Local pointers fixed once, outside loops, at a declaration whose initializer names
    only parameters and integer locals (so it points into the caller's memory, never at an
    array whose contents the function knows)."""
    cands = {}
    for name, decls in scan.decls.items():
        if len(decls) != 1 or name in scan.assigned or name in params:
            continue
        decl, in_loop = decls[0]
        if in_loop or decl.init is None or not isinstance(decl.type, c_ast.PtrDecl) \
                or set(decl.storage) - {"register", "auto"}:
            continue
        names = _Names()
        names.visit(decl.init)
        if names.ids and not names.literal:   # `p = "abc"` points at no caller memory
            cands[name] = names.ids
    out: set[str] = set()
    changed = True
    while changed:                        # pointers fixed from such pointers count too
        changed = False
        for name, ids in cands.items():
            if name not in out and all(n in params or n in out or _int_local(scan, n)
                                       for n in ids):
                out.add(name)
                changed = True
    return out


def _int_local(scan: _Scan, name: str) -> bool:
    decls = scan.decls.get(name, [])
    return len(decls) == 1 and isinstance(decls[0][0].type, c_ast.TypeDecl)


class _Names(c_ast.NodeVisitor):
    def __init__(self):
        self.ids: set[str] = set()
        self.literal = False

    def visit_ID(self, node):
        self.ids.add(node.name)

    def visit_Constant(self, node):
        self.literal = self.literal or node.type == "string"

    def visit_Typename(self, node):       # the type of a cast or sizeof names no object
        pass


def _base_and_index(node) -> Optional[tuple[str, Optional[object]]]:
    """(parameter name, index node or None for 0) of p[i], *p, *(p + i)."""
    if isinstance(node, c_ast.ArrayRef) and isinstance(node.name, c_ast.ID):
        return node.name.name, node.subscript
    if isinstance(node, c_ast.UnaryOp) and node.op == "*":
        e = node.expr
        if isinstance(e, c_ast.ID):
            return e.name, None
        if isinstance(e, c_ast.BinaryOp) and e.op == "+" and isinstance(e.left, c_ast.ID):
            return e.left.name, e.right
    return None


def param_types(fdef: c_ast.FuncDef, tenv) -> dict:
    """C parameter name -> CType of a definition's prototype parameters."""
    out = {}
    args = fdef.decl.type.args
    for p in (args.params if args is not None else []):
        if isinstance(p, c_ast.Decl) and p.name:
            out[p.name] = tenv.resolve(p.type)
    return out


def memory_free_functions(items, known: frozenset = frozenset()) -> frozenset:
    """Names of the file's function definitions that write no memory and call only such
    functions (fixpoint): calling them leaves every array element as it was."""
    defs = {e.decl.name: e for e in items if isinstance(e, c_ast.FuncDef)}
    calls: dict[str, set] = {}
    for name, fdef in defs.items():
        scan = _Calls()
        scan.visit(fdef.body)
        if not scan.writes and not scan.unknown:
            calls[name] = scan.names
    free: set[str] = set(known)
    changed = True
    while changed:
        changed = False
        for name, callees in calls.items():
            if name not in free and all(c in free or c in _MEMORY_FREE_CALLS or c == name
                                        for c in callees):
                free.add(name)
                changed = True
    return frozenset(free)


class _Calls(_Scan):
    """A body's memory writes and the names it calls."""

    def __init__(self):
        super().__init__()
        self.names: set[str] = set()
        self.unknown = False

    def visit_FuncCall(self, node):
        if isinstance(node.name, c_ast.ID):
            self.names.add(node.name.name)
        else:
            self.unknown = True           # through a function pointer
        self.generic_visit(node)


def lower_element(lw, node) -> Optional[ir.Expr]:
    """The C expression lowering's one entry point: an element input for `node`, or None
    (then the read stays unsupported)."""
    reads = getattr(lw, "elements", None)
    return reads.read(lw, node) if reads is not None else None
