"""The C frontend: C source text -> ir.Program (language "c").

Pipeline: collect comments (ACSL, suppressions) -> gcc -E with veriline's own headers ->
pycparser -> file-scope declarations (typedefs, prototypes, globals, enums) -> one
lowering per function definition (c_stmt) with its ACSL contract (acsl).  Never raises:
syntax problems become Program.errors, and a file with a syntax error is re-parsed one
top-level item at a time so the functions that do parse are still verified.
"""
from __future__ import annotations

import re
from typing import Optional

from pycparser import c_ast, c_parser

from .. import ir
from . import acsl
from .c_common import FuncSig, is_int
from .c_expr import ExprLowerer
from .c_preprocess import MAIN_FILE, POISON, preprocess
from .c_source_text import LineIndex, acsl_annotations, scan_comments, suppressions
from .c_tables import shrink_tables
from .c_prefix import is_stub
from .c_recovery import _PARSE_ERROR, parse_with_recovery
from .c_spans import SpanFinder
from .c_strings import sized_by_initializer
from .c_stmt import definition_params, ir_param_positions, lower_function
from .c_types import VOID, DataModel, TypeEnv, const_value, convert, is_const_object


class _Context:
    """File-wide facts shared by the lowering of every function."""

    def __init__(self, text: str, masked: str, data_model: str, program: ir.Program):
        self.text, self.masked, self.program = text, masked, program
        self.index = LineIndex(text)
        self.spans = SpanFinder(masked)
        self.dm = DataModel(data_model)
        self.tenv = TypeEnv(self.dm)
        self.globals: dict = {}
        self.funcs: dict[str, FuncSig] = {}
        self.definitions: dict[str, FuncSig] = {}   # functions defined (and lowered) here
        self.consts: dict[str, int] = {}            # `const` integer objects: their value
        self.enums: dict[str, int] = {}
        self.macros: dict[str, str] = {}
        self.header_externs: dict[str, ir.IntT] = {}   # int externs declared by headers
        self.errors = program.errors
        self.annotations: list[acsl.Annotation] = []
        self.floor = 0
        self.file_items: list = []       # the file's own top-level items (c_single_objects)
        self.single_objects = None       # c_single_objects.single_object_params (lazy)
        self.called_names = None         # c_single_objects.called_functions (lazy)

    def take_annotations(self, offset: int) -> list[acsl.Annotation]:
        """Unconsumed annotations between the current floor and offset (in order)."""
        out = [a for a in self.annotations if self.floor <= a.start and a.end <= offset]
        for a in out:
            self.annotations.remove(a)
        return out

    def declare_function(self, decl: c_ast.Decl) -> None:
        ftype = decl.type
        ret = self.tenv.resolve(ftype.type)
        params: Optional[list] = None
        variadic = False
        if ftype.args is not None:
            params = []
            for p in ftype.args.params:
                if isinstance(p, c_ast.EllipsisParam):
                    variadic = True
                    continue
                if isinstance(p, c_ast.ID):          # K&R identifier list
                    params = None
                    break
                t = self.tenv.resolve(p.type)
                if t != VOID:
                    params.append(t)
        self.funcs[decl.name] = FuncSig(ret, params, variadic)

    def declare_definition(self, fdef: c_ast.FuncDef) -> None:
        """The signature of a function defined (and lowered) in this file, known to every
        call in the file whatever the order: its parameter types (K&R ones too) and the
        argument positions its IR parameters bind to."""
        self.declare_function(fdef.decl)
        declared = definition_params(self.tenv, fdef)
        old = self.funcs[fdef.decl.name]
        self.definitions[fdef.decl.name] = FuncSig(
            old.ret, [t for _, _, t in declared], old.variadic, ir_param_positions(declared))

    def register_enums(self, tnode) -> None:
        while isinstance(tnode, (c_ast.TypeDecl, c_ast.PtrDecl, c_ast.ArrayDecl)):
            tnode = tnode.type
        if not isinstance(tnode, c_ast.Enum) or tnode.values is None:
            return
        nxt = 0
        lw = ExprLowerer(self)
        for en in tnode.values.enumerators:
            if en.value is not None:
                v = const_value(lw.rvalue(en.value))
                nxt = v if v is not None else nxt
            self.enums[en.name] = nxt
            nxt += 1

    def add_global(self, name: str, t, init, const: bool = False) -> None:
        """A file-scope or static object.  A `const` integer one with a constant
        initializer is a named constant (never an input, never havocked)."""
        self.globals[name] = t
        if not is_int(t):
            return
        value = 0 if init is None else None
        lw = ExprLowerer(self)
        if init is not None and not isinstance(init, c_ast.InitList):
            value = const_value(convert(lw.rvalue(init), t))
            value = value if not lw.out else None
        if const and value is not None:
            self.consts[name] = value
            self.program.globals.pop(name, None)          # an earlier `extern` declaration
            self.program.global_init.pop(name, None)
            return
        self.program.globals[name] = t
        if value is not None:
            self.program.global_init[name] = value
        else:
            self.program.global_init.pop(name, None)
            self.errors.append(ir.SyntaxIssue(
                message=f"initializer of {name} is not an integer constant (value unknown)",
                span=self.spans.span(init)))


def parse_c(text: str, path: str, data_model: str = "LP64",
            flags: tuple[str, ...] = ()) -> ir.Program:
    """Parse and lower a C file; never raises (problems become Program.errors).  `flags`
    are gcc preprocessing flags (-I, -D, -U, -std=); a `.i` file is already
    preprocessed: only veriline's spelling macros are applied to it."""
    program = ir.Program(path=path, language="c")
    try:
        _parse(text, path, data_model, program, tuple(flags))
    except Exception as exc:          # a frontend bug must not take the file down
        program.errors.append(ir.SyntaxIssue(
            message=f"internal error in the C frontend: {type(exc).__name__}: {exc}",
            span=ir.Span(1, 1, 1, 1)))
    return program


def _parse(text: str, path: str, data_model: str, program: ir.Program,
           flags: tuple[str, ...] = ()) -> None:
    code, masked, comments = scan_comments(text)
    ctx = _Context(text, masked, data_model, program)
    program.suppressions = suppressions(comments, code, ctx.index)
    ctx.annotations = acsl_annotations(comments)
    preprocessed = path.lower().endswith(".i")
    if preprocessed:                  # linemarkers, pragmas: keep the .i's own lines
        code = blank_directive_lines(code)
        flags = PREPROCESSED_DEFINES
    pp = preprocess(code, path, data_model, flags, system=not preprocessed)
    pp.text = shrink_tables(pp.text)
    text, ast = _user_text(ctx, pp.text, data_model)
    for fallback in _HEADER_FALLBACKS:
        if not (isinstance(ast, Exception) and pp.system and
                _error_file(ast) not in (None, MAIN_FILE)):
            break
        # a header pycparser cannot read: the machine's CPython headers give way to
        # veriline's fake Python.h, then every system header to veriline's own
        if fallback["system"] and not pp.real_python:
            continue
        retry = preprocess(code, path, data_model, flags, **fallback)
        retry.errors.insert(0, ir.SyntaxIssue(
            message=f"{'CPython' if fallback['system'] else 'system'} header not understood "
                    f"({_error_text(ast)}): using veriline's "
                    f"{'fake Python.h' if fallback['system'] else 'own headers'}",
            span=ir.Span(1, 1, 1, 1)))
        ctx = _Context(ctx.text, masked, data_model, program)
        ctx.annotations = acsl_annotations(comments)
        pp = retry
        pp.text = shrink_tables(pp.text)
        text, ast = _user_text(ctx, pp.text, data_model)
    program.errors.extend(pp.errors)
    ctx.macros = pp.macros
    ctx.packing = bool(_PACKING.search(pp.text)) or any(
        "pack-struct" in f or "align-double" in f for f in flags)
    ctx.spans.colmaps = pp.colmaps
    if isinstance(ast, Exception):
        ast = parse_with_recovery(text, program, len(ctx.index.starts))
        program.errors[:] = [e for e in program.errors if not (
            e.span.line in pp.poisoned and repr(POISON) in e.message)]  # said already
    if ast is None:
        return
    from .c_memory import memory_free_functions
    ctx.memory_free = memory_free_functions(
        ast.ext, frozenset(getattr(ctx, "memory_free_headers", {})))
    ctx.file_items = [e for e in ast.ext if not is_stub(e)]
    _lower_items(ctx, ctx.file_items)
    for name, t in ctx.header_externs.items():
        if name not in program.globals and re.search(rf"\b{re.escape(name)}\b", masked):
            program.globals[name] = t


_HEADER_FALLBACKS = ({"system": True, "python": False}, {"system": False})
_PACKING = re.compile(r"^\s*#\s*pragma\s+(pack|ms_struct)|_Pragma", re.M)


def _lower_items(ctx: _Context, items) -> None:
    """File-scope items in two passes: declarations and every signature first, then the
    bodies of this file's functions (a call before a definition knows its signature)."""
    bodies = []
    for ext in items:
        try:
            _top_level(ctx, ext)
            if isinstance(ext, c_ast.FuncDef) and ext.coord is not None and \
                    ext.coord.file == MAIN_FILE:
                bodies.append(ext)
        except Exception as exc:      # one odd declaration must not hide the rest
            _internal(ctx, ext, exc)
    for ext in bodies:
        try:
            _function(ctx, ext)
        except Exception as exc:
            _internal(ctx, ext, exc)


def _internal(ctx: _Context, ext, exc: Exception) -> None:
    ctx.errors.append(ir.SyntaxIssue(
        message=f"internal error in the C frontend: {type(exc).__name__}: {exc}",
        span=ctx.spans.span(ext) if ctx.spans.span(ext).line else ir.Span(1, 1, 1, 1)))


# gcc's own output (__GNUC__ set): asm labels on declarations, builtin _FloatN types
PREPROCESSED_DEFINES = tuple("-D" + d for d in (
    "__asm__(...)=", "__asm(...)=", "asm(...)=", "_Float128=double", "_Float64=double",
    "_Float32=float", "_Float64x=double", "_Float32x=double", "__float128=double",
    "_Float16=float", "__bf16=float"))


def _user_text(ctx: _Context, pp_text: str, data_model: str):
    """(text to parse, AST or parser error).  The headers' part is parsed and lowered once
    per distinct text (c_prefix): ctx then already holds its facts."""
    from .c_prefix import STUB_FILE, main_text
    try:
        text = main_text(pp_text, MAIN_FILE, ctx,
                         lambda: _Context("", "", data_model, ir.Program(path="", language="c")),
                         lambda c, e: _lower_items(c, [e]))
    except Exception as exc:
        if _error_file(exc) not in (None, MAIN_FILE, STUB_FILE):
            return pp_text, exc
        text = None
    text = text if text is not None else pp_text
    return text, _parse_full(text)


def _parse_full(pp_text: str):
    """The AST, or the parser's exception."""
    try:
        return c_parser.CParser().parse(pp_text, MAIN_FILE)
    except Exception as exc:
        return exc


def _error_file(exc: Exception) -> Optional[str]:
    m = _PARSE_ERROR.match(str(exc))
    return m.group(1) if m else None


def _error_text(exc: Exception) -> str:
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def blank_directive_lines(code: str) -> str:
    """A preprocessed file's `#` lines (linemarkers, #pragma) blanked, line numbers kept."""
    return "\n".join("" if ln.lstrip().startswith("#") else ln for ln in code.split("\n"))


def _top_level(ctx: _Context, ext) -> None:
    """File-scope declarations; function definitions only declare their signature here
    (their bodies are lowered once every signature in the file is known)."""
    in_main = getattr(ext, "coord", None) is not None and ext.coord.file == MAIN_FILE
    if isinstance(ext, c_ast.Typedef):
        ctx.tenv.define(ext.name, ext)
        ctx.register_enums(ext.type)
    elif isinstance(ext, c_ast.Decl):
        ctx.register_enums(ext.type)
        if ext.name is None:
            ctx.tenv.resolve(ext.type)             # `struct S {...};`: record its members
        if isinstance(ext.type, c_ast.FuncDecl):
            ctx.declare_function(ext)
        elif ext.name is not None:
            t = ctx.tenv.resolve(ext.type)
            if "typedef" in ext.storage:
                ctx.tenv.define(ext.name, ext)
            elif "extern" in ext.storage:
                if ext.name not in ctx.globals:
                    ctx.globals[ext.name] = t
                    if is_int(t) and not in_main:     # signgam, daylight: if named
                        ctx.header_externs[ext.name] = t
                    elif is_int(t):
                        ctx.program.globals[ext.name] = t
            else:
                ctx.add_global(ext.name, sized_by_initializer(t, ext), ext.init,
                               is_const_object(ext))
    elif isinstance(ext, c_ast.FuncDef):
        if in_main:
            ctx.declare_definition(ext)
        else:
            ctx.declare_function(ext.decl)


def _function(ctx: _Context, fdef: c_ast.FuncDef) -> None:
    from .c_functions import function_contracts, function_extent
    name = fdef.decl.name
    ret = ctx.tenv.resolve(fdef.decl.type.type)
    start, end, anns = function_extent(ctx, fdef)
    span = ctx.index.span(start, end)
    ctx.floor = ctx.spans.offset(ctx.spans.start(fdef.body) or (1, 1))
    try:
        fn, lw = lower_function(ctx, fdef, name, ret, span, anns)
        function_contracts(ctx, fn, lw, anns)
    except RecursionError:
        fn = ir.Function(name=name, params=[], ret=ret if is_int(ret) else None, body=[],
                         span=span, language="c", qualname=name)
        fn.unsupported.append(("function too deeply nested to analyse", span))
        fn.body.append(ir.Havoc(targets=[], what="function too deeply nested", span=span))
    except Exception as exc:
        fn = ir.Function(name=name, params=[], ret=ret if is_int(ret) else None, body=[],
                         span=span, language="c", qualname=name)
        what = f"internal error lowering {name}: {type(exc).__name__}: {exc}"
        fn.unsupported.append((what, span))
        fn.body.append(ir.Havoc(targets=[], what=what, span=span))
    fn.name_span = _name_span(ctx, fdef)
    fn.internal = "static" in (fdef.decl.storage or [])
    fn.source = ctx.text[start:end]
    ctx.program.functions[name] = fn


def _name_span(ctx: _Context, fdef: c_ast.FuncDef) -> ir.Span:
    node = fdef.decl.type
    while not isinstance(node, c_ast.TypeDecl) and hasattr(node, "type"):
        node = node.type
    st = ctx.spans.start(node) or ctx.spans.start(fdef.decl)
    if st is None:
        return ir.NOSPAN
    off = ctx.spans.offset(st)
    name = fdef.decl.name
    if ctx.text[off:off + len(name)] != name:       # macro-expanded line: search nearby
        k = ctx.text.find(name, ctx.index.offset(st[0], 1))
        off = k if k >= 0 else off
    return ctx.index.span(off, off + len(name))
