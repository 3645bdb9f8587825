"""Reading and parsing one file without letting it stop the run.

Every way a file can fail (unreadable, binary, undecodable, too large, too deeply nested,
a frontend crash) becomes a FileError with a one-line reason; deep nesting is parsed on a
thread with a large stack and a raised recursion limit instead of failing.
"""
from __future__ import annotations

import io
import os
import re
import sys
import threading
import tokenize
import traceback

MAX_FILE_BYTES = 4 * 1024 * 1024          # larger files are reported, not analysed
DEEP_STACK_BYTES = 512 * 1024 * 1024      # virtual memory only; pages are touched on use
DEEP_RECURSION = 400_000


class FileError(Exception):
    """A file that could not be analysed; str(e) is the reason shown to the user."""


def read_source(path: str, language: str) -> str:
    """The file's text, or FileError with the reason."""
    try:
        size = os.path.getsize(path)
        if size > MAX_FILE_BYTES:
            raise FileError(f"file too large to analyse ({size / 1e6:.1f} MB; the limit is "
                            f"{MAX_FILE_BYTES / 1e6:.1f} MB)")
        with open(path, "rb") as fh:
            data = fh.read()
    except PermissionError:
        raise FileError("cannot read the file: permission denied") from None
    except IsADirectoryError:
        raise FileError("cannot read the file: it is a directory") from None
    except OSError as e:
        raise FileError(f"cannot read the file: {e.strerror or e}") from None
    if b"\0" in data:
        raise FileError("binary file (contains NUL bytes), not source code")
    encoding = "utf-8"
    if language == "python":
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError as e:
            raise FileError(f"cannot decode the file: {e}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as e:
        where = f" (byte 0x{data[e.start]:02x} at offset {e.start})" \
            if isinstance(e, UnicodeDecodeError) else ""
        raise FileError(f"cannot decode the file as {encoding}{where}") from None
    return text.lstrip("\ufeff") if encoding == "utf-8-sig" else text


def deep_call(fn, *args, **kwargs):
    """fn(*args) on a thread with a large stack, so deeply nested code recurses deep
    enough instead of raising RecursionError; exceptions are re-raised here."""
    box: dict = {}

    def target() -> None:
        try:
            box["value"] = fn(*args, **kwargs)
        except BaseException as e:      # handed to the caller's thread
            box["error"] = e
    if sys.getrecursionlimit() < DEEP_RECURSION:
        sys.setrecursionlimit(DEEP_RECURSION)
    old = threading.stack_size()
    try:
        threading.stack_size(DEEP_STACK_BYTES)
        t = threading.Thread(target=target, name="veriline-deep", daemon=True)
        t.start()
    finally:
        threading.stack_size(old)
    t.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


MAX_DEPTH = 1000     # operators in one statement (a `1+1+…+1` chain is that deep a tree)
_C_OPS = re.compile(r"\|\||&&|<<|>>|[-+*/%&|^<>?]|[!=<>]=")
_PY_OPS = {"+", "-", "*", "/", "//", "%", "**", "@", "<<", ">>", "&", "|", "^", "and", "or",
           "<", ">", "<=", ">=", "==", "!=", "not", "in", "is", "if", "else"}


def nesting_depth(text: str, language: str) -> int:
    """A cheap upper estimate of the deepest expression: operators (plus open brackets)
    in one statement.  The frontends' parsers slow down superlinearly on deep trees, so a
    file past MAX_DEPTH is reported instead of parsed for minutes."""
    best = 0
    if language == "c":
        for stmt in re.split(r"[;{}]", text):
            best = max(best, len(_C_OPS.findall(stmt)) + stmt.count("("))
        return best
    ops = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
                best, ops = max(best, ops), 0
            elif (tok.type == tokenize.OP and (tok.string in _PY_OPS or tok.string in "([{")) \
                    or (tok.type == tokenize.NAME and tok.string in _PY_OPS):
                ops += 1
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass                     # the parser reports the syntax error
    return max(best, ops)


def parse_file(text: str, path: str, language: str, parse=None):
    """The IR Program (syntax problems are Program.errors), or FileError when the frontend
    itself fails or the code is nested too deeply to parse in reasonable time.
    `parse`: the frontend entry (default api.parse; the server passes its backend's)."""
    if parse is None:
        from veriline.analyses.api import parse
    if len(text) > MAX_FILE_BYTES:
        raise FileError(f"file too large to analyse ({len(text) / 1e6:.1f} MB of text; the "
                        f"limit is {MAX_FILE_BYTES / 1e6:.1f} MB)")
    depth = nesting_depth(text, language)
    if depth > MAX_DEPTH:
        raise FileError(f"too deeply nested to analyse: a statement with {depth} operators "
                        f"(the limit is {MAX_DEPTH})")
    try:
        return deep_call(parse, text, path, language)
    except RecursionError:
        raise FileError("too deeply nested to parse") from None
    except MemoryError:
        raise FileError("out of memory while parsing") from None
    except Exception as e:
        raise FileError(f"the {language or 'python'} frontend failed: {type(e).__name__}: {e}") from e


def describe_crash(e: BaseException) -> str:
    """One line for an unexpected exception (the traceback only with --verbose)."""
    return f"{type(e).__name__}: {e}"


def format_traceback(e: BaseException) -> str:
    return "".join(traceback.format_exception(type(e), e, e.__traceback__))
