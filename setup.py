"""Package discovery for the one `veriline` namespace (the rest is in pyproject.toml).

The top-level folders `analyses/` and `server/` install as `veriline.analyses` and
`veriline.server`; every sub-package under them is found by `find_packages`, so a new
folder can never be left out of a wheel (a hand-written list once missed one).
"""
from setuptools import find_packages, setup

ROOTS = {"veriline": "veriline", "veriline.analyses": "analyses", "veriline.server": "server"}


def discovered() -> list[str]:
    return [ns + pkg[len(folder):]
            for ns, folder in ROOTS.items()
            for pkg in find_packages(include=[folder, folder + ".*"])]


setup(packages=discovered(), package_dir=ROOTS)
