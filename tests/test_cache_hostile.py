"""Anyone who can write to a shared Redis cache must not be able to change a verdict.

A real redis-server; a hostile writer overwrites every veriline key with 'unknown',
'unsat', 'sat' (empty model) or "no findings" entries, unsigned or with forged MACs.
`veriline check` must then give the verdicts and exit code of a run without any cache:
without VERILINE_CACHE_KEY the shared cache is not read at all (said once on stderr); with
the key every forged entry is rejected and counted.
"""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_cache_redis import server  # noqa: F401  (fixture: a private redis-server)
from trust_kit import clean_env

ROOT = Path(__file__).resolve().parent.parent
FILES = ["python/contracts.py", "python/self_reference.py", "c/midpoint.c"]
KEY = "team-secret"

FORGED = {
    "unknown": {"status": "unknown", "reason": "timeout", "timeout_ms": 10 ** 9},
    "unsat": {"status": "unsat"},
    "sat": {"status": "sat", "model": {}},
    "no-findings": {"findings": [], "status": "unsat"},
}


@pytest.fixture
def workspace(tmp_path):
    ws = tmp_path / "ws"
    for rel in FILES:
        (ws / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "examples" / rel, ws / rel)
    env = clean_env(tmp_path)
    cfg = Path(env["XDG_CONFIG_HOME"]) / "veriline" / "config.toml"
    cfg.parent.mkdir(parents=True)
    cfg.write_text("cache-min-ms = 0\n")          # every query goes through the cache
    return ws, env


def check(ws: Path, env: dict, *args: str, key: str | None = None):
    env = dict(env, **({"VERILINE_CACHE_KEY": key} if key else {}))
    r = subprocess.run([sys.executable, "-m", "veriline", "check", "--format", "json", *args,
                        str(ws)], env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode in (0, 1), r.stderr
    doc = json.loads(r.stdout)
    verdicts = sorted((Path(f["file"]).name, f["function"], f["kind"], f.get("property", ""),
                       f["span"]["line"] if isinstance(f.get("span"), dict) else 0,
                       f["status"]) for f in doc["findings"])
    return r.returncode, verdicts, r.stderr, sum(1 for f in doc["findings"] if f.get("cached"))


def overwrite_everything(url: str, entry: dict, forge_mac: bool) -> int:
    import redis
    r = redis.Redis.from_url(url, decode_responses=True)
    keys = [k for k in r.scan_iter("veriline:v1:*") if k[len("veriline:v1:"):][:2] in ("q:", "l:")]
    for i, k in enumerate(keys):
        env = {"v": json.dumps(entry, sort_keys=True, separators=(",", ":"))}
        if forge_mac:
            env["mac"] = f"{i:064x}"
        r.set(k, json.dumps(env))
    return len(keys)


def test_hostile_writer_changes_no_verdict(server, workspace):  # noqa: F811
    ws, env = workspace
    rc0, base, _, _ = check(ws, env, "--no-cache")
    assert rc0 == 1 and {v[-1] for v in base} == {"proved", "counterexample", "unknown"}
    rc, got, _, _ = check(ws, env, "--cache", server.url, key=KEY)   # fills the cache, signed
    assert (rc, got) == (rc0, base)
    rc, got, _, cached = check(ws, env, "--cache", server.url, key=KEY)
    assert (rc, got) == (rc0, base) and cached > 0                   # the cache does work

    for i, (name, entry) in enumerate(FORGED.items()):
        forge = i % 2 == 1                        # unsigned and forged MACs, alternately
        assert overwrite_everything(server.url, entry, forge) > 0
        rc, got, err, cached = check(ws, env, "--cache", server.url)
        assert (rc, got, cached) == (rc0, base, 0), (name, forge)
        assert err.count("VERILINE_CACHE_KEY is not set") == 1, err
        rc, got, err, cached = check(ws, env, "--cache", server.url, key=KEY)
        # every forged entry is rejected; entries this run itself wrote (signed) may be hit
        # again later in the run, so only the verdicts must be those of no cache
        assert (rc, got) == (rc0, base), (name, forge)

    from veriline.analyses.cache import open_cache
    st = open_cache(server.url, key=KEY.encode()).stats()
    assert st["untrusted"] > 0 and st["ignored"] > 0
