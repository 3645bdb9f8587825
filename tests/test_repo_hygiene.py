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
