"""In which context a function's contract and overflow verdicts are judged.

* modular — for every input (an exported library function, the default);
* callers — only for the inputs its callers in this file can pass: a private function
  (Python `_name`, C `static`) that is called here and never used as a value;
* entry   — a closed program (a C file defining `main`, or `--entry NAME`): functions
  reachable from an entry point, for the inputs some call chain from it can pass
  (SV-COMP's convention).  The entry points themselves are judged for all their inputs.

Pure call-graph reasoning (no z3), memoized per Program: engine/calling_contexts.py
builds the contexts, the fingerprint lists the functions they depend on.
Termination stays modular.
"""
from __future__ import annotations

import bisect
import re

from . import ir
from .callgraph import callees, calls_in, reachable, sccs

MODULAR, CALLERS, ENTRY = "modular", "callers", "entry"
MAX_DEPTH = 4          # callers further up are taken as judged for all their inputs


def _memo(program: ir.Program, kind: str) -> dict:
    return program.__dict__.setdefault("_judgement_memo", {}).setdefault(kind, {})


def roots(program: ir.Program, entries=()) -> list[str]:
    """The entry points of a closed program: the names given (that exist), else C's main."""
    named = [e for e in entries if e in program.functions]
    if named:
        return named
    if program.language == "c" and "main" in program.functions and not entries:
        return ["main"]
    return []


def reachable_from_roots(program: ir.Program, entries=()) -> frozenset:
    memo = _memo(program, "live")
    key = tuple(entries)
    if key not in memo:
        rs = roots(program, entries)
        out = set(rs)
        for r in rs:
            out |= reachable(program, r)
        memo[key] = frozenset(out)
    return memo[key]


def is_private(fn: ir.Function) -> bool:
    if fn.language == "c":
        return fn.internal
    qual = fn.qualname or fn.name
    return fn.name.startswith("_") and not fn.name.startswith("__") and "." not in qual


def address_taken(program: ir.Program, name: str) -> bool:
    """Is the function's name used other than in a call (a callback, a function pointer)?
    Only this file's text can be seen.  Conservative: any mention not followed by `(`
    counts, comments and strings included."""
    memo = _memo(program, "address")
    if name not in memo:
        memo[name] = re.search(rf"(?<![\w.]){re.escape(name)}\b(?!\s*\()",
                               program.text or "") is not None
    return memo[name]


def calls_complete(program: ir.Program, name: str) -> bool:
    """Does the IR hold every call of `name` written in this file?  Each textual
    `name(` must lie in a function whose IR has at least as many calls to it (a call in a
    nested def, at module level or in a statement the frontend could not lower would be a
    context nobody sees).  Outside functions only Python's `def name(` and C declarations
    may mention it."""
    memo = _memo(program, "complete")
    if name not in memo:
        memo[name] = _calls_complete(program, name)
    return memo[name]


def _calls_complete(program: ir.Program, name: str) -> bool:
    text = program.text or ""
    line_starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
    fns = list(program.functions.values())
    written: dict[str, int] = {}
    for m in re.finditer(rf"(?<![\w.]){re.escape(name)}\s*\(", text):
        line = _line_of(line_starts, m.start())
        inside = [f for f in fns if f.span.line <= line <= f.span.end_line]
        if program.language == "python" and re.search(r"\bdef\s+$", text[:m.start()]):
            continue                       # its definition
        if not inside:
            if program.language == "c":
                continue                   # C: only declarations live outside functions
            return False
        f = min(inside, key=lambda g: g.span.end_line - g.span.line)
        if f.name == name and f.name_span.line == line and program.language == "c":
            continue                       # the definition's own header
        written[f.name] = written.get(f.name, 0) + 1
    for g, count in written.items():
        fn = program.functions[g]
        calls = calls_in(fn.body) + calls_in(fn.requires) + calls_in(fn.ensures)
        if sum(1 for c in calls if c.func == name) < count:
            return False
    return True


def _line_of(starts: list[int], offset: int) -> int:
    return bisect.bisect_right(starts, offset)


def _all_callers(program: ir.Program) -> dict:
    memo = _memo(program, "callers")
    if not memo:
        for g, fn in program.functions.items():
            for c in callees(fn):
                memo.setdefault(c, []).append(g)
        memo[None] = []          # (marks the map as built)
    return memo


def callers_of(program: ir.Program, name: str, entries=()) -> list[str]:
    """The functions whose calls to `name` make up its context (in a closed program only
    those reachable from an entry point), in definition order."""
    found = _all_callers(program).get(name, [])
    if roots(program, entries):
        live = reachable_from_roots(program, entries)
        return [g for g in found if g in live]
    return list(found)


def judgement_mode(program: ir.Program, name: str, entries=()) -> str:
    memo = _memo(program, "mode")
    key = (name, tuple(entries))
    if key not in memo:
        memo[key] = _mode(program, name, entries)
    return memo[key]


def _mode(program: ir.Program, name: str, entries) -> str:
    fn = program.functions[name]
    rs = roots(program, entries)
    if rs:
        if name in rs:
            return ENTRY
        if name in reachable_from_roots(program, entries) and _sees_all_calls(program, name):
            return ENTRY
    if is_private(fn) and callers_of(program, name, entries) \
            and _sees_all_calls(program, name):
        return CALLERS
    return MODULAR


def _sees_all_calls(program: ir.Program, name: str) -> bool:
    return not address_taken(program, name) and calls_complete(program, name)


def is_recursive(program: ir.Program, name: str) -> bool:
    comp = next((c for c in sccs(program) if name in c), {name})
    return len(comp) > 1 or name in callees(program.functions[name])


def is_chain_root(program: ir.Program, g: str, depth: int, visiting, entries=()) -> bool:
    """Does a calling context stop at caller g (g judged for all its inputs)?  At an
    entry point, a modular function, a recursive one (its entries are not only its
    callers'), a cycle, or MAX_DEPTH callers up."""
    return (g in roots(program, entries) or depth >= MAX_DEPTH or g in visiting
            or judgement_mode(program, g, entries) == MODULAR or is_recursive(program, g))


def context_functions(program: ir.Program, name: str, entries=()) -> list[str]:
    """Every function whose source can change name's context (its callers, theirs, ...
    up to the chain roots)."""
    if judgement_mode(program, name, entries) == MODULAR or name in roots(program, entries):
        return []
    seen: set[str] = set()

    def up(f: str, depth: int, visiting: frozenset) -> None:
        for g in callers_of(program, f, entries):
            if g == f:
                continue
            seen.add(g)
            if not is_chain_root(program, g, depth + 1, visiting | {f}, entries):
                up(g, depth + 1, visiting | {f})
    up(name, 0, frozenset())
    return sorted(seen)
