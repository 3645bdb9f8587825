"""Calls in C: verification built-ins (assert, SV-COMP __VERIFIER_*, abort/exit) become
IR statements; other calls become `ir.Call` with arguments converted to the parameters'
types.  Non-integer arguments are `Unsupported`, and passing `&x` havocs x after the call."""
from __future__ import annotations

from pycparser import c_ast

from .. import ir
from .c_expr import _NONDET, ERRORS, HALTS, FuncSig, is_int
from .c_types import VOID, as_value, convert, describe


def _args(node) -> list:
    return list(node.args.exprs) if node.args is not None else []


def _arg_text(lw, node) -> str:
    sp = lw.ctx.spans.span(node)
    if sp == ir.NOSPAN:
        return ""
    idx = lw.ctx.spans.index
    return lw.ctx.text[idx.offset(sp.line, sp.col):idx.offset(sp.end_line, sp.end_col)]


def _function_name(lw, node) -> bool:
    return isinstance(node, c_ast.ID) and lw.lookup(node.name) is None and \
        node.name in lw.ctx.funcs


def _void(node, lw) -> ir.Expr:
    return ir.Const(value=0, type=ir.C_INT, span=lw.sp(node))


def lower_call(lw, node, discard: bool) -> ir.Expr:
    span = lw.sp(node)
    if not isinstance(node.name, c_ast.ID) or (
            node.name.name not in lw.ctx.funcs and lw.lookup(node.name.name) is not None):
        for a in _args(node):
            lw.expr(a, discard=True)
        lw.havoc("call through a function pointer", node)
        return ir.Unsupported(what=f"call through a function pointer at line {span.line}",
                              type=ir.C_INT, span=span)
    name, args = node.name.name, _args(node)
    stmt_span = lw.ctx.spans.stmt_span(node)
    if name == "assert" and len(args) == 1:
        c = lw.cond(args[0])
        lw.out.append(ir.Assert(cond=c, kind="assert", message=_arg_text(lw, args[0]),
                                span=stmt_span))
        return _void(node, lw)
    if name in ("__assert_fail", "__assert", "__assert_rtn") or name in ERRORS:
        for a in args:
            lw.expr(a, discard=True)
        kind = "reach_error" if name in ERRORS else "assert"
        lw.out.append(ir.Assert(cond=ir.Const(value=0, type=ir.BOOL, span=span), kind=kind,
                                message=f"{name}()", span=stmt_span))
        return _void(node, lw)
    if name in HALTS:
        for a in args:
            lw.discard(a)
        lw.out.append(ir.Halt(what=name, span=stmt_span))
        return _void(node, lw)
    if name in ("__VERIFIER_assume", "assume_abort_if_not") and len(args) == 1:
        lw.out.append(ir.Assume(cond=lw.cond(args[0]), span=stmt_span))
        return _void(node, lw)
    if name.startswith("__VERIFIER_nondet_"):
        t = _NONDET.get(name[len("__VERIFIER_nondet_"):])
        if t is None:
            t = {"long": lw.dm.long, "ulong": lw.dm.ulong,
                 "size_t": lw.dm.size_t}.get(name[len("__VERIFIER_nondet_"):])
        if t is None:
            return lw.unsup(f"{name}()", node)
        return ir.Nondet(type=t, label=name, span=span)
    if name == "__builtin_expect" and len(args) == 2:
        v, _ = lw.seq(args)
        return convert(v, lw.dm.long)
    if name == "__veriline_asm":
        lw.havoc("inline assembly", node)
        return ir.Unsupported(what=f"inline assembly at line {span.line}", type=ir.C_INT,
                              span=span)
    return _ordinary_call(lw, node, name, args, span, discard)


def _ordinary_call(lw, node, name, args, span, discard) -> ir.Expr:
    sig = lw.ctx.funcs.get(name) or FuncSig(ir.C_INT, None)
    values, escaped = [], []
    int_nodes = []
    for i, a in enumerate(args):
        ptype = sig.params[i] if sig.params is not None and i < len(sig.params) else None
        if isinstance(a, c_ast.UnaryOp) and a.op == "&" and isinstance(a.expr, c_ast.ID):
            escaped.append(a.expr.name)
        elif not (isinstance(a, c_ast.Constant) and a.type == "string") and \
                not _function_name(lw, a) and not is_int(lw.static_type(a)):
            escaped.append("")                 # a pointer/array: memory may change
        int_nodes.append((a, ptype))
    lowered = lw.seq([a for a, _ in int_nodes])
    for (a, ptype), v in zip(int_nodes, lowered):
        if isinstance(v, ir.Unsupported) or (ptype is not None and not is_int(ptype)):
            what = f"argument {_arg_text(lw, a) or '?'} of {name}"
            if not isinstance(v, ir.Unsupported):
                v = lw.unsup(f"{what} (type {describe(ptype)})", a)
            values.append(v)
            continue
        if ptype is None:
            ptype = lw.dm.promote(v.type)          # default argument promotions
        values.append(convert(as_value(v), ptype))
    ret = sig.ret
    call = ir.Call(func=name, args=tuple(values),
                   type=ret if is_int(ret) else ir.C_INT, span=span)
    if escaped:
        lw.out.append(ir.ExprStmt(expr=call, span=lw.ctx.spans.stmt_span(node)))
        targets = sorted({lw.lookup(n)[0] for n in escaped
                          if n and lw.lookup(n) and lw.lookup(n)[0]}
                         | set(lw.memory_targets()))
        lw.havoc(f"call {name} may write through a pointer", node, targets)
        return _void(node, lw) if ret == VOID or discard else \
            lw.unsup(f"result of {name} after pointer arguments", node, ret)
    if not is_int(ret) and ret != VOID:
        lw.out.append(ir.ExprStmt(expr=call, span=lw.ctx.spans.stmt_span(node)))
        if discard:
            return _void(node, lw)
        return lw.unsup(f"{describe(ret)} result of {name}", node, ir.C_LONG)
    return call
