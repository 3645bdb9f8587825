"""Answers stream: each function's diagnostics are published as soon as they are known,
the function just edited first.  Real server, pytest-lsp; order is asserted, never time."""
from __future__ import annotations

import sys
import tempfile
import uuid
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from test_lsp_e2e import make_client, wait_round  # noqa: E402  (recording client, waits)
from trust_kit import clean_env

TMP = Path(tempfile.mkdtemp(prefix="veriline-stream-"))
pytestmark = pytest.mark.asyncio

# slow: a loop unrolled to find s == 14 (n = 4); fast: one comparison
TEXT = '''def slow(n: int) -> int:
    i = 0
    s = 0
    while i < n:
        s = s + i * i
        i = i + 1
    assert s != 14
    return s


def fast(x: int) -> int:
    assert x != 3
    return x
'''
SLOW_LINES, FAST_LINES = range(0, 8), range(10, 13)        # 0-based


@pytest_lsp.fixture(config=ClientServerConfig(
    server_command=[sys.executable, "-m", "veriline", "serve"], client_factory=make_client,
    server_env=clean_env(TMP)))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(lsp.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=TMP.as_uri()))
    yield lsp_client
    await lsp_client.shutdown_session()


def where(p: lsp.PublishDiagnosticsParams) -> set[str]:
    out = set()
    for d in p.diagnostics:
        out |= {"slow"} if d.range.start.line in SLOW_LINES else set()
        out |= {"fast"} if d.range.start.line in FAST_LINES else set()
    return out


def distinct(xs: list) -> list:
    """xs without consecutive repeats: a function the first pass cut short (a loaded
    machine) is published and announced again when its second pass ends."""
    return [x for i, x in enumerate(xs) if i == 0 or xs[i - 1] != x]


def reports(client: LanguageClient) -> list[str]:
    return [v.message for vs in client.progress_reports.values() for v in vs
            if isinstance(v, lsp.WorkDoneProgressReport)]


def change(line: int, start: int, end: int, text: str) -> lsp.TextDocumentContentChangePartial:
    return lsp.TextDocumentContentChangePartial(
        range=lsp.Range(start=lsp.Position(line=line, character=start),
                        end=lsp.Position(line=line, character=end)), text=text)


async def test_the_edited_function_is_answered_first(client: LanguageClient):
    path = TMP / f"{uuid.uuid4().hex}.py"
    path.write_text(TEXT)
    uri = path.as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=uri, language_id="python", version=1, text=TEXT)))
    await wait_round(client, uri, 1)
    v1 = [where(p) for p in client.published if p.uri == uri and p.version == 1]
    assert distinct(v1) == [{"fast"}, {"slow", "fast"}]       # shorter first when nothing edited
    assert distinct(reports(client))[-2:] == ["fast (1/2)", "slow (2/2)"]

    # one edit of both functions, the last change in fast: fast is verified first
    client.text_document_did_change(lsp.DidChangeTextDocumentParams(
        text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[change(6, 16, 18, "30"), change(11, 16, 17, "4")]))
    s = await wait_round(client, uri, 2)
    assert sorted(s["verified"] if isinstance(s, dict) else s.verified) == ["fast", "slow"]
    v2 = [p for p in client.published if p.uri == uri and p.version == 2]
    assert distinct([where(p) for p in v2]) == [{"fast"}, {"slow", "fast"}]
    assert "fast(4)" in v2[0].diagnostics[0].message
    assert distinct(reports(client))[-2:] == ["fast (1/2)", "slow (2/2)"]
