"""The exact concrete interpreter of the IR (see run.py): the judge of every counterexample."""
from .run import STATUSES, Outcome, Violation, default_stop, run

__all__ = ["run", "Outcome", "Violation", "default_stop", "STATUSES"]
