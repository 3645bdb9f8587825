"""The SQLite lemma-cache backend: the default, a local file per user or per workspace.

One table (key, value, created) in WAL mode, every put its own committed transaction, so
several processes may write at once and a process killed with SIGKILL loses nothing it had
committed.  A corrupt or truncated file is moved aside (`<file>.corrupt-<time>`) and
rebuilt when opened, with a warning.  Each thread (and each forked process) gets its own
connection, so the language server's worker threads may share one cache object.
"""
from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from typing import Optional

from .base import COUNTERS, LEMMA_NS, QUERY_NS, Cache

try:
    import fcntl
except ImportError:                       # pragma: no cover - Windows
    fcntl = None

SCHEMA_VERSION = 1
STAT_NS = "stat:"
BUSY_TIMEOUT_MS = 15000
_CORRUPT_CODES = (11, 26)                 # SQLITE_CORRUPT, SQLITE_NOTADB


def _is_corruption(e: BaseException) -> bool:
    code = getattr(e, "sqlite_errorcode", None)
    if code is not None:
        return (code & 0xFF) in _CORRUPT_CODES
    msg = str(e).lower()
    return "not a database" in msg or "malformed" in msg


def _count_salvageable(path: str) -> int:
    """How many entries a corrupt file held: by SQL when the table is still readable,
    else by counting stored values' envelopes (`{"v":`) in the raw pages."""
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return con.execute("SELECT count(*) FROM cache WHERE key >= ? AND key < ? "
                               "OR key >= ? AND key < ?",
                               (LEMMA_NS, LEMMA_NS[:-1] + ";", QUERY_NS,
                                QUERY_NS[:-1] + ";")).fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        pass
    n = 0
    for suffix in ("", "-wal"):
        with contextlib.suppress(OSError), open(path + suffix, "rb") as fh:
            n += fh.read().count(b'{"v":')
    return n


class SQLiteCache(Cache):
    backend = "sqlite"

    def __init__(self, path: str, key: Optional[bytes] = None,
                 shared: Optional[bool] = None) -> None:
        super().__init__(key, shared)
        self.path = self.location = os.path.abspath(path)
        self._local = threading.local()
        self._all: list[tuple[int, sqlite3.Connection]] = []
        self._all_lock = threading.Lock()
        self._broken = False
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            with self._open_lock():
                self._check_or_rebuild()
        except Exception as e:            # noqa: BLE001 - degrade to no cache
            self._broken = True
            self._error("opening", e)

    # -- opening and recovery --------------------------------------------------------
    @contextlib.contextmanager
    def _open_lock(self):
        """Serializes check-and-rebuild between processes opening the same file."""
        if fcntl is None:
            yield
            return
        with open(self.path + ".lock", "a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def _check_or_rebuild(self) -> None:
        try:
            con = self._connect()
            try:
                rows = con.execute("PRAGMA quick_check").fetchall()
                ok = rows == [("ok",)]
                if ok:
                    self._init_schema(con)
            finally:
                con.close()
            problem = None if ok else "; ".join(str(r[0]) for r in rows[:3])
        except sqlite3.DatabaseError as e:
            if not _is_corruption(e):
                raise
            problem = str(e)
        if problem is None:
            return
        aside = f"{self.path}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
        for suffix in ("-wal", "-shm", ""):   # the WAL of a broken file must not be replayed
            if os.path.exists(self.path + suffix):
                os.replace(self.path + suffix, aside + suffix)
        dropped = _count_salvageable(aside)
        self._count(dropped=dropped)
        self._warn(f"lemma cache {self.path} was corrupt ({problem}); moved it to {aside} "
                   f"and started an empty cache ({dropped} entries dropped)")
        con = self._connect()
        try:
            self._init_schema(con)
        finally:
            con.close()

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                              isolation_level=None, check_same_thread=False)
        con.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return con

    @staticmethod
    def _init_schema(con: sqlite3.Connection) -> None:
        if con.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            con.execute("PRAGMA journal_mode=WAL")
        con.execute("CREATE TABLE IF NOT EXISTS cache (key TEXT PRIMARY KEY, "
                    "value TEXT NOT NULL, created REAL NOT NULL)")
        if con.execute("PRAGMA user_version").fetchone()[0] == 0:
            con.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _con(self) -> sqlite3.Connection:
        """This thread's connection (a fresh one after fork: connections do not survive
        it)."""
        loc = self._local
        pid = os.getpid()
        if getattr(loc, "pid", None) != pid:
            if self._broken:
                raise sqlite3.OperationalError("cache could not be opened")
            loc.con = self._connect()
            # NORMAL in WAL mode: a commit is in the OS once it returns, so it survives
            # the process being killed; only a power loss may drop the last commits.
            loc.con.execute("PRAGMA synchronous=NORMAL")
            loc.pid = pid
            with self._all_lock:
                self._all.append((pid, loc.con))
        return loc.con

    # -- backend hooks -----------------------------------------------------------------
    def _read(self, k: str) -> Optional[str]:
        row = self._con().execute("SELECT value FROM cache WHERE key=?", (k,)).fetchone()
        return row[0] if row else None

    def _write(self, k: str, text: str) -> None:
        self._con().execute("INSERT OR REPLACE INTO cache (key, value, created) "
                            "VALUES (?, ?, ?)", (k, text, time.time()))

    def _flush_counts(self, deltas: dict) -> None:
        con = self._con()
        now = time.time()
        con.execute("BEGIN IMMEDIATE")
        try:
            for name, d in deltas.items():
                con.execute("INSERT INTO cache (key, value, created) VALUES (?, ?, ?) "
                            "ON CONFLICT(key) DO UPDATE SET "
                            "value = CAST(CAST(value AS INTEGER) + excluded.value AS TEXT)",
                            (STAT_NS + name, str(d), now))
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise

    def _stored_counts(self) -> dict:
        rows = self._con().execute("SELECT key, value FROM cache WHERE key >= ? AND key < ?",
                                   (STAT_NS, STAT_NS[:-1] + ";")).fetchall()
        out = {}
        for k, v in rows:
            name = k[len(STAT_NS):]
            if name in COUNTERS:
                out[name] = int(v)
        return out

    def _count_entries(self) -> tuple[int, int]:
        con = self._con()

        def count(ns: str) -> int:
            return con.execute("SELECT count(*) FROM cache WHERE key >= ? AND key < ?",
                               (ns, ns[:-1] + ";")).fetchone()[0]
        return count(QUERY_NS), count(LEMMA_NS)

    def _clear(self) -> None:
        con = self._con()
        con.execute("DELETE FROM cache")
        with contextlib.suppress(sqlite3.Error):
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            con.execute("VACUUM")

    def _size(self) -> Optional[int]:
        return sum(os.path.getsize(self.path + s) for s in ("", "-wal")
                   if os.path.exists(self.path + s))

    def _close(self) -> None:
        with self._all_lock:
            cons, self._all = self._all, []
        for pid, con in cons:
            if pid == os.getpid():        # never touch a connection a parent opened
                with contextlib.suppress(Exception):
                    con.close()
        self._local = threading.local()
