"""z3 on one query (or any solver job) in a forked child process, so that it can be killed.

z3 does not always honour its own time limit or an interrupt: on nonlinear integer
queries its nlsat/polynomial code can run for tens of seconds past both (seen in
bench/solver.py: a 300 ms query still running after 30 s).  Only a process can be stopped
for sure.  A forked child inherits the query's z3 terms (nothing is printed or parsed, and
no interpreter starts: a few milliseconds instead of the ~100 ms of a worker.py process),
solves it, writes one JSON answer on a pipe — like worker.py's — and exits.

The child does not inherit the parent's threads (z3's timer among them), so its own
time limit may not fire: the parent kills it at the limit (portfolio.race) either way.
The child has the same interface as a worker's Popen for portfolio.race: poll(),
answer(), stop().  Where os.fork is missing, `available()` is False and z3 runs in a
worker.py process instead.  `ForkedCall` is the same child for any job returning a JSON
answer (solver/horn.py runs Spacer in one); `wait` polls one until its answer, a
deadline or a cancel.
"""
from __future__ import annotations

import json
import os
import select
import signal
import time
from typing import Callable, Optional

import z3

MEMORY_MB = 1024       # the same default cap as worker.py's (a script, not imported)


def available() -> bool:
    return hasattr(os, "fork")


class ForkedCall:
    """job() (a JSON-able dict; the child's own limit is about `timeout_ms`) in a forked
    child."""

    def __init__(self, job: Callable[[], dict], timeout_ms: int) -> None:
        self._buf = b""
        self._done = False
        self._status: Optional[int] = None
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:                        # the child: never returns
            os.close(r)
            _child(job, timeout_ms, w)
        os.close(w)
        self.pid, self._fd = pid, r

    def poll(self) -> Optional[int]:
        """None while the child runs (reading what it wrote so far), else its exit code."""
        if self._status is not None:
            return self._status
        while not self._done:
            ready, _, _ = select.select([self._fd], [], [], 0)
            if not ready:
                break
            chunk = os.read(self._fd, 1 << 16)
            if not chunk:
                self._done = True
            self._buf += chunk
        if not self._done:
            return None
        self._reap(0)
        return self._status

    def fileno(self) -> int:
        return self._fd

    def answer(self) -> dict:
        """The child's JSON answer (unknown when it printed nothing usable)."""
        try:
            return json.loads(self._buf.decode("utf-8").strip().splitlines()[-1])
        except (ValueError, IndexError, UnicodeDecodeError):
            return {"status": "unknown", "reason": "no answer"}
        finally:
            self._close()

    def stop(self) -> None:
        """Kill the child (this object's own pid) if it still runs, and reap it."""
        if self._status is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self._reap(None)
        self._close()

    def _reap(self, flags: Optional[int]) -> None:
        try:
            pid, status = os.waitpid(self.pid, 0 if flags is None else flags)
        except ChildProcessError:
            self._status = self._status if self._status is not None else -1
            return
        if pid:
            self._status = os.waitstatus_to_exitcode(status)

    def _close(self) -> None:
        if self._fd >= 0:
            try:
                os.close(self._fd)
            except OSError:
                pass
            self._fd = -1


class ForkedZ3(ForkedCall):
    """z3 deciding `assertions` with `timeout_ms` in a forked child."""

    def __init__(self, assertions: list, timeout_ms: int) -> None:
        super().__init__(lambda: _solve(assertions, timeout_ms), timeout_ms)


POLL_S = 0.01


def wait(call: ForkedCall, deadline: float, cancel=None) -> Optional[dict]:
    """call's answer; None once time.monotonic() passes the deadline (the child is then
    killed); raises solver.Cancelled once `cancel` is cancelled (killed too).  The child
    is reaped in every case."""
    try:
        while call.poll() is None:
            if cancel is not None and cancel.cancelled:
                from .query import Cancelled
                raise Cancelled()
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if call.fileno() >= 0:
                select.select([call.fileno()], [], [], min(left, POLL_S))
            else:
                time.sleep(min(left, POLL_S))
        return call.answer()
    finally:
        call.stop()


def _child(job: Callable[[], dict], timeout_ms: int, fd: int) -> None:
    code = 0
    try:
        _detach(fd, timeout_ms)
        import faulthandler
        faulthandler.disable()      # a crash here is an unknown answer, not a dump of
        _cap_memory()               # the parent's stacks
        out = json.dumps(job()).encode("utf-8") + b"\n"
    except MemoryError:
        out = b'{"status": "unknown", "reason": "z3: out of memory"}\n'
    except BaseException as exc:   # noqa: BLE001 - the answer says what went wrong
        out = json.dumps({"status": "unknown",
                          "reason": f"z3: {type(exc).__name__}: {exc}"[:300]}).encode()
        code = 1
    try:
        while out:
            n = os.write(fd, out)
            out = out[n:]
    finally:
        os._exit(code)


def _detach(fd: int, timeout_ms: int) -> None:
    """Never outlive the query or the parent, never hold the parent's files: close every
    inherited descriptor but the answer's (a killed `veriline check` worker must not leave
    a child keeping its caller's pipes open), die with the parent (Linux), and end at the
    limit plus a second whatever z3 does (SIGALRM's default action)."""
    os.closerange(0, fd)
    os.closerange(fd + 1, 1 << 16)
    try:
        import ctypes
        libc = ctypes.CDLL(None)
        libc.prctl(1, signal.SIGKILL)          # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() == 1:                      # the parent is already gone
        os._exit(1)
    try:    # (the forking thread is the child's main thread: signal calls are allowed)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
        signal.alarm(max(1, -(-int(timeout_ms) // 1000) + 1))
    except (ValueError, OSError):
        pass                                   # the parent still kills it at the limit


def _cap_memory() -> None:
    """Like worker.cap_memory, but on top of what the parent already had mapped (the
    child starts with its address space)."""
    try:
        import resource
        mb = int(os.environ.get("VERILINE_SOLVER_MEMORY_MB", MEMORY_MB))
        if mb <= 0:
            return
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[0])
        have = pages * os.sysconf("SC_PAGE_SIZE")
        limit = have + (mb << 20)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ImportError, ValueError, OSError):
        pass


def _solve(assertions: list, timeout_ms: int) -> dict:
    s = z3.Solver()
    s.set("timeout", int(timeout_ms))
    s.add(*assertions)
    r = s.check()
    if r == z3.unsat:
        return {"status": "unsat"}
    if r != z3.sat:
        return {"status": "unknown", "reason": s.reason_unknown()}
    m = s.model()
    out, terms, sorts = {}, {}, {}
    for d in m.decls():
        if d.arity() != 0:
            continue
        v = m[d]
        if z3.is_true(v) or z3.is_false(v):
            out[d.name()] = z3.is_true(v)
            sorts[d.name()] = "bool"
        elif z3.is_bv_value(v) or z3.is_int_value(v):
            out[d.name()] = v.as_long()
            sorts[d.name()] = v.size() if z3.is_bv_value(v) else "int"
        elif z3.is_expr(v):         # an array's value (Store/K terms) as SMT-LIB text
            terms[d.name()] = v.sexpr()
    # each constant's sort: the parent rebuilds the constants by name (z3 shares equal
    # terms) instead of walking the query for them
    return {"status": "sat", "model": out, "terms": terms, "sorts": sorts}
