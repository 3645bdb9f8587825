"""`switch` on integers -> if-chains.

Without fall-through: `sw$n = e; if (sw == 1) {..} else if (sw == 2 || sw == 3) {..}
else {default}` (trailing `break`s dropped).  With fall-through: a flag
`ft$n`: `if (ft || sw == v) { body; ft = 1 }`.  A `break` nested inside a case needs a
target: the chain is wrapped in `While(0, do_while=True)`, and a `continue` meant for an
enclosing loop is carried out by a flag `cont$n` after the wrapper.
"""
from __future__ import annotations

from pycparser import c_ast

from .. import ir
from .c_types import const_value, convert

_ENDS = (c_ast.Break, c_ast.Return, c_ast.Continue, c_ast.Goto)
_NESTED_TARGETS = (c_ast.While, c_ast.DoWhile, c_ast.For, c_ast.Switch)


def _sections(body) -> list[tuple[list, list]]:
    """[(labels, stmts)]: labels holds case expressions and None for default."""
    items = body.block_items if isinstance(body, c_ast.Compound) else [body]
    out: list[tuple[list, list]] = []
    for item in items or []:
        labels = []
        while isinstance(item, (c_ast.Case, c_ast.Default)):
            labels.append(item.expr if isinstance(item, c_ast.Case) else None)
            stmts = list(item.stmts or [])
            if len(stmts) == 1 and isinstance(stmts[0], (c_ast.Case, c_ast.Default)):
                item = stmts[0]
                continue
            out.append((labels, stmts))
            break
        else:
            if out:
                out[-1][1].append(item)
    merged: list[tuple[list, list]] = []
    for labels, stmts in out:            # `case 1: case 2: body` -> one section
        if merged and not merged[-1][1]:
            merged[-1] = (merged[-1][0] + labels, stmts)
        else:
            merged.append((labels, stmts))
    return merged


def _has_break(nodes) -> bool:
    for n in nodes:
        if isinstance(n, c_ast.Break):
            return True
        if isinstance(n, _NESTED_TARGETS):
            continue
        if _has_break([c for _, c in n.children()]):
            return True
    return False


def _rewrite_continue(stmts: list[ir.Stmt], flag: str) -> bool:
    found = False
    for i, s in enumerate(stmts):
        if isinstance(s, ir.Continue):
            stmts[i:i + 1] = [ir.Assign(target=flag, value=ir.Const(value=1, type=ir.C_INT)),
                              ir.Break(span=s.span)]
            found = True
        elif isinstance(s, ir.If):
            found |= _rewrite_continue(s.then, flag) | _rewrite_continue(s.orelse, flag)
    return found


def lower_switch(lw, node) -> None:
    span = lw.sp(node)
    v = lw.rvalue(node.cond)
    t = lw.dm.promote(v.type)
    sw = lw.temp(t, "sw")
    lw.out.append(ir.Assign(target=sw, value=convert(v, t), span=v.span))
    var = ir.Var(name=sw, type=t, span=v.span)
    sections = _sections(node.stmt)
    values = []
    conds = []
    for labels, _ in sections:
        terms = []
        for lab in labels:
            if lab is None:
                continue
            stmts, e = lw.sub(lw.rvalue, lab)
            val = const_value(e)
            if val is None or stmts:
                lw.note("non-constant case label", lab)
                val = 0
            c = convert(ir.Const(value=val, type=e.type, span=e.span), t)
            values.append(c)
            terms.append(ir.Binary(op="eq", left=var, right=c, type=ir.BOOL, span=e.span))
        conds.append((None in labels, terms))
    default = None
    for c in values:
        ne = ir.Binary(op="ne", left=var, right=c, type=ir.BOOL, span=c.span)
        default = ne if default is None else ir.Binary(op="and", left=default, right=ne,
                                                       type=ir.BOOL, span=span)
    default = default or ir.Const(value=1, type=ir.BOOL, span=span)

    def match(i):
        is_default, terms = conds[i]
        parts = ([default] if is_default else []) + terms
        e = parts[0] if parts else ir.Const(value=0, type=ir.BOOL, span=span)
        for p in parts[1:]:
            e = ir.Binary(op="or", left=e, right=p, type=ir.BOOL, span=span)
        return e

    nested = any(_has_break(stmts[:-1]) or (stmts and not isinstance(stmts[-1], c_ast.Break)
                                             and _has_break(stmts[-1:]))
                 for _, stmts in sections)
    falls = [not (stmts and isinstance(stmts[-1], _ENDS)) for _, stmts in sections]
    lw.scopes.append({})
    try:
        bodies = []
        for _, stmts in sections:
            if not nested and stmts and isinstance(stmts[-1], c_ast.Break):
                stmts = stmts[:-1]
            saved, lw.out = lw.out, []
            for s in stmts:
                lw.stmt(s)
            bodies.append(lw.out)
            lw.out = saved
    finally:
        lw.scopes.pop()
    if not nested and not any(falls[:-1]):
        chain: list[ir.Stmt] = []
        order = [i for i in range(len(sections)) if not conds[i][0]] + \
                [i for i in range(len(sections)) if conds[i][0]]
        for i in reversed(order):
            if conds[i][0] and not chain:
                chain = bodies[i]
            else:
                chain = [ir.If(cond=match(i), then=bodies[i], orelse=chain, span=span)]
        lw.out.extend(chain)
        return
    ft = lw.temp(ir.C_INT, "ft")
    flat: list[ir.Stmt] = [ir.Assign(target=ft, value=ir.Const(value=0, type=ir.C_INT))]
    for i, body in enumerate(bodies):
        flag = ir.Cast(arg=ir.Var(name=ft, type=ir.C_INT), type=ir.BOOL)
        mark = ir.Assign(target=ft, value=ir.Const(value=int(falls[i]), type=ir.C_INT))
        flat.append(ir.If(cond=ir.Binary(op="or", left=flag, right=match(i), type=ir.BOOL,
                                         span=span), then=body + [mark], span=span))
    if not nested:
        lw.out.extend(flat)
        return
    cont = lw.temp(ir.C_INT, "cont")
    found = _rewrite_continue(flat, cont)
    if found:
        lw.out.append(ir.Assign(target=cont, value=ir.Const(value=0, type=ir.C_INT)))
    lw.out.append(ir.While(cond=ir.Const(value=0, type=ir.BOOL, span=span), body=flat,
                           do_while=True, span=span))
    if found:
        lw.out.append(ir.If(cond=ir.Cast(arg=ir.Var(name=cont, type=ir.C_INT),
                                         type=ir.BOOL), then=[ir.Continue(span=span)]))
    else:
        del lw.locals[cont]
