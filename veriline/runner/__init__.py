"""The `veriline check` runner: per-file errors, per-function budgets, worker processes,
interruption (see run.py).  Its names are loaded on first use, so `veriline check` can
fork its parsing helper (preparse.start_early) before importing the runner proper."""
from __future__ import annotations

import importlib

__all__ = ["DEFAULT_BUDGET_S", "Interrupted", "Progress", "RunResult", "run_check"]


def __getattr__(name: str):
    if name in __all__:
        return getattr(importlib.import_module(".run", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
