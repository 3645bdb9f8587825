"""Cache backends' shared logic: namespacing, JSON, HMAC signing, counters (see __init__)."""
from __future__ import annotations

import atexit
import hashlib
import hmac
import json
import logging
import threading
import time
import weakref
from typing import Optional

log = logging.getLogger("veriline.cache")

QUERY_NS, LEMMA_NS = "q:", "l:"
COUNTERS = ("hits", "misses", "puts", "untrusted", "ignored", "rejected", "dropped",
            "errors")
FLUSH_INTERVAL_S = 5.0


class CacheError(RuntimeError):
    """A cache that cannot be opened at all (bad spec, missing client library)."""


def _dump(value: dict) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))


class Cache:
    """Shared logic: namespacing, JSON, HMAC signing and checking, counters.

    Backends implement _read(k) -> str | None, _write(k, text), _flush_counts(deltas)
    -> bool,
    _stored_counts() -> dict, _count_entries() -> (queries, lemmas), _clear(),
    _size() -> int | None, _close()."""

    backend = "abstract"
    shared = False          # True: others may write it, so unkeyed it is never read
    location = ""

    def __init__(self, key: Optional[bytes] = None, shared: Optional[bool] = None) -> None:
        self._key = key or None
        if shared is not None:
            self.shared = shared
        self._lock = threading.Lock()
        self._session = dict.fromkeys(COUNTERS, 0)
        self._pending = dict.fromkeys(COUNTERS, 0)
        self._last_flush = time.monotonic()
        self.warnings: list[str] = []
        self._closed = False
        ref = weakref.ref(self)
        atexit.register(lambda: (c := ref()) is not None and c.close())

    # -- public interface ------------------------------------------------------------
    def get(self, key: str) -> Optional[dict]:
        return self._get(QUERY_NS + key, lemma=False)

    def put(self, key: str, entry: dict) -> None:
        self._put(QUERY_NS + key, entry)

    def get_lemma(self, key: str) -> Optional[dict]:
        return self._get(LEMMA_NS + key, lemma=True)

    def put_lemma(self, key: str, value: dict) -> None:
        self._put(LEMMA_NS + key, value)

    def note_rejected(self, key: str) -> None:
        """The caller could not reuse an entry get() returned (model failed its re-check,
        or an 'unknown' with a smaller time limit): count it as a miss, not a hit."""
        self._count(hits=-1, misses=1, rejected=1)

    @property
    def signed(self) -> bool:
        return self._key is not None

    @property
    def trusted(self) -> bool:
        """Whether entries read from the store may be used: signed, or a private store."""
        return self._key is not None or not self.shared

    def announce_trust(self) -> None:
        """Say once why an unsigned shared store is not used (opening calls this)."""
        if not self.trusted:
            self._warn(f"lemma cache {self.location} is shared and VERILINE_CACHE_KEY is "
                       "not set: its entries are neither read nor written (set the key "
                       "to share signed results)")

    def stats(self) -> dict:
        """Totals over every process that used this store, plus this session's counts."""
        self._flush(force=True)
        totals = dict.fromkeys(COUNTERS, 0)
        try:
            totals.update(self._stored_counts())
        except Exception as e:            # noqa: BLE001 - stats must not fail
            self._error("reading counters", e)
        with self._lock:
            for k, v in self._pending.items():
                totals[k] = totals.get(k, 0) + v
            session = dict(self._session)
        try:
            queries, lemmas = self._count_entries()
        except Exception as e:            # noqa: BLE001
            self._error("counting entries", e)
            queries = lemmas = None
        looked = totals["hits"] + totals["misses"]
        return {"backend": self.backend, "location": self.location,
                "entries": queries, "lemmas": lemmas, **totals,
                "hit_rate": round(totals["hits"] / looked, 4) if looked else None,
                "size_bytes": self._safe_size(), "signed": self.signed,
                "session": session, "warnings": list(self.warnings)}

    def clear(self) -> None:
        """Delete every entry, lemma and counter of this store."""
        with self._lock:
            self._pending = dict.fromkeys(COUNTERS, 0)
        try:
            self._clear()
        except Exception as e:            # noqa: BLE001
            self._error("clearing", e)

    def close(self) -> None:
        if self._closed:
            return
        self._flush(force=True)
        self._closed = True
        try:
            self._close()
        except Exception:                 # noqa: BLE001
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.location}>"

    # -- shared machinery ------------------------------------------------------------
    def _get(self, k: str, lemma: bool) -> Optional[dict]:
        if self._closed:
            return None
        if not self.trusted:              # anyone may have written it: never read
            self._count(misses=1, ignored=1)
            return None
        try:
            text = self._read(k)
        except Exception as e:            # noqa: BLE001
            self._error("reading", e)
            text = None
        if text is None:
            self._count(misses=1)
            return None
        value = self._unwrap(k, text, lemma)
        self._count(**({"hits": 1} if value is not None else {"misses": 1}))
        return value

    def _unwrap(self, k: str, text: str, lemma: bool) -> Optional[dict]:
        """The stored value if it may be trusted; counts what it ignores."""
        try:
            env = json.loads(text)
            body, mac = env["v"], env.get("mac")
            if self._key is not None and not (
                    isinstance(mac, str) and hmac.compare_digest(
                        mac.encode("utf-8", "replace"), self._sign(k, body).encode())):
                self._count(untrusted=1)
                return None
            value = json.loads(body)
        except Exception:                 # noqa: BLE001 - any malformed value is a miss
            value = None
        if not isinstance(value, dict):
            self._count(untrusted=1)
            return None
        return value

    def _put(self, k: str, value: dict) -> None:
        if self._closed or not self.trusted:   # unsigned entries nobody should read
            return
        try:
            body = _dump(value)
            env = {"v": body}
            if self._key is not None:
                env["mac"] = self._sign(k, body)
            self._write(k, json.dumps(env, separators=(",", ":")))
        except Exception as e:            # noqa: BLE001
            self._error("writing", e)
            return
        self._count(puts=1)

    def _sign(self, k: str, body: str) -> str:
        return hmac.new(self._key, (k + body).encode("utf-8", "surrogatepass"),
                        hashlib.sha256).hexdigest()

    def _count(self, **deltas: int) -> None:
        with self._lock:
            for name, d in deltas.items():
                self._session[name] += d
                self._pending[name] += d
        if time.monotonic() - self._last_flush > FLUSH_INTERVAL_S:
            self._flush()

    def _flush(self, force: bool = False) -> None:
        """Add this process's counter deltas to the store's totals (so `veriline cache
        stats` in another process sees them); at close, at exit and every few seconds."""
        if self._closed:
            return
        with self._lock:
            if not force and time.monotonic() - self._last_flush <= FLUSH_INTERVAL_S:
                return
            deltas = {k: v for k, v in self._pending.items() if v}
            self._pending = dict.fromkeys(COUNTERS, 0)
            self._last_flush = time.monotonic()
        if not deltas:
            return
        try:
            stored = self._flush_counts(deltas) is not False
        except Exception as e:            # noqa: BLE001 - counters are best effort
            log.debug("cache: could not store counters: %s", e)
            stored = False
        if not stored:                    # keep them for the next flush
            with self._lock:
                for k, v in deltas.items():
                    self._pending[k] += v

    def _error(self, what: str, exc: BaseException) -> None:
        with self._lock:
            self._session["errors"] += 1
            self._pending["errors"] += 1
            first = self._session["errors"] == 1
        if first:
            self._warn(f"lemma cache {self.location}: error while {what}: {exc}; "
                       "continuing (further errors are only counted)")

    def _warn(self, msg: str) -> None:
        log.warning("%s", msg)
        self.warnings.append(msg)

    def _safe_size(self) -> Optional[int]:
        try:
            return self._size()
        except Exception:                 # noqa: BLE001
            return None

    # -- backend hooks (NullCache's behaviour by default) ----------------------------
    def _read(self, k: str) -> Optional[str]:
        return None

    def _write(self, k: str, text: str) -> None:
        pass

    def _flush_counts(self, deltas: dict) -> Optional[bool]:
        """Add deltas to the stored totals; False when they could not be stored."""
        return True

    def _stored_counts(self) -> dict:
        return {}

    def _count_entries(self) -> tuple[int, int]:
        return 0, 0

    def _clear(self) -> None:
        pass

    def _size(self) -> Optional[int]:
        return None

    def _close(self) -> None:
        pass


class NullCache(Cache):
    """No cache (`--no-cache`): every get misses, every put is dropped."""

    backend = "none"
    location = "none"

    def __init__(self, key: Optional[bytes] = None) -> None:
        super().__init__(key)

    def _put(self, k: str, value: dict) -> None:
        pass

    def _get(self, k: str, lemma: bool) -> Optional[dict]:
        return None
