"""Errors of the CI setup that `veriline check` reports as usage errors (exit 2): a bad
git ref or no repository for --diff, an unreachable Dask scheduler.  A leaf module, so
gitdiff and dask_backend raise what check_cli catches without importing each other."""


class SetupError(Exception):
    pass
