"""Settings shared by `veriline check` and `veriline serve`.

Layers, later wins: built-in defaults < the user's file
(``$XDG_CONFIG_HOME/veriline/config.toml``, default ``~/.config/veriline/config.toml``,
top-level keys) < editor settings (LSP section ``veriline``) < ``[tool.veriline]`` of the
nearest pyproject.toml.  The project file wins so the editor shows the same verdicts as
``veriline check`` in CI.  Keys may be camelCase, snake_case or kebab-case; unknown keys
and values of the wrong type are ignored (never an error: a typo in a settings file must
not stop verification).

Trust: the project file comes with the code, so it may not decide to run that code.
PRIVILEGED keys (``replay``) are turned on only by the person: a command-line flag, the
user's file or the editor (which sends ``replay = false`` for an untrusted workspace); in
pyproject.toml ``true`` is ignored with a warning naming the file (``false`` is honoured).  A lemma cache named by the
project file is treated as shared (not read without ``VERILINE_CACHE_KEY``): a cloned repo
must not be able to ship "proved" answers.
"""
from __future__ import annotations

import logging
import os
import re
from typing import Any, Callable, Mapping, Optional

log = logging.getLogger(__name__)

try:                                    # Python >= 3.11
    import tomllib as _toml
except ImportError:                     # pragma: no cover - older Pythons
    try:
        import tomli as _toml           # type: ignore[no-redef]
    except ImportError:
        _toml = None

SECTION = "veriline"
PRIVILEGED = frozenset({"replay"})     # settings that run workspace code
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
    "includePath": [],                  # C: -I directories
    "defines": [],                      # C: -D NAME[=VALUE]
    "compileCommands": "",              # C: compile_commands.json ("" = nearest one)
    "functionTimeout": 10.0,            # seconds per function (check and the server)
    "crossCheck": False,                # re-decide proved queries with a second solver
    "assumeFiniteIterables": True,      # Python: `for x in seq` finite under a stated assumption
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
    if key in ("analyses", "exclude", "includePath", "defines"):
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


def user_config_path() -> str:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "veriline", "config.toml")


def user_settings() -> dict[str, Any]:
    """Top-level keys of the user's config.toml ({} when absent or unreadable)."""
    path = user_config_path()
    if _toml is None or not os.path.isfile(path):
        return {}
    try:
        with open(path, "rb") as fh:
            data = _toml.load(fh)
    except (OSError, ValueError) as exc:
        log.warning("veriline: cannot read %s: %s", path, exc)
        return {}
    return normalize(data)


_WARNED: set[tuple[str, str]] = set()


def _untrusted_project(start_dir: str, warn: Optional[Callable[[str], None]]) -> dict:
    """The project layer without its privileged keys; each dropped key is warned about
    once per file (through warn, else the log)."""
    section = project_settings(start_dir)
    path = find_pyproject(start_dir) or "pyproject.toml"
    for key in sorted(PRIVILEGED & section.keys()):
        if not section[key]:
            continue                    # turning it off is always allowed
        section.pop(key)
        if (path, key) not in _WARNED:
            _WARNED.add((path, key))
            msg = (f"ignoring `{key} = true` in {path}: a project file cannot turn on "
                   f"running its own code; use --{key}, the editor's settings or "
                   f"{user_config_path()}")
            (warn or log.warning)(msg)
    return section


def load_settings(start_dir: str, editor: Optional[Mapping[str, Any]] = None, *,
                  warn: Optional[Callable[[str], None]] = None,
                  user: bool = True) -> dict[str, Any]:
    """Effective settings for files under start_dir (editor settings optional); the
    project file's privileged keys are dropped (see the module docstring)."""
    return merge(user_settings() if user else None, editor,
                 _untrusted_project(start_dir, warn))


def cache_named_by_project(start_dir: Optional[str]) -> bool:
    """Whether the project file chose the lemma cache (then it is not trusted unsigned)."""
    return bool(start_dir) and bool(project_settings(start_dir).get("cache"))


_CACHES: dict[str, object] = {}


def open_cache(spec: str, untrusted: bool = False):
    """The lemma cache for spec (memoized: one connection per spec and trust); None if
    unavailable.  untrusted: named by a project file, so read only when signed."""
    memo = f"{int(untrusted)}{spec}"
    if memo in _CACHES:
        return _CACHES[memo]
    cache = None
    try:
        from veriline.analyses import cache as cache_mod
        cache = cache_mod.open_cache(spec or None, shared=True if untrusted else None)
    except Exception as exc:   # a broken cache must never stop verification
        log.warning("veriline: lemma cache %r unavailable: %s", spec, exc)
        cache = None
    _CACHES[memo] = cache
    return cache


def spec_of(cache) -> Optional[str]:
    """The spec open_cache opened `cache` with (None if it did not), so that another
    process (the server's verifying child) can open the same store."""
    for memo, opened in _CACHES.items():
        if opened is cache and cache is not None:
            return memo[1:]
    return None


def options_from_settings(settings: Mapping[str, Any], *, with_cache: bool = True,
                          cache_untrusted: bool = False):
    """The analysis Options the settings ask for (cache_untrusted: see open_cache)."""
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
        cache=open_cache(s["cache"], cache_untrusted) if with_cache else None,
        c_build=c_build_from(s),
        budget_s=float(s["functionTimeout"]) if s["functionTimeout"] > 0 else 10.0,
        cross_check=bool(s["crossCheck"]),
        assume_finite_iterables=bool(s["assumeFiniteIterables"]),
    )


def c_build_from(settings: Mapping[str, Any], args: Any = None):
    """The C build configuration: settings' includePath/defines/compileCommands, then the
    CLI's -I/-D/-U/-std=/--compile-commands (args, optional)."""
    from veriline.analyses.frontends.c_build import build_config
    s = merge(settings)
    db = getattr(args, "compile_commands", None) or s["compileCommands"] or None
    return build_config(
        include=list(s["includePath"]) + list(getattr(args, "include", None) or []),
        defines=list(s["defines"]) + list(getattr(args, "define", None) or []),
        undefs=list(getattr(args, "undef", None) or []),
        std=getattr(args, "std", None), compile_commands=db)
