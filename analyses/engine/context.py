"""Per-function verification context: runs the symbolic executions once, answers queries
through the solver layer, and turns z3 models into concrete, re-checked counterexamples."""
from __future__ import annotations

import re
import time
from functools import cached_property
from typing import Optional

import z3

from .. import ir, solver
from ..solver import recorder
from ..findings import Counterexample
from . import encode as E
from .answers import current_answers
from .encoding_modes import range_facts
from .encode_ops import compare
from .executor import Executor
from .state import violation


# readable counterexamples first: inputs in [-8, 8]; then also next to the type's limits
# (INT_MAX - 1, -1 rather than 1233784706, -194879444); then [-1000, 1000]
SMALL = ((8, False), (8, True), (1000, False))
KIND_MS = 1500


def _within(c, t, lo: int, hi: int):
    return z3.And(compare("ge", c, E.literal(lo, t), t), compare("le", c, E.literal(hi, t), t))


class FnContext:
    def __init__(self, program: ir.Program, fn: ir.Function, options, cancel=None) -> None:
        self.program, self.fn, self.options, self.cancel = program, fn, options, cancel
        self.judgement = None      # calling_contexts.judge (None: modular)
        self.queries = 0
        self.solved = 0            # queries that really ran z3 (not from the cache)
        self.encoding = "int" if fn.language == "python" else "bv"   # see driver.verify
        self.gave_up = 0           # queries every solver left unknown
        self.decided_by = ""       # solver of the last definite answer ("z3", "cvc5", ...)
        self.isolated = False      # every query in killable solver processes (retries)
        self.infer = True          # False: its abstract run infers no loop invariants
        self.skip_infer = frozenset()      # id()s of loops whose invariants are not needed
        self.max_query_ms = None   # a cap on every query's limit (quick attempts)

    # ------------------------------------------------------------------ solving
    def check(self, assertions: list, timeout_ms: Optional[int] = None,
              extra: int = 0) -> solver.Result:
        """extra: how many of the last assertions are not the goal (check_small's bounds);
        the one before them is the negated goal (named so in emitted proofs)."""
        if self.cancel is not None:
            self.cancel.check()
        t = timeout_ms or self.options.timeout_ms
        if self.max_query_ms is not None:
            t = min(t, self.max_query_ms)
        remaining = getattr(self.cancel, "remaining_ms", None)
        if remaining is not None:          # a function budget: no query outlives it
            t = max(1, min(t, remaining()))
        parts = (max(0, len(assertions) - 1 - extra), len(assertions))
        if any(z3.is_false(a) for a in assertions):
            r = solver.Result("unsat", None, 0.0, cached=False, timeout_ms=t,
                              solver="syntactic")   # a literal false
            recorder.note(assertions, r, parts)
            return r
        assertions = assertions + range_facts(assertions)
        answers = current_answers()
        r = answers.get(assertions) if answers is not None else None
        if r is None:
            r = solver.check(assertions, timeout_ms=t, cache=self.options.cache,
                             cancel=self.cancel, quick_ms=self.options.cache_min_ms,
                             racer=self._racer, parts=parts)
            if answers is not None:
                answers.put(assertions, r)
        self.queries += 1
        self.solved += 0 if r.cached else 1
        if r.status == "unknown":
            self.gave_up += 1
        else:
            self.decided_by = r.solver or "z3"
        return r

    @cached_property
    def _racer(self):
        """portfolio: z3 first, then every solver raced; int: z3 alone, but a long query
        runs in a process that can be killed (see portfolio.FIRST_MS); bv: z3 in-process."""
        mode = getattr(self.options, "solver_mode", "bv")
        if mode not in ("portfolio", "int"):
            return None
        from functools import partial
        from ..solver.portfolio import solve
        if self.isolated:      # a retry: in-process z3 could overrun time and memory
            return partial(solve, first_ms=0)
        return solve if mode == "portfolio" else partial(solve, only=("z3",))

    def solver_label(self) -> str:
        """Which solver and encoding decided the last definite answer, e.g. 'z3/int'."""
        return f"{self.decided_by or 'z3'}/{self.encoding}"

    def check_small(self, ex: Executor, assertions: list) -> solver.Result:
        """Like check, but prefers a model whose inputs are small (readable
        counterexamples such as clamp(0, 1, 0)), falling back to any model."""
        values = [(c, ex.input_types[n]) for n, c in ex.inputs.items()]
        values += [(f.const, f.type) for f in ex.nondets]
        tried_edges = False
        for small, edges in SMALL:
            bounds = []
            for c, t in values:
                if isinstance(t, ir.IntT) and (t.bits is None or t.bits > 4):
                    near = [_within(c, t, -small if t.signed else 0, small)]
                    if edges and t.bits is not None:    # or next to the type's limits
                        near += [_within(c, t, t.max - small, t.max)]
                        if t.signed:
                            near.append(_within(c, t, t.min, t.min + small))
                    bounds.append(z3.Or(*near) if len(near) > 1 else near[0])
            if not bounds:
                break
            r = self.check(assertions + bounds, min(self.options.timeout_ms, 300),
                           extra=len(bounds))
            if r.status == "sat":
                return r
            if r.status == "unknown" and not tried_edges:
                # the solver gave up on a bounded search: try the inputs' boundary values
                tried_edges = True
                found = self._edge_inputs(assertions, values)
                if found is not None:
                    return found
        return self.check(assertions)

    def _edge_inputs(self, assertions: list, values: list) -> Optional[solver.Result]:
        """A model with every input at a boundary value (edge_inputs.py), or None."""
        from .edge_inputs import edge_model
        t0 = time.perf_counter()
        model = edge_model(assertions + range_facts(assertions), values, self.cancel)
        if model is None:
            return None
        r = solver.Result("sat", model, elapsed_ms(t0), solver="z3")
        recorder.note(assertions, r, (max(0, len(assertions) - 1), len(assertions)))
        self.queries += 1
        self.decided_by = r.solver
        return r

    def _executor(self, mode: str, **setup) -> Executor:
        ex = Executor(self.program, self.fn, mode=mode, unroll=self.options.unroll,
                      options=self.options,
                      checker=lambda a: self.check(a, min(self.options.timeout_ms, 2000)))
        ex.cancel = self.cancel
        ex.infer, ex.skip_infer = self.infer, self.skip_infer
        for name, value in setup.items():
            setattr(ex, name, value)
        ex.run()
        if self.judgement is not None and self.judgement.proof_pre:
            ex.pre = ex.pre + list(self.judgement.proof_pre)
        return ex

    def k_induction(self, loop, key, k: int) -> bool:
        """Is the obligation `key` (inside `loop`) proved by k-induction?"""
        runs = [self._executor(mode, kind_target=id(loop), kind_k=k, kind_key=key)
                for mode in ("kbase", "kstep")]
        # k-induction is a last attempt at a proof: outside the bit-vector-only mode its
        # queries get a shorter limit (they are mostly satisfiable, and nonlinear)
        limit = None if getattr(self.options, "solver_mode", "bv") == "bv" else \
            min(self.options.timeout_ms, KIND_MS)
        for ex in runs:
            obs = [o for o in ex.obligations if o.key == key]
            if obs and self.check(ex.pre + ex.kind_assumptions
                                  + [violation(obs)], limit).status != "unsat":
                return False      # (no instance at all: that case holds vacuously)
        return True

    def abstract_with(self, invariants: dict) -> Executor:
        """An abstract run whose loops also get these Houdini candidates (engine/chc.py)."""
        return self._executor("abstract", extra_invariants=invariants)

    # the runs are shared by every property: their queries (invariant checks, ...)
    # support every finding of the function (engine/audit.py), none in particular
    @cached_property
    def abstract(self) -> Executor:
        with recorder.outside(), recorder.role("abstract run (invariants, contexts)"):
            return self._executor("abstract")

    @cached_property
    def bmc(self) -> Executor:
        with recorder.outside(), recorder.role("bounded unrolling"):
            return self._executor("bmc")

    @cached_property
    def bmc_complete(self) -> bool:
        """True when no path was cut by the unrolling bound (BMC is then exhaustive)."""
        ex = self.bmc
        if not ex.cut_guards:
            return True
        with recorder.outside(), recorder.role("no path is cut by the unrolling bound"):
            return self.check(ex.pre + [z3.Or(*ex.cut_guards)]).status == "unsat"

    # ------------------------------------------------------------------ models
    def inputs_from(self, ex: Executor, model: solver.Model) -> dict[str, int]:
        """Parameters and globals, then the array elements the run read (`a[3]`)."""
        out = {}
        for name, c in ex.inputs.items():
            out[name] = E.to_python(model.eval(c), ex.input_types[name])
        for array, index, t, guard in getattr(ex, "element_reads", ()):
            if model.eval(guard) is True:
                k = E.to_python(model.eval(index), ir.MATH_INT)
                v = model.eval(z3.Select(ex.arrays[array], model.eval(index)))
                out.setdefault(f"{array}[{k}]", E.to_python(v, t))
        return out

    def sequence(self, items, model: solver.Model, held=None) -> list[int]:
        held = held if held is not None else _Held(model)
        vals = []
        for f in items:
            if held(f.guard):
                vals.append(E.to_python(model.eval(f.const), f.type))
        return vals

    def used_unknowns(self, ex: Executor, model: solver.Model, held=None) -> list[str]:
        held = held if held is not None else _Held(model)
        return [f"{f.what}" for f in ex.externals if held(f.guard)]

    def call_text(self, inputs: dict) -> str:
        fn = self.fn
        args = []
        for p in fn.params:
            v = inputs.get(p.name, 0)
            if p.type.name == "bool" and fn.language == "python":
                args.append("True" if v else "False")
            elif p.container:
                args.append(sequence_text(p.container, v))
            else:
                args.append(str(v))
        return f"{fn.qualname or fn.name}({', '.join(args)})"

    def call_with_nondet(self, inputs: dict, nondet: list[int],
                         labels: Optional[list[str]] = None) -> str:
        """labels: what each nondet value stands for; state read at entry (`self.count`,
        `tail[11]`) is shown by name, other nondet values as a sequence."""
        call = self.call_text(inputs)
        params = {p.name for p in self.fn.params}
        named = [f"{k} = {v}" for k, v in inputs.items() if k not in params]
        labels = list(labels or [])
        rest = []
        for i, v in enumerate(nondet):
            label = labels[i] if i < len(labels) else ""
            if _STATE_LABEL.match(label) and ("." in label or "[" in label):
                named.append(f"{label} = {v}")
            else:
                rest.append(v)
        if named:
            call += " with " + ", ".join(named)
        if rest:
            call += f" with nondet values {', '.join(map(str, rest))}"
        return call

    def replay_run(self, inputs: dict, nondet: list[int], max_steps: int = 200_000,
                   caller_memory: bool = False):
        from .. import interp
        # caller_memory (safety counterexamples only): a write through a pointer parameter
        # lands in the caller's own object when the caller is ours to choose (judged for
        # all inputs); in context, the chain's re-run from its root decides (and stops at
        # such a write in a callee).  Never for non-termination: no finite object takes
        # the writes of a loop that runs forever.
        own = caller_memory and (self.judgement is None or not self.judgement.contextual)
        return interp.run(self.program, self.fn.name, inputs, nondet=list(nondet),
                          max_steps=max_steps, caller_memory=own)

    def counterexample(self, ex: Executor, model: solver.Model):
        """(Counterexample, interpreter outcome, unknowns it relied on)."""
        inputs = self.inputs_from(ex, model)
        held = _Held(model)
        nondet = self.sequence(ex.nondets, model, held)
        labels = [f.what for f in ex.nondets if held(f.guard)]
        unknowns = self.used_unknowns(ex, model, held)
        state = {label: v for label, v in zip(labels, nondet)      # `self.count` at entry
                 if "." in label and _STATE_LABEL.match(label)}
        cex = Counterexample(inputs={**{k: v for k, v in inputs.items()
                                        if k in {p.name for p in self.fn.params}
                                        or self.fn.name != "main"}, **state},
                             nondet=nondet, call=self.call_with_nondet(inputs, nondet, labels))
        return cex, unknowns


class _Held:
    """Does a guard hold in the model?  Each distinct guard term is evaluated once: the
    unknown values of one statement share its path condition, and evaluating a long one
    thousands of times cost seconds."""

    def __init__(self, model) -> None:
        self.model, self.memo = model, {}

    def __call__(self, guard) -> bool:
        key = guard.get_id()
        hit = self.memo.get(key)
        if hit is None:
            hit = self.memo[key] = (guard, self.model.eval(guard) is True)
        return hit[1]


_STATE_LABEL = re.compile(r"^[A-Za-z_][\w.]*(\[-?\d+\])?$")


_ELEMENT = {"list": ("[", "]", "0"), "tuple": ("(", ")", "0"), "str": ("'", "'", "a"),
            "bytes": ("b'", "'", "a"), "bytearray": ("bytearray(b'", "')", "a")}


def sequence_text(kind: str, length: int) -> str:
    """A Python value of a sequence parameter whose counterexample value is its length
    (the elements do not matter to what was checked: any value that is not read)."""
    n = max(0, length)
    start, end, elem = _ELEMENT.get(kind, ("[", "]", "0"))
    if n > 8:
        if kind in ("list", "tuple"):
            return f"{start}0,{end} * {n}" if kind == "tuple" else f"[0] * {n}"
        return f"{start}{elem}{end} * {n}"
    if kind in ("list", "tuple"):
        body = ", ".join([elem] * n) + ("," if kind == "tuple" and n == 1 else "")
        return f"{start}{body}{end}"
    return f"{start}{elem * n}{end}"


def snippet(fn: ir.Function, span: ir.Span) -> str:
    """Source text of span inside fn (single-line spans), or ''."""
    if not fn.source or span.line < fn.span.line or span.line != span.end_line:
        return ""
    lines = fn.source.split("\n")
    i = span.line - fn.span.line
    if i >= len(lines):
        return ""
    line = lines[i]
    off = fn.span.col - 1 if i == 0 else 0
    a, b = span.col - 1 - off, span.end_col - 1 - off
    if a < 0 or b > len(line) or a >= b:
        return ""
    text = line[a:b]
    # C operand spans start inside parentheses: `(lo + hi) / 2` comes as `lo + hi) / 2`
    while text.count(")") > text.count("(") and a > 0 and "(" in line[:a]:
        a = line.rindex("(", 0, a)
        text = line[a:b]
    while text.count("(") > text.count(")") and ")" in line[b:]:
        b = line.index(")", b) + 1
        text = line[a:b]
    return text


def elapsed_ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000
