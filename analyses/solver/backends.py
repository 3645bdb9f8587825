"""The solvers a query can be raced on, and the query as portable SMT-LIB2 text.

Each backend runs in its own process (worker.py) so it can be killed the moment another
one answers.  Solvers missing from the environment are skipped, never an error.
"""
from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from functools import lru_cache

import z3
from z3 import z3core

WORKER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "worker.py")

# which backends understand which theories (bitwuzla: bit-vectors only; cvc5: both, and
# nonlinear integer arithmetic; z3 always)
THEORY_BACKENDS = {"bv": ("bitwuzla", "cvc5", "z3"), "int": ("cvc5", "z3"),
                   "mixed": ("z3",), "bool": ("z3",)}

_MUL_FLAGS = {z3.Z3_OP_BSMUL_NO_OVFL: "smul-ovfl", z3.Z3_OP_BUMUL_NO_OVFL: "umul-ovfl",
              z3.Z3_OP_BSMUL_NO_UDFL: "smul-udfl"}


@lru_cache(maxsize=None)
def installed(name: str) -> bool:
    if name == "z3":
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def theory(assertions: list) -> str:
    """'bv', 'int', 'mixed' (both, e.g. int2bv) or 'bool' (neither)."""
    seen, todo = set(), list(assertions)
    has_bv = has_int = False
    while todo:
        t = todo.pop()
        if t.get_id() in seen:
            continue
        seen.add(t.get_id())
        k = t.sort().kind()
        has_bv |= k == z3.Z3_BV_SORT
        has_int |= k in (z3.Z3_INT_SORT, z3.Z3_REAL_SORT)
        todo.extend(t.children())
    if has_bv and has_int:
        return "mixed"
    return "bv" if has_bv else "int" if has_int else "bool"


_INT_MUL = (z3.Z3_OP_MUL, z3.Z3_OP_POWER)
_INT_DIV = (z3.Z3_OP_IDIV, z3.Z3_OP_MOD, z3.Z3_OP_REM, z3.Z3_OP_DIV)


def nonlinear_int(assertions: list) -> bool:
    """Does the query multiply two integer terms that are not literals, or divide by one
    (z3's nlsat then decides it, and may overrun its time limit: see forked.py)?"""
    ground: dict = {}

    def nonlinear(c, p, kind: int, args: list) -> bool:
        if kind in _INT_MUL:
            return sum(not _ground_raw(c, x, ground) for x in args) >= 2
        return kind in _INT_DIV and not _ground_raw(c, args[1], ground)
    try:
        return _any_node(assertions, _LINEAR, nonlinear)
    except RecursionError:      # a very deep operand: taken for a variable one
        return True


def has_bitvectors(assertions: list) -> bool:
    """Does a term of the query have a bit-vector sort?"""
    return _any_node(assertions, _NO_BV, lambda c, p, kind, args: z3core.Z3_get_sort_kind(
        c, z3core.Z3_get_sort(c, p)) == z3.Z3_BV_SORT)


def _any_node(assertions: list, memo: dict, hit) -> bool:
    """Is hit(ctx, node, decl kind, args) true of an application in the assertions?

    Asked of every query, so it walks z3's raw ASTs (no Python wrapper per node) and, in
    the main context, remembers in `memo` the subterms found without a hit (held by a
    reference until the memo is cleared): the path conditions queries share are walked
    once."""
    Z = z3core
    main = z3.main_ctx().ref()
    for a in assertions:
        c = a.ctx_ref()
        known = memo if c.value == main.value else {}
        seen: set = set()
        visited: list = []
        todo = [a.as_ast()]
        while todo:
            p = todo.pop()
            i = Z.Z3_get_ast_id(c, p)
            if i in seen or i in known:
                continue
            seen.add(i)
            if Z.Z3_get_ast_kind(c, p) not in _APP_KINDS:
                continue
            args = [Z.Z3_get_app_arg(c, p, j) for j in range(Z.Z3_get_app_num_args(c, p))]
            if hit(c, p, Z.Z3_get_decl_kind(c, Z.Z3_get_app_decl(c, p)), args):
                return True
            visited.append((i, p))
            todo.extend(args)
        if known is memo:
            _remember(memo, c, visited)
    return False


_LINEAR: dict = {}          # ast id -> ast pointer (main context; Z3_inc_ref'd)
_NO_BV: dict = {}           # the same, for has_bitvectors
_LINEAR_MAX = 200_000
_NUMERAL_SORTS = (z3.Z3_INT_SORT, z3.Z3_REAL_SORT)
_BOOL_LITERALS = (z3.Z3_OP_TRUE, z3.Z3_OP_FALSE)
_APP_KINDS = (z3.Z3_APP_AST, z3.Z3_NUMERAL_AST)      # what z3.is_app accepts


def _ground_raw(c, p, memo: dict) -> bool:
    """No variable in p (a literal, or e.g. the engine's `(2 >= 0 ? 2 : -2)` divisor)."""
    Z = z3core
    key = Z.Z3_get_ast_id(c, p)
    if key not in memo:
        ok = False
        if Z.Z3_get_ast_kind(c, p) in _APP_KINDS:
            if Z.Z3_is_numeral_ast(c, p):
                ok = Z.Z3_get_sort_kind(c, Z.Z3_get_sort(c, p)) in _NUMERAL_SORTS
            else:
                k = Z.Z3_get_decl_kind(c, Z.Z3_get_app_decl(c, p))
                n = Z.Z3_get_app_num_args(c, p)
                ok = k in _BOOL_LITERALS or (
                    n > 0 and k != z3.Z3_OP_UNINTERPRETED
                    and all(_ground_raw(c, Z.Z3_get_app_arg(c, p, j), memo) for j in range(n)))
        memo[key] = ok
    return memo[key]


def _remember(memo: dict, c, visited: list) -> None:
    if len(memo) + len(visited) > _LINEAR_MAX:
        for p in memo.values():
            z3core.Z3_dec_ref(c, p)
        memo.clear()
    for i, p in visited:
        if i not in memo:
            z3core.Z3_inc_ref(c, p)
            memo[i] = p


def backends_for(assertions: list) -> list[str]:
    return [b for b in THEORY_BACKENDS[theory(assertions)] if installed(b)]


def _mul_flag(kind: str, a, b):
    """z3's multiplication-overflow predicates in SMT-LIB 2.7's bvsmulo / bvumulo (which
    Bitwuzla and cvc5 decide with a dedicated circuit); declared here as uninterpreted
    functions only to be printed, their declarations are dropped from the text."""
    n = a.size()
    bv, boolean = z3.BitVecSort(n), z3.BoolSort()
    if kind == "umul-ovfl":
        return z3.Not(z3.Function("bvumulo", bv, bv, boolean)(a, b))
    over = z3.Function("bvsmulo", bv, bv, boolean)(a, b)
    same_sign = (a < 0) == (b < 0)      # a nonzero product of equal signs is positive
    return z3.Not(z3.And(over, same_sign if kind == "smul-ovfl" else z3.Not(same_sign)))


def portable(assertions: list) -> list:
    """The assertions without z3-only operators (the mul-overflow predicates)."""
    subs, seen, todo = [], set(), list(assertions)
    while todo:
        t = todo.pop()
        if t.get_id() in seen:
            continue
        seen.add(t.get_id())
        if z3.is_app(t) and t.decl().kind() in _MUL_FLAGS:
            subs.append((t, _mul_flag(_MUL_FLAGS[t.decl().kind()], t.arg(0), t.arg(1))))
        todo.extend(t.children())
    if not subs:
        return list(assertions)
    return [z3.substitute(a, *subs) for a in assertions]


_BUILTIN_DECLS = ("(declare-fun bvsmulo ", "(declare-fun bvumulo ")


_Z3_ONLY = ("mul_noovfl", "mul_noudfl")      # how z3 prints the mul-overflow predicates


def smt2(assertions: list) -> str:
    s = z3.Solver()
    s.add(*assertions)
    text = s.to_smt2()
    if not any(op in text for op in _Z3_ONLY):   # already portable: no term walk needed
        return text if text.endswith("\n") else text + "\n"
    s = z3.Solver()
    s.add(*portable(assertions))
    lines = s.to_smt2().splitlines()
    return "\n".join(ln for ln in lines if not ln.startswith(_BUILTIN_DECLS)) + "\n"


def start(backend: str, text: str, timeout_ms: int) -> subprocess.Popen:
    """Launch one worker process on the query text (written to its stdin)."""
    proc = subprocess.Popen([sys.executable, WORKER, backend, str(int(timeout_ms))],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    try:
        proc.stdin.write(text)
        proc.stdin.close()
    except (BrokenPipeError, OSError):
        pass
    return proc


def answer(proc: subprocess.Popen) -> dict:
    """The finished worker's JSON answer (unknown when it printed nothing usable)."""
    try:
        line = proc.stdout.read().strip().splitlines()
        return json.loads(line[-1]) if line else {"status": "unknown", "reason": "no answer"}
    except (ValueError, OSError):
        return {"status": "unknown", "reason": "unreadable answer"}
    finally:
        proc.stdout.close()


def stop(proc: subprocess.Popen) -> None:
    """Kill a worker this module started (by its own handle) and reap it."""
    if proc.poll() is None:
        proc.kill()
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:   # pragma: no cover
        pass
    for f in (proc.stdout, proc.stdin):
        try:
            if f is not None and not f.closed:
                f.close()
        except OSError:
            pass
