"""Settings shared by `veriline check` and `veriline serve`.

Layers, later wins: built-in defaults < editor settings (LSP section ``veriline``) <
``[tool.veriline]`` of the nearest pyproject.toml.  The project file wins so the editor
shows the same verdicts as ``veriline check`` in CI.  Keys may be camelCase, snake_case
or kebab-case; unknown keys and values of the wrong type are ignored (never an error: a
typo in a settings file must not stop verification).
"""
from __future__ import annotations

import logging
import os
import re
from typing import Any, Mapping, Optional

log = logging.getLogger(__name__)

try:                                    # Python >= 3.11
    import tomllib as _toml
except ImportError:                     # pragma: no cover - older Pythons
    try:
        import tomli as _toml           # type: ignore[no-redef]
    except ImportError:
        _toml = None

SECTION = "veriline"
UNKNOWN_SEVERITIES = ("information", "hint", "warning", "off")

DEFAULTS: dict[str, Any] = {
    "timeout": 5.0,                     # seconds per z3 query
    "analyses": ["contract", "overflow", "termination"],
    "unknownSeverity": "information",
    "inlayHints": True,
    "debounceMs": 200,
    "replay": False,
    "cache": "",                        # lemma cache spec: path, redis URL; "" = default
    "reportUnsignedWrap": False,
    "reportConversions": True,
    "exclude": [],                      # globs `veriline check` skips (files or folders)
    "unroll": 8,                        # loop unrolling depth for counterexamples
    "cacheMinMs": 25,                   # queries z3 settles faster skip the query cache
    "functionTimeout": 10.0,            # seconds per function (`veriline check`)
}


def _camel(key: str) -> str:
    parts = re.split(r"[-_]", key)
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def _valid(key: str, value: Any) -> Optional[Any]:
    """The value converted to the default's type, or None when it does not fit."""
    default = DEFAULTS[key]
    if isinstance(default, bool):
        return value if isinstance(value, bool) else None
    if isinstance(default, (int, float)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            return None
        return type(default)(value)
    if key in ("analyses", "exclude"):
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            return None
        return list(value)
    if key == "unknownSeverity":
        value = {"info": "information", "none": "off"}.get(str(value).lower(), str(value).lower())
        return value if value in UNKNOWN_SEVERITIES else None
    return value if isinstance(value, str) else None


def normalize(raw: Optional[Mapping[str, Any]]) -> dict[str, Any]:
    """Only the recognised, well-typed keys of raw, with canonical (camelCase) names."""
    out: dict[str, Any] = {}
    if not isinstance(raw, Mapping):
        return out
    for key, value in raw.items():
        name = _camel(str(key))
        if name not in DEFAULTS:
            log.info("veriline: ignoring unknown setting %r", key)
            continue
        ok = _valid(name, value)
        if ok is None:
            log.warning("veriline: ignoring setting %s = %r (bad value)", key, value)
            continue
        out[name] = ok
    return out


def merge(*layers: Optional[Mapping[str, Any]]) -> dict[str, Any]:
    """Defaults overlaid with each layer in turn (each normalized first)."""
    out = dict(DEFAULTS)
    for layer in layers:
        out.update(normalize(layer))
    return out


def find_pyproject(start_dir: str) -> Optional[str]:
    d = os.path.abspath(start_dir or ".")
    while True:
        candidate = os.path.join(d, "pyproject.toml")
        if os.path.isfile(candidate):
            return candidate
        parent = os.path.dirname(d)
        if parent == d:
            return None
        d = parent


_PYPROJECT_CACHE: dict[str, tuple[float, dict]] = {}


def project_settings(start_dir: str) -> dict[str, Any]:
    """``[tool.veriline]`` of the nearest pyproject.toml ({} when absent or unreadable)."""
    path = find_pyproject(start_dir)
    if path is None or _toml is None:
        return {}
    try:
        mtime = os.stat(path).st_mtime
        hit = _PYPROJECT_CACHE.get(path)
        if hit and hit[0] == mtime:
            return dict(hit[1])
        with open(path, "rb") as fh:
            data = _toml.load(fh)
    except (OSError, ValueError) as exc:   # TOMLDecodeError is a ValueError
        log.warning("veriline: cannot read %s: %s", path, exc)
        return {}
    section = data.get("tool", {}).get(SECTION, {})
    section = normalize(section if isinstance(section, dict) else {})
    _PYPROJECT_CACHE[path] = (mtime, section)
    return dict(section)


def load_settings(start_dir: str, editor: Optional[Mapping[str, Any]] = None) -> dict[str, Any]:
    """Effective settings for files under start_dir (editor settings optional)."""
    return merge(editor, project_settings(start_dir))


_CACHES: dict[str, object] = {}


def open_cache(spec: str):
    """The lemma cache for spec (memoized: one connection per spec); None if unavailable."""
    if spec in _CACHES:
        return _CACHES[spec]
    cache = None
    try:
        from veriline.analyses import cache as cache_mod
        opener = getattr(cache_mod, "open_cache", None)
        if opener is not None:
            cache = opener(spec or None)
    except Exception as exc:   # a broken cache must never stop verification
        log.warning("veriline: lemma cache %r unavailable: %s", spec, exc)
        cache = None
    _CACHES[spec] = cache
    return cache


def options_from_settings(settings: Mapping[str, Any], *, with_cache: bool = True):
    """The analysis Options the settings ask for."""
    from veriline.analyses.api import ALL_ANALYSES, Options
    s = merge(settings)
    analyses = frozenset(a for a in s["analyses"] if a in ALL_ANALYSES)
    return Options(
        timeout_ms=max(1, int(round(s["timeout"] * 1000))),
        analyses=analyses,
        replay=s["replay"],
        report_unsigned_wrap=s["reportUnsignedWrap"],
        report_conversions=s["reportConversions"],
        unroll=max(1, int(s["unroll"])),
        cache_min_ms=int(s["cacheMinMs"]),
        cache=open_cache(s["cache"]) if with_cache else None,
    )
