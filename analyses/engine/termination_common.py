"""What the termination verdicts share: where a loop's finding points, the finding
itself, the library functions known to return, and how assumed callees are named."""
from __future__ import annotations

import re

from .. import ir
from ..findings import PROVED, Finding


def head_span(loop: ir.While) -> ir.Span:
    c = loop.cond.span
    if c.line and (c.end_line, c.end_col) > (loop.span.line, loop.span.col) and not loop.do_while:
        return ir.Span(loop.span.line, loop.span.col, c.end_line, c.end_col)
    return ir.Span(loop.span.line, loop.span.col, loop.span.line, loop.span.col + 1) \
        if loop.span.end_line != loop.span.line else loop.span


def finding(ctx, loop, status, message, *, reason=None, cex=None, details=None) -> Finding:
    fn = ctx.fn
    return Finding(file=ctx.program.path, function=fn.qualname or fn.name, kind="termination",
                   status=status, span=head_span(loop), message=message, property="loop",
                   reason=reason, counterexample=cex, severity="warning",
                   details=details or {})


# library functions that always return (for finite arguments); their results stay unknown
TERMINATING_LIBRARY = {
    "python": {"print", "len", "str", "repr", "int", "float", "bool", "abs", "min", "max",
               "sum", "sorted", "list", "tuple", "dict", "set", "isinstance", "hash", "id",
               "math.sqrt", "math.floor", "math.ceil", "math.gcd", "random.randint",
               "random.random", "time.time", "time.monotonic", "logging.info",
               "logging.debug", "logging.warning",
               # Python builtins / stdlib that return for finite arguments (the frontend
               # renames a call that iterates a possibly infinite iterable, python_builtins)
               "any", "all", "frozenset", "hasattr", "callable", "ord", "chr", "divmod",
               "pow", "round", "bin", "hex", "oct", "type", "issubclass", "iter",
               "reversed", "enumerate", "zip", "range", "bytes", "bytearray",
               "math.isqrt", "math.factorial", "math.comb", "math.perm", "math.lcm",
               "math.trunc", "math.fabs", "math.log", "math.log2", "math.exp",
               "math.isnan", "math.isinf", "math.prod", "math.fsum", "bisect.bisect",
               "bisect.bisect_left", "bisect.bisect_right", "bisect.insort",
               "bisect.insort_left", "bisect.insort_right", "heapq.heappush",
               "heapq.heappop", "heapq.heapify", "heapq.heapreplace", "heapq.heappushpop",
               "heapq.nlargest", "heapq.nsmallest", "collections.deque",
               "collections.Counter", "collections.OrderedDict",
               # builtin exception classes (constructing one runs no other code)
               "Exception", "ValueError", "TypeError", "KeyError", "IndexError",
               "LookupError", "RuntimeError", "AssertionError", "AttributeError",
               "NotImplementedError", "ZeroDivisionError", "OverflowError",
               "StopIteration", "ArithmeticError", "UnicodeError", "OSError"},
    "c": {"printf", "puts", "putchar", "fprintf", "sprintf", "snprintf", "malloc", "calloc",
          "free", "memset", "memcpy", "memmove", "memcmp", "strlen", "strcmp", "abs", "labs",
          "llabs", "rand", "__VERIFIER_nondet_int", "__VERIFIER_assume"},
}


def judged_separately(name: str) -> bool:
    """A real callee (its termination is its own finding), not code of this function
    the frontend names (a comprehension's iteration): frontends/python_unmodelled_calls
    names the real calls inside an unmodelled expression `f, g (called in a yield)`."""
    if " (called in a" in name and "(" not in name.split(" (called in a")[0]:
        return True
    if not name or " " in name:
        return False
    return "(" not in name or _call_chain(name)


def _call_chain(name: str) -> bool:
    """`line.strip().startswith`, `d[key(x)]`, `Decimal(s).quantize`: a method of what
    other calls returned; each of them is a real callee too.  Not when the text may hold
    a comprehension, lambda, yield, await or `:=` (iteration or code of this function)."""
    return re.search(r"\b(for|lambda|yield|await)\b|:=", name) is None


def assumption_text(assumed: list[str]) -> str:
    names = ", ".join(f"`{n}`" for n in assumed)
    return (f"assuming the call{'s' if len(assumed) > 1 else ''} to {names} "
            f"return{'' if len(assumed) > 1 else 's'}; "
            f"{'they are' if len(assumed) > 1 else 'it is'} judged separately")


def proved_finding(ctx, loop, msg: str, ranking, invariants, assumed) -> Finding:
    """A loop's termination proof: its ranking, measures and invariants, and the callees
    it assumes return (named in the message too)."""
    details = {"ranking": msg,
               "measure": [getattr(m, "text", m) for m in ranking
                           if not isinstance(m, str) or m == "range"],
               "invariants": invariants}
    if assumed:
        msg = f"{msg} ({assumption_text(assumed)})"
        details["assumes_return"] = list(assumed)
    return finding(ctx, loop, PROVED, msg, details=details)


def unsupported_in(e) -> str:
    """The `what` of the first Unsupported inside expression e ('' if none)."""
    if isinstance(e, ir.Unsupported):
        return e.what or "an unsupported construct"
    if isinstance(e, ir.Expr):
        for v in vars(e).values():
            for x in (v if isinstance(v, (list, tuple)) else [v]):
                if isinstance(x, ir.Expr):
                    w = unsupported_in(x)
                    if w:
                        return w
    return ""


def suspending(ctx, loop, never: Finding) -> Finding:
    """A loop that yields or awaits and never ends: that is how an infinite generator (or
    a serving coroutine) is written, not a hang of the call, which returns a generator /
    coroutine at once.  "Don't know" with what was found, never a ✗."""
    found = never.message.replace(" never returns", " never ends")
    why = ("the loop yields or awaits: a generator's or coroutine's loop may run for ever "
           f"by design, ending when its consumer stops ({found})")
    return finding(ctx, loop, "unknown", f"termination: don't know ({why})", reason=why,
                   details={"never_ends": found})
