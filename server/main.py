"""`veriline serve`: run the language server over stdio (default) or TCP."""
from __future__ import annotations

import argparse
import logging
import sys


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="veriline serve",
                                description="veriline language server (LSP)")
    p.add_argument("--stdio", action="store_true", help="talk LSP on stdin/stdout (default)")
    p.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP socket instead")
    p.add_argument("--log-file", metavar="PATH", help="write the server log here")
    p.add_argument("--log-level", default="INFO",
                   choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return p


def _host_port(spec: str) -> tuple[str, int]:
    host, sep, port = spec.rpartition(":")
    if not sep:
        host, port = "127.0.0.1", spec
    return host or "127.0.0.1", int(port)


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:       # --help / bad arguments: argparse already printed
        return int(exc.code or 0)
    # stdout is the LSP channel: logs go to the file or to stderr, never to stdout.
    handler = (logging.FileHandler(args.log_file, encoding="utf-8") if args.log_file
               else logging.StreamHandler(sys.stderr))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(getattr(logging, args.log_level))
    if args.log_level != "DEBUG":   # pygls logs every message body at INFO
        logging.getLogger("pygls").setLevel(logging.WARNING)

    from .app import server
    if args.tcp:
        try:
            host, port = _host_port(args.tcp)
        except ValueError:
            print(f"veriline serve: bad --tcp {args.tcp!r} (want HOST:PORT)", file=sys.stderr)
            return 2
        logging.getLogger(__name__).info("veriline serve: listening on %s:%d", host, port)
        server.start_tcp(host, port)
    else:
        logging.getLogger(__name__).info("veriline serve: stdio")
        server.start_io()
    return 0
