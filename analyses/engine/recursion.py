"""Termination of recursion: a measure over the parameters that is >= 0 and decreases by
at least 1 at every recursive call (direct, or around a cycle of mutually recursive
functions with parameters in the same positions)."""
from __future__ import annotations

import z3

from .. import callgraph, ir
from ..solver import recorder
from ..findings import COUNTEREXAMPLE, PROVED, UNKNOWN, Counterexample, Finding
from . import encode as E
from .encoding_modes import signed_math
from .context import FnContext
from .recursion_witness import Site, recurrent_witness
from .state import TRUE, State
from .template import synthesize


def _finding(ctx, status, message, reason=None, details=None, cex=None) -> Finding:
    fn = ctx.fn
    return Finding(file=ctx.program.path, function=fn.qualname or fn.name,
                   kind="termination", status=status, span=fn.name_span or fn.span,
                   message=message, property="recursion", reason=reason,
                   severity="warning", details=details or {}, counterexample=cex)


def _scc(program: ir.Program, name: str) -> list[str]:
    for comp in callgraph.sccs(program):
        if name in comp:
            return sorted(comp)
    return [name]


def _measures(fns: list[ir.Function]):
    """Candidate measures by parameter position: p, -p, and p - q."""
    n = min(len(f.params) for f in fns)
    out = []
    for i in range(n):
        out.append((f"{{p{i}}}", lambda ps, i=i: ps[i]))
        out.append((f"-{{p{i}}}", lambda ps, i=i: -ps[i]))
        for j in range(n):
            if i != j:
                out.append((f"{{p{i}}} - {{p{j}}}", lambda ps, i=i, j=j: ps[i] - ps[j]))
            if i < j:
                out.append((f"{{p{i}}} + {{p{j}}}", lambda ps, i=i, j=j: ps[i] + ps[j]))
    return out


def _decreases(c, s, m1, m2, cur, nxt) -> bool:
    """At call site s: m1 >= 0 and m1 decreases, or (lexicographic, m2 given) m1 stays and
    m2 >= 0 decreases."""
    a, b = m1(cur), m1(nxt)
    ok = z3.And(a >= 0, b <= a - 1)
    if m2 is not None:
        x, y = m2(cur), m2(nxt)
        ok = z3.Or(z3.And(a >= 0, b <= a - 1), z3.And(b <= a, x >= 0, y <= x - 1))
    with recorder.role("recursion measure: bounded below (>= 0) and decreasing at a "
                       "recursive call"):
        return c.check(c.abstract.pre + [s.guard, z3.Not(ok)]).status == "unsat"


def recursion_verdict(ctx: FnContext) -> Finding:
    program = ctx.program
    members = _scc(program, ctx.fn.name)
    fns = [program.functions[m] for m in members]
    if any(not all(isinstance(p.type, ir.IntT) for p in f.params) for f in fns):
        return _finding(ctx, UNKNOWN, "recursion: don't know (non-integer parameters)",
                        reason="non-integer parameters")
    via = _callback_path(program, members)
    if via:
        return _finding(ctx, UNKNOWN, f"recursion: don't know ({via})", reason=via)
    ctxs = {m: (ctx if m == ctx.fn.name else FnContext(program, program.functions[m],
                                                          ctx.options, ctx.cancel))
            for m in members}
    sites = []      # (context, caller fn, site)
    for m, c in ctxs.items():
        ex = c.abstract
        for s in ex.call_sites:
            if s.callee in members:
                sites.append((c, c.fn, s))
    if not sites:
        return _finding(ctx, PROVED, "terminates: no recursive call is reachable")
    if min(len(f.params) for f in fns) == 0:
        return _finding(ctx, UNKNOWN, "recursion: don't know (no parameter can decrease)",
                        reason="no parameter can serve as a measure")
    site_values = []
    for c, caller, s in sites:
        callee = program.functions[s.callee]
        both = E.numeric([(s.caller_entry[p.name], p.type) for p in caller.params]
                         + [(a, p.type) for a, p in zip(s.args, callee.params)])
        site_values.append((c, s, both[:len(caller.params)], both[len(caller.params):]))
    measures = _measures(fns)
    pairs = [(m, None) for m in measures]
    pairs += [(m1, m2) for m1 in measures[:6] for m2 in measures[:6] if m1 is not m2]
    names = [p.name for p in ctx.fn.params]
    for (l1, m1), second in pairs:
        m2 = second[1] if second else None
        if all(_decreases(c, s, m1, m2, cur, nxt) for c, s, cur, nxt in site_values):
            text = l1.format(**{f"p{i}": n for i, n in enumerate(names)})
            where = _where(members)
            if second:
                t2 = second[0].format(**{f"p{i}": n for i, n in enumerate(names)})
                msg = (f"terminates: the pair ({text}, {t2}) decreases lexicographically at "
                       f"{where}: {text} drops while >= 0, or it does not grow and {t2} drops "
                       f"while >= 0")
                return _finding(ctx, PROVED, msg, details={"ranking": msg, "measure": [text, t2]})
            msg = f"terminates: {text} decreases by at least 1 at {where} and stays >= 0"
            return _finding(ctx, PROVED, msg, details={"ranking": msg, "measure": [text]})
    linear = _template_measure(ctx, fns, sites)
    if linear is not None:
        msg = f"terminates: {linear} decreases by at least 1 at {_where(members)} and stays >= 0"
        return _finding(ctx, PROVED, msg, details={"ranking": msg, "measure": [linear]})
    fixed = _self_call_fixed_point(ctx, [s for c, f, s in sites if c is ctx])
    if fixed is not None:
        return fixed
    found = recurrent_witness(ctx, members, ctxs, [
        Site(c, s.guard, [s.caller_entry[p.name] for p in c.fn.params], list(s.args), cur, nxt)
        for c, s, cur, nxt in site_values])
    if found is not None:
        return _recurrent_finding(ctx, *found)
    reason = "no decreasing measure over the parameters found"
    return _finding(ctx, UNKNOWN, f"recursion: don't know ({reason})", reason=reason)


def _callback_path(program: ir.Program, members: list[str]) -> str:
    """Why the recursion may also go through an unknown function ('' if it cannot): a
    member's name is used as a value (a callback, a function pointer) and the cycle calls
    something unknown, which may call it back with any arguments."""
    from ..judgement import address_taken
    from .symexec import is_stub
    escaped = [m for m in members if address_taken(program, m.split(".")[-1])
               or _mentioned_as_attribute(program, m)]
    if not escaped:
        return ""
    for f in sorted(set(members) | set().union(*(callgraph.reachable(program, m)
                                                 for m in members))):
        for c in callgraph.callees(program.functions[f]):
            g = program.functions.get(c)
            if g is None or is_stub(g):
                return (f"`{escaped[0]}` is used as a value and the call to the unknown "
                        f"`{c}` may call it back")
    return ""


def _mentioned_as_attribute(program: ir.Program, name: str) -> bool:
    """A method `C.m`: is `.m` mentioned other than in a call (`self.m` passed on)?"""
    if "." not in name:
        return False
    import re
    attr = name.split(".")[-1]
    return re.search(rf"\.{re.escape(attr)}\b(?!\s*\()", program.text or "") is not None


def _where(members: list[str]) -> str:
    return "each recursive call" if len(members) == 1 else f"each call among {', '.join(members)}"


def _template_measure(ctx: FnContext, fns: list[ir.Function], sites) -> str | None:
    """A linear measure c1*p1 + ... + c0 over the parameters, found by the loops' template
    solver (template.py) with every recursive call as one transition; the members of a
    cycle must share a signature (the measure is by position)."""
    sig = [p.type for p in ctx.fn.params]
    if any([p.type for p in f.params] != sig for f in fns):
        return None
    names = [p.name for p in ctx.fn.params]
    head = {n: E.const(f"rec_head_{n}", t) for n, t in zip(names, sig)}
    back = {n: E.const(f"rec_back_{n}", t) for n, t in zip(names, sig)}
    steps = []
    for c, caller, s in sites:
        sub = [(s.caller_entry[p.name], head[n]) for p, n in zip(caller.params, names)]
        path = z3.substitute(z3.And(*(c.abstract.pre + [s.guard])), *sub)
        steps.append(z3.And(path, *[back[n] == z3.substitute(a, *sub)
                                    for n, a in zip(names, s.args)]))
    found = synthesize(ctx.check, [], State(head, TRUE), State(back, TRUE), names, sig,
                       premise=z3.Or(*steps))
    return found[0] if found else None


def _self_call_fixed_point(ctx: FnContext, sites):
    """f(args) calling f with the very same arguments, on a path that depends only on the
    arguments: the recursion never ends (confirmed by the interpreter's stack limit)."""
    fn = ctx.fn
    if ctx.program.globals:
        return None
    from ..solver import free_consts
    inputs = set(ctx.abstract.inputs)
    for s in sites:
        if s.callee != fn.name:
            continue
        # a proof only when the path to the call and its arguments depend on nothing but
        # the parameters (not on results of other recursive calls, nondet or unknowns)
        if set(free_consts([s.guard] + list(s.args))) - inputs:
            continue
        same = [a == s.caller_entry[p.name] for a, p in zip(s.args, fn.params)]
        r = ctx.check(ctx.abstract.pre + [s.guard] + same)
        if r.status != "sat":
            continue
        cex, unknowns = ctx.counterexample(ctx.abstract, r.model)
        if unknowns:
            continue
        out = ctx.replay_run(ctx.inputs_from(ctx.abstract, r.model), cex.nondet)
        if out.status not in ("stack", "nonterminating", "timeout"):
            continue
        msg = f"{cex.call} never returns: it calls itself with the same arguments"
        return _finding(ctx, COUNTEREXAMPLE, msg, cex=cex,
                        details={"witness": {"kind": "self-call", "line": s.span.line}})
    return None


def _recurrent_finding(ctx: FnContext, inputs: dict, description: str, seen: str) -> Finding:
    """A ✗ for a recurrent set of arguments (see recursion_witness)."""
    call = ctx.call_with_nondet(inputs, [])
    cex = Counterexample(inputs=inputs, nondet=[], call=call)
    math = ctx.program.language == "c" and signed_math()
    msg = f"{call} never returns: every call makes another with {description}"
    if math:
        msg += " over unbounded integers (a real run may overflow a signed integer first)"
    note = {"stack": "the interpreter saw the recursion pass its depth limit",
            "nonterminating": "the interpreter saw the state repeat",
            "timeout": "the interpreter ran 100,000 steps without the function returning"}[seen]
    return _finding(ctx, COUNTEREXAMPLE, msg, cex=cex,
                    details={"witness": {"kind": "recurrent-set", "description": description,
                                         "semantics": "unbounded" if math else "exact"},
                             "interpreter": note})
