"""A worker process started with a bare os.fork() (Linux).

multiprocessing's Process start (its bookkeeping in the parent) and bootstrap in the
child (stdin reopened, after-fork hooks) cost ~1 ms of CPU and ~160 copy-on-write page
faults more per worker than the fork itself, and `veriline check` starts one worker per
function.  Only what the pool uses: start, kill, join(timeout), is_alive.
"""
from __future__ import annotations

import os
import select
import signal
import time
from typing import Callable, Optional


class ForkedProcess:
    def __init__(self, target: Callable, args: tuple = ()) -> None:
        self._target, self._args = target, args
        self.pid: Optional[int] = None
        self.exitcode: Optional[int] = None

    def start(self) -> None:
        pid = os.fork()
        if pid == 0:                     # the child: never returns into the caller
            try:
                self._target(*self._args)
            finally:
                os._exit(0)
        self.pid = pid

    def _reap(self, flags: int) -> bool:
        """Has it exited?  (Collects its exit status, once.)"""
        if self.exitcode is None and self.pid is not None:
            try:
                pid, status = os.waitpid(self.pid, flags)
            except ChildProcessError:    # collected elsewhere
                pid, status = self.pid, 0
            if pid:
                self.exitcode = os.waitstatus_to_exitcode(status)
        return self.exitcode is not None

    def is_alive(self) -> bool:
        return self.pid is not None and not self._reap(os.WNOHANG)

    def join(self, timeout: Optional[float] = None) -> None:
        if self.pid is None or self._reap(0 if timeout is None else os.WNOHANG):
            return
        if timeout and hasattr(os, "pidfd_open"):    # readable when it exits: no polling
            try:
                fd = os.pidfd_open(self.pid)
            except OSError:
                fd = None
            if fd is not None:
                try:
                    select.select([fd], [], [], timeout)
                finally:
                    os.close(fd)
                self._reap(os.WNOHANG)
                return
        deadline, pause = time.monotonic() + (timeout or 0.0), 0.0005
        while not self._reap(os.WNOHANG) and time.monotonic() < deadline:
            time.sleep(pause)
            pause = min(pause * 2, 0.01)

    def kill(self) -> None:
        if self.is_alive():
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
