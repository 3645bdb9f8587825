"""Unit tests of the language server's parts (no subprocess, no z3): settings, document
snapshots, presentation (convert/actions) and the scheduler's incrementality, run against a
small fake of the analysis library so they do not depend on the engine's verdicts."""
from __future__ import annotations

import ast
import asyncio
import os
import re
import time

from lsprotocol import types as lsp

from veriline import config
from veriline.analyses import api, ir, solver
from veriline.analyses.findings import Counterexample, Finding, Related, TraceStep

# ------------------------------------------------------------------------------ fake library

FAKE_DELAY = float(os.environ.get("VERILINE_FAKE_DELAY", "0"))
CALLS: list[str] = []


def fake_parse(text: str, path: str, language=None) -> ir.Program:
    """Python only: top-level `def`s, each parsed on its own (per-function recovery)."""
    prog = ir.Program(path=path, language=language or "python")
    lines = text.splitlines(True)
    starts = [i for i, l in enumerate(lines) if re.match(r"(def |@)", l)]
    starts = [s for k, s in enumerate(starts) if k == 0 or not lines[starts[k - 1]].startswith("@")
              or s != starts[k - 1] + 1]
    for k, s in enumerate(starts):
        e = starts[k + 1] if k + 1 < len(starts) else len(lines)
        chunk = "".join(lines[s:e])
        try:
            tree = ast.parse(chunk)
        except SyntaxError as exc:
            ln = s + (exc.lineno or 1)
            prog.errors.append(ir.SyntaxIssue(message=f"invalid syntax: {exc.msg}",
                                              span=ir.Span(ln, exc.offset or 1, ln, (exc.offset or 1) + 1)))
            continue
        fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef))
        last = s + fn.end_lineno
        while last > s + 1 and not lines[last - 1].strip():
            last -= 1
        dl = s + fn.lineno
        col = lines[dl - 1].index(fn.name) + 1
        prog.functions[fn.name] = ir.Function(
            name=fn.name, params=[ir.Param(name=a.arg, type=ir.MATH_INT) for a in fn.args.args],
            ret=None, body=[], span=ir.Span(dl, 1, last, len(lines[last - 1].rstrip()) + 1),
            name_span=ir.Span(dl, col, dl, col + len(fn.name)), source=chunk.strip(),
            qualname=fn.name)
    return prog


def fake_fingerprint(program, name, options=None):
    return program.functions[name].source + (options.key() if options else "")


def fake_verify(program, name, options=api.Options(), cancel=None):
    CALLS.append(name)
    end = time.monotonic() + FAKE_DELAY
    while time.monotonic() < end:
        if cancel is not None:
            cancel.check()
        time.sleep(0.01)
    solver.STATS.solver_calls += 1
    fn = program.functions[name]
    lines = fn.source.splitlines()
    out = []
    for i, text in enumerate(lines):
        line = fn.span.line + i
        if re.match(r"\s*while ", text) and "termination" in options.analyses:
            col = text.index("while") + 1
            span = ir.Span(line, col, line, len(text) + 1)
            if name.startswith("g2"):
                body = next((line + j for j, t in enumerate(lines[i + 1:], 1) if "=" in t), line)
                cx = Counterexample(inputs={"x": 5, "y": 0}, call=f"{name}(5, 0)",
                                    trace=[TraceStep(body, {"x": 5, "y": 0})] * 3)
                out.append(Finding(program.path, name, "termination", "counterexample", span,
                                   f"{name}(5, 0) never returns: x stays 5 forever",
                                   property="loop", counterexample=cx, time_ms=3.0,
                                   details={"witness": {"kind": "fixed-point", "description": "x stays 5 forever",
                                                        "state": {"x": 5}}}))
            else:
                out.append(Finding(program.path, name, "termination", "proved", span,
                                   "loop terminates", property="loop", time_ms=2.0,
                                   details={"ranking": "terminates: x - y decreases",
                                            "measure": ["x - y"]}))
        if "assert b" in text:
            col = text.index("assert") + 1
            span = ir.Span(line, col, line, len(text) + 1)
            cx = Counterexample(inputs={"a": 0, "b": 0}, call=f"{name}(0, 0)", confirmed=True)
            out.append(Finding(program.path, name, "contract", "counterexample", span,
                               "assertion b != 0 fails", property="assert", counterexample=cx,
                               related=[Related(fn.name_span, "called with b = 0")]))
        if "unknown()" in text:
            span = ir.Span(line, 1, line, len(text) + 1)
            out.append(Finding(program.path, name, "overflow", "unknown", span, "may overflow",
                               reason="depends on unknown()", severity="error"))
    return out


def install_fake(monkeypatch=None) -> None:
    for attr, fake in (("parse", fake_parse), ("verify_function", fake_verify),
                       ("fingerprint", fake_fingerprint)):
        if monkeypatch is not None:
            monkeypatch.setattr(api, attr, fake)
        else:
            setattr(api, attr, fake)


def serve_with_fake() -> int:
    """Entry point for the e2e tests' VERILINE_E2E_FAKE mode (engine not needed)."""
    install_fake()
    from veriline.server.main import main
    return main([])


SUBTRACT = open(os.path.join(os.path.dirname(__file__), "..", "examples", "python",
                             "subtract_loop.py")).read()


# ------------------------------------------------------------------------------ settings

def test_settings_layers_and_normalization(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.veriline]\ntimeout = 2\nunknown-severity = "hint"\nbogus = 1\ndebounce_ms = "x"\n')
    sub = tmp_path / "pkg" / "mod"
    sub.mkdir(parents=True)
    s = config.load_settings(str(sub), {"timeout": 9, "inlayHints": False, "replay": "yes"})
    assert s["timeout"] == 2.0                      # the project file wins over the editor
    assert s["unknownSeverity"] == "hint"
    assert s["inlayHints"] is False and s["replay"] is False
    assert s["debounceMs"] == 200 and "bogus" not in s
    opts = config.options_from_settings({**s, "analyses": ["overflow", "nope"]}, with_cache=False)
    assert opts.timeout_ms == 2000 and opts.analyses == frozenset({"overflow"})


def test_settings_without_pyproject_and_bad_toml(tmp_path):
    assert config.load_settings(str(tmp_path / "nowhere")) == config.DEFAULTS
    (tmp_path / "pyproject.toml").write_text("[tool.veriline\n")
    assert config.load_settings(str(tmp_path))["timeout"] == 5.0


# ------------------------------------------------------------------------------ documents

def test_documents_incremental_sync_and_unknown_uris():
    from pygls.workspace import Workspace
    from veriline.server.documents import Documents, language_of
    ws = Workspace(None)
    docs = Documents(lambda: ws)
    uri = "file:///tmp/x/a.py"
    ws.put_text_document(lsp.TextDocumentItem(uri=uri, language_id="python", version=1,
                                              text="def f(x):\n    return x\n"))
    ws.update_text_document(lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
                            lsp.TextDocumentContentChangePartial(
                                range=lsp.Range(start=lsp.Position(line=1, character=11),
                                                end=lsp.Position(line=1, character=12)),
                                text="x + 1"))
    snap = docs.snapshot(uri)
    assert (snap.version, snap.text, snap.language) == (2, "def f(x):\n    return x + 1\n", "python")
    assert snap.path == "/tmp/x/a.py" and snap.directory == "/tmp/x"
    assert docs.snapshot("file:///never/opened.py") is None and docs.lines("nope:") == []
    assert language_of("untitled:Untitled-1", "c") == "c"
    assert language_of("file:///a/b.h") == "c" and language_of("file:///a/b.txt") is None
    assert Documents(lambda: None).snapshot(uri) is None


# ------------------------------------------------------------------------------ presentation

def _results(text=SUBTRACT, uri="file:///ex/subtract_loop.py"):
    from veriline.server.scheduler import DocResults, FunctionResult
    prog = fake_parse(text, "/ex/subtract_loop.py")
    res = DocResults(uri, 1, prog)
    for n in prog.functions:
        res.functions[n] = FunctionResult(n, "fp", fake_verify(prog, n), True, {})
    return res


def test_diagnostics_lens_hover_inlay():
    from veriline.server import convert
    res = _results()
    pos = convert.Positions(SUBTRACT.splitlines(True))
    diags = convert.diagnostics(res, pos, "information")
    assert len(diags) == 1
    d = diags[0]
    assert (d.code, d.source, d.severity) == ("termination", "veriline", lsp.DiagnosticSeverity.Warning)
    assert d.range.start == lsp.Position(line=10, character=4) and "g2(5, 0)" in d.message
    lenses = convert.code_lenses(res, pos)
    assert [l.command.title for l in lenses] == ["✓ 1 proved · ✗ 0 · ? 0 — 2 ms",
                                                 "✓ 0 proved · ✗ 1 · ? 0 — 3 ms"]
    assert lenses[1].command.arguments == [res.uri, "g2"] and lenses[1].range.start.line == 8
    loop = convert.hover_markdown(res, 11, 6, "while")
    assert "witness: x stays 5 forever (state `x = 5`)" in loop and "`g2(5, 0)`" in loop
    assert "ranking function `x - y`" in convert.hover_markdown(res, 5, 10, "while")
    var = convert.hover_markdown(res, 12, 8, "x")
    assert var.startswith("`x = 5` at line 12 in the counterexample `g2(5, 0)`")
    summary = convert.hover_markdown(res, 9, 5, "g2")
    assert summary.startswith("**g2**") and "never returns" in summary
    hints = convert.inlay_hints(res, pos, 0, 100)
    assert [(h.position.line, h.label) for h in hints] == [(11, "x = 5")]
    assert convert.hover_markdown(res, 1, 0, "") is None      # a blank line: no hover


def test_unknown_severity_and_utf16_positions():
    from veriline.server import convert
    text = "def f(x):\n    y = unknown()  # é𝄞\n"
    res = _results(text)
    pos = convert.Positions(text.splitlines(True))
    assert convert.diagnostics(res, pos, "off") == []
    (d,) = convert.diagnostics(res, pos, "hint")
    assert d.severity == lsp.DiagnosticSeverity.Hint and "depends on unknown()" in d.message
    end = pos.end_of_line(1)
    assert end.character == len("    y = unknown()  # é") + 2              # 𝄞 is 2 UTF-16 units
    assert pos.code_point_col(1, end.character) == len(text.splitlines()[1])
    assert "Why unknown" in convert.hover_markdown(res, 2, 8, "unknown")


def test_code_actions_suppress_and_pytest():
    from veriline.server import actions, convert
    text = ("def safe_div(a: int, b: int) -> int:\n    assert b != 0\n    return a // b\n")
    res = _results(text)
    pos = convert.Positions(text.splitlines(True))
    acts = actions.code_actions(res, pos, lsp.Range(start=lsp.Position(line=1, character=0),
                                                    end=lsp.Position(line=1, character=0)), "python")
    titles = [a.title for a in acts]
    assert any("ignore[contract]" in t for t in titles) and any("pytest" in t for t in titles)
    (edit,) = acts[0].edit.changes[res.uri]
    assert edit.new_text == "  # veriline: ignore[contract]" and edit.range.start.character == 17
    test = acts[1].edit.changes[res.uri][0].new_text
    assert "with pytest.raises(AssertionError):\n        safe_div(0, 0)" in test
    ns: dict = {}
    exec(text + test, ns)
    ns["test_safe_div_assert_counterexample"]()          # the generated test passes
    lines = ["x = 1  // veriline: ignore[overflow]\n"]
    e = actions.suppression_edit("u", convert.Positions(lines), 1, "contract", "c")
    assert e.changes["u"][0].new_text == "overflow, contract"
    doc = ['def f(x):\n', '    """\n', '    post: __return__ >= 0\n', '    """\n', '    return x\n']
    assert actions.suppression_edit("u", convert.Positions(doc), 3, "contract", "python") is None
    assert actions.suppression_edit("u", convert.Positions(doc), 5, "contract", "python")
    c = ["/*@ requires x > 0;\n", "    ensures \\result > 0; */\n", "int f(int x) { /* a */\n"]
    assert actions.suppression_edit("u", convert.Positions(c), 1, "contract", "c") is None
    assert actions.suppression_edit("u", convert.Positions(c), 3, "contract", "c")


# ------------------------------------------------------------------------------ scheduler

class _Sink:
    def __init__(self):
        self.versions: dict[str, int] = {}
        self.published: list = []
        self.stats_seen: list[dict] = []
        self.progress_seen: list[str] = []

    def current_version(self, uri):
        return self.versions.get(uri)

    def publish(self, res):
        self.published.append((res.version, [f.message for f in res.findings()],
                               [e.message for e in res.program.errors]))

    def progress(self, job, kind, message, percentage):
        self.progress_seen.append(kind)

    def stats(self, payload):
        self.stats_seen.append(payload)


async def _until(cond, timeout=10.0):
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out"
        await asyncio.sleep(0.01)


def _scheduler(sink, texts):
    from veriline.server.documents import Snapshot
    from veriline.server.scheduler import Scheduler

    def snapshot(uri):
        v = sink.versions[uri]
        return Snapshot(uri, v, texts[uri], "python", "/ex/a.py"), api.Options()
    return Scheduler(asyncio.get_running_loop(), sink, snapshot, backend=api)


def test_scheduler_reverifies_only_changed_functions(monkeypatch):
    install_fake(monkeypatch)

    async def run():
        sink, texts, uri = _Sink(), {}, "file:///ex/a.py"
        sched = _scheduler(sink, texts)
        texts[uri], sink.versions[uri] = SUBTRACT, 1
        sched.schedule(uri)
        await _until(lambda: sink.stats_seen)
        assert sorted(sink.stats_seen[0]["verified"]) == ["g", "g2"]
        assert sink.progress_seen == ["begin", "report", "report", "end"]
        # edit g only, and push g2 two lines down
        texts[uri], sink.versions[uri] = SUBTRACT.replace("x = x - y\n", "x = x - (y)\n\n\n", 1), 2
        sched.schedule(uri, 0.01)
        await _until(lambda: len(sink.stats_seen) == 2)
        assert sink.stats_seen[1]["verified"] == ["g"] and sink.stats_seen[1]["reused"] == ["g2"]
        g2 = sched.results(uri).functions["g2"].findings[0]
        assert g2.span.line == 13 and g2.counterexample.trace[0].line == 14   # moved down by 2
        # a syntax error in g keeps g2's findings and reports the error
        texts[uri], sink.versions[uri] = SUBTRACT.replace("if y > 0:", "if y > 0", 1), 3
        sched.schedule(uri, 0.01)
        await _until(lambda: len(sink.stats_seen) == 3)
        version, messages, errors = sink.published[-1]
        assert version == 3 and errors and any("g2(5, 0)" in m for m in messages)
        # forced re-verification of an unchanged function
        sched.schedule(uri, 0, {"g2"})
        await _until(lambda: len(sink.stats_seen) == 4)
        assert sink.stats_seen[3]["verified"] == ["g2"]
        sched.shutdown()
    asyncio.run(run())


def test_scheduler_cancels_outdated_rounds(monkeypatch):
    install_fake(monkeypatch)
    monkeypatch.setattr(__import__(__name__), "FAKE_DELAY", 0.3)

    async def run():
        sink, texts, uri = _Sink(), {}, "file:///ex/a.py"
        sched = _scheduler(sink, texts)
        for v in range(1, 6):
            texts[uri], sink.versions[uri] = SUBTRACT + f"\n# edit {v}\n", v
            sched.schedule(uri, 0.0)
            await asyncio.sleep(0.05)
        await _until(lambda: sink.stats_seen)
        await asyncio.sleep(0.2)
        assert {p[0] for p in sink.published} == {5}
        assert [s["version"] for s in sink.stats_seen] == [5]
        assert sink.progress_seen.count("begin") == sink.progress_seen.count("end")
        sched.shutdown()
    asyncio.run(run())


def test_scheduler_survives_library_exceptions(monkeypatch):
    install_fake(monkeypatch)

    def boom(*a, **k):
        raise RuntimeError("engine bug")
    monkeypatch.setattr(api, "verify_function", boom)

    async def run():
        sink, texts, uri = _Sink(), {}, "file:///ex/a.py"
        sched = _scheduler(sink, texts)
        texts[uri], sink.versions[uri] = SUBTRACT, 1
        sched.schedule(uri)
        await _until(lambda: sink.stats_seen)
        assert all("internal error" in m for m in sink.published[-1][1])
        monkeypatch.setattr(api, "parse", boom)
        texts[uri], sink.versions[uri] = "x", 2
        sched.schedule(uri)
        await _until(lambda: len(sink.stats_seen) == 2)
        assert "could not parse" in sink.published[-1][2][0]
        sched.shutdown()
    asyncio.run(run())


def test_cache_threshold_setting():
    opts = config.options_from_settings({"cacheMinMs": 0}, with_cache=False)
    assert opts.cache_min_ms == 0                  # every query goes through the cache
    assert config.options_from_settings({}, with_cache=False).cache_min_ms == 25


def test_scheduler_answers_quick_functions_before_a_slow_one_finishes(monkeypatch):
    """Two passes: every function gets a short first budget; one cut short shows what it
    decided, stays pending ("verifying…" lens), and gets the full budget afterwards."""
    install_fake(monkeypatch)
    from veriline.analyses.engine.budget import BUDGET_PROPERTY
    from veriline.server import convert
    from veriline.server.documents import Snapshot
    from veriline.server.scheduler import QUICK_S, Scheduler
    budgets: list[tuple[str, float]] = []

    def verify(program, name, options=api.Options(), cancel=None):
        budgets.append((name, cancel.seconds))
        if name != "slow":
            return fake_verify(program, name, options, cancel)
        fn = program.functions[name]
        decided = Finding(program.path, name, "overflow", "proved", fn.name_span, "no overflow",
                          property="arith")
        while not cancel.expired:           # never finishes: only the budget stops it
            time.sleep(0.01)
        return [decided, Finding(program.path, name, "contract", "unknown", fn.name_span,
                                 "don't know (budget)", property=BUDGET_PROPERTY)]
    monkeypatch.setattr(api, "verify_function", verify)
    text = "def slow(a):\n    return a\n\n\n" + SUBTRACT

    async def run():
        sink, uri = _Sink(), "file:///ex/a.py"
        sink.versions[uri] = 1
        sched = Scheduler(asyncio.get_running_loop(), sink, lambda u: (
            Snapshot(uri, 1, text, "python", "/ex/a.py"), api.Options(budget_s=1.5)),
            backend=api)
        lenses = []
        real_publish = sink.publish

        def publish(res):
            real_publish(res)
            if "slow" in res.functions:
                lenses.append((convert.lens_title(res.functions["slow"]), "slow" in res.pending))
        sink.publish = publish
        sched.schedule(uri)
        await _until(lambda: sink.stats_seen, timeout=60)
        sched.shutdown()
        return sink, lenses
    sink, lenses = asyncio.run(run())
    # shorter functions first; slow is cut at the quick budget, the others are answered,
    # then slow runs in full
    assert budgets == [("slow", QUICK_S), ("g2", QUICK_S), ("g", QUICK_S), ("slow", 1.5)]
    assert lenses[0] == ("veriline: verifying… (so far ✓ 1 · ✗ 0 · ? 0)", True)
    assert lenses[-1][1] is False and lenses[-1][0].startswith("✓ 1 proved · ✗ 0 · ? 1")
    assert sink.stats_seen[0]["verified"] == ["g2", "g", "slow"]
    assert any("don't know (budget)" in m for m in sink.published[-1][1])
    assert not any("don't know (budget)" in m for p in sink.published[:-1] for m in p[1])


def test_cancelling_a_round_interrupts_the_query_running_under_a_function_budget():
    """The server verifies each function under a Budget derived from the round's token: a
    newer edit cancels the round, and that must interrupt the z3 query running under the
    budget at once (not when the budget's own timer fires)."""
    from veriline.analyses.engine.budget import Budget

    class Ctx:
        interrupted = 0

        def interrupt(self):
            Ctx.interrupted += 1
    round_token = solver.CancelToken()
    with Budget(60.0, parent=round_token) as budget:
        budget._attach(Ctx())                  # as solver.check does around a query
        round_token.cancel()
        assert Ctx.interrupted == 1 and budget.cancelled
    assert round_token._children == []         # a stopped budget is forgotten
    late = Budget(60.0, parent=round_token)    # derived from a cancelled token: cancelled
    assert late.cancelled
    late.stop()
