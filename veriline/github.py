"""`--format github`: GitHub Actions workflow commands, one annotation per ✗ and ?.

`::error file=F,line=L,col=C,endLine=…,endColumn=…,title=T::message` puts the finding on
its line in the pull request's "Files changed" view.  ✗ is an error (a warning or notice
when its severity says so) with the counterexample in the message, ? is a warning, ✓ is
not annotated.  With a baseline only new findings are annotated.
"""
from __future__ import annotations

import os

MARK = {"proved": "✓", "counterexample": "✗", "unknown": "?"}


def escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def _path(path: str, base: str) -> str:
    rel = os.path.relpath(os.path.abspath(path), base)
    return (os.path.abspath(path) if rel.startswith("..") else rel).replace(os.sep, "/")


def _command(level: str, file: str, span, title: str, message: str) -> str:
    props = [f"file={escape_property(file)}", f"line={max(1, span.line)}",
             f"col={max(1, span.col)}"]
    if span.end_line >= span.line and span.end_line:
        props.append(f"endLine={span.end_line}")
        if span.end_col and span.end_line == span.line and span.end_col >= span.col:
            props.append(f"endColumn={span.end_col}")
    props.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(props)}::{escape_data(message)}"


def finding_message(f) -> str:
    """The message with what a reviewer needs: the reproducing call and input values."""
    msg = f.message
    if f.status == "unknown" and f.reason and f.reason not in msg:
        msg += f" ({f.reason})"
    c = f.counterexample
    if c is not None:
        if c.call and c.call not in msg:
            msg += f"\ncounterexample: {c.call}"
        if c.inputs:
            msg += "\ninputs: " + ", ".join(f"{k} = {v}" for k, v in c.inputs.items())
        if c.nondet:
            msg += "\nnondeterministic values: " + ", ".join(map(str, c.nondet))
        if c.values_at_failure:
            msg += "\nat the failure: " + ", ".join(
                f"{k} = {v}" for k, v in c.values_at_failure.items())
        if c.confirmed is not None:
            msg += "\nreplay: " + ("confirmed" if c.confirmed else "not reproduced") + \
                (f" ({c.replay_note})" if c.replay_note else "")
    return msg


def level_of(f) -> str | None:
    if f.status == "counterexample":
        return {"error": "error", "warning": "warning"}.get(f.severity, "notice")
    if f.status == "unknown":
        return "warning"
    return None


def to_github(reports, summary_line: str, comparison=None, base: str | None = None) -> str:
    base = os.path.abspath(base or os.getcwd())
    out = []
    for rep in reports:
        file = _path(rep.path, base)
        for e in rep.program.errors:
            if comparison is not None and comparison.state(e) != "new":
                continue
            out.append(_command("error", file, e.span, "veriline: syntax error", e.message))
        for f in rep.findings:
            level = level_of(f)
            if level is None or (comparison is not None and comparison.state(f) != "new"):
                continue
            title = f"veriline {MARK[f.status]} {f.kind} [{f.function}]"
            out.append(_command(level, file, f.span, title, finding_message(f)))
    out.append(summary_line)
    return "\n".join(out) + "\n"
