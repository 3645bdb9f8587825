"""Compiling a C replay: gcc with UBSan (and ASan for bounds), the user's build flags
(`-I`/`-D`/`-U`/`-std=`, compile_commands.json: what the frontend was given), and for a
CPython extension Python's headers and libpython.

When the link misses symbols (libpython not installed as a shared library, a function
from another translation unit) the binary is linked again with
`-Wl,--unresolved-symbols=ignore-all` (non-PIE, so the loader does not refuse it): a run
that calls such a function jumps to address 0 and crashes, which the judge treats as
"could not tell", never as a confirmation.  Binaries are cached by the hash of the unit
and the command line.
"""
from __future__ import annotations

import hashlib
import os
import re
import shlex
import subprocess
import sysconfig
import tempfile
from dataclasses import dataclass

__all__ = ["GCC_FLAGS", "ASAN_FLAGS", "Build", "compile_unit", "includes_python",
           "python_build_args"]

GCC_FLAGS = ["-std=gnu11", "-O0", "-g", "-fsanitize=undefined",
             "-fno-sanitize-recover=all", "-w"]
ASAN_FLAGS = ["-fsanitize=address", "-fno-omit-frame-pointer"]   # bounds findings only
IGNORE_UNRESOLVED = ["-no-pie", "-Wl,--unresolved-symbols=ignore-all"]
_PYTHON_H = re.compile(r'^\s*#\s*include\s*[<"]Python\.h[>"]', re.M)
_UNDEFINED = re.compile(r"undefined reference to")
_COMPILE_ERROR = re.compile(r":\d+(?::\d+)?: (?:fatal )?error:")


@dataclass
class Build:
    exe: str | None           # the binary, None when it could not be built
    error: str = ""           # the gcc command and its first error line
    degraded: str = ""        # why a crash of this binary is not a real run ('' if none)


def includes_python(source: str) -> bool:
    return _PYTHON_H.search(source) is not None


def _python_include_dirs() -> list[str]:
    paths = sysconfig.get_paths()
    dirs = [paths.get("include"), paths.get("platinclude"),
            sysconfig.get_config_var("INCLUDEPY")]
    return list(dict.fromkeys(d for d in dirs if d and os.path.isdir(d)))


def _libpython() -> list[str]:
    """Link arguments for the running interpreter's shared libpython, [] when absent."""
    libdir = sysconfig.get_config_var("LIBDIR") or ""
    name = sysconfig.get_config_var("LDLIBRARY") or ""
    lib = os.path.join(libdir, name)
    if not name.endswith(".so") and ".so." not in name or not os.path.isfile(lib):
        return []
    extra = []
    for var in ("LIBS", "SYSLIBS"):
        extra += [a for a in shlex.split(sysconfig.get_config_var(var) or "")
                  if a.startswith("-l")]
    return [lib, f"-Wl,-rpath,{libdir}", *dict.fromkeys(extra)]


def python_build_args(source: str) -> tuple[list[str], list[str], str]:
    """(compile args, link args, degraded) for a unit that includes Python.h: the
    interpreter's include directory, and libpython or the unresolved-symbols fallback.
    The interpreter is never initialised: an API call that needs it crashes."""
    if not includes_python(source):
        return [], [], ""
    inc = [a for d in _python_include_dirs() for a in ("-I", d)]
    link = _libpython()
    if link:
        return inc, link, "linked with libpython, but the interpreter is not initialised"
    return inc, list(IGNORE_UNRESOLVED), "libpython is absent: Python API symbols are " \
                                         "unresolved"


def _cache_dir() -> str:
    d = os.path.join(tempfile.gettempdir(), f"veriline-replay-{os.getuid()}")
    os.makedirs(d, exist_ok=True)
    return d


def _first_error(stderr: str) -> str:
    errs = [ln for ln in stderr.splitlines() if "error" in ln or "undefined reference" in ln]
    return (errs or stderr.splitlines() or ["gcc failed"])[0].strip()


def _gcc(argv: list[str]) -> tuple[int, str]:
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return -1, f"cannot run gcc: {exc}"
    return proc.returncode, proc.stderr


def compile_unit(unit: str, basename: str, include_dir: str, flags: tuple = (),
                 cflags: tuple = (), link: tuple = (), degraded: str = "") -> Build:
    """Compile (or reuse) the binary for this unit.  flags: sanitizer additions;
    cflags: the user's build flags (after ours, so their -std= wins); link: libraries."""
    compile_args = [*GCC_FLAGS, *flags, *cflags, "-I", include_dir]
    key = hashlib.sha256("\0".join([unit, *compile_args, "|", *link]).encode()).hexdigest()[:32]
    cache = _cache_dir()
    for suffix, why in ((".bin", degraded), (".unresolved.bin", "unresolved symbols")):
        exe = os.path.join(cache, key + suffix)
        if os.path.exists(exe):
            return Build(exe, "", why if suffix == ".bin" else _join(degraded, why))
    with tempfile.TemporaryDirectory(prefix="veriline-c-", dir=cache) as tmp:
        src = os.path.join(tmp, "replay_" + basename)
        with open(src, "w", encoding="utf-8") as fh:
            fh.write(unit)
        out = os.path.join(tmp, "a.out")
        argv = ["gcc", *compile_args, src, "-o", out, *link]
        code, err = _gcc(argv)
        suffix = ".bin"
        if code > 0 and _UNDEFINED.search(err) and not _COMPILE_ERROR.search(err):
            argv = [*argv, *IGNORE_UNRESOLVED]        # only the link failed: missing symbols
            code, err = _gcc(argv)
            suffix, degraded = ".unresolved.bin", _join(degraded, "unresolved symbols")
        if code != 0:
            return Build(None, f"{shlex.join(argv)}: {_first_error(err)}")
        exe = os.path.join(cache, key + suffix)
        os.replace(out, exe)
    _prune(cache)
    return Build(exe, "", degraded)


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a and b else a or b


def _prune(cache: str, keep: int = 200) -> None:
    """Keep the cache of compiled replays small: drop the oldest binaries."""
    try:
        bins = sorted((e for e in os.scandir(cache) if e.name.endswith(".bin")),
                      key=lambda e: e.stat().st_mtime)
        for e in bins[:-keep]:
            os.unlink(e.path)
    except OSError:
        pass
