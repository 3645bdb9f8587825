"""Out-of-bounds obligations of C element accesses: `a[i]`, `*(p + i)`, `*p`.

Every read or write of an element of a named array or pointer becomes an
`Assert(kind="bounds")` before the access: `lo <= index <= hi` over mathematical integers
(the index as computed, after promotion), where lo..hi is the range of elements the object
is known to have:

* a local, static or global array of constant size `T a[N]`: 0 .. N-1;
* a pointer parameter of a static function whose every call passes `&x` of one object
  (c_single_objects): 0 .. 0;
* a pointer/array parameter with `requires \\valid(a + (lo .. hi))` (or `\\valid_read`),
  `T a[static N]` (0 .. N-1), or `T a[n]` with an earlier integer parameter n
  (0 .. n-1, the C99 convention of a VLA parameter) — only while the function never
  reassigns the parameter.  Lengths are the parameters' values at entry.

Any other access (a pointer whose object size is unknown, a struct member, a
multi-dimensional element) is recorded in `bounds_unknown`: the engine reports one
"don't know" bounds finding per such site.  The `&a[i]` operand is not an access.
"""
from __future__ import annotations

import dataclasses
from typing import Optional

from pycparser import c_ast

from .. import ir
from .c_common import impure, is_int
from .c_member_arrays import member_access, member_range
from .c_memory import _base_and_index, _Scan
from .c_single_objects import single_object_params
from .c_strings import literal_of, literal_range
from .c_types import NonInt

M = ir.MATH_INT


class AccessBounds:
    """The known element ranges of one function's parameters (see the module docstring)."""

    def __init__(self, lw, fdef: c_ast.FuncDef, declared, valid: dict):
        scan = _Scan()
        scan.visit(fdef.body)
        self.assigned = scan.assigned            # C names reassigned, ++'d or &-taken
        self.params: dict[str, tuple] = {}       # C name -> its scope entry
        self.ranges: dict[str, tuple[ir.Expr, ir.Expr]] = {}
        self.sizes: dict[str, str] = {}          # C name -> its size as C text (replay)
        self.prologue: list[ir.Stmt] = []
        self._snap: dict[str, str] = {}          # IR param -> its entry snapshot
        int_params: dict[str, tuple[str, ir.IntT]] = {}
        for _, p, t in declared:
            name = getattr(p, "name", None)
            if name is None or not lw.scopes or name not in lw.scopes[0]:
                continue
            entry = lw.scopes[0][name]
            self.params[name] = entry
            if entry[0] is not None and is_int(entry[1]):
                int_params[name] = entry
            elif isinstance(p.type, c_ast.ArrayDecl):
                r = self._declared_range(lw, p.type, int_params)
                if r is not None:
                    self.ranges[name], self.sizes[name] = r
        for name, vr in valid.items():
            if name in self.params and not is_int(self.params[name][1]) \
                    and name not in self.ranges:
                self.ranges[name] = (vr.lo, vr.hi)
                if vr.size_text:
                    self.sizes[name] = vr.size_text
        zero = ir.Const(value=0, type=M)
        for name in single_object_params(lw.ctx).get(fdef.decl.name, ()):
            if name in self.params and name not in self.ranges and name not in self.assigned:
                self.ranges[name] = (zero, zero)
        for name in list(self.ranges):
            lo, hi = self.ranges[name]
            self.ranges[name] = (self._at_entry(lw, lo), self._at_entry(lw, hi))

    def _declared_range(self, lw, adecl, int_params):
        """0 .. N-1 of `T a[static N]`, 0 .. n-1 of `T a[n]` (n an earlier parameter)."""
        dim = adecl.dim
        zero = ir.Const(value=0, type=M)
        if "static" in (adecl.dim_quals or []):
            n = lw.ctx.tenv.array_length(dim)
            if n is not None:
                return (zero, ir.Const(value=n - 1, type=M)), str(n)
        if isinstance(dim, c_ast.ID) and dim.name in int_params:
            irn, t = int_params[dim.name]
            v = ir.Cast(arg=ir.Var(name=irn, type=t), type=M)
            one = ir.Const(value=1, type=M)
            return (zero, ir.Binary(op="sub", left=v, right=one, type=M)), irn
        return None

    def array_params(self, declared) -> list:
        """The parameters of known size, for --replay's driver."""
        out = []
        for i, p, t in declared:
            name = getattr(p, "name", None)
            if name in self.sizes and name not in self.assigned and \
                    isinstance(getattr(t, "elem", None), ir.IntT):
                out.append(ir.ArrayParam(i, name, t.elem, self.sizes[name]))
        return out

    def _at_entry(self, lw, e: ir.Expr) -> ir.Expr:
        """e with every parameter the body assigns read from a snapshot taken at entry."""
        if isinstance(e, ir.Var):
            cname = next((c for c, en in self.params.items() if en[0] == e.name), None)
            if cname is None or cname not in self.assigned:
                return e
            snap = self._snap.get(e.name)
            if snap is None:
                snap = self._snap[e.name] = lw.temp(e.type, f"{cname}_at_entry")
                self.prologue.append(ir.Assign(target=snap, value=e))
            return ir.Var(name=snap, type=e.type, span=e.span)
        changes = {f: self._at_entry(lw, v) for f, v in vars(e).items()
                   if isinstance(v, ir.Expr)}
        return dataclasses.replace(e, **changes) if changes else e

    def caller_memory(self, lw, lnode) -> bool:
        """Does the write to `lnode` land in the object a parameter points to (`p[i]`,
        `*(p + i)`, `*p`, `p->f`), p never reassigned?  Only the caller can see it."""
        if isinstance(lnode, c_ast.StructRef) and lnode.type == "->" and \
                isinstance(lnode.name, c_ast.ID):
            base = lnode.name.name
        else:
            found = _base_and_index(lnode)
            if found is None:
                return False
            base = found[0]
        entry = lw.lookup(base)
        return entry is not None and self.params.get(base) is entry and \
            base not in self.assigned and not is_int(entry[1])

    # ------------------------------------------------------------------ one access
    def range_of(self, lw, base: str):
        """(lo, hi) of the object `base` names, or the reason it is unknown."""
        entry = lw.lookup(base)
        if entry is None:
            return f"{base} is not declared"
        t = entry[1]
        if self.params.get(base) is entry:
            if base in self.assigned:
                return (f"{base} is reassigned in the function, so the object it points "
                        f"into is not tracked")
            if base in self.ranges:
                return self.ranges[base]
            return (f"size of the object {base} points to is unknown; add "
                    f"`requires \\valid({base} + (0 .. n-1));`")
        if isinstance(t, NonInt) and t.length is not None and t.desc.endswith("[]"):
            return ir.Const(value=0, type=M), ir.Const(value=t.length - 1, type=M)
        return f"size of the object {base} points to is unknown (a local pointer)"

    def check(self, lw, node) -> Optional[int]:
        """Emit the obligation of one access (or note it unknown).  Returns the id of the
        index node lowered here (its value is reused by the access itself)."""
        span = lw.sp(node)
        if id(node) in lw.address_only or _function_designator(lw, node):
            return None
        found = _base_and_index(node)
        literal = literal_of(lw, node.name if isinstance(node, c_ast.ArrayRef) else
                             node.expr, self.assigned)
        if literal is not None and found is None:            # "abc"[i]
            found = ("", getattr(node, "subscript", None))
        elif found is not None and literal is None:
            literal = literal_of(lw, c_ast.ID(found[0]), self.assigned)
        member = member_access(node) if found is None else None
        if found is None and member is None:
            lw.bounds_unknown.append((_shape_reason(node), span))
            return None
        if member is not None:
            index_node = member[1]
            rng = member_range(lw, member[0])
        else:
            base, index_node = found
            rng = literal_range(literal) if literal is not None else \
                self.range_of(lw, base)
        if isinstance(rng, str):
            lw.bounds_unknown.append((rng, span))
            return None
        key = None
        if index_node is None:
            index: ir.Expr = ir.Const(value=0, type=M, span=span)
        else:
            index = lw.rvalue(index_node)
            if lw.is_opaque(index):
                lw.premade[id(index_node)] = index
                lw.bounds_unknown.append(("the index is not an integer", span))
                return id(index_node)
            if impure(index):
                tmp = lw.temp(index.type, "idx")
                lw.out.append(ir.Assign(target=tmp, value=index, span=index.span))
                index = ir.Var(name=tmp, type=index.type, span=index.span)
            lw.premade[id(index_node)] = index
            key = id(index_node)
        lo, hi = rng
        im = index if index.type == M else ir.Cast(arg=index, type=M, span=index.span)
        cond = ir.Binary(op="and", type=ir.BOOL, span=span,
                         left=ir.Binary(op="le", left=lo, right=im, type=ir.BOOL, span=span),
                         right=ir.Binary(op="le", left=im, right=hi, type=ir.BOOL, span=span))
        lw.out.append(ir.Assert(cond=cond, kind="bounds", span=span,
                                message="out-of-bounds access"))
        return key


def _function_designator(lw, node) -> bool:
    """`*fp` of a function pointer (`(*fp)(x)`) designates a function, not an element."""
    if not (isinstance(node, c_ast.UnaryOp) and node.op == "*"):
        return False
    t = lw.static_type(node.expr)
    return isinstance(t, NonInt) and isinstance(t.elem, NonInt) and t.elem.desc == "function"


def _shape_reason(node) -> str:
    inner = node.name if isinstance(node, c_ast.ArrayRef) else node.expr
    if isinstance(inner, c_ast.ArrayRef):
        return "element of a multi-dimensional array: its bounds are not checked"
    if isinstance(inner, c_ast.StructRef) or (
            isinstance(node, c_ast.UnaryOp) and isinstance(inner, c_ast.BinaryOp)
            and isinstance(inner.left, c_ast.StructRef)):
        return "size of the object a struct member points to is unknown"
    return "the accessed object is not a named array or pointer, so its size is unknown"


def init_access(lw) -> None:
    """The expression lowerer's state for the obligations."""
    lw.bounds = None                      # AccessBounds of the function (set per function)
    lw.bounds_unknown = []                # (reason, span) of accesses of unknown size
    lw.premade = {}                       # id(index node) -> its value, lowered once here
    lw.address_only = set()               # ids of `&a[i]` operands: no access
    lw.literal_pointers = {}              # id(scope entry) -> bytes of `const char *p = ".."`


def check_access(lw, node) -> Optional[int]:
    """The C expression lowering's entry point (None when bounds are not tracked)."""
    bounds = getattr(lw, "bounds", None)
    return bounds.check(lw, node) if bounds is not None else None
