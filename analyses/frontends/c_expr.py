"""C expressions -> IR expressions, with side effects hoisted into statements.

`expr(node)` returns a pure IR expression (Call/Nondet aside) and appends the statements
that must run first (assignments, `++`, short-circuit branches) to `self.out`.  Every
implicit conversion becomes an explicit `Cast`; temporaries are named `<hint>$<n>`, which
no C identifier can clash with.
"""
from __future__ import annotations

from typing import Optional

from pycparser import c_ast

from .. import ir
from .c_calls import lower_call
from .c_arrays import init_arrays
from .c_bounds import init_access
from .c_common import impure, is_int
from .c_lvalues import ObjectLowering
from .c_null_tests import null_truth
from .c_opaque import UNKNOWN, OpaqueValues
from .c_sizeof import lower_offsetof, lower_sizeof
from .c_types import VOID, CType, NonInt, as_cond, as_value, convert, describe

_ARITH = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod", "&": "band",
          "|": "bor", "^": "bxor"}
_SHIFT = {"<<": "shl", ">>": "shr"}
_CMP = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}


class ExprLowerer(ObjectLowering, OpaqueValues):
    """Lowers one function's expressions (assignments, ++/--, element access and
    dereference: c_lvalues.ObjectLowering; opaque values: c_opaque.OpaqueValues)."""

    def __init__(self, ctx, fn_name: str = ""):
        self.ctx, self.fn_name, self.dm = ctx, fn_name, ctx.dm
        self.out: list[ir.Stmt] = []
        self.scopes: list[dict[str, tuple[Optional[str], CType]]] = [{}]
        self.locals: dict[str, ir.IntT] = {}
        self.unsupported: list[tuple[str, ir.Span]] = []
        self.addr_taken: set[str] = set()       # C names whose address is taken
        self.addr_ir: set[str] = set()          # their IR names
        self.n = 0
        self.local_consts: dict[str, int] = {}  # IR name -> value of a `const` local
        init_access(self)                       # c_bounds: the obligations' state
        init_arrays(self, set())                # c_arrays: tracked local arrays
        self._opaque_init()

    # ------------------------------------------------------------------ helpers
    def sp(self, node) -> ir.Span:
        return self.ctx.spans.span(node)

    def temp(self, t: ir.IntT, hint: str = "tmp") -> str:
        self.n += 1
        name = f"{hint}${self.n}"
        self.locals[name] = t
        return name

    def lookup(self, name: str) -> Optional[tuple[Optional[str], CType]]:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        if name in self.ctx.globals:
            t = self.ctx.globals[name]
            return (name if is_int(t) else None), t
        return None

    def note(self, what: str, node_or_span) -> ir.Span:
        span = node_or_span if isinstance(node_or_span, ir.Span) else self.sp(node_or_span)
        self.unsupported.append((what, span))
        return span

    def unsup(self, what: str, node, t: CType = ir.C_INT) -> ir.Expr:
        """An arbitrary value of C type t: of an integer type, any value in its range; of
        any other type, an opaque value (see c_opaque)."""
        if is_int(t) or isinstance(t, ir.BoolT):
            return self.arbitrary(what, node, t)
        return self.opaque(what, node, t)

    def memory_targets(self) -> list[str]:
        """Variables an untracked write through a pointer or array may change."""
        gl = [g for g, t in self.ctx.globals.items() if is_int(t) and g not in self.ctx.consts]
        return sorted(self.addr_ir) + sorted(gl)

    def havoc(self, what: str, node, targets: Optional[list[str]] = None) -> None:
        span = self.note(what, node)
        tg = self.memory_targets() if targets is None else targets
        self.out.append(ir.Havoc(targets=tg, what=f"{what} at line {span.line}", span=span))

    def sub(self, fn, *args) -> tuple[list[ir.Stmt], ir.Expr]:
        """Lower into a fresh statement list (for code that runs conditionally)."""
        saved, self.out = self.out, []
        try:
            e = fn(*args)
            return self.out, e
        finally:
            self.out = saved

    def seq(self, nodes) -> list[ir.Expr]:
        """Lower operands left to right; an impure operand is saved in a temporary when a
        later operand emits statements, so the order of effects is kept."""
        vals = []
        for node in nodes:
            mark = len(self.out)
            v = self.rvalue(node)
            if len(self.out) > mark:
                for i, prev in enumerate(vals):
                    if impure(prev):
                        t = self.temp(prev.type)
                        self.out.insert(mark, ir.Assign(target=t, value=prev, span=prev.span))
                        mark += 1
                        vals[i] = ir.Var(name=t, type=prev.type, span=prev.span)
            vals.append(v)
        return vals

    def rvalue(self, node) -> ir.Expr:
        return as_value(self.expr(node))

    def cond(self, node) -> ir.Expr:
        if isinstance(node, c_ast.Constant) and node.type == "string":
            return ir.Const(value=1, type=ir.BOOL, span=self.sp(node))   # `&& "message"`
        if (test := null_truth(self, node)) is not None:                # `if (p)`
            return test
        return as_cond(self.expr(node))

    def const(self, value: int, t: ir.Type, node) -> ir.Const:
        return ir.Const(value=value, type=t, span=self.sp(node))

    # ------------------------------------------------------------------ dispatch
    def expr(self, node, discard: bool = False) -> ir.Expr:
        if self.premade and id(node) in self.premade:
            return self.premade[id(node)]
        method = getattr(self, "x_" + type(node).__name__, None)
        if method is None:
            return self.unsup(f"{type(node).__name__} expression", node)
        return method(node, discard) if type(node).__name__ in _DISCARD_AWARE \
            else method(node)

    def x_Constant(self, node) -> ir.Expr:
        kind = node.type
        if kind == "char":
            return self.const(self.dm.char_constant(node.value), ir.C_INT, node)
        if kind == "string":
            return self.unsup("string literal", node, NonInt("char []", ir.C_CHAR))
        if any(w in kind for w in ("int", "long")) and "double" not in kind:
            try:
                v, t = self.dm.int_constant(node.value)
                return self.const(v, t, node)
            except ValueError:
                pass
        return self.unsup(f"{kind} constant {node.value}", node,
                          NonInt("double" if "double" in kind or "float" in kind else kind))

    def x_ID(self, node) -> ir.Expr:
        found = self.lookup(node.name)
        if found is None:
            if node.name in self.ctx.enums:
                return self.const(self.ctx.enums[node.name], ir.C_INT, node)
            if node.name in self.ctx.funcs:
                return self.unsup(f"function pointer {node.name}", node, NonInt("function"))
            return self.unsup(f"undeclared identifier {node.name}", node, UNKNOWN)
        name, t = found
        if name is None or not is_int(t):
            return self.unsup(f"use of {node.name} of type {describe(t)}", node, t)
        return self.ident(name, t, self.sp(node))

    def ident(self, name: str, t: ir.IntT, span: ir.Span) -> ir.Expr:
        """A read of the integer variable `name`; a `const` object with a constant
        initializer reads as its value (it can never hold another)."""
        value = self.local_consts.get(name, self.ctx.consts.get(name))   # IR names are unique
        if value is not None:
            return ir.Const(value=value, type=t, span=span)
        return ir.Var(name=name, type=t, span=span)

    def binop(self, op: str, left: ir.Expr, right: ir.Expr, span: ir.Span) -> ir.Expr:
        if self.is_opaque(left) or self.is_opaque(right):
            return self.opaque_binop(op, left, right, span)
        if op in _SHIFT:
            lt, rt = self.dm.promote(left.type), self.dm.promote(right.type)
            return ir.Binary(op=_SHIFT[op], left=convert(left, lt), right=convert(right, rt),
                             type=lt, span=span)
        t = self.dm.uac(left.type, right.type)
        l, r = convert(left, t), convert(right, t)
        if op in _CMP:
            return ir.Binary(op=_CMP[op], left=l, right=r, type=ir.BOOL, span=span)
        return ir.Binary(op=_ARITH[op], left=l, right=r, type=t, span=span)

    def x_BinaryOp(self, node) -> ir.Expr:
        span = self.sp(node)
        if node.op in ("&&", "||"):
            left = self.cond(node.left)
            stmts, right = self.sub(self.cond, node.right)
            op = "and" if node.op == "&&" else "or"
            if not stmts:
                return ir.Binary(op=op, left=left, right=right, type=ir.BOOL, span=span)
            t = self.temp(ir.C_INT, "sc")
            init = 0 if op == "and" else 1
            self.out.append(ir.Assign(target=t, value=ir.Const(value=init, type=ir.C_INT,
                                                               span=span), span=span))
            guard = left if op == "and" else ir.Unary(op="not", arg=left, type=ir.BOOL,
                                                      span=left.span)
            body = stmts + [ir.Assign(target=t, value=as_value(right), span=right.span)]
            self.out.append(ir.If(cond=guard, then=body, span=span))
            return as_cond(ir.Var(name=t, type=ir.C_INT, span=span))
        if node.op not in _ARITH and node.op not in _SHIFT and node.op not in _CMP:
            return self.unsup(f"operator {node.op}", node)
        if node.op in ("==", "!=") and (test := null_truth(self, node)) is not None:
            return test
        left, right = self.seq([node.left, node.right])
        return self.binop(node.op, left, right, span)

    def x_UnaryOp(self, node, discard: bool = False) -> ir.Expr:
        op, span = node.op, self.sp(node)
        if op in ("++", "--", "p++", "p--"):
            return self.incdec(node, discard)
        if op == "!":
            return ir.Unary(op="not", arg=self.cond(node.expr), type=ir.BOOL, span=span)
        if op in ("-", "+", "~"):
            a = self.rvalue(node.expr)
            if self.is_opaque(a):
                return self.opaque_unary(op, a, span)
            t = self.dm.promote(a.type)
            a = convert(a, t)
            if op == "+":
                return a
            if op == "-" and isinstance(a, ir.Const) and t.min <= -a.value <= t.max:
                return ir.Const(value=-a.value, type=t, span=span)
            return ir.Unary(op="neg" if op == "-" else "bnot", arg=a, type=t, span=span)
        if op in ("sizeof", "_Alignof"):
            return lower_sizeof(self, node)
        if op == "&":
            t = self.static_type(node.expr)
            if not isinstance(node.expr, c_ast.ID):
                self.address_only.add(id(node.expr))    # `&a[i]` reads no element
                self.effects(node.expr)
            what = f"address of {node.expr.name}" if isinstance(node.expr, c_ast.ID) \
                else "address-of"
            return self.unsup(what, node, NonInt(f"{describe(t)} *", t))
        if op == "*":
            return self.access(node, self._deref)
        return self.unsup(f"operator {op}", node, UNKNOWN)

    def x_TernaryOp(self, node) -> ir.Expr:
        span = self.sp(node)
        c = self.cond(node.cond)
        s1, a = self.sub(self.rvalue, node.iftrue)
        s2, b = self.sub(self.rvalue, node.iffalse)
        if self.is_opaque(a) or self.is_opaque(b):
            self.keep(a, s1)
            self.keep(b, s2)
            if s1 or s2:
                self.out.append(ir.If(cond=c, then=s1, orelse=s2, span=span))
            ct = self.ctype(a) if self.is_opaque(a) else self.ctype(b)
            return self.unsup(f"conditional of type {describe(ct)}", node, ct)
        t = self.dm.uac(a.type, b.type)
        if not s1 and not s2:
            return ir.Ite(cond=c, then=convert(a, t), orelse=convert(b, t), type=t, span=span)
        tmp = self.temp(t, "ite")
        self.out.append(ir.If(cond=c, span=span,
                              then=s1 + [ir.Assign(target=tmp, value=convert(a, t))],
                              orelse=s2 + [ir.Assign(target=tmp, value=convert(b, t))]))
        return ir.Var(name=tmp, type=t, span=span)

    def x_Cast(self, node) -> ir.Expr:
        t = self.ctx.tenv.resolve(node.to_type)
        if t == VOID:
            self.effects(node.expr)
            return ir.Const(value=0, type=ir.C_INT, span=self.sp(node))
        a = self.rvalue(node.expr)
        if not is_int(t):
            if not self.is_opaque(a):
                self.keep(a)
            return self.unsup(f"cast to {describe(t)}", node, t)
        return ir.Cast(arg=a, type=t, explicit=True, span=self.sp(node))

    def x_ExprList(self, node, discard: bool = False) -> ir.Expr:
        for e in node.exprs[:-1]:
            self.discard(e)
        return self.expr(node.exprs[-1], discard)

    def discard(self, node) -> None:
        """Evaluate for effects only (expression statements, comma operands)."""
        mark = len(self.out)
        e = self.expr(node, discard=True)
        span, full = self.sp(node), self.ctx.spans.stmt_span(node)
        for st in self.out[mark:]:
            if st.span == span:          # the statement itself: include its `;`
                st.span = full
        if not isinstance(e, (ir.Var, ir.Const, ir.Unsupported)):
            self.out.append(ir.ExprStmt(expr=e, span=full))

    def effects(self, node) -> None:
        """Evaluate a sub-expression whose value is not used (its calls, nondet reads and
        the checks of its own arithmetic still happen)."""
        self.keep(self.expr(node, discard=True))

    def x_FuncCall(self, node, discard: bool = False) -> ir.Expr:
        if isinstance(node.name, c_ast.ID) and node.name.name == "offsetof":
            return lower_offsetof(self, node)
        return lower_call(self, node, discard)


_DISCARD_AWARE = {"UnaryOp", "ExprList", "FuncCall"}
