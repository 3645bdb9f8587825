import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXAMPLES = os.path.join(ROOT, "examples")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture
def frontend_crash(monkeypatch):
    """frontend_crash(suffix, exc): api.parse raises exc for the files whose path ends with
    suffix (a frontend bug) and parses the others as usual."""
    from veriline.analyses import api
    real = api.parse

    def crash(suffix: str, exc: BaseException) -> None:
        def parse(text, path, language=None, c_flags=()):
            if path.endswith(suffix):
                raise exc
            return real(text, path, language, c_flags)
        monkeypatch.setattr(api, "parse", parse)
    return crash
