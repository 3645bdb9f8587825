"""Calling contexts: the inputs a function can receive from its callers (or from a closed
program's entry point), as z3 formulas over its inputs.

Each call site of f in a caller g (g's abstract run: loops by invariants, unknown values
arbitrary — an over-approximation) gives one disjunct: g's own context ∧ g's requires ∧ the
path condition at the call ∧ f's parameters = the arguments (and f's globals = g's at the
call).  g's variables are renamed apart from f's.  A Chain remembers the chain's root (an
entry point or a function judged for all inputs) and its renamed inputs and nondet values,
so that a counterexample can be re-run from the root on the concrete interpreter: only
then does it count.

Proofs use `proof_pre` (every entry state satisfies it); counterexamples are searched under
one of the chains.  A self-recursive function gets an invariant of its entry states
(Houdini over simple facts, from the outside callers' contexts, preserved by its own
recursive calls); mutual recursion and very long or wide chains fall back to modular.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import z3

from .. import ir
from ..callgraph import callees, sccs
from ..judgement import (CALLERS, ENTRY, MODULAR, callers_of, is_chain_root,
                         judgement_mode, roots)
from . import encode as E
from .encoding_modes import math_width
from .widths import contract_width
from .encode_ops import compare
from .state import Fresh, disj

MAX_CHAINS = 24        # more ways in than this: modular
MAX_SCC = 4            # mutual recursion through more functions: modular
_TAGS = itertools.count(1)


@dataclass
class Chain:
    guard: z3.BoolRef                       # over f's inputs and renamed caller variables
    root: str                               # the function a concrete run starts from
    inputs: dict = field(default_factory=dict)     # root input name -> (term, type)
    nondets: list = field(default_factory=list)    # the root's nondet values (Fresh)
    path: list = field(default_factory=list)       # root, ..., f's caller


@dataclass
class Judgement:
    mode: str
    proof_pre: list = field(default_factory=list)
    chains: list = field(default_factory=list)
    note: str = ""
    root: bool = False          # an entry point: judged for all its inputs
    unreached: str = ""         # why no chain is known (then a ✗ is "don't know")

    @property
    def contextual(self) -> bool:
        """Only inputs some caller passes count (counterexamples must be re-run from a
        chain's root)."""
        return self.mode != MODULAR and not self.root


class _Fallback(Exception):
    """The context cannot be built: judge the function modularly."""


def judge(program: ir.Program, name: str, options, cancel=None) -> Judgement:
    """The judgement of `name`'s contract and overflow properties (memoized per program
    and options)."""
    memo = program.__dict__.setdefault("_judgements", {})
    key = (name, options.key())
    if key not in memo:
        memo[key] = _judge(_Builder(program, options, cancel), name)
    return memo[key]


def _judge(b: "_Builder", name: str) -> Judgement:
    mode = judgement_mode(b.program, name, b.entries)
    if mode == MODULAR or name in b.roots:
        return Judgement(mode, root=name in b.roots)
    try:
        scc = b.scc_of(name)
        if len(scc) == 1 and not b.self_recursive(name):
            chains = b.chains_into(name, depth=0, visiting=frozenset())
            if not chains:
                raise _Fallback("no call reaches it")
            return Judgement(mode, [disj([c.guard for c in chains])], chains)
        if len(scc) > MAX_SCC:
            raise _Fallback("recursion through too many functions")
        outside = {h: b.chains_into(h, depth=0, visiting=frozenset()) for h in sorted(scc)}
        return Judgement(mode, b.recursive_invariant(scc, outside)[name], outside[name])
    except _Fallback as why:
        return Judgement(MODULAR, note=f"judged for all inputs: {why}")


class _Builder:
    def __init__(self, program: ir.Program, options, cancel) -> None:
        self.program, self.options, self.cancel = program, options, cancel
        self.entries = tuple(getattr(options, "entries", ()) or ())
        self.roots = set(roots(program, self.entries))
        self._runs = program.__dict__.setdefault("_caller_runs", {})

    # ------------------------------------------------------------------ runs
    def run(self, name: str):
        """name's abstract run without any context (its call sites, inputs, nondets)."""
        key = (name, self.options.key())
        if key not in self._runs:
            with math_width(contract_width(self.program)):
                self._runs[key] = self.checker(name).abstract
        return self._runs[key]

    def checker(self, name: str):
        """A context for name's queries (with this request's cancel token)."""
        from .context import FnContext
        return FnContext(self.program, self.program.functions[name], self.options,
                         self.cancel)

    def scc_of(self, name: str) -> set:
        return next((c for c in sccs(self.program) if name in c), {name})

    def self_recursive(self, name: str) -> bool:
        return name in callees(self.program.functions[name])

    def is_chain_root(self, g: str, depth: int, visiting) -> bool:
        return is_chain_root(self.program, g, depth, visiting, self.entries)

    # ------------------------------------------------------------------ chains
    def chains_reaching(self, g: str, depth: int, visiting) -> list[Chain]:
        """Chains that reach g's entry, over g's own input constants."""
        if self.is_chain_root(g, depth, visiting):
            ex = self.run(g)
            return [Chain(z3.BoolVal(True), g,
                          {n: (c, ex.input_types[n]) for n, c in ex.inputs.items()},
                          [], [])]
        return self.chains_into(g, depth, visiting)

    def chains_into(self, f: str, depth: int, visiting) -> list[Chain]:
        fn = self.program.functions[f]
        scc = self.scc_of(f)
        targets = {p.name: E.const(p.name, p.type) for p in fn.params}
        if fn.name != "main" or fn.language != "c":
            targets.update({g: E.const(g, t) for g, t in self.program.globals.items()})
        out: list[Chain] = []
        for g in callers_of(self.program, f, self.entries):
            if g in scc:
                continue                       # recursive calls: recursive_invariant
            ex = self.run(g)
            upstream = self.chains_reaching(g, depth + 1, visiting | {f})
            for site in [s for s in ex.calls_out if s.callee == f]:
                for up in upstream:
                    out.append(self._link(ex, g, site, up, targets))
                    if len(out) > MAX_CHAINS:
                        raise _Fallback("too many call chains")
        return out

    def _link(self, ex, g: str, site, up: Chain, targets: dict) -> Chain:
        """One chain extended by one call site, g's variables renamed apart."""
        bind = []
        values = dict(zip([p.name for p in self.program.functions[site.callee].params],
                          site.args))
        values.update({n: v for n, v in site.globals.items()})
        for n, target in targets.items():
            v = values.get(n)
            if v is None:
                continue
            if v.sort() != target.sort():
                raise _Fallback(f"argument `{n}` has an unexpected sort")
            bind.append((target, v))
        tag = next(_TAGS)
        parts = [up.guard, *ex.pre, site.pc] + [v for _, v in bind]
        parts += [t for t, _ in up.inputs.values()]
        if up.root == g and not up.nondets:
            nondets = list(ex.nondets)
        else:
            nondets = list(up.nondets)
        parts += [f.const for f in nondets] + [f.guard for f in nondets]
        sub = _renaming(parts, tag)
        r = (lambda t: z3.substitute(t, *sub)) if sub else (lambda t: t)
        conds = [r(up.guard), *[r(p) for p in ex.pre], r(site.pc)]
        conds += [target == r(v) for target, v in bind]
        guard = z3.And(*[c for c in conds if not z3.is_true(c)] or [z3.BoolVal(True)])
        return Chain(guard, up.root, {n: (r(t), ty) for n, (t, ty) in up.inputs.items()},
                     [Fresh(r(x.const), x.type, r(x.guard), x.what, x.span) for x in nondets],
                     up.path + [g])

    # ------------------------------------------------------------------ recursion
    def recursive_invariant(self, scc: set, outside: dict) -> dict:
        """For each function of a recursion (self or mutual): facts about its parameters
        true at every entry -- implied by its outside callers' contexts (every input when
        it is judged modularly) and preserved by the recursive calls (Houdini over sign
        and order facts).  name -> [formula] (empty: nothing known)."""
        check = self.checker(next(iter(scc))).check
        params = {h: [(E.const(p.name, p.type), p.type)
                      for p in self.program.functions[h].params] for h in scc}
        alive = {}
        for h in scc:
            free = judgement_mode(self.program, h, self.entries) == MODULAR or h in self.roots
            start = [] if free else [disj([c.guard for c in outside[h]])]
            alive[h] = self._filter(check, start, _candidates(params[h]))
        sites = [(g, s) for g in sorted(scc) for s in self.run(g).calls_out if s.callee in scc]
        for _ in range(sum(len(v) for v in alive.values()) + 1):
            changed = False
            for g, s in sites:
                h = s.callee
                if not alive[h]:
                    continue
                sub = [(c, a) for (c, _), a in zip(params[h], s.args) if a.sort() == c.sort()]
                if len(sub) != len(params[h]) or len(s.args) != len(params[h]):
                    alive[h], changed = [], True
                    continue
                moved = [z3.substitute(c, *sub) for c in alive[h]]
                premise = [*self.run(g).pre, s.pc, *alive[g]]
                held = self._filter(check, premise, moved)
                keep = [c for c, m in zip(alive[h], moved) if any(m.eq(x) for x in held)]
                if len(keep) != len(alive[h]):
                    alive[h], changed = keep, True
            if not changed:
                break
        else:
            return {h: [] for h in scc}
        return {h: ([z3.And(*v)] if len(v) > 1 else v) for h, v in alive.items()}

    def _filter(self, check, premise: list, cands: list) -> list:
        """The candidates implied by the premise (model-guided, as Houdini)."""
        alive = list(cands)
        for _ in range(len(cands) + 1):
            if not alive:
                return []
            r = check(premise + [z3.Or(*[z3.Not(c) for c in alive])])
            if r.status == "unsat":
                return alive
            if r.status != "sat":
                return []
            alive = [c for c in alive if r.model.eval(c) is True]
        return []


def _candidates(params: list) -> list:
    """Sign facts of each integer parameter, its distance from the type's minimum, and the
    order of same-typed pairs."""
    out = []
    for c, t in params:
        if not isinstance(t, ir.IntT):
            continue
        for k in (0, 1, -1):
            lit = E.literal(k, t)
            out += [compare("ge", c, lit, t), compare("le", c, lit, t)]
        if t.bits is not None and t.signed:
            out.append(compare("gt", c, E.literal(t.min, t), t))
    ints = [(c, t) for c, t in params if isinstance(t, ir.IntT)]
    for (a, t), (b, u) in itertools.combinations(ints, 2):
        if t == u:
            out += [compare("le", a, b, t), compare("ge", a, b, t)]
    return out


def chain_pre(j) -> list:
    """The extra premise of a counterexample search: some chain reaches the function."""
    if j is None or not j.contextual or not j.chains:
        return []
    return [disj([c.guard for c in j.chains])]


def from_root(program: ir.Program, j: Judgement, model, kinds: set, span: ir.Span,
              entry_assert: bool = False):
    """Re-run the model's chain from its root on the concrete interpreter: the root's call
    text when the run fails with one of `kinds` at `span` (in whichever call of the
    function), else None.  For an entry assert the run goes on past the caller's
    `requires-call` violation into the function, where the assert itself fails."""
    from .. import interp
    stop = None
    if entry_assert:
        stop = set(interp.default_stop(program.language)) - {"requires-call"}
    for c in j.chains:
        if model.eval(c.guard) is not True:
            continue
        inputs = {n: E.to_python(model.eval(t), ty) for n, (t, ty) in c.inputs.items()}
        nondet = [E.to_python(model.eval(x.const), x.type) for x in c.nondets
                  if model.eval(x.guard) is True]
        out = interp.run(program, c.root, inputs, nondet=nondet, stop_at_first=stop)
        if any(v.kind in kinds and v.span == span for v in out.violations):
            root = program.functions[c.root]
            call = f"{c.root}({', '.join(str(inputs.get(p.name, 0)) for p in root.params)})"
            globs = [f"{k} = {v}" for k, v in inputs.items()
                     if k not in {p.name for p in root.params}]
            if globs:
                call += " with " + ", ".join(globs)
            if nondet:
                call += f" with nondet values {', '.join(map(str, nondet))}"
            return call
    return None


def _renaming(terms: list, tag: int) -> list:
    """Pairs (constant, renamed copy) for every uninterpreted constant in terms."""
    seen: dict[str, z3.ExprRef] = {}
    todo, visited = list(terms), set()
    while todo:
        t = todo.pop()
        if t.get_id() in visited:
            continue
        visited.add(t.get_id())
        if z3.is_const(t) and t.decl().kind() == z3.Z3_OP_UNINTERPRETED:
            seen[t.decl().name()] = t
        else:
            todo.extend(t.children())
    return [(c, z3.Const(f"{n}~{tag}", c.sort())) for n, c in seen.items()]


__all__ = ["Chain", "Judgement", "judge", "chain_pre", "from_root", "CALLERS", "ENTRY",
           "MODULAR"]
