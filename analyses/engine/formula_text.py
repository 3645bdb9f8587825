"""Readable text of an inferred invariant (a z3 formula over program variables), e.g.
`s == 2*i ∧ i <= n` rather than z3's `Not(2*i + -1*s <= -1)`."""
from __future__ import annotations

import z3

_CMP = {z3.Z3_OP_LE: "<=", z3.Z3_OP_GE: ">=", z3.Z3_OP_LT: "<", z3.Z3_OP_GT: ">",
        z3.Z3_OP_EQ: "=="}
_NEG = {"<=": ">", ">=": "<", "<": ">=", ">": "<=", "==": "!="}


def show(f: z3.ExprRef) -> str:
    """Conjuncts joined by ∧, disjuncts by ∨; linear sums with their signs folded in."""
    return _bool(f)


def _bool(f, neg: bool = False) -> str:
    k = f.decl().kind() if z3.is_app(f) else None
    if k == z3.Z3_OP_NOT:
        return _bool(f.arg(0), not neg)
    if k in (z3.Z3_OP_AND, z3.Z3_OP_OR):
        is_and = (k == z3.Z3_OP_AND) != neg
        parts = [_bool(a, neg) for a in f.children()]
        sep = " ∧ " if is_and else " ∨ "
        wrap = (lambda s: f"({s})") if len(parts) > 1 else (lambda s: s)
        return sep.join(wrap(p) if (" ∨ " in p if is_and else " ∧ " in p) else p
                        for p in parts)
    if k in _CMP and f.num_args() == 2 and not z3.is_bool(f.arg(0)):
        op = _NEG[_CMP[k]] if neg else _CMP[k]
        return _compare(f.arg(0), op, f.arg(1))
    if z3.is_true(f):
        return "false" if neg else "true"
    if z3.is_false(f):
        return "true" if neg else "false"
    text = _term(f)
    return f"!({text})" if neg else text


def _compare(a, op: str, b) -> str:
    """a op b with a constant moved to the right and negative terms to the other side."""
    lhs, rhs, c = _terms(a), _terms(b), 0
    pos, negs = [], []
    for coef, t in lhs:
        if t is None:
            c -= coef
        elif coef >= 0:
            pos.append((coef, t))
        else:
            negs.append((-coef, t))
    for coef, t in rhs:
        if t is None:
            c += coef
        elif coef >= 0:
            negs.append((coef, t))
        else:
            pos.append((-coef, t))
    lone = (lambda side: len(side) == 1 and side[0][0] == 1)
    if (not pos and negs) or (lone(negs) and not lone(pos)):   # `0 <= n - i`: `i <= n`
        pos, negs, c = negs, pos, -c
        op = {"<=": ">=", ">=": "<=", "<": ">", ">": "<"}.get(op, op)
    if op == "<":                          # integers: `s < 2*n + 1` is `s <= 2*n`
        op, c = "<=", c - 1
    elif op == ">":
        op, c = ">=", c + 1
    left = _sum(pos) if pos else "0"
    right = _sum(negs) if negs else ""
    if c or not right:
        right = f"{right} + {c}" if right and c > 0 else (
            f"{right} - {-c}" if right and c < 0 else (right or str(c)))
    return f"{left} {op} {right}"


def _sum(items) -> str:
    return " + ".join(t if coef == 1 else f"{coef}*{_wrap(t)}" for coef, t in items)


def _wrap(t: str) -> str:
    return f"({t})" if " " in t else t


def _terms(e) -> list:
    """e as [(coefficient, atom text or None for the constant)]."""
    if z3.is_int_value(e):
        return [(e.as_long(), None)]
    if z3.is_app(e) and e.decl().kind() == z3.Z3_OP_ADD:
        return [x for a in e.children() for x in _terms(a)]
    if z3.is_app(e) and e.decl().kind() == z3.Z3_OP_SUB:
        first, *rest = e.children()
        return _terms(first) + [(-c, t) for a in rest for c, t in _terms(a)]
    if z3.is_app(e) and e.decl().kind() == z3.Z3_OP_UMINUS:
        return [(-c, t) for c, t in _terms(e.arg(0))]
    if z3.is_app(e) and e.decl().kind() == z3.Z3_OP_MUL and e.num_args() == 2 \
            and z3.is_int_value(e.arg(0)):
        return [(e.arg(0).as_long() * c, t if t is not None else None)
                for c, t in _terms(e.arg(1))] if not _is_atom(e.arg(1)) else \
            [(e.arg(0).as_long(), _term(e.arg(1)))]
    return [(1, _term(e))]


def _is_atom(e) -> bool:
    return not (z3.is_app(e) and e.decl().kind() in (z3.Z3_OP_ADD, z3.Z3_OP_SUB,
                                                     z3.Z3_OP_UMINUS))


def _term(e) -> str:
    if z3.is_int_value(e):
        return str(e.as_long())
    if z3.is_const(e):
        return e.decl().name()
    k = e.decl().kind() if z3.is_app(e) else None
    ops = {z3.Z3_OP_MOD: "%", z3.Z3_OP_IDIV: "/", z3.Z3_OP_MUL: "*"}
    if k in ops and e.num_args() == 2:
        return f"{_paren(e.arg(0))} {ops[k]} {_paren(e.arg(1))}"
    if k in (z3.Z3_OP_ADD, z3.Z3_OP_SUB, z3.Z3_OP_UMINUS):
        return _sum_signed(_terms(e))
    if k in _CMP and e.num_args() == 2:
        return _compare(e.arg(0), _CMP[k], e.arg(1))
    return str(e)


def _sum_signed(items) -> str:
    out = ""
    for coef, t in items:
        mag = abs(coef)
        atom = str(mag) if t is None else (t if mag == 1 else f"{mag}*{_wrap(t)}")
        if not out:
            out = ("-" if coef < 0 else "") + atom
        else:
            out += (" - " if coef < 0 else " + ") + atom
    return out or "0"


def _paren(e) -> str:
    s = _term(e)
    return s if z3.is_const(e) or z3.is_int_value(e) else f"({s})"


def join(conjuncts: list[str]) -> str:
    """Conjuncts joined by ∧; `a <= b` with `a >= b` become `a == b`; disjunctions
    parenthesized."""
    items = list(dict.fromkeys(conjuncts))
    out = []
    for c in items:
        if " <= " in c and c.replace(" <= ", " >= ", 1) in items:
            out.append(c.replace(" <= ", " == ", 1))
        elif " >= " in c and c.replace(" >= ", " <= ", 1) in items:
            continue
        else:
            out.append(c)
    return " ∧ ".join(f"({c})" if " ∨ " in c else c for c in dict.fromkeys(out))
