"""`--diff REF`: which functions changed since a git ref, and what depends on them.

`git diff -U0 REF` (the working tree against REF) gives the changed lines of each file;
a function changed when a hunk touches its lines (its contract's lines included).  A hunk
outside every function that is not blank or a plain comment (a global, a macro, an import,
a class attribute) changes the whole file; a changed header (.h) changes every C file, a
changed pyproject.toml (the settings) everything.  Untracked files count as new.  Then
every function that calls a changed one, directly or not, is added: its verdicts depend
on the callee (inlined source, contract, globals it assigns; see callgraph.dependencies).
"""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field

from .errors import SetupError

HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


@dataclass
class Hunk:
    start: int                  # first new-side line (after which lines were deleted, if count 0)
    count: int                  # new-side lines
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


@dataclass
class FileChange:
    whole: bool = False         # new file, or treat every function as changed
    hunks: list[Hunk] = field(default_factory=list)


def _git(args: list[str], cwd: str) -> str:
    out = subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=cwd,
                         capture_output=True, text=True, errors="surrogateescape")
    if out.returncode != 0:
        raise SetupError(f"git {' '.join(args)}: {out.stderr.strip() or 'failed'}")
    return out.stdout


def git_root(cwd: str) -> str:
    return _git(["rev-parse", "--show-toplevel"], cwd).strip()


def _unquote(p: str) -> str:
    if p.startswith('"') and p.endswith('"'):
        p = p[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
    return p


def parse_diff(text: str, root: str) -> dict[str, FileChange]:
    """Absolute path -> its change, from `git diff -U0` output (deleted files omitted)."""
    out: dict[str, FileChange] = {}
    cur: FileChange | None = None
    hunk: Hunk | None = None
    new_file = False
    for line in text.splitlines():
        if line.startswith("diff --git "):
            cur, hunk, new_file = None, None, False
        elif line.startswith("new file mode"):
            new_file = True
        elif line.startswith("+++ ") and hunk is None:
            target = line[4:].rstrip("\t")
            if target == "/dev/null":
                cur = None
                continue
            target = _unquote(target)
            if target.startswith("b/"):
                target = target[2:]
            cur = out.setdefault(os.path.realpath(os.path.join(root, target)),
                                 FileChange(whole=new_file))
        elif line.startswith("@@") and cur is not None:
            m = HUNK.match(line)
            if m:
                hunk = Hunk(int(m.group(3)), 1 if m.group(4) is None else int(m.group(4)))
                cur.hunks.append(hunk)
        elif hunk is not None and line.startswith("+"):
            hunk.added.append(line[1:])
        elif hunk is not None and line.startswith("-"):
            hunk.removed.append(line[1:])
    return out


def changes_since(ref: str, cwd: str) -> dict[str, FileChange]:
    """Changed files of the repository around cwd, working tree against ref."""
    root = git_root(cwd)
    _git(["rev-parse", "--verify", "--quiet", ref + "^{commit}"], root)
    diff = _git(["diff", "--no-color", "--no-ext-diff", "--no-renames", "-U0", ref, "--"],
                root)
    out = parse_diff(diff, root)
    for p in _git(["ls-files", "--others", "--exclude-standard", "-z"], root).split("\0"):
        if p:
            out[os.path.realpath(os.path.join(root, p))] = FileChange(whole=True)
    return out


def _plain(line: str, language: str) -> bool:
    """Blank, or a comment that carries no contract and no suppression."""
    s = line.strip()
    if not s:
        return True
    if "veriline" in s:
        return False
    if language == "python":
        return s.startswith("#")
    return s.startswith("//") and not s.startswith("//@")


def _ranges(program) -> dict[str, tuple[int, int]]:
    out = {}
    for name, fn in program.functions.items():
        lo = fn.span.line
        for c in fn.requires + fn.ensures:
            if c.span.line > 0:
                lo = min(lo, c.span.line)
        out[name] = (lo, max(fn.span.end_line, fn.span.line))
    return out


def changed_functions(program, change: FileChange) -> set[str]:
    """Functions whose lines a change touches; all of them when it touches code outside
    every function."""
    if change.whole:
        return set(program.functions)
    ranges = _ranges(program)
    lang = program.language
    out: set[str] = set()
    for h in change.hunks:
        if all(not x.strip() for x in h.added + h.removed):
            continue                                   # blank lines only: nothing changed
        inside_all = True
        if h.count == 0:                               # deleted between start and start+1
            hit = {n for n, (lo, hi) in ranges.items() if lo <= h.start < hi}
            inside_all = bool(hit)
        else:
            hit = set()
            for i, line in enumerate(range(h.start, h.start + h.count)):
                here = {n for n, (lo, hi) in ranges.items() if lo <= line <= hi}
                hit |= here
                if not here and i < len(h.added) and not _plain(h.added[i], lang):
                    return set(program.functions)
                inside_all = inside_all and bool(here)
        if not inside_all and not all(_plain(x, lang) for x in h.removed):
            return set(program.functions)
        out |= hit
    return out


def with_dependents(program, changed: set[str]) -> set[str]:
    """changed plus every function that reaches one of them through calls."""
    from veriline.analyses.callgraph import reachable
    out = set(changed)
    for name in program.functions:
        if name not in out and reachable(program, name) & changed:
            out.add(name)
    return out


def global_change(changes: dict[str, FileChange]) -> set[str]:
    """Languages whose every file counts as changed: 'c' for a changed header, both for a
    changed pyproject.toml (settings)."""
    langs = set()
    for p in changes:
        if p.endswith(".h"):
            langs.add("c")
        elif os.path.basename(p) == "pyproject.toml":
            langs |= {"c", "python"}
    return langs


def changed_files(files: list[str], ref: str, cwd: str) -> dict[str, FileChange]:
    """Path (as given) -> its change, for the files among `files` that changed."""
    from veriline.analyses.api import language_of
    changes = changes_since(ref, cwd)
    everywhere = global_change(changes)
    out = {}
    for path in files:
        if language_of(path) in everywhere:
            out[path] = FileChange(whole=True)
        elif os.path.realpath(path) in changes:
            out[path] = changes[os.path.realpath(path)]
    return out


def select(program, change: FileChange) -> set[str]:
    """The functions of a changed file to verify: the changed ones and their callers."""
    return with_dependents(program, changed_functions(program, change))
