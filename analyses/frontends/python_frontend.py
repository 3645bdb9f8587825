"""Python frontend: source text -> IR Program (language 'python'), via libcst.

Verified: module-level functions and methods of (nested) classes, keyed by qualname
('Class.method'; `self`/`cls` dropped).  Parameters are ints; `bool` ones are constrained to
0/1; NumPy / ctypes fixed-width annotations give bounded types; any other annotation makes
the parameter's uses unsupported.  A file libcst cannot parse gets one SyntaxIssue and is
re-parsed block by block (top-level defs/classes), so the intact functions are verified.
The user's module is never imported or executed.
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Optional

import libcst as cst

from .. import ir
from .python_context import FnContext, ModuleIndex, Signature
from .python_enums import enum_classes
from .python_assumed_iterables import module_iterables
from . import python_class_invariants as class_inv
from .python_classes import index_classes
from .python_contracts import DocstringContracts, read_contracts
from .python_literals import int_literal, module_constants
from .python_container_locals import iterable_model
from .python_lengths import entry as lengths_at_entry, sequence_params
from .python_known_dicts import find_known_dicts
from .python_optional import entry as optional_entry, is_optional_int, rebound_simply
from .python_membership import entry as membership_entry, uses_membership
from .python_selfattrs import self_attributes
from .python_names import (bound_names, kids, declared_global, has_value_return, maybe_non_int,
                           nested_definitions, nonlocal_in_nested)
from .python_source import (LineIndex, Spanner, cached_units, gc_paused, recover_modules,
                            suppressions, syntax_issue)
from .python_stmts import StmtLowerer, is_range_for
from .python_opaque import instrument, returns_opaque, shadow
from .python_types import BOOL_PARAM, annotation_kind


MAX_TAINT_PASSES = 6       # lowerings to find the locals bound to opaque values


def parse_python(text: str, path: str) -> ir.Program:
    with gc_paused():
        return _parse_python(text, path)


def _parse_python(text: str, path: str) -> ir.Program:
    program = ir.Program(path=path, language="python")
    program.suppressions = suppressions(text)
    units: list[Spanner] = cached_units(text) or []
    try:
        if not units:
            units.append(Spanner(cst.parse_module(text)))
    except cst.ParserSyntaxError as err:
        program.errors.append(syntax_issue(text, err))
        units.extend(Spanner(m, line_offset=off) for m, off in recover_modules(text))
    except (RecursionError, ValueError, MemoryError) as err:
        program.errors.append(ir.SyntaxIssue(message=f"cannot parse: {err}",
                                             span=ir.Span(1, 1, 1, 2)))
    index = ModuleIndex()
    found: list[tuple[Spanner, cst.FunctionDef, str, Optional[str], str]] = []
    for sp in units:
        _index_imports(sp.module, index)
        found.extend(_collect_functions(sp, sp.module.body, "", None))
    index.constants = module_constants([sp.module for sp in units], text)
    index_classes(units, index)
    index.enums = enum_classes([sp.module for sp in units], index.resolve)
    module_iterables(index, [sp.module for sp in units])
    for sp, node, qualname, cls, kind in found:
        index.signatures[qualname] = _signature(sp, index, node, qualname, kind)
    lines = LineIndex(text)
    for _ in range(MAX_TAINT_PASSES):   # callers of functions returning opaque values
        _lower_functions(program, index, found, lines)
        more = index.opaque_returns
        while True:         # through calls: f returns g(), g returns h(), ... at once
            grown = more | {q for q, fn in program.functions.items()
                            if q not in more and returns_opaque(fn, more)}
            if grown == more:
                break
            more = grown
        if more <= index.opaque_returns:
            break
        index.opaque_returns = frozenset(more)
    return program


def _lower_functions(program: ir.Program, index: ModuleIndex, found: list,
                     lines: LineIndex) -> None:
    index_key = _index_key(index)
    todo = []
    for item in found:
        sp, node, qualname = item[0], item[1], item[2]
        block = getattr(sp, "block_key", None)
        key = (block, sp.line_offset, qualname, index_key) if block is not None else None
        fn = _LOWERED.get(key) if key is not None else None
        if fn is None:
            todo.append((key, item))
        else:
            _LOWERED.move_to_end(key)
        program.functions[qualname] = fn
    docs = DocstringContracts([(item[0], item[1]) for _, item in todo])
    for key, (sp, node, qualname, cls, kind) in todo:
        fn = build_function(sp, index, lines, node, qualname, cls, docs)
        program.functions[qualname] = fn
        if key is not None:
            _LOWERED[key] = fn
            if len(_LOWERED) > _LOWERED_SIZE:
                _LOWERED.popitem(last=False)


# An unchanged top-level block at the same place, in a module whose index (imports,
# constants, every signature) is unchanged, lowers to the same functions: reuse them.
# The IR is never mutated after lowering, so sharing Function objects is safe.
_LOWERED: "OrderedDict[tuple, ir.Function]" = OrderedDict()
_LOWERED_SIZE = 4096


def _index_key(index: ModuleIndex) -> str:
    return repr((sorted(index.aliases.items()), sorted(index.constants.items()),
                 sorted((k, repr(v)) for k, v in index.signatures.items()),
                 sorted((k, sorted(v.items())) for k, v in index.attr_kinds.items()),
                 sorted((k, [(i.text, i.span) for i in v]) for k, v in index.invariants.items()),
                 sorted(index.enums), sorted(index.module_kinds.items()),
                 index.infinite.key() if index.infinite is not None else None,
                 sorted(index.growing), sorted(index.opaque_returns)))


# --------------------------------------------------------------------------- module index

def _index_imports(module: cst.Module, index: ModuleIndex) -> None:
    stack: list[cst.CSTNode] = list(module.body)
    while stack:
        n = stack.pop()
        if isinstance(n, cst.Import):
            for alias in n.names:
                full = cst.Module([]).code_for_node(alias.name)
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    index.aliases[alias.asname.name.value] = full
                else:
                    head = full.split(".")[0]
                    index.aliases.setdefault(head, head)
        elif isinstance(n, cst.ImportFrom) and not isinstance(n.names, cst.ImportStar):
            if n.module is None or n.relative:
                continue
            base = cst.Module([]).code_for_node(n.module)
            for alias in n.names:
                name = cst.Module([]).code_for_node(alias.name)
                local = (alias.asname.name.value if alias.asname is not None
                         and isinstance(alias.asname.name, cst.Name) else name)
                index.aliases[local] = f"{base}.{name}"
        elif not isinstance(n, (cst.FunctionDef, cst.ClassDef, cst.BaseExpression)):
            stack.extend(kids(n))


def _collect_functions(sp: Spanner, body, prefix: str, cls: Optional[str]) -> list:
    out = []
    for stmt in body:
        if isinstance(stmt, cst.FunctionDef):
            decorators = {sp.code(d.decorator).split("(")[0] for d in stmt.decorators}
            if decorators & {"overload", "typing.overload"}:
                continue
            kind = "function"
            if cls is not None:
                kind = ("static" if "staticmethod" in decorators else
                        "class" if "classmethod" in decorators else "instance")
            out.append((sp, stmt, prefix + stmt.name.value, cls, kind))
        elif isinstance(stmt, cst.ClassDef) and isinstance(stmt.body, cst.IndentedBlock):
            name = prefix + stmt.name.value
            out.extend(_collect_functions(sp, stmt.body.body, name + ".", name))
    return out


def _annotation_name(index: ModuleIndex, ann: Optional[cst.Annotation]) -> Optional[str]:
    if ann is None:
        return "int"
    node = ann.annotation
    if isinstance(node, cst.SimpleString):          # "int" written as a string
        try:
            node = cst.parse_expression(str(node.evaluated_value))
        except Exception:
            return None
    return index.resolve(node)


def _all_params(node: cst.FunctionDef, kind: str) -> list[cst.Param]:
    ps = node.params
    params = [*ps.posonly_params, *ps.params]
    if kind in ("instance", "class") and params:
        params = params[1:]
    return params + list(ps.kwonly_params)


def _signature(sp: Spanner, index: ModuleIndex, node: cst.FunctionDef, qualname: str,
               kind: str) -> Signature:
    names, types, defaults = [], [], {}
    for p in _all_params(node, kind):
        names.append(p.name.value)
        k, t = annotation_kind(_annotation_name(index, p.annotation))
        types.append(t if k in ("int", "bool", "fixed") else ir.MATH_INT)
        d = p.default
        defaults[p.name.value] = (
            int_literal(d) if d is not None and not isinstance(d, cst.Name)
            else {"True": 1, "False": 0}.get(d.value) if isinstance(d, cst.Name) else None)
    if node.returns is None:
        ret = ir.MATH_INT if has_value_return(node.body) else None
    else:
        k, t = annotation_kind(_annotation_name(index, node.returns))
        ret = t if k in ("int", "bool", "fixed") else None if k == "none" else ir.MATH_INT
    return Signature(qualname, names, types, defaults, ret, kind)


# --------------------------------------------------------------------------- functions

def build_function(sp: Spanner, index: ModuleIndex, lines: LineIndex, node: cst.FunctionDef,
                   qualname: str, cls: Optional[str],
                   docs: Optional[DocstringContracts] = None) -> ir.Function:
    span = sp.span(node)
    if node.decorators:
        first = sp.span(node.decorators[0])
        span = ir.Span(first.line, first.col, span.end_line, span.end_col)
    sig = index.signatures[qualname]
    fn = ir.Function(name=qualname, qualname=qualname, params=[], ret=sig.ret, body=[],
                     span=span, name_span=sp.span(node.name), language="python",
                     source=lines.slice(span))
    try:
        hints: dict[str, ir.IntT] = {}
        tainted: dict = {}
        for _ in range(2):          # a second pass only if a read preceded a typed store
            ctx = _lower_into(fn, sp, index, node, sig, cls, hints, docs, tainted)
            late = {n for n in ctx.early_reads if ctx.locals.get(n, ir.MATH_INT) != ir.MATH_INT}
            if not late or hints:
                break
            hints = dict(ctx.locals)
        for _ in range(MAX_TAINT_PASSES):   # locals bound to opaque values (python_opaque)
            fn.body, found = instrument(ctx, fn.body, set(ctx.local_names))
            if set(found) <= set(tainted):
                break
            tainted.update((k, v) for k, v in found.items() if k not in tainted)
            ctx = _lower_into(fn, sp, index, node, sig, cls, hints, docs, tainted)
        else:
            raise ValueError("values of unknown type flow through too many locals")
    except Exception as err:        # never let one function kill the module
        what = f"internal error in the Python frontend ({type(err).__name__}: {err})"
        fn.unsupported = [(what, span)]
        fn.requires, fn.ensures = [], []
        ret = [ir.Return(value=ir.Unsupported(what=what, type=sig.ret, span=span), span=span)]
        fn.body = [ir.Havoc(targets=[p.name for p in fn.params], what=what, span=span)] + (
            ret if sig.ret is not None else [])
    return fn


def _lower_into(fn: ir.Function, sp: Spanner, index: ModuleIndex, node: cst.FunctionDef,
                sig: Signature, cls: Optional[str], hints: dict[str, ir.IntT],
                docs: Optional[DocstringContracts], tainted: dict) -> FnContext:
    plist = [*node.params.posonly_params, *node.params.params]
    self_name = plist[0].name.value if sig.kind in ("instance", "class") and plist else None
    ctx = FnContext(index, sp, sig.qualname, cls, self_name)
    ctx.type_hints = hints
    ctx.ret = sig.ret
    fn.params, fn.unsupported = [], ctx.unsupported
    prelude: list[ir.Stmt] = []
    untyped: list[str] = []
    for p, ptype in zip(_all_params(node, sig.kind), sig.types):
        name, pspan = p.name.value, sp.span(p)
        fn.params.append(ir.Param(name=name, type=ptype, span=pspan))
        ctx.locals[name] = ptype
        ctx.param_names.add(name)
        if p.annotation is None:
            untyped.append(name)
        k, _ = annotation_kind(_annotation_name(index, p.annotation))
        if k in ("int", "bool", "fixed") and p.annotation is not None and not (
                p.default is not None and _is_none_literal(p.default)):
            ctx.int_params.add(name)
        if k == "other" and p.annotation is not None and not (
                p.default is not None and _is_none_literal(p.default)) and not any(
                w in sp.code(p.annotation.annotation)
                for w in ("Optional", "None", "|", "Union", "Any", "object")):
            ctx.not_none.add(name)      # `name is None` is False if it is a container
        maybe_none = p.annotation is not None and is_optional_int(
            sp.code(p.annotation.annotation), _is_none_literal(p.default), k == "int")
        if maybe_none and rebound_simply(node.body, name):      # int or None: a flag
            prelude.append(optional_entry(ctx, name, pspan))    # (python_optional)
        elif k == "other" or maybe_none:
            what = f"parameter {name} of type {sp.code(p.annotation.annotation)}"
            ctx.bad_params[name] = what
            ctx.note(what, pspan)
        elif ptype == BOOL_PARAM:
            var = ir.Var(name=name, type=ptype, span=pspan)
            lo = ir.Binary(op="le", left=ir.Const(value=0, span=pspan), right=var,
                           type=ir.BOOL, span=pspan)
            hi = ir.Binary(op="le", left=var, right=ir.Const(value=1, span=pspan),
                           type=ir.BOOL, span=pspan)
            prelude.append(ir.Assume(cond=ir.Binary(op="and", left=lo, right=hi,
                                                    type=ir.BOOL, span=pspan), span=pspan))
    for stars, star in (("*", node.params.star_arg), ("**", node.params.star_kwarg)):
        if isinstance(star, cst.Param):
            what = f"parameter {stars}{star.name.value} (variadic)"
            ctx.note(what, sp.span(star))
            ctx.bad_params[star.name.value] = what
            ctx.star_names[star.name.value] = "tuple" if stars == "*" else "dict"
    if node.returns is not None:
        k, _ = annotation_kind(_annotation_name(index, node.returns))
        if k == "other":
            ctx.note(f"return type {sp.code(node.returns.annotation)}", sp.span(node.returns))
    ctx.nested_defs = nested_definitions(node.body)
    ctx.global_names = declared_global(node.body)
    ctx.local_names = {n for n in bound_names(node.body)
                       if n not in ctx.nested_defs and n not in ctx.global_names}
    ctx.tainted, ctx.taint_why, ctx.opaque_flags = set(tainted), dict(tainted), {}
    ctx.iterables = iterable_model(ctx, node)
    ctx.iterables.module_kinds = index.module_kinds
    ctx.fn_node = node
    seqs = sequence_params(ctx)
    ctx.membership = uses_membership(ctx, node.body)
    for p in fn.params:
        p.container = ctx.iterables.kinds[p.name] if p.name in seqs else ""
    ok = {p.name: p.name not in ctx.bad_params for p in fn.params}
    ctx.non_int = maybe_non_int(node.body, ok, lambda c: _is_int_call(index, c),
                                lambda f: is_range_for(f, ctx))
    ctx.known_dicts = find_known_dicts(ctx, node.body)
    fn.requires, fn.ensures = read_contracts(ctx, node, sig, {p.name: p.type for p in fn.params},
                                             docs)
    ctx.self_attrs = self_attributes(node.body, ctx, sig.kind)   # after the contracts
    kinds = index.attr_kinds.get(cls or "", {})
    if ctx.self_attrs:              # attributes that may hold a non-int stay unknown
        ctx.self_attrs = {a for a in ctx.self_attrs if kinds.get(a) != "other"}
    method = node.name.value
    invs = index.invariants.get(cls or "", []) if class_inv.applies(method, sig.kind) else []
    if invs:
        extra = class_inv.attributes_read(invs)
        if extra is None or any(f"{cls}.{a}" in index.signatures or kinds.get(a) == "other"
                                for a in extra):
            ctx.self_attrs = None     # the invariants read self in a way not modelled
        elif ctx.self_attrs is not None:
            ctx.self_attrs = ctx.self_attrs | extra
    if ctx.self_attrs:
        names = [f"{ctx.self_name}.{a}" for a in sorted(ctx.self_attrs)]
        for n in names:
            ctx.declare(n, ir.MATH_INT)
        what = f"the attributes of {ctx.self_name} at entry"
        if invs and method != "__init__":   # any state the class invariants allow: inputs
            prelude += [ir.Assign(target=n, value=ir.Nondet(type=ir.MATH_INT, label=n,
                                                            span=fn.name_span),
                                  span=fn.name_span) for n in names]
        elif invs:      # __init__: no attribute yet (a read before the first write is an
            pass        # arbitrary value no counterexample may rely on: the interpreter stops)
        else:                               # constrained by code we do not see: unknown
            prelude.append(ir.Havoc(targets=names, what=what, span=fn.name_span))
    if invs:
        assumes, ensures = class_inv.contracts(ctx, invs, method, entry=method != "__init__")
        prelude += assumes
        fn.ensures = fn.ensures + ensures
    fn.assumptions = [f"the unannotated parameter{'s' if len(untyped) > 1 else ''} "
                      f"{', '.join(untyped)} hold{'' if len(untyped) > 1 else 's'} ints"] \
        if untyped else []
    if ctx.self_attrs:
        fn.assumptions.append(f"the attribute{'s' if len(ctx.self_attrs) > 1 else ''} "
                              + ", ".join(f"{ctx.self_name}.{a}" for a in sorted(ctx.self_attrs))
                              + f" hold{'' if len(ctx.self_attrs) > 1 else 's'} ints")
    prelude += lengths_at_entry(ctx, fn.name_span)
    for name in sorted(ctx.tainted):         # no local holds an opaque value yet
        ctx.declare(shadow(name), ir.MATH_INT)
        prelude.append(ir.Assign(target=shadow(name), value=ir.Const(value=0, span=fn.name_span),
                                 span=fn.name_span))
    body = StmtLowerer(ctx).block(node.body)
    fn.assumptions += [a for i, a in enumerate(ctx.assumed) if a not in ctx.assumed[:i]]
    fn.body = membership_entry(ctx, fn.name_span) + prelude + body
    for name in sorted(ctx.local_names):
        ctx.declare(name, ir.MATH_INT)
    fn.locals = ctx.locals
    # a nested function that declares a local `nonlocal` may change it whenever it runs:
    # the engine treats such locals like C locals whose address escaped
    fn.address_taken = frozenset(n for n in nonlocal_in_nested(node.body) if n in fn.locals)
    return ctx


def _is_none_literal(node) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


_INT_BUILTINS = {"abs", "min", "max", "int", "bool", "len", "round", "sum", "ord", "hash"}


def _is_int_call(index: ModuleIndex, call: cst.Call) -> bool:
    name = index.resolve(call.func)
    if name in _INT_BUILTINS:
        return name not in index.signatures
    sig = index.signatures.get(name or "")
    return sig is not None and sig.ret is not None and not sig.ret.bounded
