"""In which context a function's contract and overflow verdicts are judged.

* modular — for every input (an exported library function, the default);
* callers — only for the inputs its callers in this file can pass: a private function
  (Python `_name`, C `static`) that is called here and never used as a value;
* entry   — a closed program (a C file defining `main`, or `--entry NAME`): functions
  reachable from an entry point, for the inputs some call chain from it can pass
  (SV-COMP's convention).  The entry points themselves are judged for all their inputs.

Pure call-graph reasoning (no z3): the engine (engine/judgement.py) builds the contexts.
Termination stays modular.
"""
from __future__ import annotations

import re

from . import ir
from .callgraph import callees, reachable

MODULAR, CALLERS, ENTRY = "modular", "callers", "entry"


def roots(program: ir.Program, entries=()) -> list[str]:
    """The entry points of a closed program: the names given (that exist), else C's main."""
    named = [e for e in entries if e in program.functions]
    if named:
        return named
    if program.language == "c" and "main" in program.functions and not entries:
        return ["main"]
    return []


def reachable_from_roots(program: ir.Program, entries=()) -> set[str]:
    rs = roots(program, entries)
    out = set(rs)
    for r in rs:
        out |= reachable(program, r)
    return out


def is_private(fn: ir.Function) -> bool:
    if fn.language == "c":
        return fn.internal
    qual = fn.qualname or fn.name
    return fn.name.startswith("_") and not fn.name.startswith("__") and "." not in qual


def address_taken(program: ir.Program, name: str) -> bool:
    """Is the function's name used other than in a call (a callback, a function pointer,
    an import elsewhere cannot be seen: only this file's text counts)?  Conservative:
    any mention not followed by `(` counts, comments and strings included."""
    text = program.text or ""
    return re.search(rf"(?<![\w.]){re.escape(name)}\b(?!\s*\()", text) is not None


def callers_of(program: ir.Program, name: str, entries=()) -> list[str]:
    """The functions whose calls to `name` make up its context (in entry mode only those
    reachable from an entry point), in definition order."""
    live = reachable_from_roots(program, entries) if roots(program, entries) else None
    return [g for g, fn in program.functions.items()
            if name in callees(fn) and (live is None or g in live)]


def judgement_mode(program: ir.Program, name: str, entries=()) -> str:
    fn = program.functions[name]
    rs = roots(program, entries)
    if rs:
        if name in rs:
            return ENTRY
        if name in reachable_from_roots(program, entries) \
                and not address_taken(program, name):
            return ENTRY
    if is_private(fn) and callers_of(program, name, entries) and not address_taken(program, name):
        return CALLERS
    return MODULAR


def context_functions(program: ir.Program, name: str, entries=()) -> list[str]:
    """Every function whose source can change name's context (its callers, theirs...)."""
    seen: dict[str, None] = {}
    todo = [name]
    while todo:
        f = todo.pop()
        mode = judgement_mode(program, f, entries)
        if mode == MODULAR or (mode == ENTRY and f in roots(program, entries)):
            continue
        for g in callers_of(program, f, entries):
            if g not in seen and g != name:
                seen[g] = None
                todo.append(g)
    return sorted(seen)
