"""The JSON-RPC/LSP protocol layer, hardened against hostile clients.

pygls' structuring logs a traceback for params that do not fit and never answers the
request; its built-in didChange/didClose raise KeyError for a document that is not open;
lone surrogates (valid JSON escapes) crash every encoder downstream.  Overrides of pygls'
own hooks (no patching of pygls globals) turn each into a one-line log or an error reply.
"""
from __future__ import annotations

import logging
import re

from lsprotocol import types as lsp
from pygls.exceptions import (JsonRpcException, JsonRpcInternalError, JsonRpcInvalidParams,
                              JsonRpcInvalidRequest)
from pygls.protocol import LanguageServerProtocol, lsp_method
from pygls.protocol.json_rpc import (JsonRPCNotification, JsonRPCRequestMessage,
                                     JsonRPCResponseMessage, ResponseErrorMessage)

log = logging.getLogger(__name__)

_SURROGATE = re.compile("[\ud800-\udfff]")


def _no_lone_surrogates(text: str) -> str:
    """JSON can carry lone surrogates (\\udcff) that no encoder accepts; U+FFFD has the
    same length in code points and UTF-16 units, so positions do not move."""
    return _SURROGATE.sub("\ufffd", text) if isinstance(text, str) else text


class VerilineProtocol(LanguageServerProtocol):
    def structure_message(self, data: dict):
        """pygls' structuring, with a one-line log instead of a traceback; a request whose
        params do not fit its method gets an error response (pygls only logs it, which
        would leave the client waiting forever)."""
        if not isinstance(data, dict) or "jsonrpc" not in data:
            return data
        msg_id = data.get("id")
        if isinstance(msg_id, bool) or not isinstance(msg_id, (str, int, type(None))):
            raise JsonRpcInvalidRequest(f"bad message id {msg_id!r:.50}")
        try:
            return self._structure(data)
        except Exception as exc:
            err = exc if isinstance(exc, JsonRpcException) else (
                JsonRpcInvalidParams() if "validat" in type(exc).__name__.lower()
                else JsonRpcInternalError())
            if "id" in data and "method" in data:
                self._send_response(data["id"], error=err.to_response_error())
            raise err from exc

    def _structure(self, data: dict):
        if "id" in data:
            if "error" in data:
                return self._converter.structure(data, ResponseErrorMessage)
            if "method" in data:
                kind = self.get_message_type(data["method"]) or JsonRPCRequestMessage
                return self._converter.structure(data, kind)
            kind = self._result_types.pop(data["id"], None) or JsonRPCResponseMessage
            return self._converter.structure(data, kind)
        kind = self.get_message_type(data.get("method", "")) or JsonRPCNotification
        return self._converter.structure(data, kind)

    def _is_open(self, uri: str) -> bool:
        return uri in self.workspace.text_documents

    @lsp_method(lsp.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params: lsp.DidOpenTextDocumentParams):
        params.text_document.text = _no_lone_surrogates(params.text_document.text)
        yield from super().lsp_text_document__did_open(params)

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params: lsp.DidChangeTextDocumentParams):
        """An edit of a document that is not open is ignored (pygls raises KeyError)."""
        if not self._is_open(params.text_document.uri):
            log.warning("veriline: ignoring an edit of %.200s (not open)",
                        params.text_document.uri)
            return
        for change in params.content_changes:
            change.text = _no_lone_surrogates(change.text)
        yield from super().lsp_text_document__did_change(params)

    @lsp_method(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params: lsp.DidCloseTextDocumentParams):
        if not self._is_open(params.text_document.uri):
            log.warning("veriline: ignoring the close of %.200s (not open)",
                        params.text_document.uri)
            return
        yield from super().lsp_text_document__did_close(params)
