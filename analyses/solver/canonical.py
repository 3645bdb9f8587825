"""Canonical keys for z3 queries, so the lemma cache hits on alpha-equivalent formulas.

A query's key is the SHA-256 of its SMT-LIB2 text after renaming the free constants by
first occurrence (`v0`, `v1`, ... keeping their sorts): `x + y == y + x` and
`a + b == b + a` share a key, while different constants, sorts or structure do not.
The hashed text also holds z3's version and FORMAT_VERSION, since either can change answers
or printing.  The time limit is not hashed: solver.py retries 'unknown' entries whose limit
was smaller.
"""
from __future__ import annotations

import hashlib

import z3

FORMAT_VERSION = "veriline-canonical-2"   # 2: proved entries carry smt2_sha256
_Z3_VERSION = z3.get_version_string()
_UNINTERPRETED = z3.Z3_OP_UNINTERPRETED


class _Unsupported(Exception):
    """Quantifiers and bound variables: canonicalized by the slower generic path."""


def _raw(fn):
    """The bare ctypes function behind a z3core wrapper: these getters cannot fail on
    well-formed terms, and skipping the per-call error check halves the cost of a call."""
    elems = (getattr(fn, "__defaults__", None) or (None,))[-1]
    return getattr(elems, "f", fn)


def _fast_text(assertions) -> tuple[str, dict[str, str]]:
    """Walk the DAG once through z3's C API, in post-order, left to right.

    Every distinct compound term becomes `(define-fun tK () SORT (HEAD args))`, so shared
    subterms are written once and the text is linear in the DAG's size; free constants are
    named v0, v1, ... as first met.  Term numbering follows the walk, which depends only on
    the structure, never on names or z3's internal ids."""
    ctx = assertions[0].ctx_ref()
    get_kind, num_args = _raw(z3.Z3_get_ast_kind), _raw(z3.Z3_get_app_num_args)
    get_arg, get_decl, get_sort = _raw(z3.Z3_get_app_arg), _raw(z3.Z3_get_app_decl), \
        _raw(z3.Z3_get_sort)
    numeral, app = z3.Z3_NUMERAL_AST, z3.Z3_APP_AST
    # Terms, operators and sorts are keyed by pointer: z3 hash-conses them, and all stay
    # alive while the assertions are held, so a pointer names one term during the walk.
    memo: dict[int, str] = {}
    heads: dict[int, str] = {}
    sorts: dict[int, str] = {}
    names: dict[str, str] = {}
    decls: list[str] = []
    body: list[str] = []
    nconsts = 0
    for a in assertions:
        stack = [(a.as_ast(), None)]
        while stack:
            node, args = stack.pop()
            if args is None:
                if node.value in memo:
                    continue
                kind = get_kind(ctx, node)
                if kind == numeral:
                    memo[node.value] = z3.Z3_ast_to_string(ctx, node)
                    continue
                if kind != app:
                    raise _Unsupported()
                n = num_args(ctx, node)
                if n:
                    args = [get_arg(ctx, node, i) for i in range(n)]
                    stack.append((node, args))
                    stack.extend((c, None) for c in reversed(args))
                    continue
                d = get_decl(ctx, node)
                if z3.Z3_get_decl_kind(ctx, d) != _UNINTERPRETED:
                    memo[node.value] = z3.Z3_ast_to_string(ctx, node)   # true, false, ...
                    continue
                canon = memo[node.value] = f"v{nconsts}"
                nconsts += 1
                names.setdefault(z3.Z3_get_symbol_string(ctx, z3.Z3_get_decl_name(ctx, d)),
                                 canon)
                decls.append(f"(declare-fun {canon} () "
                             f"{z3.Z3_sort_to_string(ctx, z3.Z3_get_range(ctx, d))})")
                continue
            d = get_decl(ctx, node)
            head = heads.get(d.value)
            if head is None:
                head = heads[d.value] = _head(ctx, d, decls)
            sort = get_sort(ctx, node)
            stext = sorts.get(sort.value)
            if stext is None:
                stext = sorts[sort.value] = z3.Z3_sort_to_string(ctx, sort)
            tok = memo[node.value] = f"t{len(body)}"
            body.append(f"(define-fun {tok} () {stext} ({head} "
                        f"{' '.join([memo[c.value] for c in args])}))")
        body.append(f"(assert {memo[a.as_ast().value]})")
    return "\n".join([f"; {FORMAT_VERSION} z3 {_Z3_VERSION}", *decls, *body]), names


def _head(ctx, d, decls: list) -> str:
    """Operator text with its indices, e.g. `(_ extract 7 0)`; uninterpreted functions
    are declared with their signature and written quoted, so they never clash with vK."""
    name = z3.Z3_get_symbol_string(ctx, z3.Z3_get_decl_name(ctx, d))
    if z3.Z3_get_decl_kind(ctx, d) == _UNINTERPRETED:
        q = _quote(name)
        dom = " ".join(z3.Z3_sort_to_string(ctx, z3.Z3_get_domain(ctx, d, i))
                       for i in range(z3.Z3_get_domain_size(ctx, d)))
        rng = z3.Z3_sort_to_string(ctx, z3.Z3_get_range(ctx, d))
        decls.append(f"(declare-fun {q} ({dom}) {rng})")
        return q
    n = z3.Z3_get_decl_num_parameters(ctx, d)
    if n == 0:
        return name
    return "(_ " + " ".join([name, *(_param(ctx, d, i) for i in range(n))]) + ")"


def _param(ctx, d, i: int) -> str:
    k = z3.Z3_get_decl_parameter_kind(ctx, d, i)
    if k == z3.Z3_PARAMETER_INT:
        return str(z3.Z3_get_decl_int_parameter(ctx, d, i))
    if k == z3.Z3_PARAMETER_DOUBLE:
        return repr(z3.Z3_get_decl_double_parameter(ctx, d, i))
    if k == z3.Z3_PARAMETER_RATIONAL:
        return z3.Z3_get_decl_rational_parameter(ctx, d, i)
    if k == z3.Z3_PARAMETER_SYMBOL:
        return _quote(z3.Z3_get_symbol_string(ctx, z3.Z3_get_decl_symbol_parameter(ctx, d, i)))
    if k == z3.Z3_PARAMETER_SORT:
        return z3.Z3_sort_to_string(ctx, z3.Z3_get_decl_sort_parameter(ctx, d, i))
    if k == z3.Z3_PARAMETER_AST:
        return "(ast " + z3.Z3_ast_to_string(ctx, z3.Z3_get_decl_ast_parameter(ctx, d, i)) + ")"
    if k == z3.Z3_PARAMETER_FUNC_DECL:
        return "(decl " + z3.Z3_func_decl_to_string(
            ctx, z3.Z3_get_decl_func_decl_parameter(ctx, d, i)) + ")"
    raise _Unsupported()


def _scan(assertions) -> tuple[list[z3.ExprRef], list[z3.FuncDeclRef]]:
    """Generic path: free constants in order of first occurrence (pre-order, left to
    right), and the uninterpreted functions of arity > 0."""
    consts: list[z3.ExprRef] = []
    funcs: list[z3.FuncDeclRef] = []
    seen_funcs: set[int] = set()
    visited: set[int] = set()
    todo = list(reversed(assertions))
    while todo:
        t = todo.pop()
        tid = t.get_id()
        if tid in visited:
            continue
        visited.add(tid)
        if z3.is_app(t):
            d = t.decl()
            n = t.num_args()
            if d.kind() == _UNINTERPRETED:
                if n == 0:
                    consts.append(t)
                    continue
                did = d.get_id()
                if did not in seen_funcs:
                    seen_funcs.add(did)
                    funcs.append(d)
            if n:
                todo.extend(t.arg(i) for i in range(n - 1, -1, -1))
        elif z3.is_quantifier(t):
            todo.append(t.body())
    return consts, funcs


def _declare(name: str, d: z3.FuncDeclRef) -> str:
    dom = " ".join(d.domain(i).sexpr() for i in range(d.arity()))
    return f"(declare-fun {name} ({dom}) {d.range().sexpr()})"


def _generic_text(assertions) -> tuple[str, dict[str, str]]:
    """Substitute fresh vK constants and let z3 print (handles quantifiers; slower)."""
    consts, funcs = _scan(assertions)
    names: dict[str, str] = {}
    lines = [f"; {FORMAT_VERSION} generic z3 {_Z3_VERSION}"]
    lines.extend(_declare(_quote(d.name()), d) for d in funcs)
    pairs = []
    for i, c in enumerate(consts):
        canon = f"v{i}"
        pairs.append((c, z3.Const(canon, c.sort())))
        names.setdefault(c.decl().name(), canon)
        lines.append(f"(declare-fun {canon} () {c.sort().sexpr()})")
    for a in assertions:
        if pairs:
            a = z3.substitute(a, *pairs)
        lines.append(f"(assert {a.sexpr()})")
    return "\n".join(lines), names


def canonical_text(assertions: list) -> tuple[str, dict[str, str]]:
    """The canonical SMT-LIB2 text of the conjunction, and original → canonical names."""
    assertions = [a if isinstance(a, z3.ExprRef) else z3.BoolVal(bool(a))
                  for a in assertions]
    if not assertions:
        return f"; {FORMAT_VERSION} z3 {_Z3_VERSION}", {}
    try:
        return _fast_text(assertions)
    except _Unsupported:
        return _generic_text(assertions)


def _quote(name: str) -> str:
    """Function names stay as they are; quoted so they cannot collide with `v<i>`."""
    return "|" + name.replace("|", "||") + "|"


def query_key(assertions: list, timeout_ms: int = 0) -> tuple[str, dict[str, str]]:
    """SHA-256 hex key of the canonical query, and original const name → canonical name.

    timeout_ms is accepted for the caller's convenience but is deliberately not hashed."""
    text, names = canonical_text(assertions)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest(), names


def lemma_key(kind: str, *parts: str) -> str:
    """Key for an intermediate lemma (e.g. an inferred loop invariant): kind and parts,
    length-prefixed so ('ab', 'c') and ('a', 'bc') differ."""
    h = hashlib.sha256()
    for p in (FORMAT_VERSION, _Z3_VERSION, kind, *parts):
        b = str(p).encode("utf-8", "surrogatepass")
        h.update(len(b).to_bytes(8, "big"))
        h.update(b)
    return h.hexdigest()
