"""Strict mode for loops the Python frontend proved finite only under a stated
assumption (`While.assumed_finite`: "the iterable seq is finite (yields finitely many
items)", "the code the loop at line N calls does not add to the list xs").

With `Options.assume_finite_iterables` off (`--no-assume-finite-iterables`), such a loop
gets back the unknown condition it would have without the assumption, so its termination
is "don't know" with the reason, and the function no longer lists the assumption.  The
lowered function is shared (the frontend caches it), so it is copied, never changed."""
from __future__ import annotations

import copy
import dataclasses

from .. import callgraph, ir


def has_assumed_loops(fn: ir.Function) -> bool:
    return any(loop.assumed_finite for loop in callgraph.loops_in(fn.body))


def strict_program(program: ir.Program, name: str) -> ir.Program:
    """The program with function `name` rewritten (the others are judged on their own)."""
    fn = program.functions[name]
    if not has_assumed_loops(fn):
        return program
    strict = dataclasses.replace(fn, body=_block(fn.body),
                                 assumptions=[a for a in fn.assumptions
                                              if a not in _texts(fn)])
    out = copy.copy(program)
    out.functions = dict(program.functions)
    out.functions[name] = strict
    return out


def _texts(fn: ir.Function) -> set[str]:
    return {loop.assumed_finite for loop in callgraph.loops_in(fn.body)}


def _block(stmts: list) -> list:
    return [_stmt(s) for s in stmts]


def _stmt(s: ir.Stmt) -> ir.Stmt:
    changes = {f.name: _block(getattr(s, f.name)) for f in dataclasses.fields(s)
               if isinstance(getattr(s, f.name), list) and getattr(s, f.name)
               and all(isinstance(x, ir.Stmt) for x in getattr(s, f.name))}
    if isinstance(s, ir.While) and s.assumed_finite:
        line = s.cond.span.line
        if s.assumed_finite.startswith("the iterable"):
            what = f"for loop over {s.iterates} at line {line} (it may be an infinite iterator)"
            changes.update(range_loop=False)
        else:
            what = (f"the number of iterations over {s.iterates} at line {line} (the body "
                    f"calls code that may change it)")
        changes.update(cond=ir.Unsupported(what=what, type=ir.BOOL, span=s.cond.span),
                       assumed_finite="")
    return dataclasses.replace(s, **changes) if changes else s
