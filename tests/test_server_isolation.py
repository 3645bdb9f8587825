"""The server verifies each function in a killable child (server/isolation.py): a function
that overruns its budget (made deterministic with the VERILINE_TEST_OVERRUN hook: its task
sleeps, as z3 does when it ignores its limit) is killed and ends "don't know" naming the
budget, the other functions are answered, later edits are served, and a newer edit kills
a running child.  Waits are liveness bounds (a stuck server would fail them); no time is
asserted."""
from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from veriline import config
from veriline.analyses import api
from veriline.runner import isolated
from veriline.runner.task import HANG_ENV
from veriline.server import isolation

from test_lsp_e2e import make_client, wait_round  # noqa: E402  (recording client, waits)
from trust_kit import clean_env

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

TEXT = '''def stall(a: int) -> int:
    assert a * a >= 0
    return a


def fast(x: int) -> int:
    assert x != 3
    return x
'''
BUDGET_REASON = "the function's time budget of 1 s ran out"


class Sink:
    def __init__(self) -> None:
        self.versions: dict[str, int] = {}
        self.published: list[tuple[int, dict, list]] = []
        self.stats_seen: list[dict] = []
        self.progress_seen: list[str] = []

    def current_version(self, uri):
        return self.versions.get(uri)

    def publish(self, res):
        self.published.append((res.version, {
            n: [(f.status, f.message, f.reason) for f in r.findings]
            for n, r in res.functions.items()}, list(res.pending)))

    def progress(self, job, kind, message, percentage):
        self.progress_seen.append(kind)

    def stats(self, payload):
        self.stats_seen.append(payload)


async def until(cond, timeout=60.0):
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out"
        await asyncio.sleep(0.01)


URI = "file:///iso/a.py"


def scheduler(sink, texts, budget_s, options=None):
    from veriline.server.documents import Snapshot
    from veriline.server.scheduler import Scheduler

    def snapshot(uri):
        return (Snapshot(uri, sink.versions[uri], texts[sink.versions[uri]], "python",
                         "/iso/a.py"), options or api.Options(budget_s=budget_s))
    return Scheduler(asyncio.get_running_loop(), sink, snapshot, isolate=True)


@pytest.fixture
def rounds():
    """run(texts, budget_s, body, options=None) -> (sink, what body returned): a Scheduler
    verifying in children, asked for version 1 of texts (version -> text); `await
    body(sink, sched)` drives it (default: until the first round ends); then shut down."""
    async def first_round(sink, sched):
        await until(lambda: sink.stats_seen)

    def run(texts, budget_s, body=first_round, options=None):
        async def main():
            sink = Sink()
            sink.versions[URI] = 1
            sched = scheduler(sink, texts, budget_s, options)
            sched.schedule(URI)
            try:
                return sink, await body(sink, sched)
            finally:
                sched.shutdown()
        return asyncio.run(main())
    return run


async def edit(sink, sched, version: int) -> None:
    sink.versions[URI] = version
    sched.schedule(URI)


async def running_child(sink, sched) -> int:
    """The pid of the child verifying stall in its second (full) pass, fast answered."""
    await until(lambda: any(p[1].get("fast") for p in sink.published))
    await until(lambda: sched._children._child is not None)
    return sched._children._child.pid


def test_an_overrunning_function_is_killed_and_the_round_goes_on(monkeypatch, rounds):
    monkeypatch.setenv(isolation.OVERRUN_ENV, "stall")
    texts = {1: TEXT, 2: TEXT.replace("x != 3", "x != 4")}

    async def body(sink, sched):
        await until(lambda: sink.stats_seen)
        await edit(sink, sched, 2)
        await until(lambda: len(sink.stats_seen) == 2)
    sink, _ = rounds(texts, 1.0, body)
    v1 = [p for p in sink.published if p[0] == 1]
    # fast is answered while stall is still pending ("verifying…")
    first_fast = next(p for p in v1 if p[1].get("fast"))
    assert first_fast[1]["fast"] == [("counterexample",
                                     "entry assert `assert x != 3` (a precondition) fails: "
                                     "fast(3)", None)]
    assert "stall" in first_fast[2]
    version, functions, pending = v1[-1]
    assert pending == [] and sorted(functions) == ["fast", "stall"]
    assert functions["stall"] == [
        ("unknown", f"{kind} properties of `stall`: don't know ({BUDGET_REASON})",
         BUDGET_REASON) for kind in ("contract", "overflow")]
    assert sorted(sink.stats_seen[0]["verified"]) == ["fast", "stall"]
    assert sink.stats_seen[0]["counts"] == {"proved": 0, "counterexample": 1, "unknown": 2}
    # the next edit is served: fast re-verified, stall's verdict reused
    assert sink.stats_seen[1]["verified"] == ["fast"]
    assert sink.stats_seen[1]["reused"] == ["stall"]
    assert sink.published[-1][1]["fast"][0][1].endswith("fails: fast(4)")
    assert sink.progress_seen.count("begin") == sink.progress_seen.count("end") == 2


def test_a_newer_edit_kills_the_running_child(monkeypatch, rounds):
    """The budget is an hour: only killing the child lets the second version through."""
    monkeypatch.setenv(isolation.OVERRUN_ENV, "stall")
    texts = {1: TEXT, 2: TEXT.replace("def stall(a", "def calm(a")}

    async def body(sink, sched):
        pid = await running_child(sink, sched)
        await edit(sink, sched, 2)
        await until(lambda: sink.stats_seen)
        return pid
    sink, pid = rounds(texts, 3600.0, body)
    assert [s["version"] for s in sink.stats_seen] == [2]      # version 1 never ended
    # fast, answered before the cancel, is reused
    assert (sink.stats_seen[0]["verified"], sink.stats_seen[0]["reused"]) == (["calm"], ["fast"])
    assert sink.published[-1][0] == 2 and sink.published[-1][1]["calm"][0][0] == "proved"
    with pytest.raises(ProcessLookupError):   # killed and reaped
        os.kill(pid, 0)
    assert sink.progress_seen.count("begin") == sink.progress_seen.count("end")


def test_a_cancelled_child_that_honours_the_cancel_is_kept(monkeypatch, rounds):
    """`~stall` waits for a cancel as a z3 query does for its interrupt: the child stops
    it, answers, and serves the next round (same process)."""
    monkeypatch.setenv(isolation.OVERRUN_ENV, "~stall")
    texts = {1: TEXT, 2: TEXT.replace("def stall(a", "def calm(a")}

    async def body(sink, sched):
        pid = await running_child(sink, sched)
        await edit(sink, sched, 2)
        await until(lambda: sink.stats_seen)
        return pid, sched._children._child.pid
    sink, (pid, kept) = rounds(texts, 3600.0, body)
    assert kept == pid
    assert [s["version"] for s in sink.stats_seen] == [2]
    assert sink.published[-1][1]["calm"][0][0] == "proved"


def test_the_child_uses_the_servers_lemma_cache(tmp_path, monkeypatch, rounds):
    monkeypatch.delenv("VERILINE_CACHE_KEY", raising=False)
    path = str(tmp_path / "lemmas.sqlite")
    options = config.options_from_settings({"cache": path, "cacheMinMs": 0})
    assert isolation.cache_spec(options.cache) == path
    assert config.options_from_settings({"cache": path}, cache_untrusted=True).cache.trusted \
        is False
    assert isolation.cache_spec(config.open_cache(path, untrusted=True)) is None
    assert isolation.cache_spec(None) is None
    texts = {1: TEXT.replace("def stall(a", "def calm(a")}
    sink, _ = rounds(texts, 10.0, options=options)
    assert sink.stats_seen[0]["solverCalls"] > 0         # counted in the child
    assert options.cache.stats()["entries"] > 0          # written by the child


def test_child_answers_times_out_and_is_cancelled():
    def handler(task):
        if task == "hang":
            time.sleep(3600)
        return task * 2
    child = isolated.Child(handler)
    assert child.ask("ab", time.monotonic() + 30) == "abab"
    assert child.ask("hang", time.monotonic() + 0.2) == "timeout"
    assert child.pid is None                  # killed and reaped
    child = isolated.Child(handler)
    pid = child.pid
    # without a grace, or when the child does not answer within it: killed
    assert child.ask("hang", time.monotonic() + 3600, lambda: True, grace=0.1) == "cancelled"
    assert child.pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_failed_fork_is_a_dont_know_and_the_round_goes_on(monkeypatch, rounds):
    def no_fork(self):
        raise OSError(11, "Resource temporarily unavailable")
    monkeypatch.setattr(isolation.ChildVerifier, "_fork", no_fork)
    sink, _ = rounds({1: TEXT}, 10.0)
    assert sorted(sink.stats_seen[0]["verified"]) == ["fast", "stall"]
    reason = "internal error: could not start a verifying process: [Errno 11] Resource " \
             "temporarily unavailable"
    assert sink.published[-1][1] == {
        name: [("unknown", f"{name}: veriline internal error", reason)]
        for name in ("stall", "fast")}


def test_without_fork_the_scheduler_verifies_in_process(monkeypatch):
    from veriline.server.scheduler import Scheduler
    monkeypatch.setattr(isolation, "available", lambda: False)

    async def make():
        sched = Scheduler(asyncio.get_running_loop(), Sink(), lambda uri: None, isolate=True)
        sched.shutdown()
        return sched
    assert asyncio.run(make())._children is None


# ---------------------------------------------------------------- the real server process

TMP = Path(tempfile.mkdtemp(prefix="veriline-isolation-"))
(TMP / "pyproject.toml").write_text("[tool.veriline]\nfunction-timeout = 1\n")


@pytest_lsp.fixture(config=ClientServerConfig(
    server_command=[sys.executable, "-m", "veriline", "serve"], client_factory=make_client,
    server_env=clean_env(TMP, **{isolation.OVERRUN_ENV: "stall", HANG_ENV: "slow:1"})))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(lsp.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=TMP.as_uri()))
    yield lsp_client
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_server_kills_an_overrun_and_serves_the_next_edit(client: LanguageClient):
    path = TMP / f"{uuid.uuid4().hex}.py"
    path.write_text(TEXT)
    uri = path.as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=uri, language_id="python", version=1, text=TEXT)))
    await wait_round(client, uri, 1)
    v1 = [p for p in client.published if p.uri == uri and p.version == 1]
    fast_first = [p for p in v1 if any(d.range.start.line >= 4 for d in p.diagnostics)][0]
    assert all(BUDGET_REASON not in d.message for d in fast_first.diagnostics)
    final = {d.range.start.line: d.message for d in v1[-1].diagnostics}
    assert "fails: fast(3)" in final[6]
    stall = [m for line, m in final.items() if line < 4]
    assert stall and all(BUDGET_REASON in m for m in stall)

    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[lsp.TextDocumentContentChangePartial(
            range=lsp.Range(start=lsp.Position(line=6, character=16),
                            end=lsp.Position(line=6, character=17)), text="4")]))
    s = await wait_round(client, uri, 2)
    assert (s["verified"] if isinstance(s, dict) else s.verified) == ["fast"]
    v2 = [p for p in client.published if p.uri == uri and p.version == 2]
    assert any("fails: fast(4)" in d.message for d in v2[-1].diagnostics)


SLOW = """def slow(a: int, b: int) -> int:
    assert a + 1 > a
    assert b * 0 == 0
    c = 100 // b
    return c
"""


async def show_proof(client, uri, line) -> dict:
    got = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
        command="veriline.showProof", arguments=[uri, line]))
    return got if isinstance(got, dict) else {k: getattr(got, k) for k in
                                              ("text", "findings", "function")}


def open_text(client, text) -> str:
    path = TMP / f"{uuid.uuid4().hex}.py"
    path.write_text(text)
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=path.as_uri(), language_id="python", version=1, text=text)))
    return path.as_uri()


@pytest.mark.asyncio
async def test_the_proof_view_of_an_overrunning_function_says_its_budget_ran_out(
        client: LanguageClient):
    """showProof runs in a killable child within the function's budget: an overrun answers
    (saying so), and the other functions' proofs still come."""
    uri = open_text(client, TEXT)
    await wait_round(client, uri, 1)
    got = await show_proof(client, uri, 1)
    assert got["function"] == "stall" and got["findings"] == 0
    assert got["text"] == (
        "; the proof of `stall` did not finish within the function's time budget of 1 s "
        "(veriline.functionTimeout): its process was stopped; what it decided before is "
        "shown without its queries\n; no finding at this place\n")
    got = await show_proof(client, uri, 6)
    assert got["function"] == "fast" and got["findings"] == 1
    assert got["text"].startswith("; " + "=" * 76 + "\n; ✗ contract [fast] line 7: ")
    assert "(check-sat)" in got["text"] and "did not finish" not in got["text"]


@pytest.mark.asyncio
async def test_the_proof_view_keeps_what_a_killed_function_decided(client: LanguageClient):
    uri = open_text(client, SLOW)
    await wait_round(client, uri, 1)
    got = await show_proof(client, uri, 1)       # decided before the hang: no queries
    assert got["function"] == "slow" and got["findings"] == 1
    assert got["text"].startswith("; the proof of `slow` did not finish within the "
                                  "function's time budget of 1 s")
    assert "; ✓ contract [slow] line 2: entry assert `assert a + 1 > a` (a precondition) " \
           "holds for all inputs\n" in got["text"]
    got = await show_proof(client, uri, 2)       # the property it hung on
    assert got["findings"] == 1 and "; ? contract [slow] line 3: precondition: don't " \
        "know (the function's time budget of 1 s ran out)" in got["text"]


def test_without_fork_the_proof_view_runs_in_process_within_the_budget(monkeypatch):
    monkeypatch.setattr(isolation, "available", lambda: False)
    program = api.parse(TEXT, "a.py", "python")
    how, found = isolation.prove(program, "fast", api.Options(budget_s=30.0))
    assert how == "done" and [(f.status, f.span.line) for f in found] == \
        [("counterexample", 7)]
    assert found[0].proof and any(p["decides"] for p in found[0].proof)
