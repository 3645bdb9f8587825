"""End to end, against the real `veriline serve`: the "Show proof obligation" code action
and command (the SMT-LIB of a finding's queries with their answers, which z3 re-decides
from the text), and the hover of a ✓ naming its solver.  Harness: test_lsp_e2e."""
from __future__ import annotations

import re

import pytest
import z3
from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams
from pytest_lsp import LanguageClient

from test_lsp_e2e import (FAKE, _get, by_code, client, open_doc, pos,  # noqa: F401
                          raw_request, wait_round)

pytestmark = [pytest.mark.asyncio,
              pytest.mark.skipif(FAKE, reason="needs the real engine")]


def _queries(text: str) -> list[tuple[str, str]]:
    """(answer, SMT-LIB text) of each query in the document."""
    out = []
    for block in text.split("; ---- query ")[1:]:
        answer = re.search(r"^; answer: (\w+)", block, re.M).group(1)
        body = "\n".join(ln for ln in block.splitlines()[1:] if not ln.startswith(";"))
        out.append((answer, body.split("\n\n; ====")[0]))
    return out


async def test_show_proof_obligation_of_a_proved_and_a_failing_finding(client: LanguageClient):
    uri, _ = open_doc(client, "c/midpoint.c")
    await wait_round(client, uri, 1)
    assert [d for d in by_code(client, uri, "overflow") if d.range.start.line == 4]
    # raw JSON: pytest-lsp's converter reads a CodeAction with a command as a Command
    rng = {"start": {"line": 4, "character": 0}, "end": {"line": 4, "character": 0}}
    actions = await raw_request(client, "textDocument/codeAction", {
        "textDocument": {"uri": uri}, "range": rng, "context": {"diagnostics": []}})
    show = [_get(a, "title") for a in actions
            if _get(a, "title").startswith("Show proof obligation")]
    assert show == ["Show proof obligation (overflow, line 5)"]
    cmd = _get(next(a for a in actions if _get(a, "title") == show[0]), "command")
    assert _get(cmd, "command") == "veriline.showProof"
    assert list(_get(cmd, "arguments")) == [uri, 4, "overflow"]
    got = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
        command="veriline.showProof", arguments=[uri, 4, "overflow"]))
    text = got["text"] if isinstance(got, dict) else got.text
    assert "; ✗ overflow [midpoint_bad] line 5" in text
    assert "(check-sat)" in text and "(set-logic" in text
    qs = _queries(text)
    assert any(a == "sat" for a, _ in qs)
    for answer, body in qs:
        if answer in ("sat", "unsat"):
            s = z3.Solver()
            s.from_string(body)
            assert str(s.check()) == answer
    # a ✓: midpoint_good's postcondition (line 11 holds the return)
    got = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
        command="veriline.showProof", arguments=[uri, 10]))
    text = got["text"] if isinstance(got, dict) else got.text
    assert "; ✓ " in text and "; proved by z3/" in text
    assert "[decides the verdict]" in text
    h = await client.text_document_hover_async(lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri), position=pos(10, 12)))
    assert h is not None and "— proved by `z3/" in h.contents.value
    assert "not cross-checked (turn on veriline.crossCheck)" in h.contents.value


async def test_show_proof_bad_arguments(client: LanguageClient):
    with pytest.raises(JsonRpcInvalidParams):
        await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
            command="veriline.showProof", arguments=["file:///not/open.c", 1]))
    uri, _ = open_doc(client, "c/midpoint.c")
    await wait_round(client, uri, 1)
    with pytest.raises(JsonRpcInvalidParams):
        await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
            command="veriline.showProof", arguments=[uri, "x"]))
    got = await client.workspace_execute_command_async(lsp.ExecuteCommandParams(
        command="veriline.showProof", arguments=[uri, 0]))      # no function there
    assert (got["findings"] if isinstance(got, dict) else got.findings) == 0
