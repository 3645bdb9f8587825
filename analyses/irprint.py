"""Compact, stable text form of IR nodes (for tests, debugging and `--dump-ir`-style output).

Expressions print as s-expressions: `(add x 1)`, `(cast int (gt x y))`, `(old x)`.
A type is shown as `:T` only where it is not the obvious one (a bounded or named int type
on a variable, constant or operation; BOOL constants print as True/False).
Statements print one per line, nested bodies indented by two spaces.
"""
from __future__ import annotations

from . import ir


def _ty(t) -> str:
    if t == ir.MATH_INT or t == ir.BOOL:
        return ""
    return f":{t.name}"


def expr(e: ir.Expr) -> str:
    if isinstance(e, ir.Const):
        if e.type == ir.BOOL:
            return "True" if e.value else "False"
        return f"{e.value}{_ty(e.type)}"
    if isinstance(e, ir.Var):
        return f"{e.name}{_ty(e.type)}"
    if isinstance(e, ir.Unary):
        return f"({e.op}{_ty(e.type)} {expr(e.arg)})"
    if isinstance(e, ir.Binary):
        return f"({e.op}{_ty(e.type)} {expr(e.left)} {expr(e.right)})"
    if isinstance(e, ir.Ite):
        return f"(ite{_ty(e.type)} {expr(e.cond)} {expr(e.then)} {expr(e.orelse)})"
    if isinstance(e, ir.Cast):
        return f"(cast{'!' if e.explicit else ''} {e.type.name} {expr(e.arg)})"
    if isinstance(e, ir.Call):
        return f"(call{_ty(e.type)} {e.func}{''.join(' ' + expr(a) for a in e.args)})"
    if isinstance(e, ir.Old):
        return f"(old {expr(e.arg)})"
    if isinstance(e, ir.Nondet):
        return f"(nondet{_ty(e.type)})"
    if isinstance(e, ir.Element):
        return f"(element{_ty(e.type)} {e.array} {expr(e.index)})"
    if isinstance(e, ir.Load):
        return f"(load{_ty(e.type)} {e.array} {expr(e.index)})"
    if isinstance(e, ir.Unsupported):
        return f"(unsupported{':bool' if e.type == ir.BOOL else _ty(e.type)} {e.what!r})"
    return repr(e)


def stmts(body: list, indent: int = 0) -> list[str]:
    out: list[str] = []
    for s in body:
        out.extend(stmt(s, indent))
    return out


def stmt(s: ir.Stmt, indent: int = 0) -> list[str]:
    pad = "  " * indent
    if isinstance(s, ir.Assign):
        return [f"{pad}{s.target} = {expr(s.value)}"]
    if isinstance(s, ir.Store):
        return [f"{pad}{s.array}[{expr(s.index)}] = {expr(s.value)}"]
    if isinstance(s, ir.ArrayInit):
        vals = "?" if s.values is None else ", ".join(expr(v) for v in s.values)
        return [f"{pad}{s.array} = array[{s.length}]({vals})"]
    if isinstance(s, ir.If):
        lines = [f"{pad}if {expr(s.cond)}:"] + stmts(s.then, indent + 1)
        if s.orelse:
            lines += [f"{pad}else:"] + stmts(s.orelse, indent + 1)
        return lines
    if isinstance(s, ir.While):
        flags = "".join([" range" if s.range_loop else "", " do" if s.do_while else ""])
        lines = [f"{pad}while{flags} {expr(s.cond)}:"]
        lines += [f"{pad}  invariant {expr(c.expr)}" for c in s.invariants]
        if s.variant is not None:
            lines.append(f"{pad}  variant {expr(s.variant.expr)}")
        lines += stmts(s.body, indent + 1)
        if s.update:
            lines += [f"{pad}update:"] + stmts(s.update, indent + 1)
        return lines
    if isinstance(s, ir.Assert):
        kind = "" if s.kind == "assert" else f"[{s.kind}]"
        return [f"{pad}assert{kind} {expr(s.cond)}"]
    if isinstance(s, ir.Assume):
        return [f"{pad}assume {expr(s.cond)}"]
    if isinstance(s, ir.Return):
        return [f"{pad}return" + ("" if s.value is None else f" {expr(s.value)}")]
    if isinstance(s, ir.Break):
        return [f"{pad}break"]
    if isinstance(s, ir.Continue):
        return [f"{pad}continue"]
    if isinstance(s, ir.Halt):
        return [f"{pad}halt {s.what!r}"]
    if isinstance(s, ir.ExprStmt):
        return [f"{pad}{expr(s.expr)}"]
    if isinstance(s, ir.Havoc):
        return [f"{pad}havoc [{', '.join(s.targets)}] {s.what!r}"]
    return [f"{pad}{s!r}"]


def function(fn: ir.Function) -> str:
    params = ", ".join(f"{p.name}{_ty(p.type)}" for p in fn.params)
    ret = "None" if fn.ret is None else fn.ret.name
    lines = [f"def {fn.name}({params}) -> {ret}:"]
    lines += [f"  requires {expr(c.expr)}" for c in fn.requires]
    lines += [f"  ensures {expr(c.expr)}" for c in fn.ensures]
    return "\n".join(lines + stmts(fn.body, 1))


def pretty(node) -> str:
    """Text of an Expr, Stmt, statement list, Contract, Function or Program."""
    if isinstance(node, ir.Expr):
        return expr(node)
    if isinstance(node, ir.Stmt):
        return "\n".join(stmt(node))
    if isinstance(node, list):
        return "\n".join(stmts(node))
    if isinstance(node, ir.Contract):
        return expr(node.expr)
    if isinstance(node, ir.Function):
        return function(node)
    if isinstance(node, ir.Program):
        parts = [function(f) for f in node.functions.values()]
        parts += [f"error {e.span.line}:{e.span.col}: {e.message}" for e in node.errors]
        return "\n\n".join(parts)
    return repr(node)
