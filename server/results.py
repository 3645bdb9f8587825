"""What the scheduler knows about a document, and the pure helpers of a round: moving
reused findings to their function's new lines, the order functions are verified in."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace
from typing import Optional

from veriline.analyses import callgraph, ir
from veriline.analyses.findings import Finding

Layout = dict[str, tuple[int, int]]   # function name -> (first line, last line)


@dataclass
class FunctionResult:
    name: str
    fingerprint: str
    findings: list[Finding]
    reverified: bool            # computed in the round that produced it (not reused)
    layout: Layout              # function lines of the program it was computed against
    partial: bool = False       # first pass cut short: what is decided so far; more to come


@dataclass
class DocResults:
    """What is known about one document version (read by the LSP handlers)."""
    uri: str
    version: int
    program: ir.Program
    functions: dict[str, FunctionResult] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)
    done: bool = False

    def ordered(self) -> list[FunctionResult]:
        return [self.functions[n] for n in self.program.functions if n in self.functions]

    def findings(self) -> list[Finding]:
        return [f for r in self.ordered() for f in r.findings]

    def function_at(self, line: int) -> Optional[ir.Function]:
        """Innermost function whose definition covers the 1-based line."""
        best = None
        for fn in self.program.functions.values():
            if fn.span.line <= line <= fn.span.end_line:
                if best is None or fn.span.line >= best.span.line:
                    best = fn
        return best


def relocate(r: FunctionResult, layout: Layout) -> FunctionResult:
    """r with every line moved by the shift of the function that contains it."""
    if r.layout == layout:
        return replace(r, layout=layout, reverified=False)
    old = r.layout
    order = [r.name] + [n for n in old if n != r.name]

    def move(line: int) -> int:
        for n in order:
            if n in old and n in layout and old[n][0] <= line <= old[n][1]:
                return line + layout[n][0] - old[n][0]
        return line

    def span(s: ir.Span) -> ir.Span:
        return ir.Span(move(s.line), s.col, move(s.end_line), s.end_col) if s.line else s

    moved = []
    for f in r.findings:
        g = replace(f, span=span(f.span),
                    related=[replace(x, span=span(x.span)) for x in f.related])
        if f.counterexample is not None:
            cx = copy.copy(f.counterexample)
            cx.trace = [replace(t, line=move(t.line)) for t in cx.trace]
            g.counterexample = cx
        moved.append(g)
    return FunctionResult(r.name, r.fingerprint, moved, False, layout)


def focused_first(program: ir.Program, todo: list, focus: Optional[int]) -> list:
    """todo with the function that contains the focus line (innermost) first, then the
    functions it calls, then the rest, shorter ones first (a guess at quicker answers):
    answers stream in that order."""
    if not todo:
        return todo

    def size(n: str) -> int:
        span = program.functions[n].span
        return span.end_line - span.line
    inside = [] if focus is None else [
        n for n, _ in todo
        if program.functions[n].span.line <= focus <= program.functions[n].span.end_line]
    first = max(inside, key=lambda n: program.functions[n].span.line) if inside else None
    callees = set(_callees(program.functions[first])) if first else set()
    rank = {n: (0 if n == first else 1 if n in callees else 2, size(n), i)
            for i, (n, _) in enumerate(todo)}
    return sorted(todo, key=lambda t: rank[t[0]])


def _callees(fn: ir.Function) -> list[str]:
    try:
        return list(callgraph.callees(fn))
    except Exception:                  # ordering is a nicety: never fail a round for it
        return []


def internal_error(program: ir.Program, name: str, why: str) -> Finding:
    """'don't know' for a function the engine failed on (not cached: retried next round)."""
    fn = program.functions[name]
    return Finding(file=program.path, function=name, kind="contract", status="unknown",
                   span=fn.name_span if fn.name_span.line else fn.span,
                   message=f"{name}: veriline internal error", property="internal",
                   reason=f"internal error: {why}", severity="info")
