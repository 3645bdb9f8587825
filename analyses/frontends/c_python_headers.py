"""Where `#include <Python.h>` comes from: the CPython headers installed on the machine
when there are any (the running interpreter's, else `python3-config --includes`), else
veriline's fake Python.h (analyses/include/python/: objects opaque, integer types at
their real LP64 widths).

Real headers are the truth for the macros and struct layouts an extension module uses
(`PyObject_HEAD`, `HAVE_STDARG_PROTOTYPES`, `printfunc`, ...); the fakes keep a machine
without them working.  `VERILINE_PYTHON_INCLUDE` overrides the choice: a directory (or
several, separated by os.pathsep) holding Python.h, or `fake` for veriline's own.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sysconfig
from typing import Optional

FAKE_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "include", "python")
ENV = "VERILINE_PYTHON_INCLUDE"
_FOUND: dict[str, tuple[str, ...]] = {}


def _has_python_h(d: str) -> bool:
    return bool(d) and os.path.isfile(os.path.join(d, "Python.h"))


def _from_python3_config() -> tuple[str, ...]:
    exe = shutil.which("python3-config")
    if exe is None:
        return ()
    try:
        out = subprocess.run([exe, "--includes"], capture_output=True, text=True,
                             timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ()
    dirs = [a[2:] for a in out.split() if a.startswith("-I")]
    return tuple(dict.fromkeys(dirs)) if any(_has_python_h(d) for d in dirs) else ()


def _detect() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    ours = [d for d in (paths.get("include"), paths.get("platinclude"),
                        sysconfig.get_config_var("INCLUDEPY")) if d]
    if any(_has_python_h(d) for d in ours):
        return tuple(dict.fromkeys(d for d in ours if os.path.isdir(d)))
    return _from_python3_config()


def real_include_dirs() -> tuple[str, ...]:
    """The directories of the machine's CPython headers, () when there are none (or
    VERILINE_PYTHON_INCLUDE=fake)."""
    env = os.environ.get(ENV)
    if env is not None:
        if env.strip().lower() in ("", "fake"):
            return ()
        dirs = tuple(d for d in env.split(os.pathsep) if d)
        return dirs if any(_has_python_h(d) for d in dirs) else ()
    if "auto" not in _FOUND:
        _FOUND["auto"] = _detect()
    return _FOUND["auto"]


def include_args(real: bool = True) -> list[str]:
    """gcc arguments that make <Python.h> resolve: the real headers' directories when
    `real` and the machine has them, else veriline's fakes."""
    dirs = real_include_dirs() if real else ()
    out: list[str] = []
    for d in dirs or (FAKE_DIR,):
        out += ["-I", d]
    return out


def uses_real(real: bool = True) -> Optional[str]:
    """The directory holding the real Python.h that `include_args(real)` uses, else None."""
    dirs = real_include_dirs() if real else ()
    return next((d for d in dirs if _has_python_h(d)), None)
