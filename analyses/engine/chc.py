"""Loop invariants from constrained Horn clauses (z3's Spacer), as Houdini candidates.

When the invariants of the abstract run do not prove an obligation, each loop the abstract
run recorded gets an uninterpreted predicate Inv_L over the variables the loop mentions
(its state and the values it only reads, e.g. parameters), and

    entry state of L                                   ⇒ Inv_L(entry values)
    Inv_L(head) ∧ one iteration (guard, body, update)  ⇒ Inv_L(values after it)
    the obligation's violation in the abstract run     ⇒ false

with Inv_L' of every other loop whose head values a formula mentions added to its body
(nested and consecutive loops).  The clauses come straight from the abstract run, whose
formulas are an over-approximation, so Spacer's interpretation is only a *candidate*:
its conjuncts become extra Houdini candidates (loops._infer), which checks initiation and
consecution with ordinary queries, and the obligation is decided again in an abstract run
that assumes only what survived.  Nothing is proved on Spacer's word.

Only integer encodings: a function on bit-vectors (bitwise operators in C) is skipped.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import z3

from .. import ir
from ..solver import free_consts
from ..solver.horn import HornClause, HornResult, solve_horn
from .encoding_modes import range_facts
from .formula_text import join, show
from .invariants import _names, _show
from .state import violation

MAX_LOOPS = 4           # loops in one system
MAX_ARGS = 12           # arguments of one predicate
MAX_CALLS = 3           # Spacer queries per function (none after one timed out)
BUDGET_SHARE = 0.25     # of the function's remaining budget, at most, per Spacer query
ENABLED = True          # (tests and bench/ compare with the engine without it)


@dataclass
class LoopPredicate:
    rec: object                       # the LoopRecord
    names: list                       # program variables, in argument order
    decl: z3.FuncDeclRef
    head_consts: set = field(default_factory=set)   # ids of the head's fresh constants

    def at(self, vars_: dict) -> z3.BoolRef:
        return self.decl(*[vars_[n] for n in self.names])


@dataclass
class Inferred:
    """Candidates for the loops of one function: id(loop) -> [(label, term builder)]."""
    candidates: dict
    texts: list                       # the invariants as shown, one per loop


def _usable(t) -> bool:
    return t.sort().kind() in (z3.Z3_INT_SORT, z3.Z3_BOOL_SORT)


def predicates(ex) -> list[LoopPredicate] | None:
    """One predicate per recorded loop; None when some loop state is not over integers
    (bit-vector encoding) or the system would be too large."""
    recs = ex.loop_records[:MAX_LOOPS + 1]
    if not recs or len(recs) > MAX_LOOPS:
        return None
    out = []
    for k, rec in enumerate(recs):
        loop = rec.loop
        mentioned: set = set()
        _names([loop.cond] + loop.body + loop.update, mentioned)
        names = [n for n in rec.modified if n in rec.head.vars and n in rec.entry.vars
                 and not z3.is_array(rec.head.vars[n])]    # a local array: left free
        if not names or not all(_usable(rec.head.vars[n]) for n in names):
            return None
        # then what the loop only reads, the parameters (a relation with their values,
        # e.g. j == m + 3*i), and other variables while there is room
        params = [p.name for p in ex.fn.params]
        for group in (sorted(mentioned), params, sorted(rec.head.vars)):
            names += [n for n in group if n not in names and n in rec.head.vars
                      and n in rec.entry.vars and n != ir.RESULT
                      and _usable(rec.head.vars[n]) and len(names) < MAX_ARGS]
        if len(names) > MAX_ARGS:
            return None
        sorts = [rec.head.vars[n].sort() for n in names] + [z3.BoolSort()]
        decl = z3.Function(f"Inv!{k}", *sorts)
        heads = {rec.head.vars[n].get_id() for n in rec.modified if n in rec.head.vars
                 and z3.is_const(rec.head.vars[n])}
        out.append(LoopPredicate(rec, names, decl, heads))
    return out


def _mentions(preds, formulas, skip=None) -> list:
    """Applications Inv_L(head_L) for the loops whose head constants occur in formulas."""
    ids = {c.get_id() for c in free_consts(formulas).values()}
    return [p.at(p.rec.head.vars) for p in preds if p is not skip and p.head_consts & ids]


def clauses(ex, preds: list[LoopPredicate], bad, ranges: bool = True) -> list[HornClause]:
    """The system for the property `bad` never holds (a formula of the abstract run).
    ranges=False leaves out the integer model's type-range facts and every premise that
    bounds one variable by a far constant (no-overflow assumptions): fewer premises, so
    the system over-approximates the one with them (what Spacer returns is a candidate,
    checked like any other, either way)."""
    out = []
    for p in preds:
        rec = p.rec
        entry_f = [rec.entry.pc] + [rec.entry.vars[n] for n in p.names]
        out.append(HornClause(_body(ex, preds, [rec.entry.pc], entry_f, None, ranges),
                              p.at(rec.entry.vars)))
        if rec.back.dead:
            continue
        back_f = [rec.back.pc] + [rec.back.vars[n] for n in p.names]
        out.append(HornClause(_body(ex, preds, [p.at(rec.head.vars), rec.back.pc], back_f, p,
                                    ranges), p.at(rec.back.vars)))
    out.append(HornClause(_body(ex, preds, [bad], [bad], None, ranges)))
    return out


def _body(ex, preds, body: list, scope: list, skip, ranges: bool = True) -> list:
    extra = _mentions(preds, scope, skip)
    facts = [_bare(preds, f) for f in list(ex.pre) + body] + extra
    if ranges:
        return facts + range_facts(facts + scope)
    return [c for f in facts for c in _conjuncts_of(f) if not _far_bound(c)]


FAR = 1 << 16


def _conjuncts_of(f) -> list:
    if z3.is_and(f):
        return [c for a in f.children() for c in _conjuncts_of(a)]
    return [f]


def _far_bound(f) -> bool:
    """`t >= c` / `t <= c` (either side, strict forms too) with |c| >= 2^16 and t a term
    of one variable (`x`, `x + 2`): a type range or the no-overflow assumption of `x + k`,
    which Spacer's generalisation trips over."""
    if z3.is_true(f):
        return True
    if not (z3.is_le(f) or z3.is_ge(f) or z3.is_lt(f) or z3.is_gt(f)):
        return False
    a, b = f.children()
    if z3.is_int_value(a):
        a, b = b, a
    return z3.is_int_value(b) and abs(b.as_long()) >= FAR and len(free_consts([a])) == 1


def _bare(preds, term):
    """term without Houdini's invariants (replaced by true): Spacer finds them itself when
    they matter, and they make its search much slower (`s + 46340` in a loop of at most
    100 iterations: 0.2 s without them, a timeout with them)."""
    for p in preds:
        term = p.rec.without_inferred(term)
    return term


def infer(ctx, ex, bad, purpose: str = "safety") -> tuple[Inferred | None, str]:
    """(candidates from Spacer's answer for 'bad never holds', '') or (None, why not).
    At most MAX_CALLS queries per function and purpose (safety, termination)."""
    preds = predicates(ex)
    if preds is None:       # bit-vector encoding, or too large: as before, no reason
        return None, ""
    calls = ctx.__dict__.setdefault("_chc_calls", {})
    if calls.get(purpose, 0) >= MAX_CALLS:
        return None, f"the CHC solver was already asked {MAX_CALLS} times in this function"
    calls[purpose] = calls.get(purpose, 0) + 1
    timeout = ctx.options.timeout_ms
    remaining = getattr(ctx.cancel, "remaining_ms", None)
    if remaining is not None:      # leave most of the function's budget to the rest
        timeout = max(1, min(timeout, int(remaining() * BUDGET_SHARE)))
    try:
        r = _solve(ctx, ex, preds, bad, timeout)
    except z3.Z3Exception as exc:
        return None, f"the CHC encoding failed ({exc})"
    if r.status == "unsat":
        return None, "the CHC solver found a derivation of the failure over the loop " \
                     "abstraction, but no counterexample was confirmed"
    if r.status != "sat":
        if "timeout" in r.reason:          # the next query would likely time out too
            calls[purpose] = MAX_CALLS
        return None, r.reason or "the CHC solver gave up"
    return _candidates(preds, r), ""


def _solve(ctx, ex, preds, bad, timeout: int) -> HornResult:
    """Spacer first on the system without the type-range facts (for a quarter of the
    time), then with them.  The ranges' huge constants derail Spacer's generalisation:
    `s += 2` in `for (i = 0; i < n; i++)` under `n <= 1000` took > 10 s with them (or
    not, by the luck of term order) and 0.04 s without; a property that needs the ranges
    gets the second try."""
    solve = functools.partial(solve_horn, preds=[p.decl for p in preds], cancel=ctx.cancel,
                              cache=ctx.options.cache)
    with_ranges, without = clauses(ex, preds, bad), clauses(ex, preds, bad, ranges=False)
    if [len(c.body) for c in with_ranges] != [len(c.body) for c in without]:
        first = solve(without, timeout_ms=max(1, timeout // 4))
        if first.status == "sat":
            return first
        timeout -= timeout // 4
    return solve(with_ranges, timeout_ms=max(1, timeout))


def _candidates(preds, r: HornResult) -> Inferred:
    cands, texts = {}, []
    for p in preds:
        formula = r.interpretation.get(p.decl.name())
        if formula is None or z3.is_true(formula):
            continue
        xs = r.args[p.decl.name()]
        shown = z3.substitute(formula, *[(x, z3.Const(_display(n), x.sort()))
                                         for x, n in zip(xs, p.names)])
        items = []
        for part in _conjuncts(formula):
            named = z3.substitute(part, *[(x, z3.Const(_display(n), x.sort()))
                                          for x, n in zip(xs, p.names)])
            label = _congruence(named) or show(named)

            def term(vs, part=part, xs=xs, names=p.names):
                pairs = [(x, vs[n]) for x, n in zip(xs, names)]
                if any(not x.sort().eq(v.sort()) for x, v in pairs):
                    return z3.BoolVal(True)     # another encoding: no candidate
                return z3.substitute(part, *pairs)
            items.append((f"{label} (inferred)", term))
        cands[id(p.rec.loop)] = items
        texts.append(show(shown))
    return Inferred(cands, texts)


def _display(name: str) -> str:
    """A variable's name as shown: the frontends' hidden variables (`$cur3`, the counter
    of a Python `for ... in range`) as `<cur>`."""
    if name.startswith("$"):
        return "<" + name[1:].rstrip("0123456789") + ">"
    return _show(name)


def _divisors(f, out: set) -> set:
    if z3.is_app(f) and f.decl().kind() in (z3.Z3_OP_IDIV, z3.Z3_OP_MOD) \
            and z3.is_int_value(f.arg(1)) and 2 <= f.arg(1).as_long() <= 16:
        out.add(f.arg(1).as_long())
    for a in f.children():
        _divisors(a, out)
    return out


def _congruence(f) -> str:
    """`x ≡ r (mod k)` (`x % k == 0` when r is 0: the same in C and Python) when f, a
    formula with integer division, is equivalent to it; else ''.  Only the text shown."""
    ks = sorted(_divisors(f, set()))
    if not ks:
        return ""
    from ..solver import check
    for x in free_consts([f]).values():
        if x.sort().kind() != z3.Z3_INT_SORT:
            continue
        for k in ks:
            for rem in range(k):
                if check([f != (x % k == rem)], timeout_ms=200).status == "unsat":
                    name = x.decl().name()
                    return f"{name} % {k} == 0" if rem == 0 else f"{name} ≡ {rem} (mod {k})"
    return ""


def _conjuncts(f) -> list:
    if z3.is_and(f):
        return [x for a in f.children() for x in _conjuncts(a)]
    return [f]


def prove(ctx, key, obs) -> tuple[bool, str]:
    """(True, invariant text) when an abstract run whose loops also assume the checked
    survivors of Spacer's invariants proves the obligation `key`; else (False, why not).
    Runs made for earlier obligations of the function are tried first."""
    if not ENABLED:
        return False, ""
    runs = ctx.__dict__.setdefault("_chc_runs", [])
    for ex, text in runs:
        if _holds(ctx, ex, key):
            return True, text
    inferred, why = infer(ctx, ctx.abstract, violation(obs))
    if inferred is None:
        return False, why
    ex = ctx.abstract_with(inferred.candidates)
    kept = kept_labels(ex.loop_records)
    if not kept:
        return False, (f"the CHC solver's invariant {' ; '.join(inferred.texts)} "
                       f"did not pass the invariant checks")
    text = join(kept)
    runs.append((ex, text))
    if _holds(ctx, ex, key):
        return True, text
    return False, f"the inferred invariant {text} does not prove it"


def kept_labels(records) -> list[str]:
    """The CHC candidates Houdini kept (initially true and preserved), as shown."""
    return [lbl.removesuffix(" (inferred)") for r in records for lbl in r.invariants
            if lbl.endswith(" (inferred)")]


def _holds(ctx, ex, key) -> bool:
    obs = [o for o in ex.obligations if o.key == key]
    return bool(obs) and ctx.check(ex.pre + [violation(obs)]).status == "unsat"
