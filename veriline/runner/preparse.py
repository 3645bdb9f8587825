"""Files parsed in a forked helper process while this one warms the engine up and keeps
the workers busy (`veriline check` forks it first thing: start_early).

Parsing here first imported pycparser and libcst (~0.05 s and ~0.13 s) and walked every
file while the engine's warm-up waited and the workers idled (new tasks start only
between files).  The helper parses the files in order with the same parse function and
each file's C flags, and sends each Program back pickled (a few KB) with the digest of
the text it parsed (the texts this process read, or, for the early helper, read again).
It is only a shortcut: whatever it cannot do — a frontend failure, a file it never
reached, a helper that died, a text that differs — this process parses itself, so errors, messages and
programs are the same either way.
"""
from __future__ import annotations

import hashlib
import importlib
import multiprocessing as mp
import os
import signal
import sys
from typing import Callable, Optional

from .source import parse_file, read_source

_EARLY: list = []          # (process, jobs pipe, answers pipe) forked by start_early


def digest(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def _parse_all(out, files: list, parse: Callable) -> None:
    """Parse each file in order and send (path, digest of the text parsed, Program or
    None); a text None is read here."""
    for path, language, flags, text in files:
        try:
            if text is None:
                text = read_source(path, language)
            program = parse_file(text, path, language,
                                 lambda text, p, lang: parse(text, p, lang, flags))
            done = (path, digest(text), program)
        except BaseException:          # noqa: BLE001 - the parent parses it again
            done = (path, None, None)
        out.send(done)
    out.close()


def _helper(out, files: list, parse: Callable) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # the parent decides about Ctrl-C
    try:
        _parse_all(out, files, parse)
    finally:
        os._exit(0)


def _early_helper(jobs, out) -> None:
    """Import the frontends while the parent gets ready, then parse what it is sent (the
    Python frontend's libcst only while no job has come that needs no Python)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        from veriline.analyses import api
        importlib.import_module("veriline.analyses.frontends.c_frontend")
        if not jobs.poll():
            importlib.import_module("veriline.analyses.frontends.python_frontend")
        try:
            files = jobs.recv()
        except (EOFError, OSError):        # the parent is gone or needs no parsing
            return
        _parse_all(out, files, api.parse)
    finally:
        os._exit(0)


def start_early() -> None:
    """Fork the helper at the start of `veriline check`: it imports the frontends
    (pycparser ~0.03 s, libcst ~0.13 s) on the idle core while this process reads its
    arguments, settings and files, and gets its files from the run's Preparser (it then
    reads them itself: the digests tell the parent whether it parsed the same text)."""
    if _EARLY or not sys.platform.startswith("linux"):
        return
    ctx = mp.get_context("fork")
    jobs_r, jobs_w = ctx.Pipe(duplex=False)
    out_r, out_w = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_early_helper, args=(jobs_r, out_w), daemon=True,
                       name="veriline-preparse")
    proc.start()
    jobs_r.close()
    out_w.close()
    _EARLY.append((proc, jobs_w, out_r))


def discard_early() -> None:
    """Stop a helper start_early forked that no run took (its parent's state may change
    before the next check: it would parse with stale code)."""
    while _EARLY:
        proc, jobs, out = _EARLY.pop()
        jobs.close()
        out.close()
        proc.kill()
        proc.join(0.5)


class Preparser:
    """take(path, text) -> the helper's Program of that file, or None (parse it yourself).
    Files are taken in the order given; `wait(conn)` is called while the answer is not
    there yet (it should return once conn is readable, doing other work meanwhile)."""

    def __init__(self, files: list[tuple[str, str, str, tuple]], parse: Callable) -> None:
        """files: (path, language, text, C flags); parse(text, path, language, flags).
        The helper start_early forked gets them if there is one, else one is forked."""
        self._got: dict = {}
        self.conn = self._proc = None
        jobs = [(path, language, tuple(flags), text) for path, language, text, flags in files]
        if _EARLY:
            self._proc, early_jobs, self.conn = _EARLY.pop()
            try:
                early_jobs.send([(p, lang, f, None) for p, lang, f, _ in jobs])
                early_jobs.close()
            except OSError:
                self.close()
            if not jobs:
                self.close()
            return
        if not jobs or not sys.platform.startswith("linux"):
            return
        ctx = mp.get_context("fork")
        self.conn, child = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_helper, args=(child, jobs, parse), daemon=True,
                                 name="veriline-preparse")
        self._proc.start()
        child.close()

    def take(self, path: str, text: str, wait: Optional[Callable] = None):
        while path not in self._got and self.conn is not None:
            if wait is not None and not self.conn.poll():
                wait(self.conn)
            try:
                got_path, got_digest, program = self.conn.recv()
            except (EOFError, OSError):    # the helper died: parse the rest here
                self.close()
                break
            self._got[got_path] = (got_digest, program)
        got_digest, program = self._got.pop(path, (None, None))
        return program if got_digest is not None and got_digest == digest(text) else None

    def close(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(0.5)
            self._proc = None
        if self.conn is not None:
            self.conn.close()
            self.conn = None
