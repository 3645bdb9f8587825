"""--replay: run the user's real code on a counterexample and record what happened.

Python: the function is called in a subprocess with a time limit; C: the file is compiled
with gcc -fsanitize=undefined -fno-sanitize-recover=all and a generated driver.  The
finding's counterexample gets confirmed=True/False (None when real code cannot show the
property, e.g. an implementation-defined conversion) and a note saying what was seen."""
from __future__ import annotations

import re

from .. import replay as R

TIMEOUT_S = 5.0
NONTERM_TIMEOUT_S = 2.0


def _run(ctx, cex, expect, timeout_s: float) -> None:
    fn, program = ctx.fn, ctx.program
    if expect is None:
        cex.confirmed, cex.replay_note = None, "real code cannot show this property"
        return
    try:
        if program.language == "python":     # `self.x` values: the instance's state
            seqs = {p.name: p.container for p in fn.params if p.container}
            args = {k: ({"__sequence__": seqs[k], "length": v} if k in seqs else v)
                    for k, v in cex.inputs.items() if "." not in k}
            state = {k.split(".", 1)[1]: v for k, v in cex.inputs.items() if "." in k}
            res = R.replay_python(program.text, program.path, fn.qualname or fn.name,
                                  args, expect, timeout_s=timeout_s, attributes=state,
                                  lines=(fn.span.line, fn.span.end_line or fn.span.line)
                                  if fn.span.line else None)
        else:
            params = [(p.name, p.type) for p in fn.params]
            res = R.replay_c(program.text, program.path, fn.name, params, cex.inputs, expect,
                             nondet=cex.nondet, timeout_s=timeout_s,
                             arrays=tuple(getattr(fn, "array_params", ())),
                             arity=getattr(fn, "c_arity", -1),
                             cflags=tuple(getattr(ctx.options, "c_flags", ()) or ()))
    except Exception as exc:     # replay is best effort; the verdict stands without it
        cex.confirmed, cex.replay_note = None, f"replay failed: {exc}"
        return
    cex.confirmed, cex.replay_note = res.confirmed, res.note


def replay(ctx, ob, cex) -> None:
    text = re.sub(r"^\s*(ensures|class invariant)\s+", "", ob.text or "").rstrip("; ")
    if ob.prop == "precondition":          # an entry assert is an ordinary assert
        expect = R.expect_for(ctx.program.language, "assert", ob.span.line, text)
    elif ob.entry_assert is not None:      # ... that fails in the callee, at its line
        expect = R.expect_for(ctx.program.language, "assert", ob.entry_assert.line, text)
    else:
        expect = R.expect_for(ctx.program.language, ob.prop, ob.span.line, text)
    _run(ctx, cex, expect, TIMEOUT_S)


def replay_nontermination(ctx, cex) -> None:
    _run(ctx, cex, R.expect_for(ctx.program.language, "loop", None), NONTERM_TIMEOUT_S)
