"""Immutable snapshots of the documents the editor has open.

pygls' workspace already applies incremental changes (in the negotiated position
encoding); this module only answers "what is open, at which version, in which language",
so that a verification round works on one consistent (uri, version, text) triple and a
request for a URI the editor never opened gets an empty answer instead of a disk read.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable, Optional
from urllib.parse import unquote, urlparse

from pygls.uris import to_fs_path

LANGUAGE_IDS = {"python": "python", "c": "c", "cpp": None, "objective-c": None}
EXTENSIONS = {".py": "python", ".pyw": "python", ".c": "c", ".h": "c"}


@dataclass(frozen=True)
class Snapshot:
    uri: str
    version: int
    text: str
    language: Optional[str]     # 'python' | 'c' | None (not ours: never verified)
    path: str                   # file system path, or the URI for non-file documents

    @property
    def is_file(self) -> bool:
        return self.uri.startswith("file:")

    @property
    def display_name(self) -> str:
        return os.path.basename(self.path) or self.uri

    @property
    def directory(self) -> Optional[str]:
        """Where to look for pyproject.toml (None for untitled/remote documents)."""
        return os.path.dirname(self.path) if self.is_file else None


def path_of(uri: str) -> str:
    if uri.startswith("file:"):
        try:
            p = to_fs_path(uri)
            if p:
                return p
        except Exception:
            pass
        return unquote(urlparse(uri).path)
    return uri


def language_of(uri: str, language_id: Optional[str] = None) -> Optional[str]:
    """Language from the editor's language id, else from the file extension."""
    if language_id:
        lid = language_id.lower()
        if lid in LANGUAGE_IDS:
            return LANGUAGE_IDS[lid]
    ext = os.path.splitext(urlparse(uri).path if "://" in uri else uri)[1].lower()
    return EXTENSIONS.get(ext)


class Documents:
    """Read-only view of pygls' workspace, restricted to documents opened by the client."""

    def __init__(self, workspace: Callable[[], object]) -> None:
        self._workspace = workspace     # late-bound: pygls creates it on `initialize`

    def _doc(self, uri: str):
        try:
            ws = self._workspace()
            docs = ws.text_documents
        except Exception:               # before initialize
            return None
        return docs.get(unquote(uri)) if isinstance(uri, str) else None

    def is_open(self, uri: str) -> bool:
        return self._doc(uri) is not None

    def snapshot(self, uri: str) -> Optional[Snapshot]:
        doc = self._doc(uri)
        if doc is None:
            return None
        text = doc._source if doc._source is not None else ""   # never read the disk
        version = doc.version if doc.version is not None else 0
        return Snapshot(uri, version, text, language_of(uri, doc.language_id), path_of(uri))

    def version(self, uri: str) -> Optional[int]:
        doc = self._doc(uri)
        return None if doc is None else (doc.version if doc.version is not None else 0)

    def lines(self, uri: str) -> list[str]:
        doc = self._doc(uri)
        return [] if doc is None else list(doc.lines)

    def position_codec(self, uri: str):
        doc = self._doc(uri)
        return None if doc is None else doc.position_codec

    def open_uris(self) -> list[str]:
        try:
            return [d.uri for d in self._workspace().text_documents.values()]
        except Exception:
            return []
