"""The `veriline` command: check (text/JSON/SARIF), serve (LSP), cache."""
from __future__ import annotations

import os
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
        from .runner import preparse
        if not any(a == "--dask" or a.startswith("--dask=") for a in rest):
            preparse.start_early()     # the frontends' imports on the idle core meanwhile
        from .check_cli import main as check_main
        try:
            return check_main(rest)
        finally:
            preparse.discard_early()   # one this check did not use (bad arguments, ...)
    if cmd == "serve":
        from veriline.server.main import main as serve_main
        return serve_main(rest)
    if cmd == "cache":
        from .cache_cli import main as cache_main
        return cache_main(rest)
    print(f"veriline: unknown command {cmd!r} (try --help)", file=sys.stderr)
    return 2


def entry() -> None:
    """The console script.  After a `check` (the process's work is done and its output
    flushed) the interpreter's shutdown is skipped: tearing down the engine's heap and
    z3's terms costs ~0.05-0.1 s, a tenth of a small run.  A Dask run exits normally
    (its cluster is shut down by the interpreter's exit hooks)."""
    argv = sys.argv[1:]
    code = main(argv)
    if argv[:1] == ["check"] and not any(a == "--dask" or a.startswith("--dask=")
                                         for a in argv):
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except (OSError, ValueError):      # a closed pipe: nothing more can be said
            pass
        os._exit(code if isinstance(code, int) else 1)
    sys.exit(code)
