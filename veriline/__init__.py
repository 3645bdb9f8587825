"""veriline: inline verification of Python and C with z3."""
__version__ = "0.1.0"
