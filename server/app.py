"""The pygls language server: LSP messages in, scheduler calls out, converted results back.

Kept thin on purpose (like jedi-language-server): every decision about *what* to show
lives in convert.py/actions.py, every decision about *when* to verify in scheduler.py;
the handlers only look things up and translate positions.
"""
from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Optional

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer

from veriline import __version__, config

from . import actions, convert, isolation, proof_view, rpc_io
from .documents import Documents, Snapshot
from .protocol import VerilineProtocol
from .scheduler import ALL, DocResults, Job, Scheduler

log = logging.getLogger(__name__)
MAX_CHARS = 5_000_000           # larger documents are not verified (logged, not fatal)
STATS = "veriline/stats"
CMD_FUNCTION, CMD_FILE, CMD_CLEAR = "veriline.verifyFunction", "veriline.verifyFile", "veriline.clearCache"
CMD_PROOF = "veriline.showProof"
_WORD = re.compile(r"[A-Za-z_]\w*")


class VerilineServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("veriline", __version__, protocol_cls=VerilineProtocol,
                         text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.documents = Documents(lambda: self.workspace)
        self.editor_settings: dict[str, Any] = {}
        self.doc_settings: dict[str, dict] = {}     # uri -> settings of its last round
        self._scheduler: Optional[Scheduler] = None
        self._progress: dict[int, tuple[str, asyncio.Future]] = {}
        self._progress_seq = 0
        self.max_message_bytes = rpc_io.max_bytes_from_env()

    def start_io(self, stdin=None, stdout=None) -> None:
        """stdio with a reader that survives hostile input (rpc_io)."""
        import sys
        rpc_io.run_stdio(self, stdin or sys.stdin.buffer, stdout or sys.stdout.buffer,
                         self.max_message_bytes)

    def start_tcp(self, host: str, port: int) -> None:
        rpc_io.run_tcp(self, host, port, self.max_message_bytes)

    def report_server_error(self, error: Exception, source) -> None:
        log.error("veriline server error (%s): %s", getattr(source, "__name__", source), error)

    # ------------------------------------------------------------------ plumbing
    @property
    def scheduler(self) -> Scheduler:
        if self._scheduler is None:
            self._scheduler = Scheduler(asyncio.get_running_loop(), self, self._job_input,
                                        isolate=True)   # a z3 overrun is killed
        return self._scheduler

    def settings_for(self, snap: Snapshot) -> dict:
        """The client's settings decide what may run: the project file cannot turn on
        replay (config.PRIVILEGED); trying to is shown as a warning, once per file."""
        if snap.directory:
            return config.load_settings(snap.directory, self.editor_settings,
                                        warn=self.warn_user)
        return config.merge(config.user_settings(), self.editor_settings)

    def warn_user(self, message: str) -> None:
        log.warning("veriline: %s", message)
        try:
            self.window_show_message(lsp.ShowMessageParams(
                type=lsp.MessageType.Warning, message=f"veriline: {message}"))
        except Exception as exc:     # no client yet / connection gone: the log has it
            log.info("veriline: could not show a message: %s", exc)

    def _job_input(self, uri: str):
        snap = self.documents.snapshot(uri)
        if snap is None or snap.language not in ("python", "c"):
            return None
        if len(snap.text) > MAX_CHARS:
            log.warning("veriline: %s is too large to verify (%d chars)", uri, len(snap.text))
            return None
        settings = self.settings_for(snap)
        self.doc_settings[uri] = settings
        options = config.options_from_settings(
            settings, cache_untrusted=config.cache_named_by_project(snap.directory))
        return snap, options.for_file(snap.path) if snap.path else options

    def setting(self, uri: str, key: str):
        return self.doc_settings.get(uri, config.DEFAULTS).get(key, config.DEFAULTS[key])

    def positions(self, uri: str) -> convert.Positions:
        try:
            enc = self.workspace.position_encoding or "utf-16"
        except RuntimeError:
            enc = "utf-16"
        return convert.Positions(self.documents.lines(uri), getattr(enc, "value", enc))

    def capability(self, *path: str) -> Any:
        cur: Any = self.client_capabilities
        for p in path:
            cur = getattr(cur, p, None)
            if cur is None:
                return None
        return cur

    def verify_all(self, force: frozenset = frozenset()) -> None:
        for uri in self.documents.open_uris():
            self.scheduler.schedule(uri, 0.0, force)

    # ------------------------------------------------------------------ Sink (scheduler)
    def current_version(self, uri: str) -> Optional[int]:
        return self.documents.version(uri)

    def publish(self, res: DocResults) -> None:
        diags = convert.diagnostics(res, self.positions(res.uri),
                                    self.setting(res.uri, "unknownSeverity"))
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=res.uri, version=res.version, diagnostics=diags))
        if res.pending and self.capability("workspace", "code_lens", "refresh_support"):
            self.workspace_code_lens_refresh(None)   # "verifying…" lenses turn into results

    def stats(self, payload: dict) -> None:
        self.protocol.notify(STATS, payload)
        if self.capability("workspace", "code_lens", "refresh_support"):
            self.workspace_code_lens_refresh(None)
        if self.capability("workspace", "inlay_hint", "refresh_support"):
            self.workspace_inlay_hint_refresh(None)

    def progress(self, job: Job, kind: str, message: str, percentage: int) -> None:
        """Work-done progress, created by the server (only if the client supports it)."""
        if not self.capability("window", "work_done_progress"):
            return
        key = id(job)
        if kind == "begin":
            self._progress_seq += 1
            token = f"veriline-{self._progress_seq}"
            value: Any = lsp.WorkDoneProgressBegin(title="veriline", message=message,
                                                   percentage=percentage, cancellable=False)
            prev = None
        else:
            if key not in self._progress:
                return
            token, prev = self._progress[key]
            value = (lsp.WorkDoneProgressEnd(message=message) if kind == "end" else
                     lsp.WorkDoneProgressReport(message=message, percentage=percentage))
        fut = asyncio.ensure_future(self._send_progress(prev, token, value))
        if kind == "end":
            self._progress.pop(key, None)
        else:
            self._progress[key] = (token, fut)

    async def _send_progress(self, prev, token: str, value) -> None:
        try:
            if prev is None:
                await self.work_done_progress.create_async(token)
            elif not await prev:
                return
            wdp = self.work_done_progress
            {lsp.WorkDoneProgressBegin: wdp.begin, lsp.WorkDoneProgressReport: wdp.report,
             lsp.WorkDoneProgressEnd: wdp.end}[type(value)](token, value)
            if isinstance(value, lsp.WorkDoneProgressEnd):
                wdp.tokens.pop(token, None)
            return True
        except Exception as exc:   # client refused the token: go on without progress
            log.info("veriline: progress %s: %s", token, exc)
            return False

    async def pull_settings(self) -> None:
        if not self.capability("workspace", "configuration"):
            return
        try:
            got = await self.workspace_configuration_async(lsp.ConfigurationParams(
                items=[lsp.ConfigurationItem(section=config.SECTION)]))
        except Exception as exc:
            log.info("veriline: workspace/configuration failed: %s", exc)
            return
        if got and isinstance(got[0], dict):
            self.editor_settings = config.normalize(got[0])


server = VerilineServer()


def _settings_from(payload: Any) -> Optional[dict]:
    if isinstance(payload, dict):
        inner = payload.get(config.SECTION, payload)
        return config.normalize(inner) if isinstance(inner, dict) else None
    return None


@server.feature(lsp.INITIALIZE)
def initialize(ls: VerilineServer, params: lsp.InitializeParams) -> None:
    ls.editor_settings = _settings_from(params.initialization_options) or {}


@server.feature(lsp.INITIALIZED)
async def initialized(ls: VerilineServer, params: lsp.InitializedParams) -> None:
    ls.scheduler   # created on the event loop
    before = dict(ls.editor_settings)
    await ls.pull_settings()
    if ls.editor_settings != before:    # documents opened meanwhile used the old settings
        ls.verify_all()


@server.feature(lsp.SHUTDOWN)
def shutdown(ls: VerilineServer, params: Any) -> None:
    if ls._scheduler is not None:
        ls._scheduler.shutdown()


@server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(ls: VerilineServer, params: lsp.DidChangeConfigurationParams) -> None:
    pushed = _settings_from(params.settings)
    if pushed is not None and config.SECTION in (params.settings or {}):
        ls.editor_settings = pushed
    else:
        await ls.pull_settings()
    ls.verify_all()


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: VerilineServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.scheduler.schedule(params.text_document.uri, 0.0)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: VerilineServer, params: lsp.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    ranged = [c for c in params.content_changes
              if isinstance(c, lsp.TextDocumentContentChangePartial)]
    focus = ranged[-1].range.start.line + 1 if ranged else None   # verified first
    ls.scheduler.schedule(uri, ls.setting(uri, "debounceMs") / 1000.0, focus=focus)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: VerilineServer, params: lsp.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.scheduler.forget(uri)
    ls.doc_settings.pop(uri, None)
    ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def _results(ls: VerilineServer, uri: str) -> Optional[DocResults]:
    return ls.scheduler.results(uri) if ls.documents.is_open(uri) else None


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: VerilineServer, params: lsp.HoverParams) -> Optional[lsp.Hover]:
    res = _results(ls, params.text_document.uri)
    if res is None:
        return None
    pos = ls.positions(res.uri)
    line0 = params.position.line
    col = pos.code_point_col(line0, params.position.character)
    text = pos.lines[line0] if 0 <= line0 < len(pos.lines) else ""
    word = next((m.group() for m in _WORD.finditer(text) if m.start() <= col <= m.end()), "")
    md = convert.hover_markdown(res, line0 + 1, col, word)
    if md is None:
        return None
    return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=md))


@server.feature(lsp.TEXT_DOCUMENT_CODE_LENS)
def code_lens(ls: VerilineServer, params: lsp.CodeLensParams) -> list[lsp.CodeLens]:
    res = _results(ls, params.text_document.uri)
    return [] if res is None else convert.code_lenses(res, ls.positions(res.uri))


@server.feature(lsp.TEXT_DOCUMENT_INLAY_HINT)
def inlay_hint(ls: VerilineServer, params: lsp.InlayHintParams) -> list[lsp.InlayHint]:
    res = _results(ls, params.text_document.uri)
    if res is None or not ls.setting(res.uri, "inlayHints"):
        return []
    return convert.inlay_hints(res, ls.positions(res.uri), params.range.start.line,
                               params.range.end.line)


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION, lsp.CodeActionOptions(
    code_action_kinds=[lsp.CodeActionKind.QuickFix]))
def code_action(ls: VerilineServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    res = _results(ls, params.text_document.uri)
    if res is None:
        return []
    return actions.code_actions(res, ls.positions(res.uri), params.range,
                                res.program.language,
                                ls.setting(res.uri, "unknownSeverity")) + \
        actions.proof_actions(res, params.range, CMD_PROOF)


def _open_uri(ls: VerilineServer, args: tuple) -> str:
    if not args or not isinstance(args[0], str) or not ls.documents.is_open(args[0]):
        raise JsonRpcInvalidParams.of(ValueError(f"not an open document: {args[:1]!r}"))
    return args[0]


@server.command(CMD_FUNCTION)
def verify_function(ls: VerilineServer, *args) -> None:
    """Arguments: uri, function name.  Re-verifies that function even if unchanged."""
    uri = _open_uri(ls, args)
    if len(args) < 2 or not isinstance(args[1], str):
        raise JsonRpcInvalidParams.of(ValueError("expected arguments: uri, function name"))
    ls.scheduler.schedule(uri, 0.0, {args[1]})


@server.command(CMD_FILE)
def verify_file(ls: VerilineServer, *args) -> None:
    ls.scheduler.schedule(_open_uri(ls, args), 0.0, {ALL})


@server.command(CMD_PROOF)
async def show_proof(ls: VerilineServer, *args) -> dict:
    """Arguments: uri, 0-based line, optional kind.  The SMT-LIB of the queries that
    decided the findings there, with their answers (server/proof_view.py)."""
    uri = _open_uri(ls, args)
    if len(args) < 2 or not isinstance(args[1], int) or isinstance(args[1], bool):
        raise JsonRpcInvalidParams.of(ValueError("expected arguments: uri, line[, kind]"))
    kind = args[2] if len(args) > 2 and isinstance(args[2], str) else None
    res, job = _results(ls, uri), ls._job_input(uri)
    line = args[1] + 1
    fn = res.function_at(line) if res is not None else None
    if fn is None or job is None:
        return {"text": proof_view.render([]), "findings": 0}
    program, options = res.program, job[1]
    # in a killable child within the function's budget (isolation.prove): never hangs
    how, found = await asyncio.get_running_loop().run_in_executor(
        None, isolation.prove, program, fn.name, options)
    at = proof_view.findings_at(found, line, kind)
    text = proof_view.render(at)
    if how == "timeout":
        text = proof_view.out_of_time(fn.name, options.budget_s) + text
    return {"text": text, "findings": len(at), "function": fn.name}


@server.command(CMD_CLEAR)
def clear_cache(ls: VerilineServer, *args) -> None:
    """Forget every result (ours and the lemma cache's) and verify open files again."""
    ls.scheduler.clear_cache()
    for spec in {s.get("cache", "") for s in ls.doc_settings.values()} or {""}:
        clear = getattr(config.open_cache(spec), "clear", None)
        if callable(clear):
            try:
                clear()
            except Exception as exc:
                log.warning("veriline: clearing the lemma cache failed: %s", exc)
    ls.verify_all(frozenset({ALL}))
