"""The repository itself: no merge left half done."""
from __future__ import annotations

import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MARKER = re.compile(r"^(<{7} |>{7} |={7}$)", re.M)
SKIP = {".git", "node_modules", "out", "dist", ".vscode-test", "__pycache__", "build"}


def test_no_merge_conflict_markers():
    found = []
    for dirpath, dirnames, filenames in os.walk(ROOT):
        dirnames[:] = [d for d in dirnames if d not in SKIP and not d.endswith(".egg-info")]
        for name in filenames:
            if not name.endswith((".py", ".md", ".ts", ".json", ".toml", ".yaml", ".yml",
                                  ".c", ".h", ".sh", ".cfg", ".txt")):
                continue
            path = os.path.join(dirpath, name)
            try:
                text = open(path, encoding="utf-8").read()
            except (UnicodeDecodeError, OSError):
                continue
            if MARKER.search(text):
                found.append(os.path.relpath(path, ROOT))
    assert found == []


def _import_graph() -> dict[str, set[str]]:
    """module -> modules of the project it imports (a `from . import x` counts as
    importing the package too, as it runs the package's __init__)."""
    import ast
    roots = {"veriline": "veriline", "veriline.analyses": "analyses",
             "veriline.server": "server"}
    mods = {}
    for pkg, d in roots.items():
        for dirpath, _, files in os.walk(os.path.join(ROOT, d)):
            for f in files:
                if f.endswith(".py"):
                    p = os.path.join(dirpath, f)
                    rel = os.path.relpath(p, os.path.join(ROOT, d))[:-3].replace(os.sep, ".")
                    mods[pkg if rel == "__init__" else pkg + "." + rel.replace(".__init__", "")] = p
    graph: dict[str, set[str]] = {m: set() for m in mods}
    for m, p in mods.items():
        base = m if p.endswith("__init__.py") else m.rsplit(".", 1)[0]
        for n in ast.walk(ast.parse(open(p, encoding="utf-8").read())):
            if isinstance(n, ast.ImportFrom):
                b = base
                for _ in range(max(0, n.level - 1)):
                    b = b.rsplit(".", 1)[0]
                tgt = (b + ("." + n.module if n.module else "")) if n.level else (n.module or "")
                cands = [tgt] + [f"{tgt}.{a.name}" for a in n.names]
            elif isinstance(n, ast.Import):
                cands = [a.name for a in n.names]
            else:
                continue
            graph[m] |= {c for c in cands if c in mods and c != m}
    return graph


def test_no_import_cycles():
    """A lower layer never imports a higher one: the module graph has no cycle."""
    graph = _import_graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                cycles.append(path[path.index(n):] + [n] if n in path else [m, n])
            elif n not in state:
                visit(n, path + [n])
        state[m] = 2
    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []
