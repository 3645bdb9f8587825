"""solver/implied.py: the facts a recurrent set shows, with the implied ones dropped."""
import z3

from veriline.analyses.solver.implied import drop_implied


def test_later_facts_implied_by_earlier_ones_are_dropped():
    x, y = z3.Ints("x y")
    facts = [x == 5, x >= 5, y >= x, y >= 0, x <= 7]
    # x <= 7 and y >= 0 follow from the rest; x >= 5 from x == 5; y >= x stays
    assert drop_implied(facts) == [0, 2]


def test_background_facts_count_and_independent_facts_stay():
    x, y = z3.Ints("x y")
    assert drop_implied([x >= 0, y >= 0]) == [0, 1]
    assert drop_implied([x >= 3, x <= 10], background=[x >= 0, x <= 10]) == [0]


def test_a_single_fact_and_no_facts():
    x = z3.Int("x")
    assert drop_implied([x > 1]) == [0]
    assert drop_implied([]) == []


def test_tick_is_called_between_queries():
    x = z3.Int("x")
    calls = []
    drop_implied([x > 1, x > 0, x > -1], tick=lambda: calls.append(1))
    assert len(calls) == 3
