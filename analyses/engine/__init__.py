"""The z3 engine: symbolic execution of the IR, loop handling, property checks."""
