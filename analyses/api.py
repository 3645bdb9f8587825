"""Public entry points of the analysis library (used by the CLI and the server).

parse() turns text into an IR Program (never raises on bad input: syntax problems are
Program.errors); verify_function() runs the enabled analyses on one function.
"""
from __future__ import annotations

import functools
import hashlib
import os
from dataclasses import dataclass, field, replace
from typing import Optional

from typing import TYPE_CHECKING

from .findings import Finding
from .ir import Program

if TYPE_CHECKING:          # z3 is imported only when something is verified
    from .solver import CancelToken

ALL_ANALYSES = frozenset({"contract", "overflow", "termination"})
# bump when the engine's answers or the stored findings change shape: old entries are ignored
FINDINGS_FORMAT = "11"


@dataclass(frozen=True)
class Options:
    timeout_ms: int = 5000                 # per z3 query
    analyses: frozenset = ALL_ANALYSES
    replay: bool = False                   # run the user's code to confirm counterexamples
    unroll: int = 8                        # bounded unrolling depth for loops
    report_unsigned_wrap: bool = False     # informational findings for unsigned wrap
    report_conversions: bool = True       # implementation-defined narrowing conversions
    cache: object = field(default=None, compare=False, hash=False)   # lemma cache or None
    cache_min_ms: int = 25     # queries z3 settles faster than this skip the query cache
    entries: tuple = ()        # closed program: its entry points (C `main` is one anyway)
    c_flags: tuple = ()        # gcc preprocessing flags of this C file (-I, -D, -U, -std=)
    c_build: object = field(default=None, compare=False, hash=False)  # c_build.BuildConfig
    solver_mode: str = "int"   # bv (z3 on bit-vectors) | int (integer model) | portfolio
    budget_s: float = field(default=10.0, compare=False, hash=False)  # per function (server)
    record_proofs: bool = False   # keep each finding's queries (Finding.proof): --emit-proofs
    cross_check: bool = False     # re-decide proved queries with a second solver (audit.py)
    report_unknown_bounds: bool = True   # C: "don't know" bounds findings (unknown sizes)
    assume_finite_iterables: bool = True  # Python: a `for` over an outside iterable is
    #   finite under a stated assumption (False: strict, such loops stay "don't know")

    def key(self) -> str:
        """The options that change answers (part of every cache key)."""
        return (f"t={self.timeout_ms};a={','.join(sorted(self.analyses))};u={self.unroll};"
                f"w={int(self.report_unsigned_wrap)};c={int(self.report_conversions)};"
                f"r={int(self.replay)};s={self.solver_mode}"
                + (";x=1" if self.cross_check else "")
                + ("" if self.report_unknown_bounds else ";ub=0")
                + ("" if self.assume_finite_iterables else ";fi=0")
                + (f";e={','.join(self.entries)}" if self.entries
                                            else "")
                + (f";cf={hashlib.sha256(chr(0).join(self.c_flags).encode()).hexdigest()}"
                   if self.c_flags else ""))

    def for_file(self, path: str) -> "Options":
        """These options with the C build flags of `path` resolved (its compile_commands
        entry plus the user's flags)."""
        if self.c_build is None or language_of(path) != "c":
            return self
        return replace(self, c_flags=self.c_build.flags_for(path).args())


def language_of(path: str) -> Optional[str]:
    ext = os.path.splitext(path)[1].lower()
    return {".py": "python", ".pyi": None, ".c": "c", ".h": "c", ".i": "c"}.get(ext)


def parse(text: str, path: str, language: Optional[str] = None,
          c_flags: tuple = ()) -> Program:
    lang = language or language_of(path) or "python"
    if lang == "c":
        from .frontends.c_frontend import parse_c
        program = parse_c(text, path, flags=tuple(c_flags))
    else:
        from .frontends.python_frontend import parse_python
        program = parse_python(text, path)
    program.text = text
    return program


def fingerprint(program: Program, name: str, options: Optional[Options] = None) -> str:
    """Hash of everything a function's verdicts depend on: its own source, the contracts
    (and, for inlined callees, the source) of every function it calls, and the options."""
    from .callgraph import dependencies
    from .judgement import context_functions, judgement_mode
    entries = tuple(options.entries) if options is not None else ()
    h = hashlib.sha256()
    h.update(program.language.encode())
    deps = dependencies(program, name) + [f"judgement:{judgement_mode(program, name, entries)}"]
    for caller in context_functions(program, name, entries):   # its calling contexts
        deps += [f"context:{d}" for d in dependencies(program, caller)]
    for dep in deps:
        h.update(dep.encode("utf-8", "surrogatepass"))
        h.update(b"\0")
    if options is not None:
        h.update(options.key().encode())
    return h.hexdigest()


def verify_function(program: Program, name: str, options: Options = Options(),
                    cancel: Optional[CancelToken] = None) -> list[Finding]:
    """Findings for one function.  With a cache, a function whose fingerprint (its source,
    its callees' contracts and sources, the options) was verified before is answered from
    the cache without running the engine or z3.  `cancel` may be an engine Budget: what
    it leaves undecided is 'don't know' (and not cached)."""
    from .engine.driver import verify
    hit = cached_findings(program, name, options)
    if hit is not None:
        return hit
    findings = verify(program, name, options, cancel)
    store_findings(program, name, options, findings)
    return findings


NOT_CACHED = ("internal", "budget")      # properties whose findings are never stored


def _function_key(program: Program, name: str, options: Options) -> str:
    from .solver.canonical import lemma_key
    from veriline import __version__
    return lemma_key("function-findings", FINDINGS_FORMAT, __version__,
                     fingerprint(program, name, options))


def cached_findings(program: Program, name: str, options: Options) -> Optional[list[Finding]]:
    """The stored findings of an unchanged function (moved to its current lines), or None."""
    cache = options.cache
    if cache is None or options.record_proofs:     # stored findings keep no queries
        return None
    from .findings import finding_from_json
    try:
        hit = cache.get_lemma(_function_key(program, name, options))
    except Exception:
        hit = None
    if not (hit and isinstance(hit.get("findings"), list) and "line" in hit):
        return None
    try:
        out = [finding_from_json(d) for d in hit["findings"]]
        delta = program.functions[name].span.line - int(hit["line"])
    except (KeyError, TypeError, ValueError):
        return None
    for f in out:
        f.file, f.cached, f.time_ms = program.path, True, 0.0
        _shift(f, delta)
    return out


def store_findings(program: Program, name: str, options: Options,
                   findings: list[Finding]) -> None:
    """Remember a function's findings (unless some were cut short: internal, budget)."""
    cache = options.cache
    if cache is None or options.record_proofs or any(f.property in NOT_CACHED
                                                     for f in findings):
        return
    try:
        cache.put_lemma(_function_key(program, name, options),
                        {"findings": [f.to_json() for f in findings],
                         "line": program.functions[name].span.line})
    except Exception:
        pass


def _shift(f: Finding, delta: int) -> None:
    """Move a cached finding to where its (unchanged) function now starts."""
    if not delta:
        return
    from .ir import Span

    def mv(s: Span) -> Span:
        return Span(s.line + delta, s.col, s.end_line + delta, s.end_col)
    f.span = mv(f.span)
    for r in f.related:
        r.span = mv(r.span)
    if f.counterexample:
        for t in f.counterexample.trace:
            t.line += delta


@dataclass
class Report:
    path: str
    program: Program
    findings: list[Finding]


def analyze_source(text: str, path: str, options: Options = Options(),
                   language: Optional[str] = None,
                   cancel: Optional[CancelToken] = None) -> Report:
    """Parse and verify a whole file.  With a cache, an unchanged file (same text, same
    options, same veriline) is answered from one cache entry without parsing."""
    options = options.for_file(path)
    key = _file_key(text, path, options, language) \
        if options.cache is not None and not options.record_proofs else None
    if key is not None:
        hit = _file_from_cache(options.cache, key, path, language)
        if hit is not None:
            return hit
    program = parse(text, path, language, options.c_flags)
    findings: list[Finding] = []
    for name in program.functions:
        findings.extend(verify_function(program, name, options, cancel))
    store_file(options, key, program, findings)
    return Report(path, program, findings)


def store_file(options: Options, key: Optional[str], program: Program,
               findings: list[Finding]) -> None:
    """Remember a whole file's findings under its file key (unless some were cut short)."""
    if key is not None and not any(f.property in NOT_CACHED for f in findings):
        try:
            options.cache.put_lemma(key, {
                "findings": [f.to_json() for f in findings],
                "errors": [{"message": e.message, "range": e.span.to_json()}
                           for e in program.errors]})
        except Exception:
            pass


def _file_key(text: str, path: str, options: Options, language: Optional[str]) -> str:
    """Key of a whole file's findings.  Cheap on purpose (no z3 import): an unchanged file
    is answered from the cache in the time it takes to hash it."""
    from veriline import __version__
    z3v = _z3_version()
    lang = language or language_of(path) or "python"
    h = hashlib.sha256()
    for part in ("file-findings", FINDINGS_FORMAT, __version__, z3v, lang, options.key(),
                 text):
        b = part.encode("utf-8", "surrogatepass")
        h.update(len(b).to_bytes(8, "big"))
        h.update(b)
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def _z3_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("z3-solver")
    except PackageNotFoundError:
        return "?"


def _file_from_cache(cache, key: str, path: str, language: Optional[str]):
    from .findings import _span, finding_from_json
    from .ir import SyntaxIssue
    try:
        hit = cache.get_lemma(key)
        if not hit or not isinstance(hit.get("findings"), list):
            return None
        findings = [finding_from_json(d) for d in hit["findings"]]
        errors = [SyntaxIssue(message=e["message"], span=_span(e["range"]))
                  for e in hit.get("errors", [])]
    except Exception:
        return None
    for f in findings:
        f.file, f.cached, f.time_ms = path, True, 0.0
    program = Program(path=path, language=language or language_of(path) or "python",
                      errors=errors)
    return Report(path, program, findings)


def analyze_file(path: str, options: Options = Options(), display_path: Optional[str] = None,
                 cancel: Optional[CancelToken] = None) -> Report:
    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
        text = fh.read()
    rep = analyze_source(text, display_path or path, options, cancel=cancel)
    return rep
