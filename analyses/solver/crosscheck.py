"""Re-deciding recorded queries from their SMT-LIB text with another solver.

The cross-check reads the emitted text (never the in-memory z3 terms), in one killable
worker process per solver and batch.  A second solver is one other than the one that
answered, that reads the query's theory: Bitwuzla then cvc5 for bit-vectors, cvc5 for
integers and the rest; z3 only when the first answer came from another solver.
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from typing import Optional

from . import backends as B

SECOND = {"bv": ("bitwuzla", "cvc5", "z3"), "int": ("cvc5", "z3"),
          "mixed": ("cvc5", "z3"), "bool": ("cvc5", "z3")}


def second_solver(first: str, logic: str) -> Optional[str]:
    """The solver that re-decides a query `first` answered (None: no other installed)."""
    theory = "bv" if logic.endswith("BV") else "int" if logic.endswith("NIA") else "mixed"
    base = (first or "z3").split("/")[0]
    for name in SECOND[theory]:
        if name != base and B.installed(name):
            return name
    return None


def decide_batch(texts: list[str], backend: str, timeout_ms: int,
                 deadline_s: Optional[float] = None) -> list[dict]:
    """One answer dict per text ({"status": ..., "reason"/"proof": ...}), in order.
    backend: a worker backend (z3, cvc5, bitwuzla, cvc5-proof).  Texts the batch did not
    reach before the deadline (each query gets timeout_ms; the whole batch at most
    deadline_s) answer unknown."""
    if not texts:
        return []
    budget = len(texts) * (timeout_ms / 1000 + 0.5) + 2.0
    if deadline_s is not None:
        budget = min(budget, max(0.5, deadline_s))
    proc = subprocess.Popen([sys.executable, B.WORKER, "--batch", backend, str(int(timeout_ms))],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        out, _ = proc.communicate(json.dumps(texts), timeout=budget)
        late = ""
    except subprocess.TimeoutExpired:
        B.stop(proc)
        out, late = proc.stdout.read() if proc.stdout and not proc.stdout.closed else "", \
            f"{backend}: out of time"
    answers = []
    for line in (out or "").splitlines():
        try:
            answers.append(json.loads(line))
        except ValueError:
            answers.append({"status": "unknown", "reason": f"{backend}: unreadable answer"})
    while len(answers) < len(texts):
        answers.append({"status": "unknown", "reason": late or f"{backend}: no answer"})
    return answers[:len(texts)]


def recheck(items: list[tuple[str, str, str]], timeout_ms: int,
            deadline_s: Optional[float] = None) -> list[dict]:
    """items: (text, first solver, logic).  Each answer also names the solver ("by")."""
    t0 = time.monotonic()
    out: list[Optional[dict]] = [None] * len(items)
    groups: dict[str, list[int]] = {}
    for i, (_, first, logic) in enumerate(items):
        second = second_solver(first, logic)
        if second is None:
            out[i] = {"status": "unknown", "by": "",
                      "reason": "no second solver installed for this theory"}
        else:
            groups.setdefault(second, []).append(i)
    for name, idx in groups.items():
        left = None if deadline_s is None else deadline_s - (time.monotonic() - t0)
        got = decide_batch([items[i][0] for i in idx], name, timeout_ms, left)
        for i, ans in zip(idx, got):
            ans["by"] = name
            out[i] = ans
    return out   # type: ignore[return-value]
