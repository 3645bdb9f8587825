"""Class invariants: icontract's `@icontract.invariant(lambda self: …)` on a class and PEP
316's `inv:` clauses in a class docstring.

As icontract checks them: every public method (and `__init__`) must re-establish them when
it returns normally, and every public method other than `__init__` may assume them on
entry.  Methods with a leading underscore (other than dunders) are exempt; `__new__` and
`__del__` too.  Base classes' invariants are not inherited here (a subclass method is
judged on its own class's invariants only).

An invariant reads attributes of self; they become the method's modelled `self.x` inputs
(python_selfattrs).  When the method cannot be modelled (it calls code that could reach
self, …), the invariant at exit is a contract on an unsupported value: "don't know", never
a silent pass.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

import libcst as cst

from .. import ir
from .python_context import FnContext, ModuleIndex
from .python_contracts import (ContractLowerer, _docstring_lines, _docstring_node, _lower,
                               docstring_clauses)
from .python_names import renamed
from .python_source import Spanner

INVARIANT_DECORATORS = {"icontract.invariant"}
_INV = re.compile(r"^(?P<indent>\s*)(?P<kind>inv)\s*:(?P<text>.*)$")
_EXEMPT = {"__new__", "__del__"}


@dataclass
class Invariant:
    spanner: Spanner
    expr: Optional[cst.BaseExpression]      # None: does not parse / not a simple lambda
    self_name: str                          # the name that stands for the instance
    span: ir.Span
    text: str
    origin: str                             # 'icontract' | 'pep316'


def class_invariants(sp: Spanner, node: cst.ClassDef, index: ModuleIndex) -> list[Invariant]:
    out = []
    for dec in node.decorators:
        call = dec.decorator
        if not isinstance(call, cst.Call) or \
                index.resolve(call.func) not in INVARIANT_DECORATORS:
            continue
        span = sp.span(call)
        cond = next((a.value for a in call.args if not a.keyword), None)
        cond = next((a.value for a in call.args if a.keyword and a.keyword.value == "condition"),
                    cond)
        params = [p.name.value for p in cond.params.params] \
            if isinstance(cond, cst.Lambda) else []
        if len(params) != 1 or cond.params.star_arg is not None \
                and isinstance(cond.params.star_arg, cst.Param):
            out.append(Invariant(sp, None, "self", span, sp.code(call), "icontract"))
            continue
        out.append(Invariant(sp, cond.body, params[0], span, sp.code(cond.body), "icontract"))
    out += _docstring_invariants(sp, node)
    return out


def _docstring_invariants(sp: Spanner, node: cst.ClassDef) -> list[Invariant]:
    doc = _docstring_node(node)
    if doc is None or "inv" not in doc.value:
        return []
    found = [c[1:] for c in docstring_clauses(_docstring_lines(sp, doc), _INV)]
    out = []
    for text, line, col in found:
        span = ir.Span(line, col, line, col + len(text))
        try:
            module = cst.parse_module(text + "\n")
            stmt = module.body[0]
            expr = stmt.body[0].value if isinstance(stmt, cst.SimpleStatementLine) and \
                isinstance(stmt.body[0], cst.Expr) else None
            spanner = Spanner(module, line_map=[(line, col - 1)])
        except (cst.ParserSyntaxError, IndexError):
            expr, spanner = None, sp
        out.append(Invariant(spanner, expr, "self", span, text, "pep316"))
    return out


def applies(method: str, kind: str) -> bool:
    """Is a method of kind 'instance' named `method` bound by the class invariants?"""
    if kind != "instance" or method in _EXEMPT:
        return False
    return not method.startswith("_") or (method.startswith("__") and method.endswith("__"))


def attributes_read(invs: list[Invariant]) -> Optional[set[str]]:
    """The attributes of self the invariants read; None when one reads self otherwise
    (passes it to a function, calls a method, …)."""
    out: set[str] = set()
    for inv in invs:
        if inv.expr is None:
            continue
        stack: list[cst.CSTNode] = [inv.expr]
        while stack:
            n = stack.pop()
            if isinstance(n, cst.Attribute) and isinstance(n.value, cst.Name) \
                    and n.value.value == inv.self_name:
                out.add(n.attr.value)
                continue
            if isinstance(n, cst.Name) and n.value == inv.self_name:
                return None
            stack.extend(n.children)
    return out


def contracts(ctx: FnContext, invs: list[Invariant], method: str, entry: bool
              ) -> tuple[list[ir.Assume], list[ir.Contract]]:
    """(assumptions at entry, contracts at exit) of the invariants for one method whose
    modelled attributes (ctx.self_attrs) already include those the invariants read."""
    assumes: list[ir.Assume] = []
    ensures: list[ir.Contract] = []
    for inv in invs:
        text = f"class invariant {inv.text}"
        if inv.expr is None or ctx.self_attrs is None:
            what = (f"class invariant at line {inv.span.line} (not a simple condition)"
                    if inv.expr is None else
                    f"class invariant at line {inv.span.line}: what `{method}` does to "
                    f"{ctx.self_name or 'self'} is not modelled")
            ctx.note(what, inv.span)
            ensures.append(ir.Contract(expr=ir.Unsupported(what=what, type=ir.BOOL,
                                                           span=inv.span),
                                       span=inv.span, text=text, origin=inv.origin))
            continue
        expr = inv.expr
        if inv.self_name != ctx.self_name:
            expr = renamed(expr, inv.self_name, ctx.self_name)
            text = f"class invariant {cst.Module([]).code_for_node(expr)}"
        lctx = FnContext(ctx.index, inv.spanner, ctx.qualname, ctx.class_name, ctx.self_name)
        lctx.self_attrs, lctx.locals = ctx.self_attrs, ctx.locals
        lctx.unsupported = ctx.unsupported
        cond = _lower(ContractLowerer(lctx, {}, None, True, {}, None), expr)
        ensures.append(ir.Contract(expr=cond, span=inv.span, text=text, origin=inv.origin))
        if entry:
            assumes.append(ir.Assume(cond=cond, span=inv.span))
    return assumes, ensures
