"""`--dask tcp://SCHEDULER:8786`: verify function-level tasks on a Dask cluster.

Each task is veriline.function_tasks.verify_task on one function with its file's text, so
workers need veriline installed but not the project.  Tasks are pure and keyed by their
inputs; a worker that dies mid-task has its tasks rescheduled by the scheduler, and a
task that raises is retried (retries=).  Share the lemma cache between workers with
`--cache redis://…`: results are the same as a local run's.
"""
from __future__ import annotations

from dataclasses import replace

from .errors import SetupError
from .function_tasks import FileJob, task_key, verify_task

CONNECT_TIMEOUT = 30        # seconds to reach the scheduler


def run_on_cluster(address: str, jobs: list[FileJob], options, cache_spec: str | None,
                   progress, retries: int = 3):
    """(path, function) -> findings, computed by the cluster at address."""
    from distributed import Client, as_completed
    from veriline.analyses.findings import finding_from_json
    plain = replace(options, cache=None)        # the cache object stays here; workers
    out: dict[tuple[str, str], list] = {}       # open their own from cache_spec
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as e:
        raise SetupError(f"cannot reach the Dask scheduler at {address}: {e}") from e
    with client:
        futures = {}
        for job in jobs:
            for name in job.names:
                key = task_key(job.path, job.text, name, plain, cache_spec)
                fut = client.submit(verify_task, job.path, job.text, name, plain, cache_spec,
                                    key=key, pure=True, retries=retries)
                futures[fut] = (job.path, name)
        for fut in as_completed(list(futures)):
            path, name = futures[fut]
            findings = [finding_from_json(d) for d in fut.result()]
            for f in findings:
                f.file = path
            out[(path, name)] = findings
            progress.function_done(path, name, findings)
            fut.release()
    return out
