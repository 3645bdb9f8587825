"""Exact concrete interpreter of the IR: every counterexample z3 finds is re-run here
before it is shown, so this module defines what "really fails" means.

Each Function is compiled once into closures ``f(env, ctx)`` (see compile.py);
a run is then plain Python calls on a dict of variables, with no per-step copies.
Statements return a control signal (None, BREAK, CONTINUE, RETURN); everything that
ends the whole run (halt, failed assume, stopping violation, timeout, cycle, missing
input) unwinds as a ``Stop`` exception carrying the outcome status.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Optional

from .. import ir
from ..findings import TraceStep
from ..entry_asserts import assert_text
from .compile import compiled, convert
from .signals import STOP_ALWAYS, STOP_C_UB, Stop, Violation

__all__ = ["run", "Outcome", "Violation", "default_stop", "STATUSES"]

STATUSES = ("returned", "violation", "halted", "assume_failed", "nonterminating",
            "timeout", "unsupported", "needs_input", "stack")


def default_stop(language: str) -> frozenset:
    """Kinds that end a run: assertion-like failures everywhere (Python raises), plus
    C's undefined behaviour (nothing after it is meaningful)."""
    return STOP_ALWAYS | STOP_C_UB if language == "c" else STOP_ALWAYS


@dataclass
class Outcome:
    status: str
    value: Optional[int] = None
    violations: list[Violation] = field(default_factory=list)
    trace: list[TraceStep] = field(default_factory=list)
    steps: int = 0
    message: str = ""
    loop_span: Optional[ir.Span] = None
    cycle_state: dict[str, int] = field(default_factory=dict)

    @property
    def first(self) -> Optional[Violation]:
        return self.violations[0] if self.violations else None

    def has(self, kind: str, line: Optional[int] = None) -> bool:
        """Did the run see a violation of this kind (at this line, if given)?"""
        return any(v.kind == kind and (line is None or v.span.line == line)
                   for v in self.violations)


class Context:
    """Mutable state of one run, shared by every frame (closures read it directly)."""
    __slots__ = ("program", "globals", "old_globals", "old_env", "nondet", "npos",
                 "externals", "epos", "steps", "max_steps", "depth", "max_depth",
                 "violations", "seen", "stop", "trace", "max_trace", "retval",
                 "detect_cycles", "elements", "caller_memory")

    def __init__(self, program, nondet, externals, max_steps, max_depth, stop,
                 detect_cycles, max_trace):
        self.program = program
        self.globals: dict[str, int] = {}
        self.old_globals: dict[str, int] = {}
        self.old_env: dict[str, int] = {}
        self.nondet = list(nondet)
        self.npos = 0
        self.externals = None if externals is None else list(externals)
        self.epos = 0
        self.steps = 0
        self.max_steps = max_steps
        self.depth = 0
        self.elements: dict[str, int] = {}     # element inputs `a[3]` of the top level
        self.max_depth = max_depth
        self.violations: list[Violation] = []
        self.seen: set = set()
        self.stop = stop
        self.trace: list[TraceStep] = []
        self.max_trace = max_trace
        self.retval = None
        self.detect_cycles = detect_cycles
        self.caller_memory = False     # top-level writes through pointer params: no-ops

    # -- events used by the compiled closures
    def violate(self, kind: str, span: ir.Span, message: str, values: dict,
                force_stop: bool = False) -> None:
        """Record a violation; end the run if its kind stops it.  Non-stopping kinds are
        recorded once per (kind, span) so a wrapping loop does not flood the list."""
        if kind in self.stop or force_stop:
            self.violations.append(Violation(kind, span, message, values))
            raise Stop("violation", message)
        key = (kind, span)
        if key not in self.seen:
            self.seen.add(key)
            self.violations.append(Violation(kind, span, message, values))

    def next_nondet(self, conv, label: str):
        if self.npos >= len(self.nondet):
            raise Stop("needs_input", f"needs nondet value #{self.npos + 1} ({label})")
        v = self.nondet[self.npos]
        self.npos += 1
        return conv(v)

    def next_external(self, conv, what: str):
        ext = self.externals
        if ext is None:
            raise Stop("unsupported", what)
        if self.epos >= len(ext):
            raise Stop("needs_input", f"needs external value #{self.epos + 1} ({what})")
        v = ext[self.epos]
        self.epos += 1
        return conv(v)

    def tick(self, n: int = 1) -> None:
        self.steps += n
        if self.steps > self.max_steps:
            raise Stop("timeout", f"more than {self.max_steps} steps")

    def call(self, name: str, args: list, span: ir.Span):
        """Really execute a function of the program: its requires are checked at the
        call ('requires-call'), its ensures are not (only the top level's are)."""
        cf = compiled(self.program.functions[name], self.program)
        env = {n: c(v) for n, c, v in zip(cf.names, cf.convs, args)}
        for check, contract, names in cf.requires:
            if not check(env, self):
                self.violate("requires-call", span,
                             f"precondition of {name} may fail: {contract.text or 'requires'}",
                             _values(env, self.globals, names))
        for check, a, names in cf.entry:     # entry asserts: the caller's fault
            if not check(env, self):
                self.violate("requires-call", span,
                             f"precondition of {name} may fail: "
                             f"{assert_text(self.program.functions[name], a)}",
                             _values(env, self.globals, names))
        self.depth += 1
        if self.depth > self.max_depth:
            raise Stop("stack", f"call depth exceeds {self.max_depth} (in {name})")
        self.tick()
        self.retval = None
        cf.body(env, self)
        v, self.retval = self.retval, None
        self.depth -= 1
        return cf.ret_conv(v) if (v is not None and cf.ret_conv) else v


def _values(env: dict, globs: dict, names) -> dict[str, int]:
    out = {}
    for n in names:
        v = env.get(n, globs.get(n))
        if v is not None:
            out[n] = int(v)
    return out


def run(program: ir.Program, fname: str, inputs: dict[str, int], *,
        nondet: list[int] = (), externals: Optional[list[int]] = None,
        max_steps: int = 200_000, detect_cycles: bool = True,
        stop_at_first: Optional[set[str]] = None, max_depth: int = 500,
        max_trace: int = 1000, caller_memory: bool = False) -> Outcome:
    """Run `fname` on `inputs` (parameters, and optionally globals) under the exact IR
    semantics.  Inputs are converted to their declared types (modulo for bounded ones).
    If the top-level `requires` is false for the inputs, the run is 'assume_failed'.
    `nondet` feeds Nondet in order; `externals` feeds Unsupported, Havoc and calls to
    functions outside the program (None: such a run stops as 'unsupported').
    `stop_at_first`: violation kinds that end the run (default: default_stop(language));
    other kinds are recorded once per (kind, span) and the run goes on with the wrapped
    value.  Postconditions see parameters at their entry values (ACSL, PEP 316).
    `caller_memory`: the run's own writes through its pointer parameters (ir.Havoc with
    caller_memory) go to objects the caller gave it and change nothing else."""
    fn = program.functions.get(fname)
    if fn is None:
        return Outcome("unsupported", message=f"no function {fname!r}")
    stop = default_stop(fn.language or program.language) if stop_at_first is None \
        else frozenset(stop_at_first)
    ctx = Context(program, nondet, externals, max_steps, max_depth, stop,
                  detect_cycles, max_trace)
    ctx.caller_memory = caller_memory
    for g, t in program.globals.items():
        ctx.globals[g] = convert(inputs.get(g, program.global_init.get(g, 0)), t)
    missing = [p.name for p in fn.params if p.name not in inputs]
    if missing:
        return Outcome("needs_input", message=f"no value for parameter(s) {', '.join(missing)}")
    try:
        cf = compiled(fn, program)
    except Exception as exc:     # a construct the compiler does not know
        return Outcome("unsupported", message=f"cannot interpret: {exc}")
    env = {n: c(inputs[n]) for n, c in zip(cf.names, cf.convs)}
    ctx.elements = {k: v for k, v in inputs.items() if k.endswith("]")}   # `a[3]`
    ctx.trace.append(TraceStep(fn.span.line, {n: int(v) for n, v in env.items()}))
    ctx.old_env = dict(env)
    ctx.old_globals = dict(ctx.globals)
    need = 60 * max_depth + 2000          # Python frames per IR call level, with margin
    if sys.getrecursionlimit() < need:    # raised, never lowered: other threads may run
        sys.setrecursionlimit(need)
    try:
        for check, contract, _ in cf.requires:
            if contract.origin == ir.MEMORY_CONTRACT:   # the run's arrays are that size
                continue
            if not check(env, ctx):
                return _outcome(ctx, "assume_failed",
                                f"precondition false for these inputs: {contract.text}")
        cf.body(env, ctx)
        v = ctx.retval
        if v is not None and cf.ret_conv:
            v = cf.ret_conv(v)
        if cf.ensures:
            post = dict(env)              # hidden state (`self.x`) as it is at return,
            post.update(ctx.old_env)      # parameters in a postcondition = entry values
            post[ir.RESULT] = v
            for check, contract, names in cf.ensures:
                if not check(post, ctx):
                    vals = _values(post, ctx.globals, names)
                    ctx.violate("ensures", contract.span,
                                f"postcondition may fail: {contract.text or 'ensures'}", vals)
        out = _outcome(ctx, "returned", "")
        out.value = None if v is None else int(v)
        return out
    except Stop as s:
        out = _outcome(ctx, s.status, s.message)
        out.loop_span = s.loop_span
        out.cycle_state = s.state or {}
        return out
    except RecursionError:
        return _outcome(ctx, "stack", "Python recursion limit reached")
    except KeyError as exc:
        return _outcome(ctx, "unsupported", f"read of unassigned variable {exc.args[0]!r}")
    except (TypeError, ValueError, MemoryError, OverflowError) as exc:
        return _outcome(ctx, "unsupported", f"cannot interpret: {exc}")


def _outcome(ctx: Context, status: str, message: str) -> Outcome:
    if status == "violation" and not message and ctx.violations:
        message = ctx.violations[-1].message
    return Outcome(status, None, ctx.violations, ctx.trace, ctx.steps, message)
