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
from .c_preprocess import (MAIN_FILE, LineIndex, acsl_annotations, preprocess, scan_comments,
                           suppressions)
from .c_spans import SpanFinder
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
        self.errors = program.errors
        self.annotations: list[acsl.Annotation] = []
        self.floor = 0

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


def parse_c(text: str, path: str, data_model: str = "LP64") -> ir.Program:
    """Parse and lower a C file; never raises (problems become Program.errors)."""
    program = ir.Program(path=path, language="c")
    try:
        _parse(text, path, data_model, program)
    except Exception as exc:          # a frontend bug must not take the file down
        program.errors.append(ir.SyntaxIssue(
            message=f"internal error in the C frontend: {type(exc).__name__}: {exc}",
            span=ir.Span(1, 1, 1, 1)))
    return program


def _parse(text: str, path: str, data_model: str, program: ir.Program) -> None:
    code, masked, comments = scan_comments(text)
    ctx = _Context(text, masked, data_model, program)
    program.suppressions = suppressions(comments, code, ctx.index)
    ctx.annotations = acsl_annotations(comments)
    pp = preprocess(code, path, data_model)
    program.errors.extend(pp.errors)
    ctx.macros = pp.macros
    ctx.spans.colmaps = pp.colmaps
    ast = _parse_with_recovery(pp.text, program, len(ctx.index.starts))
    if ast is None:
        return
    bodies = []
    for ext in ast.ext:
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
    ctx.program.errors.append(ir.SyntaxIssue(
        message=f"internal error in the C frontend: {type(exc).__name__}: {exc}",
        span=ctx.spans.span(ext) if ctx.spans.span(ext).line else ir.Span(1, 1, 1, 1)))


_PARSE_ERROR = re.compile(r"^(.*?):(\d+)(?::(\d+))?: (.*)$", re.S)


def _error_issue(exc: Exception, parser, last_line: int) -> ir.SyntaxIssue:
    m = _PARSE_ERROR.match(str(exc))
    if not m:          # no position in the message: use the parser's next token
        try:
            tok = parser._tokens.peek()
            if tok is None:
                msg = str(exc).split(": ", 1)[-1]
                return ir.SyntaxIssue(message=f"syntax error: {msg}",
                                      span=ir.Span(last_line, 1, last_line, 1))
            if tok is not None and parser.clex.filename == MAIN_FILE:
                msg = str(exc).split(": ", 1)[-1]
                return ir.SyntaxIssue(message=f"syntax error: {msg} before {tok.value!r}",
                                      span=ir.Span(tok.lineno, tok.column, tok.lineno,
                                                   tok.column + len(str(tok.value))))
        except Exception:
            pass
    if m and m.group(1) == MAIN_FILE:
        line, col = int(m.group(2)), int(m.group(3) or 1)
        return ir.SyntaxIssue(message=f"syntax error: {m.group(4)}",
                              span=ir.Span(line, col, line, col + 1))
    return ir.SyntaxIssue(message=f"syntax error: {exc}", span=ir.Span(1, 1, 1, 1))


def _parse_with_recovery(pp_text: str, program: ir.Program, last_line: int):
    parser = c_parser.CParser()
    try:
        return parser.parse(pp_text, MAIN_FILE)
    except Exception as exc:
        program.errors.append(_error_issue(exc, parser, last_line))
    items = _split_items(pp_text)
    keep = [False] * len(items)
    for i, (start, end, in_main) in enumerate(items):
        keep[i] = True
        if not in_main:
            continue
        try:
            c_parser.CParser().parse(_blank_except(pp_text, items, keep, end), MAIN_FILE)
        except Exception:
            keep[i] = False
    try:
        return c_parser.CParser().parse(_blank_except(pp_text, items, keep, len(pp_text)),
                                        MAIN_FILE)
    except Exception:
        return None


def _blank_except(text: str, items, keep, upto: int) -> str:
    chars = list(text[:upto])
    for (start, end, _), k in zip(items, keep):
        if not k and start < upto:
            for j in range(start, min(end, upto)):
                if chars[j] != "\n":
                    chars[j] = " "
    return "".join(chars)


_HEADER = re.compile(r"(?!(?:if|else|while|for|switch|return|do|case|default|goto)\b)"
                     r"[A-Za-z_][\w \t*]*\b[A-Za-z_]\w*\s*\([^;{}]*\)\s*(\{.*)?$")


def _split_items(text: str) -> list[tuple[int, int, bool]]:
    """Top-level items (declarations, function definitions) of preprocessed text, as
    (start, end, from_main_file); `#` lines stay outside items so line numbers survive."""
    items, depth, start, i, n = [], 0, None, 0, len(text)
    in_main, item_main = True, True
    line_start = True
    while i < n:
        if line_start:
            eol = text.find("\n", i)
            eol = n if eol < 0 else eol
            line = text[i:eol]
            if line.lstrip().startswith("#"):
                m = re.match(r'\s*#\s*(?:line\s+)?\d+\s+"([^"]*)"', line)
                if m:
                    in_main = m.group(1) == MAIN_FILE
                i = eol
                continue
            if depth > 0 and in_main and start is not None and _HEADER.match(line):
                items.append((start, i, item_main))
                depth, start = 0, None
        ch = text[i]
        line_start = ch == "\n"
        if ch in "\"'":
            j = i + 1
            while j < n and text[j] not in (ch, "\n"):
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if not ch.isspace() and start is None:
            start, item_main = i, in_main
        if ch in "({[":
            depth += 1
        elif ch in ")}]":
            depth = max(depth - 1, 0)
            if ch == "}" and depth == 0 and start is not None and \
                    re.search(r"\)\s*(\{|$)", _header_of(text, start, i)):
                items.append((start, i + 1, item_main))
                start = None
        elif ch == ";" and depth == 0 and start is not None:
            items.append((start, i + 1, item_main))
            start = None
        i += 1
    if start is not None:
        items.append((start, n, item_main))
    return items


def _header_of(text: str, start: int, close: int) -> str:
    """The text of an item before its first top-level `{` (to spot function bodies)."""
    k = text.find("{", start, close)
    return text[start:k + 1] if k >= 0 else ""


def _top_level(ctx: _Context, ext) -> None:
    """File-scope declarations; function definitions only declare their signature here
    (their bodies are lowered once every signature in the file is known)."""
    in_main = getattr(ext, "coord", None) is not None and ext.coord.file == MAIN_FILE
    if isinstance(ext, c_ast.Typedef):
        ctx.tenv.typedefs[ext.name] = ctx.tenv.resolve(ext.type)
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
                ctx.tenv.typedefs[ext.name] = t
            elif "extern" in ext.storage:
                if ext.name not in ctx.globals:
                    ctx.globals[ext.name] = t
                    if is_int(t):
                        ctx.program.globals[ext.name] = t
            else:
                ctx.add_global(ext.name, t, ext.init, is_const_object(ext))
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
        fn, lw = lower_function(ctx, fdef, name, ret, span)
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
