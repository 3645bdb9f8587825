"""Calls in C: verification built-ins (assert, SV-COMP __VERIFIER_*, abort/exit) become
IR statements; other calls become `ir.Call` with arguments converted to the parameters'
types.  Non-integer arguments are `Unsupported`, and passing `&x` havocs x after the call.
A call to a function defined in this file passes exactly the arguments that bind to its IR
parameters (its named integer parameters), so each value reaches the right parameter.

Takes the expression lowerer as an argument and never imports it (c_expr imports this)."""
from __future__ import annotations

from pycparser import c_ast

from .. import ir
from .c_common import ERRORS, HALTS, NONDET, FuncSig, is_int
from .c_opaque import UNKNOWN
from .c_types import VOID, CType, NonInt, as_value, convert, describe


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


def _callee_result(t) -> CType:
    """The result type of a call through `t` (a function or a pointer to one)."""
    if isinstance(t, NonInt) and t.elem is not None:
        t = t.elem
    if isinstance(t, NonInt) and t.ret is not None:
        return t.ret
    return UNKNOWN


def _void(node, lw) -> ir.Expr:
    return ir.Const(value=0, type=ir.C_INT, span=lw.sp(node))


def lower_call(lw, node, discard: bool) -> ir.Expr:
    span = lw.sp(node)
    if not isinstance(node.name, c_ast.ID) or (
            node.name.name not in lw.ctx.funcs and lw.lookup(node.name.name) is not None):
        for a in _args(node):
            lw.effects(a)
        if not isinstance(node.name, c_ast.ID):
            lw.effects(node.name)
        lw.havoc("call through a function pointer", node)
        return lw.unsup("result of a call through a function pointer", node,
                        _callee_result(lw.static_type(node.name)))
    name, args = node.name.name, _args(node)
    stmt_span = lw.ctx.spans.stmt_span(node)
    if name == "assert" and len(args) == 1:
        c = lw.cond(args[0])
        lw.out.append(ir.Assert(cond=c, kind="assert", message=_arg_text(lw, args[0]),
                                span=stmt_span))
        return _void(node, lw)
    if name in ("__assert_fail", "__assert", "__assert_rtn") or name in ERRORS:
        for a in args:
            lw.effects(a)
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
        t = NONDET.get(name[len("__VERIFIER_nondet_"):])
        if t is None:
            t = {"long": lw.dm.long, "ulong": lw.dm.ulong,
                 "size_t": lw.dm.size_t}.get(name[len("__VERIFIER_nondet_"):])
        if t is None:
            return lw.unsup(f"{name}()", node)
        return ir.Nondet(type=t, label=name, span=span)
    if name == "__builtin_expect" and len(args) == 2:
        v, c = lw.seq(args)
        lw.keep(c)
        return v if lw.is_opaque(v) else convert(v, lw.dm.long)
    if name == "__veriline_asm":
        lw.havoc("inline assembly", node)
        return lw.unsup("inline assembly", node)
    return _ordinary_call(lw, node, name, args, span, discard)


def _ordinary_call(lw, node, name, args, span, discard) -> ir.Expr:
    ctx = lw.ctx
    sig = ctx.definitions.get(name) or ctx.funcs.get(name) or FuncSig(ir.C_INT, None)
    escaped = []
    for a in args:
        if isinstance(a, c_ast.UnaryOp) and a.op == "&" and isinstance(a.expr, c_ast.ID):
            escaped.append(a.expr.name)
        elif not (isinstance(a, c_ast.Constant) and a.type == "string") and \
                not _function_name(lw, a) and not is_int(lw.static_type(a)):
            escaped.append("")                 # a pointer/array: memory may change
    values = []
    for i, (a, v) in enumerate(zip(args, lw.seq(args))):
        ptype = sig.params[i] if sig.params is not None and i < len(sig.params) else None
        if name not in ctx.definitions and isinstance(a, c_ast.Constant) and \
                a.type == "string":        # a literal's address: nothing unknown about it,
            values.append(ir.Const(value=0, type=lw.dm.ulong, span=v.span))   # and an
            continue                       # unknown function's pointer arguments are unused
        if (lw.is_opaque(v) and not is_int(ptype)) or (ptype is not None and not is_int(ptype)):
            lw.keep(v)
            what = f"argument {_arg_text(lw, a) or '?'} of {name}"
            values.append(v if isinstance(v, ir.Unsupported) else
                          lw.unsup(f"{what} (type {describe(ptype)})", a))
            continue
        if ptype is None:
            ptype = lw.dm.promote(v.type)          # default argument promotions
        values.append(convert(as_value(v), ptype))
    if sig.positions is not None:                   # defined here: bind by position
        bound = []
        for i in sig.positions:
            if i < len(values):
                bound.append(values[i])
            else:
                bound.append(lw.unsup(f"missing argument {i + 1} of {name}", node,
                                      sig.params[i]))
        for i, v in enumerate(values):
            if i not in sig.positions:
                lw.keep(v)
        values = bound
    ret = sig.ret
    call = ir.Call(func=name, args=tuple(values),
                   type=ret if is_int(ret) else ir.C_INT, span=span)
    stmt_span = ctx.spans.stmt_span(node)
    if escaped:
        lw.out.append(ir.ExprStmt(expr=call, span=stmt_span))
        targets = sorted({lw.lookup(n)[0] for n in escaped
                          if n and lw.lookup(n) and lw.lookup(n)[0]}
                         | set(lw.memory_targets()))
        lw.havoc(f"call {name} may write through a pointer", node, targets)
        return _void(node, lw) if ret == VOID or discard else \
            lw.unsup(f"result of {name} after pointer arguments", node, ret)
    if not is_int(ret):               # void, pointer, float, struct: never an IR value
        lw.out.append(ir.ExprStmt(expr=call, span=stmt_span))
        if discard or ret == VOID:
            return _void(node, lw)
        return lw.unsup(f"{describe(ret)} result of {name}", node, ret)
    return call
