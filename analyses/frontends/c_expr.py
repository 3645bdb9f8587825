"""C expressions -> IR expressions, with side effects hoisted into statements.

`expr(node)` returns a pure IR expression (Call/Nondet aside) and appends the statements
that must run first (assignments, `++`, short-circuit branches) to `self.out`.  Every
implicit conversion becomes an explicit `Cast`; temporaries are named `<hint>$<n>`, which
no C identifier can clash with.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from pycparser import c_ast

from .. import ir
from .c_memory import lower_element
from .c_types import VOID, CType, NonInt, as_cond, as_value, convert, describe

_ARITH = {"+": "add", "-": "sub", "*": "mul", "/": "div", "%": "mod", "&": "band",
          "|": "bor", "^": "bxor"}
_SHIFT = {"<<": "shl", ">>": "shr"}
_CMP = {"<": "lt", "<=": "le", ">": "gt", ">=": "ge", "==": "eq", "!=": "ne"}
_NONDET = {"int": ir.C_INT, "uint": ir.C_UINT, "unsigned": ir.C_UINT,
           "unsigned_int": ir.C_UINT, "char": ir.C_CHAR, "uchar": ir.C_UCHAR,
           "short": ir.C_SHORT, "ushort": ir.C_USHORT, "longlong": ir.C_LLONG,
           "ulonglong": ir.C_ULLONG, "bool": ir.C_BOOL, "_Bool": ir.C_BOOL,
           "s8": ir.C_SCHAR, "u8": ir.C_UCHAR, "s16": ir.C_SHORT, "u16": ir.C_USHORT,
           "s32": ir.C_INT, "u32": ir.C_UINT, "s64": ir.C_LLONG, "u64": ir.C_ULLONG}
HALTS = {"abort", "exit", "_Exit", "__builtin_abort", "__builtin_trap", "quick_exit"}
ERRORS = {"reach_error", "__VERIFIER_error"}


@dataclass
class FuncSig:
    ret: CType                        # VOID for void
    params: Optional[list[CType]]     # None: unprototyped
    variadic: bool = False


def is_int(t) -> bool:
    return isinstance(t, ir.IntT)


def impure(e: ir.Expr) -> bool:
    if isinstance(e, (ir.Call, ir.Nondet)):
        return True
    return any(isinstance(v, ir.Expr) and impure(v) for v in vars(e).values()) or \
        any(impure(a) for a in getattr(e, "args", ()))


def has_call(e: ir.Expr) -> bool:
    if isinstance(e, ir.Call):
        return True
    return any(isinstance(v, ir.Expr) and has_call(v) for v in vars(e).values())


class ExprLowerer:
    def __init__(self, ctx, fn_name: str = ""):
        self.ctx, self.fn_name, self.dm = ctx, fn_name, ctx.dm
        self.out: list[ir.Stmt] = []
        self.scopes: list[dict[str, tuple[Optional[str], CType]]] = [{}]
        self.locals: dict[str, ir.IntT] = {}
        self.unsupported: list[tuple[str, ir.Span]] = []
        self.addr_taken: set[str] = set()       # C names whose address is taken
        self.addr_ir: set[str] = set()          # their IR names
        self.n = 0

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
        span = self.note(what, node)
        where = f"{what} at line {span.line}" if span.line else what
        return ir.Unsupported(what=where, type=t if is_int(t) else ir.C_INT, span=span)

    def memory_targets(self) -> list[str]:
        """Variables an untracked write through a pointer or array may change."""
        gl = [g for g, t in self.ctx.globals.items() if is_int(t)]
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
        return as_cond(self.expr(node))

    def const(self, value: int, t: ir.Type, node) -> ir.Const:
        return ir.Const(value=value, type=t, span=self.sp(node))

    # ------------------------------------------------------------------ dispatch
    def expr(self, node, discard: bool = False) -> ir.Expr:
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
            return self.unsup("string literal", node, ir.C_LONG)
        if any(w in kind for w in ("int", "long")) and "double" not in kind:
            try:
                v, t = self.dm.int_constant(node.value)
                return self.const(v, t, node)
            except ValueError:
                pass
        return self.unsup(f"{kind} constant {node.value}", node)

    def x_ID(self, node) -> ir.Expr:
        found = self.lookup(node.name)
        if found is None:
            if node.name in self.ctx.enums:
                return self.const(self.ctx.enums[node.name], ir.C_INT, node)
            if node.name in self.ctx.funcs:
                return self.unsup(f"function pointer {node.name}", node, ir.C_LONG)
            return self.unsup(f"undeclared identifier {node.name}", node)
        name, t = found
        if name is None or not is_int(t):
            return self.unsup(f"use of {node.name} of type {describe(t)}", node,
                                    ir.C_LONG)
        return ir.Var(name=name, type=t, span=self.sp(node))

    def binop(self, op: str, left: ir.Expr, right: ir.Expr, span: ir.Span) -> ir.Expr:
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
            t = self.dm.promote(a.type)
            a = convert(a, t)
            if op == "+":
                return a
            if op == "-" and isinstance(a, ir.Const) and t.min <= -a.value <= t.max:
                return ir.Const(value=-a.value, type=t, span=span)
            return ir.Unary(op="neg" if op == "-" else "bnot", arg=a, type=t, span=span)
        if op == "sizeof":
            t = self.static_type(node.expr)
            if is_int(t):
                return self.const(max(t.bits // 8, 1), self.dm.size_t, node)
            return self.unsup(f"sizeof of {describe(t)}", node, self.dm.size_t)
        if op == "&":
            if isinstance(node.expr, c_ast.ID):
                return self.unsup(f"address of {node.expr.name}", node, ir.C_LONG)
            self.expr(node.expr, discard=True)
            return self.unsup("address-of", node, ir.C_LONG)
        if op == "*":
            if (elem := lower_element(self, node)) is not None:
                return elem
            t = self.static_type(node.expr)
            self.expr(node.expr, discard=True)
            elem = t.elem if isinstance(t, NonInt) and t.elem is not None else ir.C_INT
            return self.unsup("pointer dereference", node, elem)
        return self.unsup(f"operator {op}", node)

    def static_type(self, node) -> CType:
        """The C type of an operand of sizeof / *, without evaluating it."""
        if isinstance(node, c_ast.Typename):
            return self.ctx.tenv.resolve(node)
        if isinstance(node, c_ast.ID):
            found = self.lookup(node.name)
            return found[1] if found else NonInt("unknown")
        if isinstance(node, c_ast.UnaryOp) and node.op == "*":
            inner = self.static_type(node.expr)
            return inner.elem if isinstance(inner, NonInt) and inner.elem else NonInt("?")
        if isinstance(node, c_ast.ArrayRef):
            inner = self.static_type(node.name)
            return inner.elem if isinstance(inner, NonInt) and inner.elem else NonInt("?")
        saved = self.out, list(self.unsupported), dict(self.locals), self.n
        self.out = []
        try:
            return self.rvalue(node).type
        finally:
            self.out, self.unsupported, self.locals, self.n = saved

    def lvalue(self, node) -> Optional[tuple[str, ir.IntT]]:
        """The IR variable an assignment writes, or None (memory write: havoc)."""
        if isinstance(node, c_ast.ID):
            found = self.lookup(node.name)
            if found and found[0] is not None and is_int(found[1]):
                return found[0], found[1]
        return None

    def memory_write(self, node, what: str) -> ir.Expr:
        self.havoc(what, node)
        return ir.Unsupported(what=what, type=ir.C_INT, span=self.sp(node))

    def incdec(self, node, discard: bool) -> ir.Expr:
        span = self.sp(node)
        target = self.lvalue(node.expr)
        if target is None:
            return self.memory_write(node, f"{node.op.strip('p')} on a non-variable")
        name, t = target
        var = ir.Var(name=name, type=t, span=self.sp(node.expr))
        one = ir.Const(value=1, type=ir.C_INT, span=span)
        new = self.binop("+" if "+" in node.op else "-", var, one, span)
        post = node.op.startswith("p")
        saved = None
        if post and not discard:
            saved = self.temp(t, "old")
            self.out.append(ir.Assign(target=saved, value=var, span=span))
        self.out.append(ir.Assign(target=name, value=convert(new, t), span=span))
        return ir.Var(name=saved or name, type=t, span=span)

    def x_Assignment(self, node) -> ir.Expr:
        span = self.sp(node)
        target = self.lvalue(node.lvalue)
        if target is None:
            self.expr(node.rvalue, discard=True)
            kind = "array element" if isinstance(node.lvalue, c_ast.ArrayRef) else \
                "struct member" if isinstance(node.lvalue, c_ast.StructRef) else "memory"
            return self.memory_write(node, f"assignment to {kind}")
        name, t = target
        value = self.rvalue(node.rvalue)
        if node.op != "=":
            var = ir.Var(name=name, type=t, span=self.sp(node.lvalue))
            value = self.binop(node.op[:-1], var, value, span)
        self.out.append(ir.Assign(target=name, value=convert(value, t), span=span))
        return ir.Var(name=name, type=t, span=span)

    def x_TernaryOp(self, node) -> ir.Expr:
        span = self.sp(node)
        c = self.cond(node.cond)
        s1, a = self.sub(self.rvalue, node.iftrue)
        s2, b = self.sub(self.rvalue, node.iffalse)
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
            self.expr(node.expr, discard=True)
            return ir.Const(value=0, type=ir.C_INT, span=self.sp(node))
        a = self.rvalue(node.expr)
        if not is_int(t):
            return self.unsup(f"cast to {describe(t)}", node, ir.C_LONG)
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
        if has_call(e):
            self.out.append(ir.ExprStmt(expr=e, span=self.ctx.spans.stmt_span(node)))

    def x_ArrayRef(self, node) -> ir.Expr:
        if (elem := lower_element(self, node)) is not None:
            return elem
        t = self.static_type(node)
        self.expr(node.subscript, discard=True)
        return self.unsup("array access", node, t if is_int(t) else ir.C_INT)

    def x_StructRef(self, node) -> ir.Expr:
        return self.unsup(f"struct member access {node.field.name}", node)

    def x_FuncCall(self, node, discard: bool = False) -> ir.Expr:
        from .c_calls import lower_call
        return lower_call(self, node, discard)


_DISCARD_AWARE = {"UnaryOp", "ExprList", "FuncCall"}
