"""C statements -> IR statements (one function body at a time).

Shapes the engine sees: `for (init; c; inc) body` is `init...; While(c, body, update=inc)`;
`do body while (c)` is `While(c, body, do_while=True)`; a loop condition with side effects
becomes `While(1, [effects, If(!c, [Break]), body...])` (do-while: the effects and a temp
`dwc$n` in `update`); `switch` becomes an if-chain on a temp `sw$n` (a fall-through flag
`ft$n` when a case falls through; a `While(0, do_while=True)` wrapper when a `break` is
nested inside a case).  Uninitialised locals get `Nondet(label="uninit")`.
"""
from __future__ import annotations

from pycparser import c_ast

from .. import ir
from . import acsl
from .c_common import is_int
from .c_expr import ExprLowerer
from .c_arrays import declare_array, init_arrays, tracked_arrays
from .c_bounds import AccessBounds
from .c_null_tests import NullTests
from .c_functions import valid_ranges
from .c_memory import ElementReads, param_types
from .c_strings import const_char_pointer_literal, sized_by_initializer
from .c_types import VOID, as_value, const_value, convert, describe, is_const_object

LOOPS = (c_ast.While, c_ast.DoWhile, c_ast.For)
TRUE = ir.Const(value=1, type=ir.BOOL)


class StmtLowerer(ExprLowerer):
    def __init__(self, ctx, fn_name: str, ret):
        super().__init__(ctx, fn_name)
        self.ret = ret

    # ------------------------------------------------------------------ blocks
    def block(self, node) -> list[ir.Stmt]:
        saved, self.out = self.out, []
        try:
            self.stmt(node)
            return self.out
        finally:
            self.out = saved

    def stmt(self, node, loop_ann=()) -> None:
        method = getattr(self, "s_" + type(node).__name__, None)
        try:
            if method is not None:
                method(node, loop_ann) if isinstance(node, LOOPS) else method(node)
            elif isinstance(node, c_ast.Node) and type(node).__name__ in _EXPRESSIONS:
                self.discard(node)
            else:
                self.havoc(f"{type(node).__name__} statement", node,
                           sorted(self.locals) + sorted(self.arrays) + self.memory_targets())
        except RecursionError:
            raise
        except Exception as exc:      # never let one statement sink the function
            self.havoc(f"internal error lowering {type(node).__name__} ({exc})", node,
                       sorted(self.locals) + sorted(self.arrays) + self.memory_targets())

    def s_Compound(self, node) -> None:
        self.scopes.append({})
        spans = self.ctx.spans
        for item in node.block_items or []:
            st = spans.start(item)
            anns = self.ctx.take_annotations(spans.offset(st)) if st else []
            loop_ann = self.statement_annotations(anns, item)
            self.stmt(item, loop_ann)
        end = spans.end_offset(node)
        if end is not None:
            self.statement_annotations(self.ctx.take_annotations(end), None)
        self.scopes.pop()

    def statement_annotations(self, anns, item) -> list:
        """Emit ACSL `assert`s; return the loop clauses that belong to `item`."""
        loop = []
        for ann in anns:
            for clause in acsl.split_clauses(ann):
                if clause.kind in acsl.STATEMENT_CLAUSES:
                    try:
                        e = acsl.parse_predicate(clause, self.acsl_env())
                        self.out.append(ir.Assert(cond=e, kind="assert", message=clause.text,
                                                  span=self.ctx.index.span(clause.start,
                                                                           clause.end)))
                    except acsl.AcslError as exc:
                        self.ctx.errors.append(acsl.issue(exc, self.ctx.index, clause.end))
                elif clause.kind in acsl.LOOP_CLAUSES and isinstance(item, LOOPS):
                    loop.append(clause)
                else:
                    self.ctx.errors.append(ir.SyntaxIssue(
                        message=f"ACSL: '{clause.kind}' clause not supported here",
                        span=self.ctx.index.span(clause.start, clause.end)))
        return loop

    def acsl_env(self) -> acsl.AcslEnv:
        def look(name):
            found = self.lookup(name)
            if found and found[0] is not None and is_int(found[1]):
                return self.ident(found[0], found[1], ir.NOSPAN)
            return None
        return acsl.AcslEnv(lookup=look, index=self.ctx.index, dm=self.dm,
                            macros=self.ctx.macros, enums=self.ctx.enums,
                            typedefs=self.ctx.tenv.typedefs)

    def loop_contracts(self, loop: ir.While, clauses) -> None:
        for clause in clauses:
            try:
                if clause.kind == "loop invariant":
                    e = acsl.parse_predicate(clause, self.acsl_env())
                    loop.invariants.append(acsl.contract(clause, e, self.ctx.index))
                elif clause.kind == "loop variant":
                    e = acsl.parse_term(clause, self.acsl_env())
                    loop.variant = acsl.contract(clause, e, self.ctx.index)
            except acsl.AcslError as exc:
                self.ctx.errors.append(acsl.issue(exc, self.ctx.index, clause.end))

    # ------------------------------------------------------------------ declarations
    def declare(self, cname: str, t, node) -> str | None:
        """Bind a C local in the current scope; returns its IR name (None: not integer)."""
        if not is_int(t):
            self.scopes[-1][cname] = (None, t)
            return None
        name = cname
        while name in self.locals or name in self.ctx.globals or name in self.ctx.funcs:
            self.n += 1
            name = f"{cname}${self.n}"
        self.locals[name] = t
        self.scopes[-1][cname] = (name, t)
        if cname in self.addr_taken:
            self.addr_ir.add(name)
        return name

    def s_Decl(self, node) -> None:
        if "typedef" in node.storage:
            self.ctx.tenv.define(node.name, node)
            return
        if isinstance(node.type, c_ast.FuncDecl):
            self.ctx.declare_function(node)
            return
        self.ctx.register_enums(node.type)
        if node.name is None:
            self.ctx.tenv.resolve(node.type)      # `struct S {...};`: record its members
            return
        t = self.ctx.tenv.resolve(node.type)
        if "extern" in node.storage:
            self.scopes[-1].pop(node.name, None)
            return
        t = sized_by_initializer(t, node)
        if "static" in node.storage:
            gname = f"{self.fn_name}${node.name}"
            self.ctx.add_global(gname, t, node.init, is_const_object(node))
            self.scopes[-1][node.name] = (gname if is_int(t) else None, t)
            return
        span = self.ctx.spans.stmt_span(node)
        if not is_int(t) and declare_array(self, node, t):
            return
        name = self.declare(node.name, t, node)
        if name is None:
            if (data := const_char_pointer_literal(node)) is not None:
                self.literal_pointers[id(self.scopes[-1][node.name])] = data
            self.note(f"local {node.name} of type {describe(t)}", node)
            if node.init is not None and not isinstance(node.init, c_ast.InitList):
                self.discard(node.init)
            return
        if node.init is None:
            value = ir.Nondet(type=t, label="uninit", span=span)
        elif isinstance(node.init, c_ast.InitList):
            value = self.unsup("initializer list", node.init, t)
        else:
            mark = len(self.out)
            value = convert(self.rvalue(node.init), t)
            known = const_value(value)
            if known is not None and len(self.out) == mark and is_const_object(node):
                self.local_consts[name] = known          # a const: never another value
        self.out.append(ir.Assign(target=name, value=value, span=span))

    def s_DeclList(self, node) -> None:
        for d in node.decls:
            self.s_Decl(d)

    def s_Typedef(self, node) -> None:
        self.ctx.tenv.define(node.name, node)

    # ------------------------------------------------------------------ control flow
    def s_If(self, node) -> None:
        c = self.cond(node.cond)
        then = self.scoped(node.iftrue)
        orelse = self.scoped(node.iffalse) if node.iffalse is not None else []
        self.out.append(ir.If(cond=c, then=then, orelse=orelse, span=self.sp(node)))

    def scoped(self, node) -> list[ir.Stmt]:
        self.scopes.append({})
        try:
            return self.block(node)
        finally:
            self.scopes.pop()

    def loop_cond(self, node, span) -> tuple[list[ir.Stmt], ir.Expr]:
        if node is None:
            return [], ir.Const(value=1, type=ir.BOOL, span=span)
        return self.sub(self.cond, node)

    def s_While(self, node, loop_ann=()) -> None:
        span = self.sp(node)
        pre, c = self.loop_cond(node.cond, span)
        body = self.scoped(node.stmt)
        if pre:
            body = pre + [self.exit_unless(c)] + body
            c = ir.Const(value=1, type=ir.BOOL, span=c.span)
        loop = ir.While(cond=c, body=body, span=span)
        self.loop_contracts(loop, loop_ann)
        self.out.append(loop)

    def exit_unless(self, c: ir.Expr) -> ir.If:
        return ir.If(cond=ir.Unary(op="not", arg=c, type=ir.BOOL, span=c.span),
                     then=[ir.Break(span=c.span)], span=c.span)

    def s_DoWhile(self, node, loop_ann=()) -> None:
        span = self.sp(node)
        body = self.scoped(node.stmt)
        pre, c = self.loop_cond(node.cond, span)
        update = []
        if pre:
            t = self.temp(ir.C_INT, "dwc")
            update = pre + [ir.Assign(target=t, value=as_value(c), span=c.span)]
            c = ir.Cast(arg=ir.Var(name=t, type=ir.C_INT, span=c.span), type=ir.BOOL,
                        span=c.span)
        loop = ir.While(cond=c, body=body, update=update, do_while=True, span=span)
        self.loop_contracts(loop, loop_ann)
        self.out.append(loop)

    def s_For(self, node, loop_ann=()) -> None:
        span = self.sp(node)
        self.scopes.append({})
        if node.init is not None:
            if isinstance(node.init, c_ast.DeclList):
                self.s_DeclList(node.init)
            else:
                self.discard(node.init)
        pre, c = self.loop_cond(node.cond, span)
        update = self.sub(self.discard, node.next)[0] if node.next is not None else []
        body = self.scoped(node.stmt)
        if pre:
            body = pre + [self.exit_unless(c)] + body
            c = ir.Const(value=1, type=ir.BOOL, span=c.span)
        loop = ir.While(cond=c, body=body, update=update, span=span)
        self.loop_contracts(loop, loop_ann)
        self.scopes.pop()
        self.out.append(loop)

    def s_Break(self, node) -> None:
        self.out.append(ir.Break(span=self.ctx.spans.stmt_span(node)))

    def s_Continue(self, node) -> None:
        self.out.append(ir.Continue(span=self.ctx.spans.stmt_span(node)))

    def s_Return(self, node) -> None:
        span = self.ctx.spans.stmt_span(node)
        if node.expr is None:
            self.out.append(ir.Return(span=span))
        elif is_int(self.ret):
            v = convert(self.rvalue(node.expr), self.ret)
            self.out.append(ir.Return(value=v, span=span))
        else:
            self.discard(node.expr)
            self.out.append(ir.Return(span=span))

    def s_EmptyStatement(self, node) -> None:
        pass

    def s_Pragma(self, node) -> None:
        pass

    def s_StaticAssert(self, node) -> None:
        pass

    def s_Label(self, node) -> None:
        self.note(f"label {node.name}", node)
        self.stmt(node.stmt)

    def s_Goto(self, node) -> None:
        self.havoc(f"goto {node.name}", node, sorted(self.locals) + self.memory_targets())

    def s_Switch(self, node) -> None:
        from .c_switch import lower_switch
        lower_switch(self, node)


_EXPRESSIONS = {"Assignment", "UnaryOp", "BinaryOp", "FuncCall", "ExprList", "ID",
                "Constant", "Cast", "TernaryOp", "ArrayRef", "StructRef"}


def definition_params(tenv, fdef: c_ast.FuncDef) -> list[tuple[int, c_ast.Node, object]]:
    """The declared parameters of a definition as (argument position, declaration, C type);
    K&R identifier lists take their types from the declarations before the body.  The
    named integer ones become the IR function's parameters (see FuncSig.positions)."""
    out = []
    ftype = fdef.decl.type
    for p in (ftype.args.params if ftype.args is not None else []):
        if isinstance(p, c_ast.EllipsisParam):
            continue
        if isinstance(p, c_ast.ID):               # K&R: int f(a) int a; {...}
            p = next((d for d in fdef.param_decls or [] if d.name == p.name),
                     c_ast.Decl(p.name, [], [], [], [], c_ast.TypeDecl(
                         p.name, [], None, c_ast.IdentifierType(["int"])), None, None,
                         coord=p.coord))
        t = tenv.resolve(p.type)
        if t == VOID and (isinstance(p, c_ast.Typename) or p.name is None):
            continue                              # f(void)
        out.append((len(out), p, t))
    return out


def ir_param_positions(params) -> list[int]:
    """Which of definition_params become IR parameters: the named integer ones."""
    return [i for i, p, t in params
            if not isinstance(p, c_ast.Typename) and p.name is not None and is_int(t)]


def lower_function(ctx, fdef: c_ast.FuncDef, name: str, ret, span: ir.Span, anns=()):
    """Lower one definition -> (Function, its lowerer); parameters of non-integer type are
    left out of `params` (recorded as unsupported)."""
    lw = StmtLowerer(ctx, name, ret)
    lw.addr_taken = _addresses_taken(fdef.body)
    params: list[ir.Param] = []
    ftype = fdef.decl.type
    if _variadic(ftype):
        lw.note("variadic parameters", ftype.args)
    declared = definition_params(ctx.tenv, fdef)
    keep = set(ir_param_positions(declared))
    for i, p, t in declared:
        if i not in keep:
            if not isinstance(p, c_ast.Typename) and p.name is not None:
                lw.declare(p.name, t, p)
                lw.note(f"parameter {p.name} of type {describe(t)}", p)
            continue
        pname = lw.declare(p.name, t, p)
        params.append(ir.Param(name=pname, type=t, span=lw.sp(p)))
    if not is_int(ret) and ret != VOID:
        lw.note(f"return type {describe(ret)}", fdef.decl)
    init_arrays(lw, *tracked_arrays(fdef, ctx.tenv))
    lw.elements = ElementReads(fdef, param_types(fdef, ctx.tenv),
                               getattr(ctx, "memory_free", frozenset()),
                               frozenset(lw.tracked_arrays))
    lw.bounds = AccessBounds(lw, fdef, declared, valid_ranges(ctx, lw, anns))
    lw.null_tests = NullTests(lw, fdef, declared, anns, frozenset(lw.bounds.ranges))
    body = lw.block(fdef.body)
    body = lw.bounds.prologue + lw.elements.prologue() + lw.null_tests.prologue() + body
    return ir.Function(name=name, params=params, ret=ret if is_int(ret) else None,
                       body=body, span=span, language="c", locals=dict(lw.locals),
                       unsupported=lw.unsupported, qualname=name,
                       bounds_unknown=_one_per_site(lw.bounds_unknown),
                       array_params=lw.bounds.array_params(declared),
                       c_arity=-1 if _variadic(ftype) else len(declared),
                       address_taken=frozenset(lw.addr_ir), arrays=dict(lw.arrays)), lw


def _variadic(ftype) -> bool:
    return ftype.args is not None and any(isinstance(p, c_ast.EllipsisParam)
                                          for p in ftype.args.params)


def _one_per_site(sites: list) -> list:
    seen: dict = {}
    for reason, span in sites:
        seen.setdefault(span, reason)
    return [(r, s) for s, r in seen.items()]


def _addresses_taken(body) -> set[str]:
    names: set[str] = set()

    class V(c_ast.NodeVisitor):
        def visit_UnaryOp(self, node):
            if node.op == "&" and isinstance(node.expr, c_ast.ID):
                names.add(node.expr.name)
            self.generic_visit(node)

    V().visit(body)
    return names
