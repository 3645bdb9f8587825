"""The `veriline check` runner: per-file errors, per-function budgets, worker processes,
interruption (see run.py)."""
from .run import DEFAULT_BUDGET_S, Interrupted, Progress, RunResult, run_check

__all__ = ["DEFAULT_BUDGET_S", "Interrupted", "Progress", "RunResult", "run_check"]
