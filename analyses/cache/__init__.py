"""The lemma cache: solved z3 queries memoized so unchanged code is never re-proved.

open_cache() picks a backend from a spec: None → SQLite in the user cache dir, a path or
`sqlite:///path` → that SQLite file, `redis://HOST:PORT/DB` → a shared Redis, `none` → no
cache.  Every backend has the same interface (get/put for query results, get_lemma/
put_lemma for intermediate lemmas, stats, clear, close) and never raises on a storage
failure: a cache problem costs time, never an answer.

Trust: with an HMAC key (argument or VERILINE_CACHE_KEY) every value is stored with
hmac-sha256(key, cache_key + value_json) and unsigned or mis-signed values are ignored
(counted as `untrusted`).  Without a key, values are read as-is from a private SQLite file
(only this user writes it); a shared store (Redis, or any store opened with shared=True,
e.g. one named by a project file) is then neither read nor written, so no entry anyone
else wrote can change a verdict in any direction; opening it says so once (a warning).
"""
from __future__ import annotations

import os
from typing import Optional

from .base import COUNTERS, LEMMA_NS, QUERY_NS, Cache, CacheError, NullCache

__all__ = ["open_cache", "default_path", "env_key", "Cache", "CacheError", "NullCache",
           "COUNTERS", "LEMMA_NS", "QUERY_NS"]


def default_path() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "veriline", "cache.sqlite")


def env_key() -> Optional[bytes]:
    k = os.environ.get("VERILINE_CACHE_KEY", "")
    return k.encode("utf-8") if k else None


def open_cache(spec: Optional[str] = None, *, key: Optional[bytes] = None,
               shared: Optional[bool] = None) -> "Cache":
    """Open the cache named by spec (see the module docstring); key defaults to
    $VERILINE_CACHE_KEY; shared=True treats a SQLite file like a shared store."""
    if key is None:
        key = env_key()
    spec = (spec or "").strip()
    if spec.lower() in ("none", "off", "null"):
        return NullCache()
    if spec.startswith(("redis://", "rediss://", "unix://")):
        from .redis_store import RedisCache
        cache: Cache = RedisCache(spec, key=key)
    else:
        if spec.startswith("sqlite://"):
            spec = spec[len("sqlite://"):]
        path = os.path.expanduser(spec) if spec else default_path()
        if os.path.isdir(path):
            path = os.path.join(path, "cache.sqlite")
        from .sqlite_store import SQLiteCache
        cache = SQLiteCache(path, key=key, shared=shared)
    cache.announce_trust()
    return cache
