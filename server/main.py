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
    p.add_argument("--max-message-bytes", type=int, metavar="N",
                   help="larger LSP messages are ignored (default 64 MiB, or "
                        "$VERILINE_MAX_MESSAGE_BYTES)")
    return p


class _OneLine(logging.Filter):
    """Below DEBUG, pygls' reports of bad input are one line (no traceback to stderr)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name.startswith("pygls") and logging.getLogger().level > logging.DEBUG:
            msg = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                exc = record.exc_info[1]
                msg = f"{msg}: {type(exc).__name__}: {exc}"
            lines = [ln for ln in msg.splitlines() if ln.strip()]
            msg = lines[0] + (f" … {lines[-1].strip()}" if len(lines) > 1 else "") \
                if lines else msg
            record.msg, record.args, record.exc_info, record.exc_text = msg[:500], None, None, None
        return True


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
    handler.addFilter(_OneLine())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(getattr(logging, args.log_level))
    if args.log_level != "DEBUG":   # pygls logs every message body at INFO
        logging.getLogger("pygls").setLevel(logging.WARNING)

    from .app import server
    if args.max_message_bytes is not None:
        if args.max_message_bytes <= 0:
            print("veriline serve: --max-message-bytes must be positive", file=sys.stderr)
            return 2
        server.max_message_bytes = args.max_message_bytes
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
