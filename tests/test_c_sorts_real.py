"""A real C library file, lz4.c (vendored in tests/data/real/), goes through the C
frontend and the engine with no internal error.

The whole file is parsed; every function whose body plus the bodies it inlines is small
(all but the ~30 entry points that inline the 900-line compression/decompression cores)
is verified with a short per-query time limit."""
from __future__ import annotations

import os

from veriline.analyses import ir
from veriline.analyses.api import Options, parse, verify_function
from veriline.analyses.callgraph import reachable

LZ4 = os.path.join(os.path.dirname(__file__), "data", "real", "lz4.c")
MAX_INLINED_NODES = 500


def ir_size(node) -> int:
    n, stack = 0, [node]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, (ir.Expr, ir.Stmt)):
            n += 1
            stack.extend(v for v in vars(x).values()
                         if isinstance(v, (ir.Expr, ir.Stmt, list, tuple)))
    return n


def test_lz4_has_no_internal_errors():
    with open(LZ4) as fh:
        program = parse(fh.read(), LZ4)
    assert [e.message for e in program.errors if "internal" in e.message] == []
    assert len(program.functions) >= 80
    own = {n: ir_size(f.body) for n, f in program.functions.items()}
    small = [n for n in program.functions
             if own[n] + sum(own[g] for g in reachable(program, n)) <= MAX_INLINED_NODES]
    assert len(small) >= 50
    opts = Options(timeout_ms=200, cache=None)
    statuses: dict = {}
    internal = []
    for name in small:
        for f in verify_function(program, name, opts):
            statuses[f.status] = statuses.get(f.status, 0) + 1
            if f.property == "internal" or "internal error" in f.message:
                internal.append(f"{name}: {f.message}")
    assert internal == []
    assert statuses.get("proved", 0) > 50
