"""Local dicts whose keys are known exactly: KeyError is then decided, ✗ included.

A local name qualifies when it is bound once, by a top-level statement of the function,
to a display with int / str literal keys (or `{}` / `dict()`), and is otherwise only
read: `d[k]`, `d[k] op= v`, `k in d`, `len(d)`, `d.get/keys/values/items/copy(...)`,
`for x in d` — or stored into by `d[k] = v` outside loops, k an int / str literal or an
int name.  Nothing else can change it (it is never passed on, aliased or captured).
Hidden flags `has(d, key)` per literal key, and per store of a name key `key#n(d)` /
`set#n(d)`, hold its key set; `k in d` over them is exact for int and literal keys.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from .. import ir
from . import python_lengths as L
from .python_dict_keys import display_keys, literal_key
from .python_names import kids

_READ_METHODS = {"get", "keys", "values", "items", "copy"}


@dataclass
class KnownDict:
    keys: set = field(default_factory=set)          # every literal key it may hold
    sites: dict = field(default_factory=dict)       # id(store target) -> n (a name key)
    binding: Optional[cst.CSTNode] = None


def find_known_dicts(ctx, body: cst.CSTNode) -> dict[str, KnownDict]:
    """The qualifying dicts of a function body (an IndentedBlock)."""
    kinds = L.tracked(ctx)
    cands = {n for n, k in kinds.items() if k == "dict" and n not in ctx.param_names
             and n not in ctx.global_names and n not in ctx.nested_defs}
    if not cands:
        return {}
    out: dict[str, KnownDict] = {}
    top = list(getattr(body, "body", []))
    for stmt in top:
        for small in (stmt.body if isinstance(stmt, cst.SimpleStatementLine) else []):
            name, keys = _binding(ctx, small)
            if name in cands:
                if name in out or keys is None:
                    cands.discard(name)
                    continue
                out[name] = KnownDict(keys=set(keys), binding=small)
    bad: set[str] = set(cands) - set(out)
    _scan(ctx, body, out, bad)
    return {n: kd for n, kd in out.items() if n not in bad}


def _binding(ctx, small) -> tuple[Optional[str], Optional[set]]:
    if isinstance(small, cst.Assign) and len(small.targets) == 1 \
            and isinstance(small.targets[0].target, cst.Name):
        target, value = small.targets[0].target.value, small.value
    elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) \
            and small.value is not None:
        target, value = small.target.value, small.value
    else:
        return None, None
    if isinstance(value, cst.Call) and not value.args and ctx.index.resolve(value.func) == "dict" \
            and "dict" not in ctx.local_names and "dict" not in ctx.index.signatures:
        return target, set()
    return target, display_keys(value)


def _scan(ctx, body, out, bad) -> None:
    """Disqualify every candidate used in a way that is not a read or a modelled store."""
    stack = [(body, (), False, False)]
    while stack:
        n, anc, loop, nest = stack.pop()
        if isinstance(n, cst.Name) and n.value in out and n.value not in bad:
            if nest or not _allowed(ctx, n, anc, out[n.value], loop):
                bad.add(n.value)
        loop = loop or isinstance(n, (cst.For, cst.While))
        nest = nest or isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.Lambda, cst.ListComp,
                                      cst.SetComp, cst.DictComp, cst.GeneratorExp))
        chain = (n,) + anc[:3]
        for k in kids(n):
            stack.append((k, chain, loop, nest))


def _allowed(ctx, name: cst.Name, anc: tuple, kd: KnownDict, loop: bool) -> bool:
    par = anc[0] if anc else None
    up = anc[1] if len(anc) > 1 else None
    if par is kd.binding or (isinstance(par, cst.AssignTarget) and up is kd.binding):
        return True
    if isinstance(par, cst.Subscript) and par.value is name:
        if isinstance(up, cst.AssignTarget):            # d[k] = v
            stmt = anc[2] if len(anc) > 2 else None
            key = L.single_index(par)
            if loop or not isinstance(stmt, cst.Assign) or len(stmt.targets) != 1 \
                    or key is None:
                return False
            if literal_key(key) is not None:
                kd.keys.add(literal_key(key))
                return True
            if int_name(ctx, key):
                kd.sites[id(par)] = len(kd.sites) + 1
                return True
            return False
        if isinstance(up, cst.AugAssign) and up.target is par:
            return True                                 # d[k] += v: k was there already
        if isinstance(up, cst.AnnAssign) and up.target is par:
            return False                                # d[k]: int = v
        return not isinstance(up, (cst.Del, cst.For, cst.WithItem, cst.AsName,
                                   cst.CompFor, cst.Element, cst.StarredElement))
    if isinstance(par, cst.ComparisonTarget) and par.comparator is name \
            and isinstance(par.operator, (cst.In, cst.NotIn)):
        return True
    if isinstance(par, cst.Attribute) and par.value is name and par.attr.value in _READ_METHODS \
            and isinstance(up, cst.Call) and up.func is par:
        return True
    if isinstance(par, cst.Arg) and par.value is name and isinstance(up, cst.Call) \
            and len(up.args) == 1 and ctx.index.resolve(up.func) == "len" \
            and "len" not in ctx.local_names and "len" not in ctx.index.signatures:
        return True
    if isinstance(par, cst.For) and par.iter is name:
        return True
    return False


def int_expr(ctx, node: cst.BaseExpression) -> bool:
    """Integer arithmetic over int names and literals (no calls, no subscripts)."""
    if isinstance(node, cst.Integer):
        return True
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
        return int_expr(ctx, node.expression)
    if isinstance(node, cst.BinaryOperation) and isinstance(
            node.operator, (cst.Add, cst.Subtract, cst.Multiply)):
        return int_expr(ctx, node.left) and int_expr(ctx, node.right)
    return int_name(ctx, node)


def int_name(ctx, node: cst.BaseExpression) -> bool:
    """A name that holds an int (a parameter taken for an int, an int local)."""
    return (isinstance(node, cst.Name) and node.value not in L.tracked(ctx)
            and node.value not in ctx.bad_params and node.value not in ctx.non_int
            and node.value not in ctx.optional
            and node.value not in ctx.global_names and node.value not in ctx.nested_defs
            and node.value not in ("True", "False", "None"))


# ------------------------------------------------------------------ the model
def _has(d: str, key) -> str:
    return f"has({d}, {key[1]!r})"


def _site(d: str, n: int) -> tuple[str, str]:
    return f"key#{n}({d})", f"set#{n}({d})"


def _v(ctx, name: str, span: ir.Span) -> ir.Var:
    ctx.declare(name, ir.MATH_INT)
    return ir.Var(name=name, type=ir.MATH_INT, span=span)


def _b(op, a, b, span) -> ir.Expr:
    return ir.Binary(op=op, left=a, right=b, type=ir.BOOL, span=span)


def _c(v: int, span) -> ir.Const:
    return ir.Const(value=v, span=span)


def member(ctx, d: str, key: cst.BaseExpression, value: Optional[ir.Expr],
           span: ir.Span) -> Optional[ir.Expr]:
    """`key in d` as an exact BOOL over the hidden flags (value: key lowered, when not a
    literal); None when the key is not an int / literal."""
    kd = ctx.known_dicts[d]
    lit = literal_key(key)
    if lit is None and (not int_expr(ctx, key) or value is None or value.type == ir.BOOL
                        or not _plain(value)):
        return None
    terms: list[ir.Expr] = []
    for k in sorted(kd.keys, key=repr):
        flag = _b("ne", _v(ctx, _has(d, k), span), _c(0, span), span)
        if lit is not None:
            if k == lit:
                terms.append(flag)
        elif k[0] == "int":
            terms.append(_b("and", flag, _b("eq", value, _c(k[1], span), span), span))
    if lit is None or lit[0] == "int":
        kv = _c(lit[1], span) if lit is not None else value
        for n in sorted(kd.sites.values()):
            kn, sn = _site(d, n)
            terms.append(_b("and", _b("ne", _v(ctx, sn, span), _c(0, span), span),
                            _b("eq", _v(ctx, kn, span), kv, span), span))
    if not terms:
        return ir.Const(value=0, type=ir.BOOL, span=span)
    out = terms[0]
    for t in terms[1:]:
        out = _b("or", out, t, span)
    return out


def _plain(e: ir.Expr) -> bool:
    """Variables, constants and arithmetic only (evaluated once, no unknowns)."""
    if isinstance(e, (ir.Var, ir.Const)):
        return True
    if isinstance(e, (ir.Binary, ir.Unary, ir.Cast)):
        return all(_plain(v) for v in vars(e).values() if isinstance(v, ir.Expr))
    return False


def binding_updates(ctx, node: cst.CSTNode, span: ir.Span) -> list[ir.Stmt]:
    """After the binding statement of a known dict: its flags."""
    for d, kd in (getattr(ctx, "known_dicts", None) or {}).items():
        if node is kd.binding:
            _, keys = _binding(ctx, node)
            out = [ir.Assign(target=_has(d, k), value=_c(int(k in keys), span), span=span)
                   for k in sorted(kd.keys, key=repr)]
            for n in sorted(kd.sites.values()):
                out.append(ir.Assign(target=_site(d, n)[1], value=_c(0, span), span=span))
            for a in out:
                ctx.declare(a.target, ir.MATH_INT)
            return out
    return []


def store(ctx, target: cst.Subscript, key_value: Optional[ir.Expr],
          span: ir.Span) -> Optional[tuple[list[ir.Stmt], list[ir.Stmt]]]:
    """`d[k] = v` on a known dict: (before, after) statements — the key is added and the
    length grows when it was new; None if d is not a known dict."""
    kd = (getattr(ctx, "known_dicts", None) or {}).get(
        target.value.value if isinstance(target.value, cst.Name) else "")
    if kd is None:
        return None
    d = target.value.value
    key = L.single_index(target)
    was = member(ctx, d, key, key_value, span)
    if was is None:         # a key not modelled after all: d is not known from here on
        del ctx.known_dicts[d]
        return None
    new = ctx.fresh("new")
    before = [ir.Assign(target=new, value=ir.Ite(cond=was, then=_c(0, span),
                                                 orelse=_c(1, span), type=ir.MATH_INT,
                                                 span=span), span=span)]
    lit = literal_key(key)
    if lit is not None:
        after = [ir.Assign(target=_has(d, lit), value=_c(1, span), span=span)]
    else:
        kn, sn = _site(d, kd.sites[id(target)])
        ctx.declare(kn, ir.MATH_INT), ctx.declare(sn, ir.MATH_INT)
        after = [ir.Assign(target=kn, value=key_value, span=span),
                 ir.Assign(target=sn, value=_c(1, span), span=span)]
    lv = L.len_var(d)
    ctx.declare(lv, ir.MATH_INT)
    after.append(ir.Assign(target=lv, value=ir.Binary(
        op="add", left=ir.Var(name=lv, type=ir.MATH_INT, span=span),
        right=ir.Var(name=new, type=ir.MATH_INT, span=span), type=ir.MATH_INT, span=span),
        span=span))
    return before, after
