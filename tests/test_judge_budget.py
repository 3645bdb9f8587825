"""Building a private function's calling contexts (its callers' abstract runs) gets at
most driver.JUDGE_SHARE of the time: past it, its proofs are for all inputs (sound) and a
✗ that may need inputs no caller passes is "don't know" — simplejson's small static
helpers spent their whole budget on their callers' loops."""
from __future__ import annotations

from veriline.analyses import api
from veriline.analyses.engine import driver
from veriline.analyses.engine.budget import Budget

SRC = """\
static int inc(int x) { return x + 1; }
static int half(int x) { return x / 2; }
int caller(int y) {
    if (y < 100) return inc(y) + half(y);
    return 0;
}
"""


def run(name: str):
    program = api.parse(SRC, "t.c")
    budget = Budget(60)
    try:
        return [f for f in api.verify_function(program, name, api.Options(timeout_ms=10000),
                                               budget) if f.kind == "overflow"]
    finally:
        budget.stop()


def test_contexts_in_time_prove_the_guarded_increment():
    (f,) = run("inc")
    assert (f.status, f.details["judgement"]) == ("proved", "callers")


def test_contexts_out_of_time_give_proofs_for_all_inputs_and_no_counterexample(monkeypatch):
    monkeypatch.setattr(driver, "JUDGE_SHARE", 0.0)
    (f,) = run("inc")
    assert f.status == "unknown"
    assert f.reason == ("these inputs break it, but its callers' contexts were not built "
                        "within 0.0 s, so whether a caller passes them is not known")
    assert f.details["judgement_note"] == ("proofs hold for all inputs: its callers' "
                                           "contexts were not built within 0.0 s")
    (g,) = run("half")
    assert (g.status, g.details["judgement"]) == ("proved", "callers")
