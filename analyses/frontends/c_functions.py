"""Where a C function definition starts and ends, and its ACSL function contract."""
from __future__ import annotations

from pycparser import c_ast

from .. import ir
from . import acsl
from .acsl_memory import MEMORY_ORIGIN, conjuncts, is_memory_fact, unconditional
from .c_common import is_int


def _coords(node):
    c = getattr(node, "coord", None)
    if c is not None:
        yield c
    for _, child in node.children():
        yield from _coords(child)


def function_extent(ctx, fdef: c_ast.FuncDef):
    """(start, end, annotations): offsets of the definition including the ACSL comments
    right before it (which are consumed)."""
    coords = [(c.line, c.column or 1) for c in _coords(fdef.decl)
              if c.file == fdef.coord.file and c.line]
    line, col = min(coords) if coords else (fdef.coord.line, fdef.coord.column or 1)
    start = ctx.index.offset(line, col)
    line_start = ctx.index.offset(line, 1)
    while start > line_start and (ctx.masked[start - 1].isalnum()
                                  or ctx.masked[start - 1] in " \t*_"):
        start -= 1
    while ctx.masked[start:start + 1] in (" ", "\t"):
        start += 1
    end = ctx.spans.end_offset(fdef.body) or start
    anns = []
    cur = start
    for ann in sorted((a for a in ctx.annotations if a.end <= start),
                      key=lambda a: a.start, reverse=True):
        if ctx.masked[ann.end:cur].strip():
            break
        anns.insert(0, ann)
        cur = ann.start
    for ann in anns:
        ctx.annotations.remove(ann)
    return (anns[0].start if anns else start), end, anns


def _looker(lw):
    def look(name):
        found = lw.lookup(name)
        if found and found[0] is not None and is_int(found[1]):
            return lw.ident(found[0], found[1], ir.NOSPAN)
        return None
    return look


def valid_ranges(ctx, lw, anns) -> dict:
    """C pointer name -> ValidRange of the `requires \\valid(...)` facts that hold on entry
    (top-level conjuncts of a requires clause); read before the body is lowered."""
    out: dict = {}
    for ann in anns:
        for clause in acsl.split_clauses(ann):
            if clause.kind != "requires" or "\\valid" not in clause.expr_text:
                continue
            env = acsl.AcslEnv(lookup=_looker(lw), index=ctx.index, dm=ctx.dm,
                               macros=ctx.macros, enums=ctx.enums,
                               typedefs=ctx.tenv.typedefs)
            try:
                e = acsl.parse_predicate(clause, env)
            except acsl.AcslError:
                continue                  # reported by function_contracts
            for r in unconditional(e, env.memory):
                out.setdefault(r.pointer, r)
    return out


def _split_memory(e: ir.Expr) -> tuple[list, list]:
    """(memory-fact conjuncts, other conjuncts) of a requires predicate."""
    parts = conjuncts(e)
    return [c for c in parts if is_memory_fact(c)], [c for c in parts if not is_memory_fact(c)]


def function_contracts(ctx, fn: ir.Function, lw, anns) -> None:
    look = _looker(lw)
    params = frozenset(p.name for p in fn.params)
    for ann in anns:
        for clause in acsl.split_clauses(ann):
            if clause.kind not in ("requires", "ensures"):
                if clause.kind not in acsl.FUNCTION_CLAUSES:
                    ctx.errors.append(ir.SyntaxIssue(
                        message=f"ACSL: '{clause.kind}' clause not supported here",
                        span=ctx.index.span(clause.start, clause.end)))
                continue
            post = clause.kind == "ensures"
            env = acsl.AcslEnv(lookup=look, index=ctx.index, dm=ctx.dm, ret=fn.ret,
                               post=post, params=params, macros=ctx.macros,
                               enums=ctx.enums, typedefs=ctx.tenv.typedefs)
            try:
                e = acsl.parse_predicate(clause, env)
            except acsl.AcslError as exc:
                ctx.errors.append(acsl.issue(exc, ctx.index, clause.end))
                continue
            target = fn.ensures if post else fn.requires
            mem, rest = _split_memory(e) if not post else ([], [e])
            for m in mem:                 # the function's own run assumes these
                c = acsl.contract(clause, m, ctx.index)
                c.origin = MEMORY_ORIGIN
                target.append(c)
            if rest and mem:
                e = rest[0]
                for r in rest[1:]:
                    e = ir.Binary(op="and", left=e, right=r, type=ir.BOOL, span=e.span)
            if rest:
                target.append(acsl.contract(clause, e, ctx.index))
