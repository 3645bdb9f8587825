"""gcc's command line for preprocessing a C file: the header search order (veriline's
pinned and fake headers, the user's -I directories, the machine's CPython and libc
headers) and the defines every translation unit gets."""
from __future__ import annotations

import os
import re
import subprocess
from typing import Optional

from .c_python_headers import include_args

INCLUDE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "include")
GCC_TIMEOUT_S = 20

# Spellings that pycparser does not know, defined away for every translation unit.
PRELUDE_DEFINES = [
    "__attribute__(x)=", "__extension__=", "__inline=inline", "__inline__=inline",
    "__restrict=", "__restrict__=", "restrict=", "__volatile__=volatile", "__const=const",
    "__signed__=signed", "__asm__=__veriline_asm", "__asm=__veriline_asm",
    "asm=__veriline_asm", "_Noreturn=", "__thread=", "__builtin_va_list=int",
    "__x86_64__=1", "__CHAR_BIT__=8", "__builtin_offsetof=offsetof",
]


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


def gcc_args(path: str, data_model: str, flags: tuple[str, ...] = (), system: bool = True,
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
