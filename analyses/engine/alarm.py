"""One thread per process that calls each callback at its time: a Budget's deadline (it
interrupts a z3 query still running then), a worker's first progress report.

A threading.Timer per deadline started a thread (~0.4 ms in a forked worker) for each of
the 3-4 budgets a function makes, nearly all of them stopped long before they fire.  The
thread starts with the first alarm; a forked child starts with no alarm and no thread.
"""
from __future__ import annotations

import heapq
import itertools
import os
import threading
import time
from typing import Callable


class _Alarms:
    def __init__(self) -> None:
        self._cv = threading.Condition()
        self._heap: list = []              # (time, key); stopped keys are skipped
        self._live: dict = {}              # key -> callback, until it fires or stops
        self._keys = itertools.count()
        self._thread = None

    def at(self, when: float, callback: Callable[[], None]) -> int:
        with self._cv:
            key = next(self._keys)
            self._live[key] = callback
            heapq.heappush(self._heap, (when, key))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="veriline-alarms",
                                                daemon=True)
                self._thread.start()
            elif self._heap[0][1] == key:      # earlier than what the thread waits for
                self._cv.notify()
            return key

    def stop(self, key: int) -> None:
        with self._cv:
            self._live.pop(key, None)
            if len(self._heap) > 64 and len(self._heap) > 2 * len(self._live):
                self._heap = [e for e in self._heap if e[1] in self._live]
                heapq.heapify(self._heap)

    def _run(self) -> None:
        while True:
            with self._cv:
                while True:
                    while self._heap and self._heap[0][1] not in self._live:
                        heapq.heappop(self._heap)
                    now = time.monotonic()
                    if self._heap and self._heap[0][0] <= now:
                        fire = self._live.pop(heapq.heappop(self._heap)[1])
                        break
                    self._cv.wait(self._heap[0][0] - now if self._heap else None)
            try:
                fire()
            except Exception:      # noqa: BLE001 - one callback never stops the others
                pass


_ALARMS = _Alarms()


def _fresh() -> None:
    global _ALARMS
    _ALARMS = _Alarms()


os.register_at_fork(after_in_child=_fresh)


def at(when: float, callback: Callable[[], None]) -> tuple:
    """Call callback() at time.monotonic() `when` (on the alarm thread); a handle for
    stop()."""
    alarms = _ALARMS
    return alarms, alarms.at(when, callback)


def stop(handle: tuple) -> None:
    """The alarm will not fire (if it has not yet).  One set before this process was
    forked is gone with its thread (and its lock may have been held then)."""
    alarms, key = handle
    if alarms is _ALARMS:
        alarms.stop(key)
