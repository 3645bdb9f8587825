"""Reading LSP messages from a byte stream without trusting the sender.

pygls' reader (pygls.io_.run_async) reads a header's Content-Length bytes in one call, so
`Content-Length: 1000000000` leaves the server waiting (and allocating) forever, and it
logs a traceback for every body that is not JSON.  This reader:

* caps a message at max_bytes: a larger Content-Length is logged (one line), answered
  with an "Invalid Request" error when the start of its body names a request id, and
  treated as garbage, i.e. the reader resynchronises on the next `Content-Length: N` that ends a
  line (a JSON body cannot contain one: raw line breaks never occur inside its strings),
  so a body that never comes cannot swallow the connection, and one that does come is
  skipped piece by piece with bounded memory;
* bounds header lines (MAX_LINE) and ignores any header line it does not understand;
* logs a body that is not JSON, or not a JSON-RPC message, in one line and goes on.

Exceptions raised by handlers are pygls' business (they become error responses);
SystemExit (the `exit` notification) passes through.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import threading
from typing import Awaitable, Callable

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 64 * 1024 * 1024
MAX_LINE = 8192
CHUNK = 65536
ENV_MAX_BYTES = "VERILINE_MAX_MESSAGE_BYTES"
# a header line, or the end of a line whose start is the tail of skipped garbage
_CONTENT_LENGTH = re.compile(rb"content-length:[ \t]*(\d+)[ \t]*\r?\n\Z", re.I)
CARRY = 64                                      # bytes of a long line kept for matching


def max_bytes_from_env(default: int = DEFAULT_MAX_BYTES) -> int:
    raw = os.environ.get(ENV_MAX_BYTES, "")
    try:
        value = int(raw)
    except ValueError:
        if raw:
            log.warning("veriline: ignoring %s=%r (not an integer)", ENV_MAX_BYTES, raw)
        return default
    return value if value > 0 else default


class ByteStream:
    """Lines and exact reads over an async chunk source (b"" at end of stream)."""

    def __init__(self, read_chunk: Callable[[], Awaitable[bytes]]) -> None:
        self._read_chunk = read_chunk
        self._buf = bytearray()
        self.eof = False

    async def _fill(self) -> bool:
        if self.eof:
            return False
        chunk = await self._read_chunk()
        if not chunk:
            self.eof = True
            return False
        self._buf += chunk
        return True

    async def readline(self, limit: int = MAX_LINE) -> bytes:
        """The next line with its newline, or at most limit bytes of a longer one
        (the rest comes with the next calls); b"" at end of stream."""
        start = 0
        while True:
            i = self._buf.find(b"\n", start, limit)
            if i >= 0:
                return self._take(i + 1)
            if len(self._buf) >= limit:
                return self._take(limit)
            start = len(self._buf)
            if not await self._fill():
                return self._take(len(self._buf))

    async def read(self, n: int) -> bytes:
        """Exactly n bytes, or fewer at end of stream."""
        while len(self._buf) < n and await self._fill():
            pass
        return self._take(min(n, len(self._buf)))

    def unread(self, data: bytes) -> None:
        """Put data back in front of what is still to be read."""
        self._buf[:0] = data

    def _take(self, n: int) -> bytes:
        out = bytes(self._buf[:n])
        del self._buf[:n]
        return out


async def serve(stream: ByteStream, protocol, stop_event, max_bytes: int) -> None:
    """Read messages until end of stream (or stop) and hand each to the protocol."""
    length = None
    oversize = None                             # a refused header waiting for its body
    carry = b""                                 # tail of a line longer than MAX_LINE
    while not stop_event.is_set():
        piece = await stream.readline()
        if not piece:
            return
        if not piece.endswith(b"\n"):
            carry = (carry + piece)[-CARRY:]
            continue
        line, carry = carry + piece, b""
        if line.strip() == b"":
            if oversize is not None:
                head = await stream.readline(PEEK)   # the start of the refused body
                refuse(protocol, head, oversize, max_bytes)
                stream.unread(head)             # resynchronise through it as garbage
                oversize = None
                continue
            if length is None:
                continue                        # stray blank line (or skipped garbage)
            body = await stream.read(length)
            length = None
            if stream.eof and not body:
                return
            if not dispatch(protocol, body):
                stream.unread(_embedded_messages(body))   # swallowed by a lying length
            continue
        m = _CONTENT_LENGTH.search(line)
        if m is None:
            continue                            # Content-Type, garbage
        n = int(m.group(1))
        if n > max_bytes:
            log.warning("veriline: ignoring a message of %d bytes (limit %d bytes, "
                        "--max-message-bytes / %s)", n, max_bytes, ENV_MAX_BYTES)
            length, oversize = None, n
        else:
            length, oversize = n, None


PEEK = 4096
# `"id": 7` or `"id": "x"` before anything nested: a request's own id, not one in params
_TOP_ID = re.compile(rb'\A\s*\{[^{}\[\]]*?"id"\s*:\s*(-?\d{1,18}|"(?:[^"\\]|\\.){0,200}")')
INVALID_REQUEST = -32600


def refuse(protocol, head: bytes, size: int, max_bytes: int) -> None:
    """Answer a request whose body is over the cap with an error, so the client does not
    wait forever; a notification (no id in the body's start) only gets the log line."""
    m = _TOP_ID.search(head)
    if m is None:
        return
    try:
        msg_id = json.loads(m.group(1))
        from lsprotocol.types import ResponseError
        protocol._send_response(msg_id, error=ResponseError(
            code=INVALID_REQUEST, message=f"veriline: message of {size} bytes refused "
            f"(limit {max_bytes} bytes, --max-message-bytes / {ENV_MAX_BYTES})"))
    except Exception as exc:                    # a closed writer, an odd id
        log.warning("veriline: could not refuse an oversized request: %s", _short(exc))


_HEADER_START = re.compile(rb"content-length:[ \t]*\d+[ \t]*\r?\n", re.I)


def _embedded_messages(body: bytes) -> bytes:
    """From the first header inside a body that is not JSON: the messages a too-large
    Content-Length swallowed (a JSON text never holds a raw header line)."""
    m = _HEADER_START.search(body)
    return body[m.start():] if m else b""


def dispatch(protocol, body: bytes) -> bool:
    """Decode one body and hand it over; a bad one costs one log line.  False when the
    body is not JSON at all."""
    try:
        message = json.loads(body, object_hook=protocol.structure_message)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError, UnicodeDecodeError
        log.warning("veriline: ignoring a message that is not JSON (%d bytes): %s",
                    len(body), _short(exc))
        return False
    except Exception as exc:                    # params that do not fit the method
        log.warning("veriline: ignoring a malformed message: %s", _short(exc))
        return True
    if not hasattr(message, "jsonrpc"):
        log.warning("veriline: ignoring a message that is not JSON-RPC: %.200r", message)
        return True
    try:
        protocol.handle_message(message)
    except Exception as exc:
        log.warning("veriline: handling %s failed: %s",
                    getattr(message, "method", "a message"), _short(exc))
    return True


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 300 else text[:300] + "…"


def stdin_source(stdin, loop: asyncio.AbstractEventLoop, backlog: int = 64):
    """An async chunk source over a blocking binary stream, read by a daemon thread (so
    a blocked read never keeps the process from exiting); at most backlog chunks wait."""
    queue: asyncio.Queue = asyncio.Queue()
    room = threading.Semaphore(backlog)
    try:                                        # the fd: a thread blocked in a buffered
        fd = stdin.fileno()                     # read would hold its lock at exit
        read = lambda n: os.read(fd, n)         # noqa: E731
    except (AttributeError, OSError, ValueError):
        read = getattr(stdin, "read1", None) or stdin.readline

    def pump() -> None:
        while True:
            room.acquire()
            try:
                chunk = read(CHUNK)
            except (OSError, ValueError):
                chunk = b""
            try:
                loop.call_soon_threadsafe(queue.put_nowait, chunk)
            except RuntimeError:                # loop closed: the server is gone
                return
            if not chunk:
                return

    threading.Thread(target=pump, name="veriline-stdin", daemon=True).start()

    async def next_chunk() -> bytes:
        chunk = await queue.get()
        room.release()
        return chunk
    return next_chunk


def run_stdio(server, stdin, stdout, max_bytes: int) -> None:
    """pygls' start_io with this module's reader (same shutdown behaviour)."""
    from pygls.io_ import StdoutWriter
    server._stop_event = threading.Event()
    server.protocol.set_writer(StdoutWriter(stdout))

    async def main() -> None:
        source = stdin_source(stdin, asyncio.get_running_loop())
        await serve(ByteStream(source), server.protocol, server._stop_event, max_bytes)
    try:
        asyncio.run(main())
    except BrokenPipeError:
        log.error("veriline: the connection to the client is lost; shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()


def run_tcp(server, host: str, port: int, max_bytes: int) -> None:
    """pygls' start_tcp with this module's reader."""
    server._stop_event = stop = threading.Event()

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server.protocol.set_writer(writer)
        await serve(ByteStream(lambda: reader.read(CHUNK)), server.protocol, stop, max_bytes)
        server.shutdown()

    async def main() -> None:
        server._server = await asyncio.start_server(connection, host, port)
        async with server._server:
            await server._server.serve_forever()
    try:
        asyncio.run(main())
    except (asyncio.CancelledError, KeyboardInterrupt, SystemExit):
        pass
