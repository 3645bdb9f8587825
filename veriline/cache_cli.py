"""`veriline cache stats|clear|path [--cache SPEC]`: inspect or empty the lemma cache."""
from __future__ import annotations

import argparse
import json
import sys

from veriline.analyses.cache import CacheError, open_cache

_ROWS = [("backend", "backend"), ("location", "location"), ("entries", "query results"),
         ("lemmas", "lemmas"), ("size_bytes", "size on disk"), ("hits", "hits"),
         ("misses", "misses"), ("hit_rate", "hit rate"), ("puts", "puts"),
         ("rejected", "rejected (stale/damaged)"), ("untrusted", "untrusted (bad HMAC)"),
         ("ignored", "ignored (unsigned, shared store)"),
         ("dropped", "dropped (corrupt file recovered)"), ("errors", "errors"),
         ("signed", "HMAC key")]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="veriline cache",
                                description="Inspect or empty the lemma cache.")
    p.add_argument("action", choices=["stats", "clear", "path"])
    p.add_argument("--cache", metavar="SPEC", default=None,
                   help="path, sqlite:///PATH or redis://HOST:PORT/DB "
                        "(default: the user cache dir)")
    p.add_argument("--json", action="store_true", help="stats as JSON")
    return p


def _human(name: str, value) -> str:
    if value is None:
        return "-"
    if name == "size_bytes":
        for unit in ("B", "KiB", "MiB", "GiB"):
            if value < 1024 or unit == "GiB":
                return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
            value /= 1024
    if name == "hit_rate":
        return f"{100 * value:.1f} %"
    if name == "signed":
        return "yes (VERILINE_CACHE_KEY)" if value else "no"
    return str(value)


def format_stats(st: dict) -> str:
    width = max(len(label) for _, label in _ROWS)
    lines = [f"{label:<{width}}  {_human(name, st.get(name))}" for name, label in _ROWS]
    lines += [f"warning: {w}" for w in st.get("warnings", [])]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    try:
        cache = open_cache(args.cache)
    except CacheError as e:
        print(f"veriline cache: {e}", file=sys.stderr)
        return 2
    try:
        if args.action == "path":
            print(cache.location)
        elif args.action == "clear":
            before = cache.stats()
            cache.clear()
            n = (before.get("entries") or 0) + (before.get("lemmas") or 0)
            print(f"cleared {n} entries from {cache.location}")
        else:
            st = cache.stats()
            print(json.dumps(st, indent=2, sort_keys=True) if args.json else format_stats(st))
        failed = args.action == "clear" and cache.stats()["session"]["errors"]
        return 1 if failed else 0
    finally:
        cache.close()
