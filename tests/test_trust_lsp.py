"""`veriline serve` runs workspace code only when the client's settings ask for it: a
pyproject.toml `replay = true` is ignored (a window/showMessage warning names the file),
and an untrusted client (VS Code sends replay=false) is never overridden.  Real server
process driven by pytest-lsp; marker files tell what ran."""
from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types as lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from trust_kit import clean_env, hostile_workspace

TMP = Path(tempfile.mkdtemp(prefix="veriline-trust-lsp-"))
WAIT = 60.0
pytestmark = pytest.mark.asyncio


from test_lsp_e2e import _get, make_client  # noqa: E402  (the e2e tests' recording client)


@pytest_lsp.fixture(config=ClientServerConfig(
    server_command=[sys.executable, "-m", "veriline", "serve"], client_factory=make_client,
    server_env=clean_env(TMP)))
async def client(lsp_client: LanguageClient):
    yield lsp_client
    await lsp_client.shutdown_session()


async def start(client: LanguageClient, ws: Path, settings: dict) -> None:
    client.set_configuration(settings, section="veriline")
    await client.initialize_session(lsp.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"), root_uri=ws.as_uri(),
        initialization_options={"veriline": settings},
        workspace_folders=[lsp.WorkspaceFolder(uri=ws.as_uri(), name="ws")]))


async def verify(client: LanguageClient, path: Path, language: str) -> list[lsp.Diagnostic]:
    uri = path.as_uri()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=uri, language_id=language, version=1, text=path.read_text())))
    end = time.monotonic() + WAIT
    while not any(_get(s, "uri") == uri for s in client.stats):
        assert time.monotonic() < end, f"no verification round for {uri}"
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.1)
    return client.diagnostics.get(uri, [])


def workspace(pyproject_replay: bool) -> tuple[Path, dict]:
    ws = TMP / uuid.uuid4().hex
    return ws, hostile_workspace(ws, pyproject_replay=pyproject_replay)


async def test_project_replay_is_ignored_and_warned(client: LanguageClient):
    ws, markers = workspace(pyproject_replay=True)
    await start(client, ws, {"replay": False})          # what VS Code sends when untrusted
    py = await verify(client, ws / "evil.py", "python")
    c = await verify(client, ws / "evil.c", "c")
    assert [d.code for d in py] == ["contract"] and [d.code for d in c] == ["contract"]
    assert "not replayed on your code" in (await hover_text(client, ws / "evil.py", 6))
    assert not any(m.exists() for m in markers.values())
    shown = [m for m in client.messages if m.type == lsp.MessageType.Warning]
    assert len(shown) == 1, shown
    assert f"ignoring `replay = true` in {ws / 'pyproject.toml'}" in shown[0].message


async def test_client_opt_in_runs_the_code(client: LanguageClient):
    ws, markers = workspace(pyproject_replay=False)
    await start(client, ws, {"replay": True})
    py = await verify(client, ws / "evil.py", "python")
    c = await verify(client, ws / "evil.c", "c")
    assert [d.code for d in py] == ["contract"] and [d.code for d in c] == ["contract"]
    assert "confirmed by running your code" in (await hover_text(client, ws / "evil.py", 6))
    assert markers["py"].read_text() == "ran" and markers["c"].exists()
    assert not [m for m in client.messages if m.type == lsp.MessageType.Warning]


async def hover_text(client: LanguageClient, path: Path, line0: int) -> str:
    h = await client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=path.as_uri()),
        position=lsp.Position(line=line0, character=8)))
    assert h is not None
    return h.contents.value
