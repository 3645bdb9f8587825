"""engine/answers.py: one function's repeated queries are answered once."""
import z3

from veriline.analyses import solver
from veriline.analyses.engine.answers import answers_for_one_function, current_answers
from veriline.analyses.solver import recorder


def _solved(assertions, status, model=None):
    return solver.Result(status, model, 1.0, solver="z3")


def _model_of(*assertions):
    s = z3.Solver()
    s.add(*assertions)
    assert s.check() == z3.sat
    return solver.Model(s.model())


def test_only_inside_one_function_verification():
    assert current_answers() is None
    with answers_for_one_function():
        assert current_answers() is not None
    assert current_answers() is None


def test_unsat_and_sat_answers_are_reused_with_a_fresh_model_copy():
    x, y = z3.Ints("x y")
    unsat_q, sat_q = [x > 2, x < 1], [x == 3]
    with answers_for_one_function():
        memo = current_answers()
        assert memo.get(unsat_q) is None
        memo.put(unsat_q, _solved(unsat_q, "unsat"))
        memo.put(sat_q, _solved(sat_q, "sat", _model_of(*sat_q)))
        again = memo.get([x > 2, x < 1])           # equal terms, new Python objects
        assert (again.status, again.model, again.solver) == ("unsat", None, "z3")
        first = memo.get(sat_q)
        assert first.status == "sat" and first.model.eval(x) == 3
        assert first.model.eval(y) == 0             # completion extends this copy only
        assert "y" in first.model.as_dict()
        assert "y" not in memo.get(sat_q).model.as_dict()


def test_unknown_answers_and_recorded_proofs_are_not_reused():
    x = z3.Int("x")
    q = [x * x == 2]
    with answers_for_one_function():
        memo = current_answers()
        memo.put(q, solver.Result("unknown", None, 1.0, reason="timeout after 1 ms"))
        assert memo.get(q) is None
        memo.put(q, _solved(q, "unsat"))
        with recorder.recording():
            assert memo.get(q) is None              # each query is noted in its role
        assert memo.get(q).status == "unsat"


def test_an_answer_from_the_lemma_cache_stays_one():
    x = z3.Int("x")
    q = [x > 1, x < 0]
    with answers_for_one_function():
        memo = current_answers()
        memo.put(q, solver.Result("unsat", None, 0.0, cached=True))
        assert memo.get(q).cached is True
