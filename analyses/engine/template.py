"""Linear ranking functions by template, solved with z3 (counterexample-guided).

The template is r = c1*v1 + ... + cn*vn + c0 over the loop's variables with small integer
coefficients.  z3 picks coefficients that work on the sample transitions seen so far (a
linear problem, since the samples are concrete); the exact check on the real transition
relation then either proves r or returns a transition it fails on, which becomes a new
sample.  Only the exact check can make a ranking function 'proved'.
"""
from __future__ import annotations

import z3

from .. import ir
from . import encode as E
from .encoding_modes import int_sorted, unbounded

MAX_VARS = 5
MAX_ROUNDS = 10
COEF = 4            # |ci| <= COEF
CONST_BITS = 40     # |c0| < 2**CONST_BITS


def _value(model, term, t):
    return E.to_python(model.eval(term), t)


def _render(names, coefs, c0) -> str:
    parts = []
    for n, c in zip(names, coefs):
        if c == 0:
            continue
        mag = "" if abs(c) == 1 else f"{abs(c)}*"
        parts.append(("-" if c < 0 else "+", f"{mag}{n}"))
    if c0:
        parts.append(("-" if c0 < 0 else "+", str(abs(c0))))
    if not parts:
        return "0"
    text = ("-" if parts[0][0] == "-" else "") + parts[0][1]
    for sign, p in parts[1:]:
        text += f" {sign} {p}"
    return text


def _term(vs, names, types, coefs, c0):
    bounded = [t for t in types if not unbounded(t) and not int_sorted(t)]   # bit-vectors
    if len(bounded) == len(types) and bounded:
        w = max(t.bits for t in types) + CONST_BITS // 2 + 8
        w = max(w, CONST_BITS + 2)
        out = z3.BitVecVal(c0 % (1 << w), w)
        for n, t, c in zip(names, types, coefs):
            if c:
                out = out + z3.BitVecVal(c % (1 << w), w) * E.widen(vs[n], t, w - t.bits)
        return out
    out = z3.IntVal(c0)
    for n, t, c in zip(names, types, coefs):
        if c:
            out = out + c * E.as_math(vs[n], t)
    return out


def _minimum(assertions: list, term):
    """The least value of term under the assertions (None: unbounded or unknown)."""
    opt = z3.Optimize()
    opt.set("timeout", 2000)
    opt.add(*assertions)
    is_bv = z3.is_bv(term)
    if is_bv:       # z3 orders bit-vectors as unsigned: shift signed values by 2^(n-1)
        n = term.size()
        term = term + z3.BitVecVal(1 << (n - 1), n)
    h = opt.minimize(term)
    if opt.check() != z3.sat:
        return None
    v = opt.lower(h)
    if is_bv and (z3.is_bv_value(v) or z3.is_int_value(v)):
        return v.as_long() - (1 << (n - 1))
    if z3.is_int_value(v):
        return v.as_long()
    return None


def synthesize(check, pre: list, head, back, names: list[str], types: list[ir.IntT],
               premise=None):
    """(text, term function) of a linear ranking function, or None."""
    names, types = names[:MAX_VARS], types[:MAX_VARS]
    if not names:
        return None
    premise = premise if premise is not None else back.pc
    r = check(pre + [premise])
    if r.status != "sat":
        return None
    samples = []

    def add(model):
        samples.append(([_value(model, head.vars[n], t) for n, t in zip(names, types)],
                        [_value(model, back.vars[n], t) for n, t in zip(names, types)]))
    add(r.model)
    cs = [z3.Int(f"coef{i}") for i in range(len(names))]
    c0 = z3.Int("offset")
    blocked = []           # coefficient vectors the exact check could not decide
    for _ in range(MAX_ROUNDS):
        s = z3.Optimize()          # the simplest coefficients that fit the samples
        s.set("timeout", 1000)
        s.minimize(z3.Sum([z3.If(c >= 0, c, -c) for c in cs]))
        for c in cs:
            s.add(c >= -COEF, c <= COEF)
        s.add(c0 > -(1 << CONST_BITS), c0 < (1 << CONST_BITS))
        for h, b in samples:
            s.add(z3.Sum([c * v for c, v in zip(cs, h)]) + c0 >= 0)
            s.add(z3.Sum([c * (x - y) for c, x, y in zip(cs, h, b)]) >= 1)
        for vec in blocked:
            s.add(z3.Or([c != v for c, v in zip(cs, vec)]))
        if s.check() != z3.sat:
            return None
        m = s.model()
        coefs = [m.eval(c, model_completion=True).as_long() for c in cs]
        k0 = m.eval(c0, model_completion=True).as_long()
        hv = _term(head.vars, names, types, coefs, 0)
        bv = _term(back.vars, names, types, coefs, 0)
        r = check(pre + [premise, z3.Not(bv <= hv - 1)], 2000)       # decreases?
        if r.status == "sat":
            add(r.model)
            continue
        if r.status != "unsat":
            blocked.append(coefs)
            continue
        low = _minimum(pre + [premise], hv)       # the offset that makes it >= 0
        if low is None or abs(low) >= (1 << CONST_BITS):
            blocked.append(coefs)                 # decreases but is unbounded below
            continue
        k0 = -low
        hv, bv = (_term(head.vars, names, types, coefs, k0),
                  _term(back.vars, names, types, coefs, k0))
        r = check(pre + [premise, z3.Not(z3.And(hv >= 0, bv <= hv - 1))], 2000)
        if r.status == "unsat":
            return (_render(names, coefs, k0),
                    lambda vs, coefs=coefs, k0=k0: _term(vs, names, types, coefs, k0))
        if r.status == "sat":
            add(r.model)
        else:
            blocked.append(coefs)
    return None
