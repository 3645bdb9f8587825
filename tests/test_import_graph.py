"""The import graph of veriline's own modules (imports inside functions included): no
cycles, and the library (analyses/) never imports the server, the runner or the CLI."""
import ast
import os

from veriline.analyses.callgraph import strongly_connected

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def import_graph(root: str = ROOT) -> dict:
    """module -> the veriline modules it imports (relative and absolute, at any depth)."""
    mods = {}
    for folder, package in (("analyses", "veriline.analyses"), ("server", "veriline.server"),
                            ("veriline", "veriline")):
        top = os.path.join(root, folder)
        for dirpath, _, files in os.walk(top):
            for f in files:
                if not f.endswith(".py") or "__pycache__" in dirpath:
                    continue
                rel = os.path.relpath(os.path.join(dirpath, f), top)[:-3].replace(os.sep, ".")
                rel = rel.removesuffix("__init__").rstrip(".")
                mods[f"{package}.{rel}" if rel else package] = os.path.join(dirpath, f)
    graph = {}
    for name, path in mods.items():
        with open(path, encoding="utf-8") as fh:
            tree = ast.parse(fh.read())
        package = name if path.endswith("__init__.py") else name.rsplit(".", 1)[0]
        deps = set()
        for n in ast.walk(tree):
            if isinstance(n, ast.ImportFrom):
                parts = package.split(".")
                base = ".".join(parts[:len(parts) - n.level + 1] + [n.module or ""]).strip(".") \
                    if n.level else (n.module or "")
                for a in n.names:
                    full = f"{base}.{a.name}"
                    deps.add(full if full in mods else base)
            elif isinstance(n, ast.Import):
                deps.update(a.name for a in n.names)
        graph[name] = {d for d in deps if d in mods and d != name}
    return graph


def cycles(graph: dict) -> list[list[str]]:
    """Strongly connected groups of more than one module."""
    return sorted(sorted(c) for c in strongly_connected(graph) if len(c) > 1)


def test_no_import_cycles():
    graph = import_graph()
    assert len(graph) > 150            # the walk found the modules
    assert cycles(graph) == []


def test_cycles_are_found():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_library_imports_no_higher_layer():
    graph = import_graph()
    higher = ("veriline.server", "veriline.runner", "veriline.cli", "veriline.check_cli")
    bad = {m: sorted(d for d in deps if d.startswith(higher))
           for m, deps in graph.items() if m.startswith("veriline.analyses")}
    assert {m: d for m, d in bad.items() if d} == {}
