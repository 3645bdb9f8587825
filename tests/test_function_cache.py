"""The function-level result cache: unchanged functions are answered without z3, moved
functions keep correct positions, and a changed callee contract invalidates callers."""

from veriline.analyses import solver
from veriline.analyses.api import Options, analyze_source
from veriline.analyses.cache import open_cache

SRC = '''def half(x: int) -> int:
    """
    pre: x >= 0
    post: __return__ >= 0
    """
    return x // 2


def use(a: int) -> int:
    return half(a)
'''


def run(src, cache):
    calls = solver.STATS.solver_calls
    rep = analyze_source(src, "m.py", Options(cache=cache))
    return rep.findings, solver.STATS.solver_calls - calls


def test_warm_run_needs_no_solver_and_relocates(tmp_path):
    cache = open_cache(str(tmp_path / "c.sqlite"))
    cold, n_cold = run(SRC, cache)
    assert n_cold > 0 and not any(f.cached for f in cold)
    warm, n_warm = run(SRC, cache)
    assert n_warm == 0 and all(f.cached for f in warm)
    assert [(f.function, f.status, f.span, f.message) for f in warm] == \
        [(f.function, f.status, f.span, f.message) for f in cold]
    moved, n_moved = run("\n\n\n" + SRC, cache)
    assert n_moved == 0
    assert [f.span.line for f in moved] == [f.span.line + 3 for f in cold]
    use_cold = [f for f in cold if f.function == "use"][0]
    assert use_cold.status == "counterexample"
    cache.close()


def test_changed_callee_contract_invalidates_caller(tmp_path):
    cache = open_cache(str(tmp_path / "c.sqlite"))
    run(SRC, cache)
    changed = SRC.replace("pre: x >= 0", "pre: x >= -100")
    findings, n = run(changed, cache)
    assert n > 0
    use = [f for f in findings if f.function == "use"][0]
    assert use.status == "counterexample" and not use.cached
    assert use.counterexample.inputs["a"] < -100
    cache.close()
