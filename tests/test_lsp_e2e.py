"""End-to-end tests of `veriline serve`: a pytest-lsp client drives the real server process
(`python -m veriline serve`) on the files of examples/.

Timing is never asserted; waits are generous.  The `veriline/stats` notification (sent
after each verification round) tells which functions were re-verified and which reused.
VERILINE_E2E_FAKE=1 runs the same tests against the fake library of test_server_units
(for developing the server while the engine is unavailable; C tests are skipped then).
"""
from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams, JsonRpcMethodNotFound
from pygls.protocol import default_converter
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FAKE = os.environ.get("VERILINE_E2E_FAKE") == "1"
WAIT = 120.0            # seconds: z3 on a loaded 2-core machine can be slow

if FAKE:
    SERVER = [sys.executable, "-c", "import sys; sys.path.insert(0, %r); import test_server_units "
              "as t; sys.exit(t.serve_with_fake())" % str(Path(__file__).parent)]
else:
    SERVER = [sys.executable, "-m", "veriline", "serve"]

# A private lemma cache: verdicts must not depend on what other runs left behind.
SERVER_ENV = {**os.environ, "XDG_CACHE_HOME": tempfile.mkdtemp(prefix="veriline-e2e-cache-")}

pytestmark = pytest.mark.asyncio


def _get(obj: Any, key: str):
    return obj.get(key) if isinstance(obj, dict) else getattr(obj, key)


def make_client() -> LanguageClient:
    """pytest-lsp's test client, also recording every diagnostics publication and stats."""
    client = LanguageClient(converter_factory=default_converter)
    client.published = []
    client.stats = []

    def publish(ls, params: lsp.PublishDiagnosticsParams):
        ls.diagnostics[params.uri] = params.diagnostics
        ls.published.append(params)

    def stats(ls, params):
        ls.stats.append(params)

    def refresh(ls, params):
        ls.refreshes = getattr(ls, "refreshes", 0) + 1

    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES,
                                   lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish,
                                   lsp.WORKSPACE_CODE_LENS_REFRESH: refresh,
                                   lsp.WORKSPACE_INLAY_HINT_REFRESH: refresh,
                                   "veriline/stats": stats})
    return client


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER, client_factory=make_client,
                                              server_env=SERVER_ENV))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(lsp.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=EXAMPLES.as_uri(), workspace_folders=[
            lsp.WorkspaceFolder(uri=EXAMPLES.as_uri(), name="examples")]))
    yield
    await lsp_client.shutdown_session()


# ----------------------------------------------------------------------------- helpers

def open_doc(client: LanguageClient, rel: str, text: str | None = None) -> tuple[str, str]:
    path = EXAMPLES / rel
    text = path.read_text() if text is None else text
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=path.as_uri(), language_id="c" if rel.endswith(".c") else "python", version=1,
        text=text)))
    return path.as_uri(), text


def edit(client: LanguageClient, uri: str, version: int, line: int, start: int, end: int,
         text: str) -> None:
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[lsp.TextDocumentContentChangePartial(
            range=lsp.Range(start=lsp.Position(line=line, character=start),
                            end=lsp.Position(line=line, character=end)), text=text)]))


async def raw_request(client: LanguageClient, method: str, params: Any):
    """Send a request exactly as given (no client-side validation); the server's reply."""
    msg_id = f"raw-{uuid.uuid4()}"
    fut: concurrent.futures.Future = concurrent.futures.Future()
    client.protocol._request_futures[msg_id] = fut
    client.protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method,
                                "params": params})
    return await asyncio.wait_for(asyncio.wrap_future(fut), 30)


async def wait_round(client: LanguageClient, uri: str, version: int) -> dict:
    """The stats of the first finished round for this document version."""
    end = time.monotonic() + WAIT
    while True:
        for s in client.stats:
            if _get(s, "uri") == uri and _get(s, "version") == version:
                await asyncio.sleep(0.05)     # let the last publication arrive too
                return s
        if time.monotonic() > end:
            raise AssertionError(f"no verification round for {uri} v{version}: {client.stats}")
        await asyncio.sleep(0.05)


def by_code(client: LanguageClient, uri: str, code: str) -> list[lsp.Diagnostic]:
    return [d for d in client.diagnostics.get(uri, []) if d.code == code]


def g2_call(message: str) -> tuple[str, int, int]:
    """The reproducing call in g2's termination message; any x > y with y <= 0 is right."""
    m = re.search(r"g2\((-?\d+), (-?\d+)\)", message)
    assert m, message
    x, y = int(m.group(1)), int(m.group(2))
    assert y <= 0 and x > y, message
    return m.group(0), x, y


def pos(line: int, character: int) -> lsp.Position:
    return lsp.Position(line=line, character=character)


# ----------------------------------------------------------------------------- tests

async def test_open_reports_g2_termination(client: LanguageClient):
    uri, _ = open_doc(client, "python/subtract_loop.py")
    s = await wait_round(client, uri, 1)
    assert sorted(_get(s, "verified")) == ["g", "g2"] and _get(s, "reused") == []
    if not FAKE:    # g: the isinstance assert and its loop proved; g2: its loop fails
        counts = _get(s, "counts")
        assert [_get(counts, k) for k in ("proved", "counterexample", "unknown")] == [2, 1, 0]
    diags = client.diagnostics[uri]
    (d,) = [d for d in diags if d.code == "termination"]
    assert d.source == "veriline" and d.severity == lsp.DiagnosticSeverity.Warning
    assert d.range.start.line == 10                    # the `while` of g2 (0-based)
    call, x, _ = g2_call(d.message)
    if not FAKE:
        assert d.message == f"{call} never returns: x stays {x} forever"
        assert (d.range.start.character, d.range.end.line, d.range.end.character) == (4, 10, 15)
    assert not [d for d in diags if d.range.start.line < 8]      # g is proved: nothing shown
    assert client.published[-1].version == 1
    # work-done progress: begin "Verifying subtract_loop.py" ... end
    reports = [v for vs in client.progress_reports.values() for v in vs]
    assert any(isinstance(v, lsp.WorkDoneProgressBegin)
               and v.message == "Verifying subtract_loop.py" for v in reports)
    assert isinstance(reports[-1], lsp.WorkDoneProgressEnd)


async def test_edit_reverifies_only_the_changed_function(client: LanguageClient):
    uri, _ = open_doc(client, "python/subtract_loop.py")
    await wait_round(client, uri, 1)
    edit(client, uri, 2, 3, 11, 12, "1")                 # g: `if y > 0:` -> `if y > 1:`
    s = await wait_round(client, uri, 2)
    assert _get(s, "verified") == ["g"] and _get(s, "reused") == ["g2"]
    # a new line above g2 moves its diagnostic down without re-verifying it
    edit(client, uri, 3, 7, 0, 0, "\n")
    s = await wait_round(client, uri, 3)
    assert _get(s, "verified") == [] and sorted(_get(s, "reused")) == ["g", "g2"]
    (d,) = by_code(client, uri, "termination")
    assert d.range.start.line == 11 and client.published[-1].version == 3


async def test_rapid_edits_publish_only_the_latest_version(client: LanguageClient):
    uri, _ = open_doc(client, "python/subtract_loop.py")
    await wait_round(client, uri, 1)
    n = len(client.published)
    for v in range(2, 8):                              # g2's body: x = x - y - 0 - 0 ...
        edit(client, uri, v, 11, 17, 17, " - 0")
    s = await wait_round(client, uri, 7)
    assert _get(s, "verified") == ["g2"]
    assert {p.version for p in client.published[n:]} == {7}
    assert [_get(x, "version") for x in client.stats] == [1, 7]
    (d,) = by_code(client, uri, "termination")
    assert "never returns" in d.message


async def test_hover_code_lens_and_command(client: LanguageClient):
    uri, _ = open_doc(client, "python/subtract_loop.py")
    await wait_round(client, uri, 1)
    h = await client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=pos(10, 6)))
    assert h is not None and h.contents.kind == lsp.MarkupKind.Markdown
    (d,) = by_code(client, uri, "termination")
    call, x, y = g2_call(d.message)
    assert f"`{call}`" in h.contents.value and "termination" in h.contents.value
    assert f"`x = {x}`, `y = {y}`" in h.contents.value
    h = await client.text_document_hover_async(lsp.HoverParams(      # x in g2's loop body
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=pos(11, 8)))
    assert h.contents.value.startswith(f"`x = {x}` at line 12 in the counterexample `{call}`")
    h = await client.text_document_hover_async(lsp.HoverParams(      # g's loop: ranking fn
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=pos(4, 10)))
    assert "ranking function `x - y`" in h.contents.value
    h = await client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=pos(8, 5)))
    assert h.contents.value.startswith("**g2**")
    lenses = await client.text_document_code_lens_async(lsp.CodeLensParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri)))
    titles = {l.command.arguments[1]: l.command.title for l in lenses}
    assert set(titles) == {"g", "g2"}
    assert re.fullmatch(r"✓ \d+ proved · ✗ 0 · \? 0 — \d+ ms( \(cached\))?", titles["g"])
    assert re.fullmatch(r"✓ \d+ proved · ✗ 1 · \? 0 — \d+ ms( \(cached\))?", titles["g2"])
    g2 = next(l for l in lenses if l.command.arguments[1] == "g2")
    assert g2.command.command == "veriline.verifyFunction" and g2.range.start.line == 8
    await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
        command=g2.command.command, arguments=g2.command.arguments))
    end = time.monotonic() + WAIT
    while len(client.stats) < 2:
        assert time.monotonic() < end
        await asyncio.sleep(0.05)
    assert _get(client.stats[1], "verified") == ["g2"]
    assert sorted(_get(client.stats[1], "reused")) == ["g"]
    lenses = await client.text_document_code_lens_async(lsp.CodeLensParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri)))
    assert next(l for l in lenses if l.command.arguments[1] == "g").command.title.endswith("(cached)")


async def test_inlay_hints_show_counterexample_values(client: LanguageClient):
    uri, _ = open_doc(client, "python/subtract_loop.py")
    await wait_round(client, uri, 1)
    hints = await client.text_document_inlay_hint_async(lsp.InlayHintParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri),
        range=lsp.Range(start=pos(0, 0), end=pos(12, 0))))
    (d,) = by_code(client, uri, "termination")
    _, x, _ = g2_call(d.message)
    assert [(h.position.line, h.label) for h in hints] == [(11, f"x = {x}")]
    assert hints[0].position.character == len("        x = x - y")


async def test_code_actions_suppress_and_pytest(client: LanguageClient):
    uri, text = open_doc(client, "python/contracts.py")
    await wait_round(client, uri, 1)
    line = next(i for i, t in enumerate(text.splitlines()) if "assert b != 0" in t)
    here = [d for d in client.diagnostics[uri] if d.range.start.line == line]
    assert len(here) == 1, (client.diagnostics[uri], client.stats)
    d = here[0]
    assert d.code == "contract"
    if not FAKE:      # an entry assert: a precondition, shown as information
        assert d.severity == lsp.DiagnosticSeverity.Information
        assert re.fullmatch(r"entry assert `assert b != 0` \(a precondition\) fails: "
                            r"safe_div\(-?\d+, 0\)", d.message), d.message
    acts = await client.text_document_code_action_async(lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), range=d.range,
        context=lsp.CodeActionContext(diagnostics=[d])))
    by_title = {a.title: a for a in acts}
    sup = next(a for t, a in by_title.items() if "ignore[contract]" in t)
    (e,) = sup.edit.changes[uri]
    assert e.new_text == "  # veriline: ignore[contract]" and e.range.start.line == line
    test = next(a for t, a in by_title.items() if "pytest" in t).edit.changes[uri][0].new_text
    assert "with pytest.raises(AssertionError):" in test and "safe_div(" in test
    ns: dict = {}
    exec(compile(text.replace("import icontract", "") .replace("@icontract", "# ") + test,
                 "generated", "exec"), ns)
    next(f for n, f in ns.items() if n.startswith("test_safe_div"))()   # the test passes


async def test_syntax_error_keeps_other_functions_findings(client: LanguageClient):
    uri, _ = open_doc(client, "python/subtract_loop.py")
    await wait_round(client, uri, 1)
    edit(client, uri, 2, 3, 12, 13, "")                  # `if y > 0:` -> `if y > 0`
    await wait_round(client, uri, 2)
    (syn,) = by_code(client, uri, "syntax")
    assert syn.severity == lsp.DiagnosticSeverity.Error and syn.source == "veriline"
    assert syn.range.start.line in (3, 4)
    (d,) = by_code(client, uri, "termination")
    g2_call(d.message)
    edit(client, uri, 3, 3, 12, 12, ":")                 # fixed again
    s = await wait_round(client, uri, 3)
    assert by_code(client, uri, "syntax") == [] and "g2" in _get(s, "reused")


async def test_malformed_and_unknown_requests_keep_the_server_alive(client: LanguageClient):
    with pytest.raises(JsonRpcInvalidParams):           # hover without its params
        await raw_request(client, "textDocument/hover", {})
    with pytest.raises(JsonRpcInvalidParams):
        await raw_request(client, "textDocument/hover", {"textDocument": 5, "position": "x"})
    with pytest.raises(JsonRpcMethodNotFound):
        await raw_request(client, "veriline/noSuchMethod", {})
    client.protocol.writer.write(b"Content-Length: 9\r\n\r\n{garbage}")   # not even JSON
    with pytest.raises(Exception):
        await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
            command="veriline.verifyFunction", arguments=["file:///nope.py"]))
    other = lsp.TextDocumentIdentifier(uri="file:///not/open.py")
    assert await client.text_document_hover_async(lsp.HoverParams(
        text_document=other, position=pos(0, 0))) is None
    assert not await client.text_document_code_lens_async(lsp.CodeLensParams(text_document=other))
    odd = lsp.TextDocumentIdentifier(uri="untitled:Untitled-1")
    assert not await client.text_document_inlay_hint_async(lsp.InlayHintParams(
        text_document=odd, range=lsp.Range(start=pos(0, 0), end=pos(5, 0))))
    uri, _ = open_doc(client, "python/subtract_loop.py")         # still serving
    await wait_round(client, uri, 1)
    h = await client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=pos(900, 900)))
    assert h is None
    assert by_code(client, uri, "termination")


async def test_garbage_and_huge_documents(client: LanguageClient):
    junk = "def (:\n\x00\ufffd)))\n" * 50 + "€" * 1000
    uri, _ = open_doc(client, "python/junk.py", junk)
    await wait_round(client, uri, 1)
    assert by_code(client, uri, "syntax")
    untitled = "untitled:Untitled-1"                   # not a file: still verified
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=untitled, language_id="python", version=1,
        text=(EXAMPLES / "python/subtract_loop.py").read_text())))
    await wait_round(client, untitled, 1)
    assert by_code(client, untitled, "termination")
    big = "\n\n".join(f"def f{i}(x: int) -> int:\n    return x + {i}\n" for i in range(400))
    uri2, _ = open_doc(client, "python/big.py", big)
    s = await wait_round(client, uri2, 1)
    assert len(_get(s, "verified")) == 400


async def test_settings_change_reverifies(client: LanguageClient):
    uri, _ = open_doc(client, "python/subtract_loop.py")
    await wait_round(client, uri, 1)
    client.workspace_did_change_configuration(lsp.DidChangeConfigurationParams(
        settings={"veriline": {"analyses": ["contract", "overflow"]}}))
    end = time.monotonic() + WAIT
    while len(client.stats) < 2:
        assert time.monotonic() < end
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.1)
    assert sorted(_get(client.stats[1], "verified")) == ["g", "g2"]
    assert by_code(client, uri, "termination") == []


async def test_close_clears_diagnostics(client: LanguageClient):
    uri, _ = open_doc(client, "python/subtract_loop.py")
    await wait_round(client, uri, 1)
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri)))
    end = time.monotonic() + WAIT
    while client.diagnostics.get(uri):
        assert time.monotonic() < end
        await asyncio.sleep(0.05)


@pytest.mark.skipif(FAKE, reason="the fake library only knows Python")
async def test_c_subtract_loop(client: LanguageClient):
    uri, _ = open_doc(client, "c/subtract_loop.c")
    await wait_round(client, uri, 1)
    diags = client.diagnostics[uri]
    term = [d for d in diags if d.code == "termination"]
    over = [d for d in diags if d.code == "overflow"]
    assert len(term) == 1 and "g2(" in term[0].message
    assert term[0].severity == lsp.DiagnosticSeverity.Warning
    assert over and all(d.severity == lsp.DiagnosticSeverity.Error for d in over)
