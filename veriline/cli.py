"""The `veriline` command: check (text/JSON/SARIF), serve (LSP), cache."""
from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from . import __version__
    if not argv or argv[0] in ("-h", "--help"):
        print("usage: veriline {check,serve,cache} ... | --version\n"
              "  check PATH...   verify .py and .c files (text, json, sarif)\n"
              "  serve           run the language server (stdio, or --tcp HOST:PORT)\n"
              "  cache           stats | clear | path of the lemma cache")
        return 0 if argv else 2
    if argv[0] == "--version":
        print(f"veriline {__version__}")
        return 0
    cmd, rest = argv[0], argv[1:]
    if cmd == "check":
        from .check_cli import main as check_main
        return check_main(rest)
    if cmd == "serve":
        from veriline.server.main import main as serve_main
        return serve_main(rest)
    if cmd == "cache":
        from .cache_cli import main as cache_main
        return cache_main(rest)
    print(f"veriline: unknown command {cmd!r} (try --help)", file=sys.stderr)
    return 2
