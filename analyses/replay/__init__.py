"""Replay: run the user's real code on a counterexample (Python subprocess, or gcc + UBSan
for C) and say whether it really fails; see common.py for the process limits."""
from .c import replay_c
from .common import Expect, ReplayResult, expect_for
from .python import replay_python

__all__ = ["Expect", "ReplayResult", "expect_for", "replay_python", "replay_c"]
