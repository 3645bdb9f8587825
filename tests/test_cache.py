"""The lemma cache: canonical keys, solver integration, SQLite durability, HMAC trust, CLI."""
from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest
import z3

from veriline.analyses import solver
from veriline.analyses.solver import canonical
from veriline.analyses.cache import NullCache, default_path, open_cache


def key(*assertions):
    return canonical.query_key(list(assertions), timeout_ms=1000)[0]


@pytest.fixture
def db(tmp_path):
    return str(tmp_path / "cache.sqlite")


# -- canonicalization -------------------------------------------------------------------

def test_renamed_variables_share_a_key():
    x, y, a, b = z3.Ints("x y a b")
    assert key(x + y == y + x) == key(a + b == b + a)
    assert key(x < y, y == 3) == key(a < b, b == 3)
    # alpha-equivalence by first occurrence: x<y is y<x with the names swapped
    assert key(x < y) == key(y < x)


def test_names_map_follows_first_occurrence():
    x, y = z3.Ints("x y")
    _, names = canonical.query_key([y + 1 > x], timeout_ms=0)
    assert names == {"y": "v0", "x": "v1"}


def test_different_structure_constants_sorts_operators_miss():
    x, y, a = z3.Ints("x y a")
    bx, by = z3.BitVecs("x y", 32)
    bx8, by8 = z3.BitVecs("x y", 8)
    assert key(x < y, y == 3) != key(x < y, x == 3)          # which variable is pinned
    assert key(x + 1 > 0) != key(x + 2 > 0)                   # constants
    assert key(x + y > 0) != key(x - y > 0)                   # operators
    assert key(x + y == y + x) != key(x + y == x + y)         # structure
    assert key(x + x > 0) != key(x + y > 0)                   # sharing of a variable
    assert key(bx + by == by + bx) != key(x + y == y + x)     # sorts
    assert key(bx + by == by + bx) != key(bx8 + by8 == by8 + bx8)   # widths
    assert key(z3.Extract(7, 0, bx) == 1) != key(z3.Extract(8, 1, bx) == 1)
    assert key(bx / by == 1) != key(z3.UDiv(bx, by) == 1)     # signed vs unsigned
    assert key(x > 0, a > 0) != key(x > 0)                    # number of assertions


def test_uninterpreted_functions_and_quantifiers():
    x, y = z3.Ints("x y")
    f = z3.Function("f", z3.IntSort(), z3.IntSort())
    g = z3.Function("g", z3.IntSort(), z3.IntSort())
    assert key(f(x) > y) == key(f(y) > x)
    assert key(f(x) > y) != key(g(x) > y)
    q1 = z3.ForAll([x], x + y >= x)
    assert key(q1) == key(z3.ForAll([x], x + z3.Int("z") >= x))
    assert key(q1) != key(z3.ForAll([x], x + y > x))


def test_key_is_fast_on_hundreds_of_nodes():
    xs = [z3.BitVec(f"x{i}", 32) for i in range(10)]
    e = xs[0]
    for i in range(120):
        e = z3.If(e > xs[i % 10], e - xs[(i * 7) % 10], e * xs[i % 10] + i)
    t = time.perf_counter()
    for _ in range(10):
        key(e > 5, xs[1] < xs[2])
    per_query_ms = (time.perf_counter() - t) * 100
    assert per_query_ms < 50, per_query_ms    # ~5 ms here; generous for loaded CI


def test_lemma_key_separates_parts():
    assert canonical.lemma_key("inv", "ab", "c") != canonical.lemma_key("inv", "a", "bc")
    assert canonical.lemma_key("inv", "a") == canonical.lemma_key("inv", "a")
    assert canonical.lemma_key("inv", "a") != canonical.lemma_key("variant", "a")


# -- solver.check with a cache ----------------------------------------------------------

def test_second_renamed_query_is_a_hit(db):
    cache = open_cache(db)
    x, y, a, b = z3.Ints("x y a b")
    r1 = solver.check([x + y != y + x], cache=cache)
    r2 = solver.check([a + b != b + a], cache=cache)
    assert (r1.status, r1.cached) == ("unsat", False)
    assert (r2.status, r2.cached) == ("unsat", True)
    s1 = solver.check([x * 2 == y + 7, y > 100], cache=cache)
    s2 = solver.check([a * 2 == b + 7, b > 100], cache=cache)
    assert (s1.status, s2.status, s2.cached) == ("sat", "sat", True)
    assert s2.model.eval(a) * 2 == s2.model.eval(b) + 7 and s2.model.eval(b) > 100
    cache.close()
    again = open_cache(db)                       # persistent across processes/opens
    st = again.stats()
    assert st["entries"] == 2 and st["hits"] == 2 and st["puts"] == 2
    assert solver.check([b + a != a + b], cache=again).cached


def test_tampered_model_is_rechecked_and_resolved(db):
    cache = open_cache(db)
    x, y = z3.BitVecs("x y", 32)
    q = [x * 3 == y, y > 1000, x < 2000]
    first = solver.check(q, cache=cache)
    assert first.status == "sat"
    k, names = canonical.query_key(q, timeout_ms=first.timeout_ms)
    entry = cache.get(k)
    entry["model"] = {c: 1 for c in entry["model"]}         # a wrong "counterexample"
    cache.put(k, entry)
    again = solver.check(q, cache=cache)
    assert again.status == "sat" and not again.cached
    m = again.model
    assert (m.eval(x) * 3) % 2**32 == m.eval(y)
    assert cache.stats()["session"]["rejected"] == 1
    cache.put(k, {"status": "sat", "model": {"v0": "garbage"}, "timeout_ms": "x"})
    assert not solver.check(q, cache=cache).cached           # malformed: re-solved


def test_unknown_with_smaller_timeout_is_retried(db):
    cache = open_cache(db)
    x = z3.Int("x")
    q = [x * x == 49, x < 0]
    k, _ = canonical.query_key(q, timeout_ms=5000)
    cache.put(k, {"status": "unknown", "timeout_ms": 10, "reason": "timeout after 10 ms"})
    r = solver.check(q, timeout_ms=5000, cache=cache)
    assert (r.status, r.cached) == ("sat", False) and r.model.eval(x) == -7
    assert cache.get(k)["status"] == "sat"                    # replaced by the answer
    cache.put(k, {"status": "unknown", "timeout_ms": 9000, "reason": "timeout after 9000 ms"})
    r = solver.check(q, timeout_ms=5000, cache=cache)
    assert (r.status, r.cached) == ("unknown", True)


def test_null_cache_and_no_cache():
    x = z3.Int("x")
    c = NullCache()
    c.put("k", {"status": "unsat"})
    assert c.get("k") is None and c.get_lemma("k") is None
    assert not solver.check([x != x], cache=c).cached
    assert c.stats()["backend"] == "none"
    assert open_cache("none").backend == "none"


def test_lemmas_are_separate_from_queries(db):
    cache = open_cache(db)
    cache.put_lemma("k", {"invariant": "i <= n"})
    assert cache.get("k") is None
    assert cache.get_lemma("k") == {"invariant": "i <= n"}
    st = cache.stats()
    assert (st["entries"], st["lemmas"]) == (0, 1)


def test_spec_forms(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_path() == str(tmp_path / "xdg" / "veriline" / "cache.sqlite")
    assert open_cache().location == default_path()
    p = tmp_path / "w" / ".veriline" / "cache.sqlite"
    assert open_cache(f"sqlite://{p}").location == str(p)
    assert open_cache(str(tmp_path)).location == str(tmp_path / "cache.sqlite")


# -- SQLite durability ------------------------------------------------------------------

def test_garbage_file_is_moved_aside_and_rebuilt(tmp_path, db, caplog):
    with open(db, "wb") as fh:
        fh.write(b"this is not a database\n" * 500)
    cache = open_cache(db)
    assert any("corrupt" in w for w in cache.stats()["warnings"])
    assert "corrupt" in caplog.text
    assert [p for p in os.listdir(tmp_path) if ".corrupt-" in p]
    cache.put("k", {"status": "unsat"})
    assert cache.get("k") == {"status": "unsat"}


def test_truncated_db_is_moved_aside_and_rebuilt(tmp_path, db):
    cache = open_cache(db)
    for i in range(3000):
        cache.put(f"{i:064x}", {"status": "sat", "model": {"v0": i}, "pad": "x" * 50})
    cache.close()
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    size = os.path.getsize(db)
    with open(db, "r+b") as fh:
        fh.truncate(size // 2 + 100)
    cache = open_cache(db)
    assert any("corrupt" in w for w in cache.stats()["warnings"])
    assert cache.get(f"{1:064x}") is None
    cache.put("new", {"status": "unsat"})
    assert cache.get("new") == {"status": "unsat"}
    assert sqlite3.connect(db).execute("PRAGMA quick_check").fetchone() == ("ok",)


_WRITER = textwrap.dedent("""
    import sys
    from veriline.analyses.cache import open_cache
    cache = open_cache(sys.argv[1])
    tag, n = sys.argv[2], int(sys.argv[3])
    for i in range(n):
        k = f"{tag}-{i}"
        cache.put(k, {"status": "unsat", "i": i, "pad": "y" * 200})
        print(k, flush=True)
    cache.close()
""")


def test_sigkill_during_writes_loses_nothing_committed(db):
    child = subprocess.Popen([sys.executable, "-c", _WRITER, db, "w", "1000000"],
                             stdout=subprocess.PIPE, text=True)
    reported = []
    for line in child.stdout:
        reported.append(line.strip())
        if len(reported) >= 400:
            break
    child.send_signal(signal.SIGKILL)
    rest, _ = child.communicate()
    reported += [x for x in rest.splitlines() if x.strip()]
    assert child.returncode == -signal.SIGKILL
    cache = open_cache(db)
    assert not cache.stats()["warnings"]
    missing = [k for k in reported if cache.get(k) is None]
    assert not missing, f"{len(missing)} committed entries lost, e.g. {missing[:3]}"
    con = sqlite3.connect(db)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_concurrent_writers(db):
    n, procs = 150, 4
    children = [subprocess.Popen([sys.executable, "-c", _WRITER, db, f"p{j}", str(n)],
                                 stdout=subprocess.DEVNULL) for j in range(procs)]
    assert [c.wait(timeout=120) for c in children] == [0] * procs
    cache = open_cache(db)
    assert all(cache.get(f"p{j}-{i}") for j in range(procs) for i in range(n))
    st = cache.stats()
    assert st["entries"] == n * procs and st["puts"] == n * procs and st["errors"] == 0


def test_threads_share_one_cache(db):
    import threading
    cache = open_cache(db)
    errors = []

    def work(t):
        try:
            for i in range(50):
                cache.put(f"t{t}-{i}", {"status": "unsat"})
                assert cache.get(f"t{t}-{i}") == {"status": "unsat"}
        except Exception as e:     # noqa: BLE001
            errors.append(e)
    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and cache.stats()["entries"] == 200


# -- HMAC trust -------------------------------------------------------------------------

def test_hmac_signed_entries_are_read_and_bad_ones_ignored(db):
    signed = open_cache(db, key=b"k1")
    signed.put("a", {"status": "unsat"})
    assert signed.get("a") == {"status": "unsat"}
    assert open_cache(db, key=b"k2").get("a") is None           # other key: mis-signed
    open_cache(db, key=None).put("b", {"status": "unsat"})     # unsigned entry
    reader = open_cache(db, key=b"k1")
    assert reader.get("b") is None
    con = sqlite3.connect(db)                                   # forge a signed value
    env = json.loads(con.execute("SELECT value FROM cache WHERE key='q:a'").fetchone()[0])
    env["v"] = env["v"].replace("unsat", "sat")
    con.execute("UPDATE cache SET value=? WHERE key='q:a'", (json.dumps(env),))
    con.commit()
    assert reader.get("a") is None
    assert reader.stats()["session"]["untrusted"] == 2
    # local SQLite without a key is trusted, signed or not
    assert open_cache(db, key=None).get("b") == {"status": "unsat"}


def test_key_from_environment(db, monkeypatch):
    monkeypatch.setenv("VERILINE_CACHE_KEY", "secret")
    c = open_cache(db)
    assert c.signed
    c.put("a", {"status": "unsat"})
    assert open_cache(db, key=b"secret").get("a") == {"status": "unsat"}
    monkeypatch.setenv("VERILINE_CACHE_KEY", "other")
    assert open_cache(db).get("a") is None


# -- CLI --------------------------------------------------------------------------------

def test_cache_cli(db, capsys):
    from veriline.cache_cli import main
    c = open_cache(db)
    c.put("a", {"status": "unsat"})
    c.get("a")
    c.get("zz")
    c.close()
    assert main(["stats", "--json", "--cache", db]) == 0
    st = json.loads(capsys.readouterr().out)
    assert (st["entries"], st["hits"], st["misses"], st["hit_rate"]) == (1, 1, 1, 0.5)
    assert main(["stats", "--cache", db]) == 0
    out = capsys.readouterr().out
    assert "query results" in out and "50.0 %" in out
    assert main(["path", "--cache", db]) == 0
    assert capsys.readouterr().out.strip() == db
    assert main(["clear", "--cache", db]) == 0
    assert "cleared 1" in capsys.readouterr().out
    assert open_cache(db).stats()["entries"] == 0


def test_recovery_from_a_corrupt_file_counts_what_it_dropped(tmp_path, db):
    cache = open_cache(db)
    for i in range(40):
        cache.put(f"q{i}", {"status": "sat", "model": {"v0": i}})
    for i in range(7):
        cache.put_lemma(f"l{i}", {"findings": []})
    cache.close()
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    with open(db, "r+b") as fh:                  # a broken header: nothing readable by SQL
        fh.write(b"garbage!" * 12)
    out = subprocess.run([sys.executable, "-m", "veriline", "cache", "stats", "--cache", db],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert re.search(r"^dropped \(corrupt file recovered\)\s+47$", out.stdout, re.M), out.stdout
    assert "47 entries dropped" in out.stdout
    again = open_cache(db).stats()               # the count survives in the new file
    assert again["dropped"] == 47 and again["entries"] == 0


def test_recovery_counts_rows_sql_can_still_read(tmp_path, db):
    cache = open_cache(db)
    for i in range(5):
        cache.put(f"q{i}", {"status": "unsat"})
    cache.close()
    from veriline.analyses.cache.sqlite_store import _count_salvageable
    assert _count_salvageable(db) == 5
