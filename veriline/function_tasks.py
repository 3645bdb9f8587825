"""Function-level verification tasks: one function of one file, carrying the file's text.

verify_task is pure (same arguments, same findings: the answers come from z3 and the lemma
cache, never from the worker's files), importable as veriline.function_tasks.verify_task
and takes picklable arguments only, so a Dask worker without the project's sources can run
it and a task lost with its worker can simply run again.
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, replace


@dataclass
class FileJob:
    path: str
    text: str
    program: object            # the parsed Program (client side)
    names: list[str]           # the functions to verify, in the file's order


def read(path: str) -> str:
    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
        return fh.read()


def load_jobs(files: list[str], options) -> list[FileJob]:
    from veriline.analyses.api import parse
    jobs = []
    for path in files:
        text = read(path)
        program = parse(text, path, None, options.for_file(path).c_flags)
        jobs.append(FileJob(path, text, program, list(program.functions)))
    return jobs


@functools.lru_cache(maxsize=8)
def _parsed(path: str, text: str, c_flags: tuple):
    from veriline.analyses.api import parse
    return parse(text, path, None, c_flags)


_caches: dict[str, object] = {}


def _cache(spec: str | None):
    """One lemma cache per worker process and spec ("off": none; None: the default)."""
    if spec == "off":
        return None
    key = spec or ""
    if key not in _caches:
        from veriline.analyses.cache import open_cache
        _caches[key] = open_cache(spec)
    return _caches[key]


def verify_task(path: str, text: str, name: str, options, cache_spec: str | None) -> list:
    """The findings (as JSON) of one function: the unit a cluster worker runs."""
    from veriline.analyses.api import verify_function
    opts = replace(options.for_file(path), cache=_cache(cache_spec))
    program = _parsed(path, text, opts.c_flags)
    return [f.to_json() for f in verify_function(program, name, opts)]


def task_key(path: str, text: str, name: str, options, cache_spec: str | None) -> str:
    h = hashlib.sha256()
    for part in (path, text, name, options.key(), cache_spec or ""):
        b = part.encode("utf-8", "surrogatepass")
        h.update(len(b).to_bytes(8, "big"))
        h.update(b)
    return f"veriline-{name[:40]}-{h.hexdigest()[:24]}"


def assemble(jobs: list[FileJob], results: dict[tuple[str, str], list]):
    """Reports in file order, findings in function order (as a whole-file run has them)."""
    from veriline.analyses.api import Report
    reports = []
    for job in jobs:
        findings = []
        for name in job.names:
            findings.extend(results.get((job.path, name), []))
        reports.append(Report(job.path, job.program, findings))
    return reports
