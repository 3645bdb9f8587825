"""Files parsed in a forked helper process while this one warms the engine up and keeps
the workers busy.

Parsing here first imported pycparser and libcst (~0.05 s and ~0.13 s) and walked every
file while the engine's warm-up waited and the workers idled (new tasks start only
between files).  The helper gets the texts this process already read (it is forked after
reading them), parses them in order with the same parse function and each file's C
flags, and sends each Program back pickled (a few KB).
It is only a shortcut: whatever it cannot do — a frontend failure, a file it never
reached, a helper that died — this process parses itself, so errors, messages and
programs are the same either way.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import signal
import sys
from typing import Callable, Optional

from .source import parse_file


def _helper(conn, files: list, parse: Callable) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # the parent decides about Ctrl-C
    try:
        for path, language, text, flags in files:
            try:
                program = parse_file(text, path, language,
                                     lambda text, p, lang: parse(text, p, lang, flags))
            except BaseException:          # noqa: BLE001 - the parent parses it again
                program = None
            conn.send((path, program))
        conn.close()
    finally:
        os._exit(0)


class Preparser:
    """take(path, text) -> the helper's Program of that file, or None (parse it yourself).
    Files are taken in the order given; `wait(conn)` is called while the answer is not
    there yet (it should return once conn is readable, doing other work meanwhile)."""

    def __init__(self, files: list[tuple[str, str, str, tuple]], parse: Callable) -> None:
        """files: (path, language, text, C flags); parse(text, path, language, flags)."""
        self._texts = {path: text for path, _, text, _ in files}
        self._got: dict = {}
        self.conn = self._proc = None
        if not files or not sys.platform.startswith("linux"):
            return
        ctx = mp.get_context("fork")
        self.conn, child = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_helper, args=(child, files, parse), daemon=True,
                                 name="veriline-preparse")
        self._proc.start()
        child.close()

    def take(self, path: str, text: str, wait: Optional[Callable] = None):
        if self.conn is None or self._texts.get(path) != text:
            return None
        while path not in self._got and self.conn is not None:
            if wait is not None and not self.conn.poll():
                wait(self.conn)
            try:
                got_path, program = self.conn.recv()
            except (EOFError, OSError):    # the helper died: parse the rest here
                self.close()
                break
            self._got[got_path] = program
        return self._got.pop(path, None)

    def close(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(0.5)
            self._proc = None
        if self.conn is not None:
            self.conn.close()
            self.conn = None
