"""A progress bar for long `veriline check` runs (rich, on stderr, terminals only).

The seam with the runner: it calls start(files, functions) once, function_done(file,
function, findings) after each function, file_error(file, reason) for a file it could not
verify, and close() at the end (function_started is optional: it names the function shown
as current).  NullProgress takes the same calls and prints nothing: it is what runs when
stderr is not a terminal or the report is machine-readable (JSON, SARIF, github, junit).
"""
from __future__ import annotations

import sys


class NullProgress:
    def start(self, files: int, functions: int) -> None:
        pass

    def function_started(self, file: str, function: str) -> None:
        pass

    def function_done(self, file: str, function: str, findings: list) -> None:
        pass

    def file_error(self, file: str, reason: str) -> None:
        pass

    def close(self) -> None:
        pass


class Progress(NullProgress):
    """Files seen, functions done, ✓/✗/? so far, the current function."""

    def __init__(self, console=None) -> None:
        from rich.console import Console
        self.console = console or Console(stderr=True)
        self.counts = {"proved": 0, "counterexample": 0, "unknown": 0}
        self.files: set[str] = set()
        self.errors = 0
        self.total_files = 0
        self.bar = None
        self.task = None

    def start(self, files: int, functions: int) -> None:
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress as Bar,
                                   TextColumn, TimeElapsedColumn)
        self.total_files = files
        self.bar = Bar(TextColumn("[bold]veriline[/]"), BarColumn(), MofNCompleteColumn(),
                       TextColumn("functions · {task.fields[stats]} · {task.fields[current]}"),
                       TimeElapsedColumn(), console=self.console, transient=True)
        self.task = self.bar.add_task("check", total=functions or None,
                                      stats=self._stats(), current="")
        self.bar.start()

    def _stats(self) -> str:
        c = self.counts
        err = f" {self.errors} file errors" if self.errors else ""
        return (f"files {len(self.files)}/{self.total_files} · {c['proved']} ✓ "
                f"{c['counterexample']} ✗ {c['unknown']} ?{err}")

    def function_started(self, file: str, function: str) -> None:
        if self.bar is not None:
            self.bar.update(self.task, current=f"{file}:{function}")

    def function_done(self, file: str, function: str, findings: list) -> None:
        self.files.add(file)
        for f in findings:
            status = getattr(f, "status", None)
            if status in self.counts:
                self.counts[status] += 1
        if self.bar is not None:
            self.bar.update(self.task, advance=1, stats=self._stats(),
                            current=f"{file}:{function}")

    def file_error(self, file: str, reason: str) -> None:
        self.files.add(file)
        self.errors += 1
        if self.bar is not None:
            self.bar.update(self.task, stats=self._stats(), current=f"{file}: {reason}")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


MACHINE_FORMATS = ("json", "sarif", "github", "junit")


def make_progress(fmt: str, enabled: bool | None = None, stream=None):
    """A Progress when the report is text and stderr is a terminal (or enabled=True),
    else a NullProgress."""
    if enabled is False or fmt in MACHINE_FORMATS:
        return NullProgress()
    stream = stream or sys.stderr
    if enabled is None and not (hasattr(stream, "isatty") and stream.isatty()):
        return NullProgress()
    try:
        from rich.console import Console
    except ImportError:
        return NullProgress()
    return Progress(Console(file=stream, force_terminal=True if enabled else None))
