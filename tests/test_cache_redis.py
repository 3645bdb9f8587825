"""The Redis lemma cache against a real redis-server started on a free local port.

Skipped when redis-server (apt: redis-server) or the redis client is missing, unless the
CI environment variable is set: then missing tools are a failure.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import textwrap
import time

import pytest
import z3

from veriline.analyses import solver
from veriline.analyses.solver import canonical
from veriline.analyses.cache import open_cache


def _require(ok: bool, why: str) -> None:
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"{why} (CI is set, so this is an error)")
        pytest.skip(why)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    def __init__(self, tmp_path) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = subprocess.Popen(
            [shutil.which("redis-server"), "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(tmp_path), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)


@pytest.fixture
def server(tmp_path):
    _require(shutil.which("redis-server") is not None,
             "redis-server is not installed (apt-get install redis-server)")
    try:
        import redis  # noqa: F401
    except ImportError:
        _require(False, "the redis client is not installed (pip install redis)")
    srv = RedisServer(tmp_path)
    yield srv
    srv.stop()


_PROC = textwrap.dedent("""
    import json, sys, z3
    from veriline.analyses import solver
    from veriline.analyses.cache import open_cache
    cache = open_cache(sys.argv[1])
    out = []
    for i in range(20):
        a, b = z3.Ints(sys.argv[2] + " " + sys.argv[3])
        r1 = solver.check([a + b + i != b + a + i], cache=cache)
        r2 = solver.check([a * 3 == b + i, b > 10 * i], cache=cache)
        assert r2.model.eval(a) * 3 == r2.model.eval(b) + i
        out.append([r1.status, r1.cached, r2.status, r2.cached])
    cache.close()
    print(json.dumps(out))
""")


def _run(url, names, key=None):
    env = dict(os.environ)
    env.pop("VERILINE_CACHE_KEY", None)
    if key:
        env["VERILINE_CACHE_KEY"] = key
    out = subprocess.run([sys.executable, "-c", _PROC, url, *names], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    import json
    return json.loads(out.stdout)


def test_two_processes_share_results(server):
    writer = _run(server.url, ["x", "y"], key="team-secret")
    reader = _run(server.url, ["p", "q"], key="team-secret")
    assert all(r == ["unsat", False, "sat", False] for r in writer)
    assert all(r == ["unsat", True, "sat", True] for r in reader)
    st = open_cache(server.url).stats()
    assert st["backend"] == "redis" and st["entries"] == 40 and st["hits"] == 40


def test_unkeyed_redis_is_neither_read_nor_written(server, caplog):
    _run(server.url, ["x", "y"])
    reader = _run(server.url, ["p", "q"])
    assert all(r == ["unsat", False, "sat", False] for r in reader)
    cache = open_cache(server.url, key=None)
    assert "VERILINE_CACHE_KEY is not set" in caplog.text     # said once, at open
    assert len(cache.stats()["warnings"]) == 1
    x = z3.Int("x")
    assert solver.check([x != x], cache=cache).cached is False
    assert solver.check([x != x], cache=cache).cached is False
    st = cache.stats()
    assert st["entries"] == 0 and st["puts"] == 0 and st["session"]["ignored"] >= 2
    cache.put_lemma("inv", {"invariant": "i <= n"})
    assert cache.get_lemma("inv") is None


def test_hmac_on_redis(server):
    import redis
    redis.Redis.from_url(server.url).set("veriline:v1:q:a", '{"v":"{\\"status\\":\\"unsat\\"}"}')
    keyed = open_cache(server.url, key=b"k")
    assert keyed.get("a") is None
    keyed.put("b", {"status": "unsat"})
    assert keyed.get("b") == {"status": "unsat"}
    assert open_cache(server.url, key=b"other").get("b") is None
    assert keyed.stats()["session"]["untrusted"] == 1


def test_redis_going_away_degrades_without_errors(server, caplog):
    cache = open_cache(server.url, key=b"k")
    x, y = z3.Ints("x y")
    assert solver.check([x + y != y + x], cache=cache).status == "unsat"
    assert solver.check([x + y != y + x], cache=cache).cached
    server.stop()
    for i in range(3):                                     # never raises, right answers
        r = solver.check([x + y != y + x + i], cache=cache)
        assert r.status == ("unsat" if i == 0 else "sat") and not r.cached
    cache.put_lemma("l", {"a": 1})
    assert cache.get_lemma("l") is None
    st = cache.stats()
    assert st["errors"] >= 1 and len(st["warnings"]) == 1
    assert "unavailable" in st["warnings"][0]
    assert caplog.text.count("unavailable") == 1
    cache.close()


def test_unreachable_redis_at_open_is_no_cache():
    port = _free_port()                                    # nothing listens there
    try:
        import redis  # noqa: F401
    except ImportError:
        _require(False, "the redis client is not installed (pip install redis)")
    cache = open_cache(f"redis://127.0.0.1:{port}/0")
    x = z3.Int("x")
    assert solver.check([x != x], cache=cache).status == "unsat"
    assert cache.stats()["warnings"]


def test_keys_are_prefixed(server):
    import redis
    open_cache(server.url, key=b"k").put(canonical.query_key([z3.BoolVal(True)])[0],
                                         {"status": "sat", "model": {}})
    keys = redis.Redis.from_url(server.url, decode_responses=True).keys("*")
    assert keys and all(k.startswith("veriline:v1:") for k in keys)
