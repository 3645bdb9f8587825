"""The Redis lemma-cache backend: one store shared by a team or a CI fleet.

Keys are prefixed `veriline:v1:`.  The store is shared, so without an HMAC key it is
neither read nor written (see __init__.py).  If Redis goes away mid-run the cache logs one
warning and behaves as no cache (get → None, put → dropped) for RETRY_AFTER_S seconds,
then tries again: never an exception, never a wrong answer.
"""
from __future__ import annotations

import time
from typing import Optional

from .base import COUNTERS, LEMMA_NS, QUERY_NS, Cache, CacheError

PREFIX = "veriline:v1:"
STATS_KEY = PREFIX + "stats"
SOCKET_TIMEOUT_S = 2.0
RETRY_AFTER_S = 60.0


class RedisCache(Cache):
    backend = "redis"
    shared = True

    def __init__(self, url: str, key: Optional[bytes] = None) -> None:
        super().__init__(key)
        try:
            import redis
        except ImportError as e:
            raise CacheError("a redis:// cache needs the 'redis' package: "
                             "pip install 'veriline[redis]'") from e
        self._redis = redis
        self.location = _redact(url)
        try:
            self._client = redis.Redis.from_url(
                url, socket_timeout=SOCKET_TIMEOUT_S,
                socket_connect_timeout=SOCKET_TIMEOUT_S, decode_responses=True)
        except ValueError as e:
            raise CacheError(f"bad Redis URL {self.location}: {e}") from e
        self._down_until = 0.0
        self._down_warned = False
        self._call(lambda c: c.ping())

    def _call(self, op, default=None):
        """Run op(client); on a connection problem degrade to no cache for a while."""
        if time.monotonic() < self._down_until:
            return default
        try:
            return op(self._client)
        except (self._redis.exceptions.RedisError, OSError) as e:
            self._down_until = time.monotonic() + RETRY_AFTER_S
            with self._lock:
                self._session["errors"] += 1
                self._pending["errors"] += 1
            if not self._down_warned:
                self._down_warned = True
                self._warn(f"lemma cache {self.location} unavailable ({e}); "
                           "continuing without the cache")
            return default

    @property
    def available(self) -> bool:
        return time.monotonic() >= self._down_until

    # -- backend hooks -----------------------------------------------------------------
    def _read(self, k: str) -> Optional[str]:
        return self._call(lambda c: c.get(PREFIX + k))

    def _write(self, k: str, text: str) -> None:
        self._call(lambda c: c.set(PREFIX + k, text))

    def _flush_counts(self, deltas: dict) -> bool:
        def incr(c):
            p = c.pipeline(transaction=False)
            for name, d in deltas.items():
                p.hincrby(STATS_KEY, name, d)
            p.execute()
            return True
        return bool(self._call(incr, False))

    def _stored_counts(self) -> dict:
        raw = self._call(lambda c: c.hgetall(STATS_KEY), {}) or {}
        return {k: int(v) for k, v in raw.items() if k in COUNTERS}

    def _count_entries(self) -> tuple[Optional[int], Optional[int]]:
        def count(ns: str):
            return self._call(lambda c: sum(1 for _ in c.scan_iter(PREFIX + ns + "*",
                                                                  count=1000)))
        return count(QUERY_NS), count(LEMMA_NS)

    def _clear(self) -> None:
        def wipe(c):
            batch = []
            for k in c.scan_iter(PREFIX + "*", count=1000):
                batch.append(k)
                if len(batch) >= 1000:
                    c.delete(*batch)
                    batch = []
            if batch:
                c.delete(*batch)
        self._call(wipe)

    def _size(self) -> Optional[int]:
        return None                        # memory of the whole server, not ours

    def _close(self) -> None:
        self._client.close()


def _redact(url: str) -> str:
    """The URL without its password (it ends up in logs and stats)."""
    if "@" not in url:
        return url
    scheme, _, rest = url.partition("://")
    cred, _, host = rest.rpartition("@")
    user = cred.split(":", 1)[0]
    return f"{scheme}://{user + ':***' if user else '***'}@{host}"
