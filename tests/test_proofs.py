"""Auditable proofs (docs/proofs.md): --emit-proofs files that other solvers' own parsers
read and answer as recorded, the cross-check and its disagreement verdict, certificates,
the lemma cache's digest, and nothing recorded in a normal run."""
import hashlib
import json
import os
import subprocess
import sys

import pytest
import z3

from conftest import EXAMPLES, ROOT
from veriline.analyses.api import Options, analyze_source
from veriline.analyses.engine import audit
from veriline.analyses.findings import summarize
from veriline.analyses.solver import backends, recorder

HAS_CVC5 = backends.installed("cvc5")

C_SRC = """\
int g(int a, int b) {
    if (a > 1000 || a < -1000 || b > 1000 || b < -1000) return 0;
    return a * b + 1;
}
int h(int n) { int s = 0; while (n > 0) { n = n - 1; s++; } return s; }
int spin(int x) { while (x != 0) { x = x + 0; } return x; }
unsigned m(unsigned x, unsigned y) { return (x << 3) | (y & 0xff); }
int bad(int x) { return x + 1; }
"""

PY_SRC = """\
def clamp(x: int, lo: int, hi: int) -> int:
    \"\"\"pre: lo <= hi
    post: lo <= __return__ <= hi\"\"\"
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


def count(n: int) -> int:
    i = 0
    while i < n:
        i += 1
    return i
"""


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "veriline", "check", *args],
                          capture_output=True, text=True, cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def emitted(tmp_path_factory):
    d = tmp_path_factory.mktemp("proofs")
    (d / "a.c").write_text(C_SRC)
    (d / "p.py").write_text(PY_SRC)
    out = d / "out"
    res = cli("--no-cache", "--format", "json", "--emit-proofs", str(out), "--cross-check",
              *(["--certificates"] if HAS_CVC5 else []), "a.c", "p.py", cwd=d)
    assert res.returncode == 1, res.stderr      # bad(): signed overflow ✗
    index = json.loads((out / "index.json").read_text())
    return out, index, json.loads(res.stdout)


def _z3_answer(text: str) -> str:
    s = z3.Solver()
    s.set("timeout", 20000)
    s.from_string(text)
    return str(s.check())


def _cvc5_answer(text: str) -> str:
    sys.path.insert(0, os.path.dirname(backends.WORKER))
    try:
        import worker
    finally:
        sys.path.pop(0)
    return worker.run_cvc5(text, 20000)["status"]


def _files(out, index):
    seen = {}
    for f in index["findings"]:
        for q in f["queries"]:
            seen[q["path"]] = q
    return [(out / p, q) for p, q in sorted(seen.items())]


def test_index_maps_every_finding_to_its_files(emitted):
    out, index, report = emitted
    assert index["format"] == 1
    assert len(index["findings"]) == len(report["findings"])
    by = {(f["function"], f["kind"], f["line"]): f for f in index["findings"]}
    g = by[("g", "overflow", 3)]
    assert g["status"] == "proved" and g["cross_check"] == "agreed"
    decisive = [q for q in g["queries"] if q["decides"]]
    assert decisive and all(q["expected"] == "unsat" for q in decisive)
    assert decisive[0]["path"].startswith("a.c/g.overflow.signed-overflow.L3.q")
    bad = by[("bad", "overflow", 8)]
    assert bad["status"] == "counterexample"
    assert any(q["decides"] and q["expected"] == "sat" for q in bad["queries"])
    for f in index["findings"]:
        for q in f["queries"]:
            assert (out / q["path"]).is_file()


def test_every_file_is_standalone_and_its_digest_checks(emitted):
    out, index, _ = emitted
    for path, q in _files(out, index):
        text = path.read_text()
        core = "".join(ln + "\n" for ln in text.splitlines() if not ln.startswith(";"))
        assert hashlib.sha256(core.encode()).hexdigest() == q["sha256"]
        assert core.startswith(f"(set-logic {q['logic']})\n")
        assert core.rstrip().endswith("(check-sat)")
        assert "(declare-fun" in core or "(assert" in core


def test_z3_parser_gives_every_recorded_answer(emitted):
    out, index, _ = emitted
    files = [(p, q) for p, q in _files(out, index) if q["expected"] in ("sat", "unsat")]
    assert len(files) > 20
    for path, q in files:
        assert _z3_answer(path.read_text()) == q["expected"], path


@pytest.mark.skipif(not HAS_CVC5, reason="cvc5 is not installed")
def test_cvc5_parser_gives_every_recorded_answer(emitted):
    out, index, _ = emitted
    files = [(p, q) for p, q in _files(out, index) if q["expected"] in ("sat", "unsat")]
    for path, q in files:
        assert _cvc5_answer(path.read_text()) == q["expected"], path


def test_termination_files_name_the_ranking_function_and_its_obligations(emitted):
    out, index, _ = emitted
    h = next(f for f in index["findings"] if f["function"] == "h" and f["kind"] == "termination")
    roles = [q["role"] for q in h["queries"] if q["decides"]]
    assert "ranking function n: bounded below (>= 0) on every path" in roles
    assert "ranking function n: decreases by at least 1 on every path" in roles
    assert all(q["expected"] == "unsat" for q in h["queries"] if q["decides"])
    text = (out / next(q["path"] for q in h["queries"] if q["role"] == roles[-1])).read_text()
    assert "; -- the negated goal" in text and "; -- assumptions" in text
    spin = next(f for f in index["findings"]
                if f["function"] == "spin" and f["kind"] == "termination")
    assert spin["status"] == "counterexample"
    closure = [q for q in spin["queries"] if q["decides"] and q["expected"] == "unsat"]
    assert closure and all(q["role"].startswith("closure of the repeating state")
                           for q in closure)


def test_cross_check_summary(emitted):
    _, index, report = emitted
    s = report["summary"]
    assert s["disagreements"] == 0
    proved = [f for f in report["findings"] if f["status"] == "proved"]
    assert s["cross_checked"] + s["not_cross_checked"] == len(proved) > 5
    assert s["cross_checked"] >= len(proved) - 1
    for f in proved:
        if f["details"]["cross_check"] == "agreed":
            assert f["details"]["cross_checked_by"] in ("cvc5", "bitwuzla", "bitwuzla, cvc5")


@pytest.mark.skipif(not HAS_CVC5, reason="cvc5 is not installed")
def test_certificates_next_to_unsat_queries(emitted):
    out, index, _ = emitted
    assert index["certificates"]["produced"] > 0
    unsat = [q for _, q in _files(out, index) if q["expected"] == "unsat"]
    with_cert = [q for q in unsat if q.get("certificate")]
    assert len(with_cert) == index["certificates"]["produced"]
    proof = (out / with_cert[0]["certificate"]).read_text()
    assert proof.lstrip().startswith("(")


def test_a_disagreement_is_dont_know_and_counted(monkeypatch):
    """A second solver answering sat on a proved query: the ✓ becomes ?."""
    from veriline.analyses.solver import crosscheck

    def refute(items, timeout_ms, deadline_s=None):
        return [{"status": "sat", "by": "cvc5"} for _ in items]
    monkeypatch.setattr(crosscheck, "recheck", refute)
    rep = analyze_source(C_SRC, "a.c", Options(cross_check=True))
    g = [f for f in rep.findings if f.function == "g" and f.kind == "overflow"]
    assert g and all(f.status == "unknown" for f in g)
    assert g[0].reason.startswith("solvers disagree: z3 answered unsat but cvc5 answered sat")
    assert g[0].details["cross_check"] == "disagree"
    s = summarize(rep.findings)
    assert s["disagreements"] == len([f for f in rep.findings
                                      if f.details.get("cross_check") == "disagree"]) > 0
    assert s["proved"] == 0


def test_unknown_from_the_second_solver_keeps_the_proof(monkeypatch):
    from veriline.analyses.solver import crosscheck
    monkeypatch.setattr(crosscheck, "recheck", lambda items, t, d=None: [
        {"status": "unknown", "by": "cvc5", "reason": "cvc5: timeout"} for _ in items])
    rep = analyze_source(C_SRC, "a.c", Options(cross_check=True))
    g = [f for f in rep.findings if f.function == "g" and f.kind == "overflow"]
    assert [f.status for f in g] == ["proved", "proved"]
    assert g[0].details["cross_check"] == "not cross-checked"
    assert g[0].details["cross_check_note"] == "cvc5: timeout"
    assert summarize(rep.findings)["not_cross_checked"] > 0


def test_a_normal_run_records_nothing():
    assert recorder.active() is None
    rep = analyze_source(C_SRC, "a.c", Options())
    assert rep.findings and all(f.proof == [] for f in rep.findings)
    assert all("cross_check" not in f.details for f in rep.findings)
    assert "disagreements" not in summarize(rep.findings)


def test_lemma_cache_stores_the_digest_of_proved_entries(tmp_path):
    from veriline.analyses.cache import open_cache
    from veriline.analyses.solver import check
    from veriline.analyses.solver.canonical import query_key
    x, y = z3.Ints("x y")
    q = [x > y, y > x]
    cache = open_cache(str(tmp_path / "c.sqlite"))
    with recorder.recording() as rec:
        assert check(q, cache=cache).status == "unsat"
    key, _ = query_key(q)
    entry = cache.get(key)
    assert entry["smt2_sha256"] == rec.queries[0].digest()
    sat = [x > y]
    check(sat, cache=cache)
    assert "smt2_sha256" not in cache.get(query_key(sat)[0])
    cache.close()


def test_emitted_examples_parse_in_z3(tmp_path):
    """Every query of examples/ (both languages) parses and answers as recorded."""
    out = tmp_path / "out"
    res = cli("--no-cache", "--emit-proofs", str(out), os.path.join(EXAMPLES, "c"),
              os.path.join(EXAMPLES, "python"))
    assert res.returncode in (0, 1), res.stderr
    index = json.loads((out / "index.json").read_text())
    proved = [f for f in index["findings"] if f["status"] == "proved"]
    assert proved and all(any(q["decides"] for q in f["queries"]) or
                          f["message"].endswith("never reached") or "range(" in f["message"]
                          for f in proved)
    for path, q in _files(out, index):
        if q["expected"] in ("sat", "unsat"):
            assert _z3_answer(path.read_text()) == q["expected"], path
