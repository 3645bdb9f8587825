"""Build flags of C files: `-I`/`-D`/`-U`/`-std=` given by the user and per-file flags
from a `compile_commands.json` (CMake, Meson, Bear: `command` or `arguments`,
`directory`, `file`).

Only the flags that change how a file preprocesses are kept; they reach the preprocessor
as a plain tuple of gcc arguments (`CFlags.args()`), which is also part of the cache key
of everything verified with them (a `-D` can change a verdict).
"""
from __future__ import annotations

import json
import os
import shlex
from dataclasses import dataclass, field
from typing import Iterable, Optional

DB_NAME = "compile_commands.json"
_PATH_FLAGS = ("-I", "-isystem", "-iquote", "-idirafter", "-include")


@dataclass(frozen=True)
class CFlags:
    """Preprocessing flags of one file, in command-line order."""
    items: tuple[tuple[str, str], ...] = ()     # (flag, value): ("-I", "/abs"), ("-D", "X=1")

    def args(self) -> tuple[str, ...]:
        out: list[str] = []
        for flag, value in self.items:
            if flag == "-std":
                out.append(f"-std={value}")
            elif flag in ("-D", "-U", "-I"):
                out.append(flag + value)
            else:
                out += [flag, value]
        return tuple(out)

    def __add__(self, other: "CFlags") -> "CFlags":
        return CFlags(self.items + other.items)


def parse_args(args: Iterable[str], directory: str = "") -> CFlags:
    """The preprocessing flags of a compiler command line; paths made absolute against
    `directory` (the compile command's working directory)."""
    items: list[tuple[str, str]] = []
    it = iter(list(args))
    base = directory or os.getcwd()

    def absolute(p: str) -> str:
        return os.path.normpath(os.path.join(base, os.path.expanduser(p)))
    for a in it:
        matched = False
        for flag in ("-D", "-U") + _PATH_FLAGS:
            if a == flag:
                value = next(it, None)
                if value is None:
                    break
            elif a.startswith(flag) and flag in ("-D", "-U", "-I"):
                value = a[len(flag):]
            else:
                continue
            items.append((flag, absolute(value) if flag in _PATH_FLAGS else value))
            matched = True
            break
        if not matched and a.startswith("-std="):
            items.append(("-std", a[5:]))
    return CFlags(tuple(items))


def _entry_args(entry: dict) -> list[str]:
    if isinstance(entry.get("arguments"), list):
        return [str(a) for a in entry["arguments"]]
    if isinstance(entry.get("command"), str):
        try:
            return shlex.split(entry["command"])
        except ValueError:
            return entry["command"].split()
    return []


def load_database(path: str) -> dict[str, CFlags]:
    """{absolute file: flags} of a compile_commands.json ({} when unreadable)."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    out: dict[str, CFlags] = {}
    if not isinstance(data, list):
        return out
    db_dir = os.path.dirname(os.path.abspath(path))
    for entry in data:
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            continue
        directory = entry.get("directory") if isinstance(entry.get("directory"), str) \
            else db_dir
        directory = os.path.join(db_dir, directory)
        f = os.path.normpath(os.path.join(directory, entry["file"]))
        out.setdefault(f, parse_args(_entry_args(entry)[1:], directory))
    return out


_DB_CACHE: dict[str, tuple[float, dict[str, CFlags]]] = {}


def database(path: str) -> dict[str, CFlags]:
    """load_database, memoized by modification time."""
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return {}
    hit = _DB_CACHE.get(path)
    if hit is None or hit[0] != mtime:
        hit = (mtime, load_database(path))
        _DB_CACHE[path] = hit
    return hit[1]


def find_database(start: str) -> Optional[str]:
    """The nearest compile_commands.json in `start` or a parent (or their `build/`)."""
    d = os.path.abspath(start)
    while True:
        for cand in (os.path.join(d, DB_NAME), os.path.join(d, "build", DB_NAME)):
            if os.path.isfile(cand):
                return cand
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


@dataclass(frozen=True)
class BuildConfig:
    """The user's flags (CLI or settings) and where to look for a compilation database."""
    flags: CFlags = field(default_factory=CFlags)
    compile_commands: Optional[str] = None      # explicit path; None: search upward
    discover: bool = True

    def flags_for(self, path: str) -> CFlags:
        """Flags of one file: its compilation-database entry, then the user's flags (so
        a user `-D` or `-I` adds to, or overrides, the build's)."""
        db_path = self.compile_commands
        if db_path is None and self.discover and path:
            db_path = find_database(os.path.dirname(os.path.abspath(path)))
        entry = CFlags()
        if db_path:
            entry = database(os.path.abspath(db_path)).get(os.path.abspath(path), CFlags())
        return entry + self.flags


def build_config(include: Iterable[str] = (), defines: Iterable[str] = (),
                 undefs: Iterable[str] = (), std: Optional[str] = None,
                 compile_commands: Optional[str] = None, base_dir: str = "") -> BuildConfig:
    """A BuildConfig from the CLI's / settings' values (relative paths against base_dir)."""
    args: list[str] = []
    for d in include:
        args += ["-I", d]
    for d in defines:
        args += ["-D", d]
    for u in undefs:
        args += ["-U", u]
    if std:
        args.append(std if std.startswith("-std=") else f"-std={std}")
    db = os.path.join(base_dir or os.getcwd(), compile_commands) if compile_commands else None
    return BuildConfig(parse_args(args, base_dir), db)
