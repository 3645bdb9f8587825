"""Contracts read statically from Python source (the user's module is never imported):
PEP 316 docstrings (`pre:` / `post:`, `__return__`, `__old__.x`), icontract
(`@require`, `@ensure`, `result`, `OLD.x`) and deal (`@pre`, `@post`, `@ensure`).

In a postcondition a parameter name denotes the argument as passed (these libraries hand
the original argument objects to the condition; ints are immutable), so it is lowered to
`Old(Var p)` like `__old__.p` — the function body may rebind p.
"""
from __future__ import annotations

import re
from typing import Optional

import libcst as cst

from .. import ir
from .python_context import FnContext, Signature
from .python_exprs import ExprLowerer
from .python_values import to_bool
from .python_source import Spanner

DECORATORS = {"icontract.require": ("icontract", "pre"), "icontract.ensure": ("icontract", "post"),
              "deal.pre": ("deal", "pre"), "deal.post": ("deal", "post"),
              "deal.ensure": ("deal", "post")}
_CLAUSE = re.compile(r"^(?P<indent>\s*)(?P<kind>pre|post)(\[[^\]]*\])?\s*:(?P<text>.*)$")


class ContractLowerer(ExprLowerer):
    """Expressions of a contract: names map to parameters, the result and old values."""

    def __init__(self, ctx: FnContext, names: dict[str, str], old_name: Optional[str],
                 post: bool, params: dict[str, ir.IntT], ret: Optional[ir.IntT]):
        super().__init__(ctx)
        self.cond_depth = 1                 # never hoist: a contract has no statements
        self.names, self.old_name, self.post = names, old_name, post
        self.params, self.ret = params, ret

    def _param(self, pname: str, span: ir.Span, old: bool) -> ir.Expr:
        bad = self.ctx.bad_params.get(pname)
        if bad is not None:
            return ir.Unsupported(what=bad, span=span, opaque=True)
        var = ir.Var(name=pname, type=self.params[pname], span=span)
        return ir.Old(arg=var, type=var.type, span=span) if old else var

    def _Name(self, node: cst.Name, as_cond: bool) -> ir.Expr:
        target = self.names.get(node.value)
        span = self.span(node)
        if target == ir.RESULT:
            return ir.Var(name=ir.RESULT, type=self.ret or ir.MATH_INT, span=span)
        if target is not None:
            return self._param(target, span, self.post)
        return super()._Name(node, as_cond)

    def _Attribute(self, node: cst.Attribute, as_cond: bool) -> ir.Expr:
        if (self.old_name and isinstance(node.value, cst.Name)
                and node.value.value == self.old_name and node.attr.value in self.params):
            return self._param(node.attr.value, self.span(node), True)
        return super()._Attribute(node, as_cond)


def read_contracts(fn_ctx: FnContext, node: cst.FunctionDef, sig: Signature,
                   params: dict[str, ir.IntT], docs: Optional["DocstringContracts"] = None
                   ) -> tuple[list[ir.Contract], list[ir.Contract]]:
    requires: list[ir.Contract] = []
    ensures: list[ir.Contract] = []
    for dec in node.decorators:
        c = _decorator_contract(fn_ctx, dec, sig, params)
        if c is not None:
            (ensures if c[0] == "post" else requires).append(c[1])
    for kind, contract in _docstring_contracts(fn_ctx, node, sig, params, docs):
        (ensures if kind == "post" else requires).append(contract)
    return requires, ensures


def _contract_ctx(fn_ctx: FnContext, spanner: Spanner) -> FnContext:
    ctx = FnContext(fn_ctx.index, spanner, fn_ctx.qualname, fn_ctx.class_name)
    ctx.bad_params = fn_ctx.bad_params
    ctx.unsupported = fn_ctx.unsupported
    return ctx


def _lower(lw: ContractLowerer, expr: cst.BaseExpression) -> ir.Expr:
    try:
        return to_bool(lw.natural(expr, True))
    except Exception as e:      # never let a contract kill the function
        return lw.unsupported(f"contract ({type(e).__name__}: {e})", expr, ir.BOOL)


# --------------------------------------------------------------------------- decorators

def _decorator_contract(fn_ctx: FnContext, dec: cst.Decorator, sig: Signature,
                        params: dict[str, ir.IntT]) -> Optional[tuple[str, ir.Contract]]:
    call = dec.decorator
    if not isinstance(call, cst.Call):
        return None
    found = DECORATORS.get(fn_ctx.index.resolve(call.func) or "")
    if found is None:
        return None
    origin, kind = found
    post = kind == "post"
    ctx = _contract_ctx(fn_ctx, fn_ctx.spanner)
    span = fn_ctx.spanner.span(call)
    cond = next((a.value for a in call.args if not a.keyword), None)
    cond = next((a.value for a in call.args if a.keyword and a.keyword.value in
                 ("condition", "validator")), cond)
    if not isinstance(cond, cst.Lambda) or isinstance(cond.params.star_arg, cst.Param) \
            or cond.params.star_kwarg is not None:
        what = f"{origin} contract that is not a simple lambda at line {span.line}"
        ctx.note(what, span)
        return kind, ir.Contract(expr=ir.Unsupported(what=what, type=ir.BOOL, span=span),
                                 span=span, text=fn_ctx.spanner.code(call), origin=origin)
    lparams = [p.name.value for p in (*cond.params.posonly_params, *cond.params.params,
                                      *cond.params.kwonly_params)]
    names: dict[str, str] = {}
    old_name = None
    if fn_ctx.index.resolve(call.func) == "deal.post":      # its only argument is the result
        names = {lparams[0]: ir.RESULT} if lparams else {}
    else:
        special = {"result"} if post else set()
        if origin == "icontract":
            special.add("OLD")
        others = [p for p in lparams if p not in special]
        for i, lp in enumerate(others):       # icontract: by name; deal: by name or position
            if lp in params:
                names[lp] = lp
            elif origin == "deal" and i < len(sig.params):
                names[lp] = sig.params[i]
        if post and "result" in lparams:
            names["result"] = ir.RESULT
        if "OLD" in special and "OLD" in lparams:
            old_name = "OLD"
    lw = ContractLowerer(ctx, names, old_name, post, params, sig.ret)
    expr = _lower(lw, cond.body)
    return kind, ir.Contract(expr=expr, span=span, text=fn_ctx.spanner.code(cond.body),
                             origin=origin)


# --------------------------------------------------------------------------- PEP 316

def _docstring_node(node: cst.FunctionDef) -> Optional[cst.SimpleString]:
    body = node.body
    stmts = body.body if isinstance(body, (cst.IndentedBlock, cst.SimpleStatementSuite)) else []
    if not stmts:
        return None
    first = stmts[0]
    if isinstance(first, cst.SimpleStatementLine):
        first = first.body[0] if first.body else None
    if isinstance(first, cst.Expr) and isinstance(first.value, cst.SimpleString):
        return first.value
    return None


def _docstring_lines(spanner: Spanner, doc: cst.SimpleString) -> list[tuple[int, int, str]]:
    """(file line, 1-based column of the line's first character, raw text) per line."""
    raw = doc.value
    prefix = len(raw) - len(raw.lstrip("rRbBuUfF"))
    quote = 3 if raw[prefix:prefix + 3] in ('"""', "'''") else 1
    content = raw[prefix + quote:len(raw) - quote]
    span = spanner.span(doc)
    out = []
    for i, text in enumerate(content.split("\n")):
        col = span.col + prefix + quote if i == 0 else 1
        out.append((span.line + i, col, text.rstrip("\r")))
    return out


def _docstring_clauses(fn_ctx_spanner: Spanner, node: cst.FunctionDef) -> list[tuple]:
    """(kind, text, file line, 1-based column) of each `pre:`/`post:` expression."""
    doc = _docstring_node(node)
    if doc is None or ("pre" not in doc.value and "post" not in doc.value):
        return []
    return docstring_clauses(_docstring_lines(fn_ctx_spanner, doc), _CLAUSE)


def docstring_clauses(lines: list[tuple[int, int, str]], clause: re.Pattern) -> list[tuple]:
    """(kind, text, file line, 1-based column) of each expression of the PEP 316 clauses
    `clause` matches (groups indent, kind, text): inline after the colon, or one per line
    of the indented block below it."""
    out = []
    i = 0
    while i < len(lines):
        line, col, text = lines[i]
        m = clause.match(text)
        i += 1
        if not m:
            continue
        kind, indent, inline = m.group("kind"), len(m.group("indent")), m.group("text")
        if inline.strip():
            start = m.start("text") + len(inline) - len(inline.lstrip())
            out.append((kind, inline.strip(), line, col + start))
            continue
        while i < len(lines):                      # indented block: one expression per line
            line2, col2, text2 = lines[i]
            ind2 = len(text2) - len(text2.lstrip())
            if text2.strip() and (ind2 <= indent or clause.match(text2)):
                break
            if text2.strip():
                out.append((kind, text2.strip(), line2, col2 + ind2))
            i += 1
    return out


class DocstringContracts:
    """The PEP 316 clauses of every function of a file, parsed as ONE synthetic module
    (one expression per line) so that positions are resolved once, not per clause."""

    def __init__(self, functions: list[tuple[Spanner, cst.FunctionDef]]):
        self.clauses: dict[int, list[tuple[str, str, ir.Span, Optional[cst.BaseExpression]]]] = {}
        texts, line_map, slots = [], [], []
        for sp, node in functions:
            found = []
            for kind, text, line, col in _docstring_clauses(sp, node):
                span = ir.Span(line, col, line, col + len(text))
                found.append([kind, text, span, None])
                if "\n" not in text and _parses_as_expression(text):
                    texts.append(text)
                    line_map.append((line, col - 1))
                    slots.append(found[-1])
            if found:
                self.clauses[id(node)] = found
        self.spanner: Optional[Spanner] = None
        if texts:
            try:
                module = cst.parse_module("\n".join(texts) + "\n")
                self.spanner = Spanner(module, line_map=line_map)
                for slot, stmt in zip(slots, module.body):
                    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 \
                            and isinstance(stmt.body[0], cst.Expr):
                        slot[3] = stmt.body[0].value
            except cst.ParserSyntaxError:
                pass

    def of(self, node: cst.FunctionDef) -> list:
        return self.clauses.get(id(node), [])


def _parses_as_expression(text: str) -> bool:
    try:
        cst.parse_expression(text)
        return True
    except Exception:
        return False


def _docstring_contracts(fn_ctx: FnContext, node: cst.FunctionDef, sig: Signature,
                         params: dict[str, ir.IntT],
                         docs: Optional[DocstringContracts]) -> list[tuple[str, ir.Contract]]:
    out = []
    for kind, text, span, expr_node in (docs.of(node) if docs else []):
        if expr_node is None or docs.spanner is None:
            what = f"contract that does not parse at line {span.line}"
            fn_ctx.note(what, span)
            expr: ir.Expr = ir.Unsupported(what=what, type=ir.BOOL, span=span)
        else:
            names = {p: p for p in params}
            if kind == "post":
                names["__return__"] = ir.RESULT
            lw = ContractLowerer(_contract_ctx(fn_ctx, docs.spanner), names,
                                 "__old__" if kind == "post" else None, kind == "post",
                                 params, sig.ret)
            expr = _lower(lw, expr_node)
        out.append((kind, ir.Contract(expr=expr, span=span, text=text, origin="pep316")))
    return out
