"""Frontends: Python (libcst) and C (pycparser) lowered to the IR in ..ir."""
