"""C preprocessing for the C frontend: gcc -E (retried past missing headers and bad
directives) and the mapping of its output back to the user's file.

Every preprocessed line of the user's file is re-aligned token by token with the original
line: tokens that come from the source (not from a macro expansion) get back their
original column, so pycparser's coordinates point into the user's file.  Comments were
collected before (c_source_text.py); gcc's command line is built by c_gcc_flags.py.
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
from .c_gcc_flags import GCC_TIMEOUT_S, gcc_args
from .c_python_headers import uses_real
from .c_source_text import LineIndex

MAIN_FILE = "<stdin>"


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
            proc = subprocess.run(gcc_args(path, data_model, flags, system,
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
