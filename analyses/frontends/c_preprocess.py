"""C preprocessing for the C frontend: comments, ACSL and suppressions, gcc -E, line mapping.

gcc removes comments and collapses whitespace, so comments (ACSL annotations, suppression
markers) are collected from the raw text first, and every preprocessed line of the user's
file is re-aligned token by token with the original line: tokens that come from the source
(not from a macro expansion) get back their original column, so pycparser's coordinates
point into the user's file.
"""
from __future__ import annotations

import difflib
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import Optional

from .. import ir
from .c_python_headers import include_args, uses_real

INCLUDE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "include")
MAIN_FILE = "<stdin>"
GCC_TIMEOUT_S = 20

# Spellings that pycparser does not know, defined away for every translation unit.
PRELUDE_DEFINES = [
    "__attribute__(x)=", "__extension__=", "__inline=inline", "__inline__=inline",
    "__restrict=", "__restrict__=", "restrict=", "__volatile__=volatile", "__const=const",
    "__signed__=signed", "__asm__=__veriline_asm", "__asm=__veriline_asm",
    "asm=__veriline_asm", "_Noreturn=", "__thread=", "__builtin_va_list=int",
    "__x86_64__=1", "__CHAR_BIT__=8", "__builtin_offsetof=offsetof",
]


class LineIndex:
    """Offsets <-> 1-based (line, column) in one text."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer(r"\n", text)]

    def pos(self, offset: int) -> tuple[int, int]:
        import bisect
        i = bisect.bisect_right(self.starts, offset) - 1
        return i + 1, offset - self.starts[i] + 1

    def offset(self, line: int, col: int) -> int:
        if line < 1:
            return 0
        if line > len(self.starts):
            return len(self.text)
        return min(self.starts[line - 1] + max(col, 1) - 1, len(self.text))

    def line_text(self, line: int) -> str:
        if not 1 <= line <= len(self.starts):
            return ""
        start = self.starts[line - 1]
        end = self.starts[line] - 1 if line < len(self.starts) else len(self.text)
        return self.text[start:end]

    def span(self, start: int, end: int) -> ir.Span:
        a, b = self.pos(start), self.pos(end)
        return ir.Span(a[0], a[1], b[0], b[1])


@dataclass
class Comment:
    start: int          # offset of the opening /* or //
    end: int            # offset just after the comment
    text: str


@dataclass
class Annotation:
    """An ACSL comment: `content` with the `/*@`, `*/` and leading `@`s blanked, so that
    content[i] sits at offset `base + i` in the original text."""
    start: int
    end: int
    base: int
    content: str


def scan_comments(text: str) -> tuple[str, str, list[Comment]]:
    """Return (code, masked, comments): code has comments replaced by spaces (newlines
    kept); masked additionally blanks string and character literal contents."""
    code, masked, comments = list(text), list(text), []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "/" and text.startswith("//", i):
            j = i
            while j < n and text[j] != "\n":
                j += 2 if text[j] == "\\" and j + 1 < n else 1
            comments.append(Comment(i, j, text[i:j]))
        elif c == "/" and text.startswith("/*", i):
            k = text.find("*/", i + 2)
            j = n if k < 0 else k + 2
            comments.append(Comment(i, j, text[i:j]))
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            for k in range(i + 1, min(j, n)):
                if masked[k] != "\n":
                    masked[k] = " "
            i = j + 1
            continue
        else:
            i += 1
            continue
        for k in range(i, j):
            if text[k] != "\n":
                code[k] = masked[k] = " "
        i = j
    return "".join(code), "".join(masked), comments


def acsl_annotations(comments: list[Comment]) -> list[Annotation]:
    out = []
    for c in comments:
        if c.text.startswith("/*@") or c.text.startswith("//@"):
            body = c.text[3:-2] if c.text.startswith("/*") and c.text.endswith("*/") \
                else c.text[3:]
            body = re.sub(r"(?m)^([ \t]*)@", lambda m: m.group(1) + " ", body)
            out.append(Annotation(c.start, c.end, c.start + 3, body))
    return out


_SUPPRESS = re.compile(r"veriline:\s*ignore(?:\[([^\]]*)\])?")


def suppressions(comments: list[Comment], code: str, index: LineIndex) -> dict[int, set[str]]:
    """`veriline: ignore[kinds]` comments -> {line: kinds}: the comment's own line when code
    precedes it there, else the next line with code."""
    out: dict[int, set[str]] = {}
    for c in comments:
        m = _SUPPRESS.search(c.text)
        if not m:
            continue
        kinds = {k.strip() for k in (m.group(1) or "").split(",") if k.strip()} or {"*"}
        line, col = index.pos(c.start)
        if code[index.offset(line, 1):c.start].strip():
            target = line
        else:
            rest = re.search(r"\S", code[c.end:])
            target = index.pos(c.end + rest.start())[0] if rest else line
        out.setdefault(target, set()).update(kinds)
    return out


@dataclass
class Preprocessed:
    text: str                                    # input for pycparser
    macros: dict[str, str] = field(default_factory=dict)   # object-like macros
    colmaps: dict[int, dict[int, int]] = field(default_factory=dict)  # line: pp col -> col
    errors: list[ir.SyntaxIssue] = field(default_factory=list)
    system: bool = False                          # gcc's/libc's own headers were searched
    real_python: Optional[str] = None             # the real Python.h's directory, if used
    poisoned: set = field(default_factory=set)    # the file's lines replaced by POISON


_TOKEN = re.compile(r"[A-Za-z_]\w*|\.?\d(?:[eEpP][+-]|[\w.])*|\"(?:\\.|[^\"\\\n])*\"?"
                    r"|'(?:\\.|[^'\\\n])*'?|->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\|"
                    r"|[-+*/%&|^]=|\.\.\.|##|\S")


def _tokens(line: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group()) for m in _TOKEN.finditer(line)]


def realign(pp_line: str, orig_line: str) -> tuple[str, Optional[dict[int, int]]]:
    """(line for pycparser, column map).  Without macro expansion the original line is
    used as is; otherwise gcc's line is kept and each token's column maps to its equal
    token in the original line (expanded tokens map to the macro name's column)."""
    pp, orig = _tokens(pp_line), _tokens(orig_line)
    if [t for _, t in pp] == [t for _, t in orig]:
        return orig_line, None
    placed: dict[int, int] = {}
    sm = difflib.SequenceMatcher(None, [t for _, t in pp], [t for _, t in orig],
                                 autojunk=False)
    blocks = sm.get_matching_blocks()
    for a, b, size in blocks:
        for k in range(size):
            placed[a + k] = b + k
    colmap: dict[int, int] = {}
    next_orig = 0
    for i, (col, _) in enumerate(pp):
        if i in placed:
            colmap[col + 1] = orig[placed[i]][0] + 1
            next_orig = placed[i] + 1
        elif orig:
            colmap[col + 1] = orig[min(next_orig, len(orig) - 1)][0] + 1
    return pp_line, colmap


POISON = "@"      # not C: pycparser fails on the line, so recovery drops its item


def _realign_output(out: str, code_index: LineIndex, bad: frozenset = frozenset()):
    """Realign the user's lines of gcc's output; strip (and collect) -dD definitions;
    replace the lines in `bad` (the file's own) by POISON.  Returns (text, macros,
    colmaps, the bad lines replaced)."""
    poisoned: set[int] = set()
    lines = out.split("\n")
    macros: dict[str, str] = {}
    colmaps: dict[int, dict[int, int]] = {}
    cur_file, cur_line = MAIN_FILE, 1
    for i, line in enumerate(lines):
        m = re.match(r'#\s*(\d+)\s+"((?:\\.|[^"\\])*)"', line)
        if m:
            cur_file, cur_line = m.group(2), int(m.group(1))
            lines[i] = f'#line {m.group(1)} "{m.group(2)}"'
            continue
        if line.startswith("#define ") or line.startswith("#undef "):
            d = re.match(r"#define\s+([A-Za-z_]\w*)(\(?)\s*(.*)", line)
            if d and not d.group(2):
                macros[d.group(1)] = d.group(3)
            elif line.startswith("#undef "):
                macros.pop(line.split()[1], None)
            lines[i] = ""
        elif cur_file == MAIN_FILE and cur_line in bad:
            lines[i] = POISON + " " + line        # the item's extent stays as it was
            poisoned.add(cur_line)
        elif cur_file == MAIN_FILE and line.strip():
            lines[i], cmap = realign(line, code_index.line_text(cur_line))
            if cmap:
                colmaps[cur_line] = cmap
        cur_line += 1
    return "\n".join(lines), macros, colmaps, poisoned


def _blank_directives(code: str) -> str:
    """Fallback without a preprocessor: blank every directive line (and continuations)."""
    out, cont = [], False
    for line in code.split("\n"):
        if cont or line.lstrip().startswith("#"):
            cont = line.endswith("\\")
            out.append("")
        else:
            out.append(line)
    return "\n".join(out)


PINNED_DIR = os.path.join(INCLUDE_DIR, "pinned")
_PREDEF = re.compile(r"#define (__\w+_(?:MAX|MIN|WIDTH|TYPE|C|EPSILON|DIG|MANT_DIG|MAX_EXP|"
                     r"MIN_EXP|DENORM_MIN|NORM_MAX|HAS_DENORM|HAS_INFINITY|HAS_QUIET_NAN|"
                     r"DECIMAL_DIG|MAX_10_EXP|MIN_10_EXP|IS_IEC_60559)__|__SIZEOF_\w+__|"
                     r"__BYTE_ORDER__|__ORDER_\w+__|__BIGGEST_ALIGNMENT__)\b")
_PREDEF_FILES: dict[str, Optional[str]] = {}


def predefined_limits(data_model: str) -> Optional[str]:
    """A file of gcc's predefined limit/size macros (__INT_MAX__, __SIZEOF_LONG__, ...) for
    the data model: -undef drops them, but gcc's <limits.h>/<stdint.h> are written in them."""
    if data_model in _PREDEF_FILES:
        return _PREDEF_FILES[data_model]
    path = None
    try:
        proc = subprocess.run(["gcc", "-dM", "-E", "-x", "c", "-"]
                              + (["-m32"] if data_model != "LP64" else []),
                              input="", text=True, capture_output=True, timeout=GCC_TIMEOUT_S)
        if proc.returncode == 0:
            text = "\n".join(ln for ln in proc.stdout.splitlines() if _PREDEF.match(ln))
            import hashlib
            import tempfile
            digest = hashlib.sha256(text.encode()).hexdigest()[:16]
            path = os.path.join(tempfile.gettempdir(),
                                f"veriline-predef-{os.getuid()}-{digest}.h")
            if not os.path.exists(path):
                tmp = f"{path}.{os.getpid()}"
                with open(tmp, "w") as fh:
                    fh.write(text + "\n")
                os.replace(tmp, path)
    except (OSError, subprocess.TimeoutExpired):
        path = None
    _PREDEF_FILES[data_model] = path
    return path


def _gcc_args(path: str, data_model: str, flags: tuple[str, ...] = (), system: bool = True,
              stub_dir: Optional[str] = None, python: bool = True) -> list[str]:
    """Search order: veriline's pinned headers (assert.h: the frontend knows its
    declaration), the user's -I directories, the machine's CPython headers (when `system`
    and `python` are on and it has them) or else veriline's fake Python.h, then gcc's and
    libc's own headers (unless `system` is off), then veriline's fake libc headers, then
    empty stubs for headers found nowhere."""
    args = ["gcc", "-E", "-dD", "-undef", "-x", "c", "-std=gnu11"]
    if not system:
        args.append("-nostdinc")
    args += ["-I", PINNED_DIR]
    if path and os.path.dirname(os.path.abspath(path)):
        args += ["-iquote", os.path.dirname(os.path.abspath(path))]
    args += ["-D" + d for d in PRELUDE_DEFINES]
    args += ["-D__LP64__=1", "-D_LP64=1"] if data_model == "LP64" else ["-D__ILP32__=1"]
    predef = predefined_limits(data_model) if system else None
    if predef:
        args += ["-imacros", predef]
    args += list(flags)
    args += include_args(system and python)
    args += ["-idirafter", INCLUDE_DIR]
    if stub_dir:
        args += ["-idirafter", stub_dir]
    return args + ["-"]


_GCC_ERROR = re.compile(r"^(?P<file>[^\n:]+):(?P<line>\d+):(?P<col>\d+): (?:fatal )?error: "
                        r"(?P<msg>.*)$", re.M)
_INCLUDED_FROM = re.compile(r"(?:In file included|\s+) from <stdin>:(\d+)")
_MISSING = re.compile(r"^(?P<name>.+): No such file or directory$")


def preprocess(code: str, path: str, data_model: str = "LP64", flags: tuple[str, ...] = (),
               system: bool = True, python: bool = True) -> Preprocessed:
    """Run gcc -E on `code` (comments already blanked).  A header found nowhere becomes an
    empty stub and a failing directive line of the file is blanked (both reported), then
    gcc runs again; warnings are not failures; without gcc, directives are dropped.
    `python` off: veriline's fake Python.h even where the machine has the real one."""
    errors: list[ir.SyntaxIssue] = []
    if shutil.which("gcc") is None:
        errors.append(ir.SyntaxIssue(message="gcc not found: file parsed without "
                                     "preprocessing (#include/#define ignored)",
                                     span=ir.Span(1, 1, 1, 1)))
        return Preprocessed(_blank_directives(code), errors=errors)
    import tempfile
    with tempfile.TemporaryDirectory(prefix="veriline-stubs-") as stub_dir:
        pp = _run_gcc(code, path, data_model, tuple(flags), system, stub_dir, errors, python)
    pp.real_python = uses_real(system and python) if '/Python.h"' in pp.text else None
    return pp


def _run_gcc(code, path, data_model, flags, system, stub_dir, errors,
             python=True) -> Preprocessed:
    index = LineIndex(code)
    text, stubs = code, False
    for _attempt in range(30):
        try:
            proc = subprocess.run(_gcc_args(path, data_model, flags, system,
                                            stub_dir if stubs else None, python),
                                  input=text, text=True, capture_output=True,
                                  timeout=GCC_TIMEOUT_S)
        except (OSError, subprocess.TimeoutExpired) as exc:
            errors.append(ir.SyntaxIssue(message=f"preprocessor failed: {exc}",
                                         span=ir.Span(1, 1, 1, 1)))
            return Preprocessed(_blank_directives(code), errors=errors)
        if proc.returncode == 0:
            pp, macros, colmaps, _ = _realign_output(proc.stdout, index)
            return Preprocessed(pp, macros, colmaps, errors, system=system)
        lines, progress = text.split("\n"), False
        found = list(_GCC_ERROR.finditer(proc.stderr))
        bad: dict[int, ir.SyntaxIssue] = {}       # the file's code lines gcc failed on
        for m in found:
            line, msg, file = int(m["line"]), m["msg"], m["file"]
            missing = _MISSING.match(msg)
            where = line if file == "<stdin>" else _main_line(proc.stderr, m.start())
            if file != "<stdin>":
                msg = f"{msg} (in {file}:{line})"
            if missing and _add_stub(stub_dir, missing["name"]):
                stubs = progress = True
                msg = f"header {missing['name']} not found: treated as empty" + \
                    ("" if file == "<stdin>" else f" (included from {file}:{line})") + \
                    " — give its directory with -I"
            elif file == "<stdin>" and 1 <= line <= len(lines) and \
                    lines[line - 1].lstrip().startswith("#"):
                lines[line - 1] = ""
                progress = True
            elif file == "<stdin>" and 1 <= line <= len(lines):
                bad.setdefault(line, ir.SyntaxIssue(
                    message=f"preprocessor: {msg}: the declaration or function holding this "
                            "line is skipped", span=ir.Span(line, 1, line,
                                                            len(index.line_text(line)) + 1)))
                continue
            errors.append(ir.SyntaxIssue(message=f"preprocessor: {msg}", span=ir.Span(
                where, 1, where, len(index.line_text(where)) + 1)))
        if progress:
            text = "\n".join(lines)
            continue
        errors.extend(bad.values())
        if bad and len(bad) == len({(m["file"], m["line"]) for m in found}) and \
                proc.stdout.strip():
            # only macro misuse in the code (`va_start(v)`): keep gcc's output, poisoned
            # on those lines so the items holding them are dropped, never half-lowered
            pp, macros, colmaps, poisoned = _realign_output(proc.stdout, index, set(bad))
            if poisoned == set(bad):
                return Preprocessed(pp, macros, colmaps, errors, system=system,
                                    poisoned=poisoned)
        if not found:
            errors.append(ir.SyntaxIssue(message="preprocessor failed: "
                                         + proc.stderr.strip()[-300:],
                                         span=ir.Span(1, 1, 1, 1)))
        return Preprocessed(_blank_directives(code), errors=errors, system=system)
    return Preprocessed(_blank_directives(code), errors=errors, system=system)


def _main_line(stderr: str, upto: int) -> int:
    """The line of the user's file whose #include led to an error inside a header."""
    found = _INCLUDED_FROM.findall(stderr[:upto])
    return int(found[-1]) if found else 1


def _add_stub(stub_dir: str, name: str) -> bool:
    """Create an empty header `name` under stub_dir; False if it cannot (or exists)."""
    name = name.strip()
    if os.path.isabs(name) or ".." in name.split("/") or not name:
        return False
    target = os.path.join(stub_dir, name)
    if os.path.exists(target):
        return False
    try:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "w") as fh:
            fh.write("/* veriline: header not found, empty stub */\n")
    except OSError:
        return False
    return True

