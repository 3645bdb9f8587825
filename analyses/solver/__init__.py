"""The solver layer: every solver query of the analyses goes through here (limits,
cancellation, models, the lemma cache via canonical query keys)."""
from .query import (STATS, Cancelled, CancelToken, Model, Result, check, const_like,
                    free_consts)

__all__ = ["STATS", "Cancelled", "CancelToken", "Model", "Result", "check", "const_like",
           "free_consts"]
