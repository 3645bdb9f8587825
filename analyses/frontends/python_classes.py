"""Classes of a module: each one's attribute kinds (python_attr_types) and invariants
(python_class_invariants), combined along the inheritance relations inside the module."""
from __future__ import annotations

import libcst as cst

from . import python_class_invariants as class_inv
from .python_attr_types import attribute_kinds
from .python_context import ModuleIndex
from .python_source import Spanner


def index_classes(units: list[Spanner], index: ModuleIndex) -> None:
    """Each class's attribute kinds and invariants, with those of its base classes defined
    in this module (icontract's invariants are inherited; a base class's assignments
    are the subclass's too)."""
    own_kinds: dict[str, dict] = {}
    own_invs: dict[str, list] = {}
    bases: dict[str, list[str]] = {}
    for sp in units:
        for name, cls_node in collect_classes(sp.module.body, ""):
            own_kinds[name] = attribute_kinds(cls_node, index)
            own_invs[name] = class_inv.class_invariants(sp, cls_node, index)
            bases[name] = [b for b in (index.resolve(a.value) for a in cls_node.bases
                                       if a.keyword is None) if b]
    subs: dict[str, list[str]] = {}
    for name, bs in bases.items():
        for b in bs:
            subs.setdefault(b, []).append(name)
    for name in own_kinds:
        order = _closure(name, bases, own_kinds)            # the class, then its ancestors
        family = set(order) | set(_closure(name, subs, own_kinds))   # self may be a subclass
        kinds: dict[str, str] = {}
        for c in sorted(family):
            for attr, k in own_kinds[c].items():
                kinds[attr] = "other" if "other" in (k, kinds.get(attr)) else k
        index.attr_kinds[name] = kinds
        invs = [inv for c in reversed(order) for inv in own_invs[c]]
        if invs:
            index.invariants[name] = invs
    for sp in units:
        for name, cls_node in collect_classes(sp.module.body, ""):
            for stmt in cls_node.body.body:
                prop = simple_property(stmt, index)
                if prop is not None:
                    index.properties[f"{name}.{stmt.name.value}"] = prop


def simple_property(stmt, index: ModuleIndex):
    """(return expression, self name) of `@property def p(self): return <expr>` where expr
    is integer arithmetic over int literals and attributes of self (no calls, no `/`):
    reading `self.p` then runs no code beyond what the expression says."""
    if not isinstance(stmt, cst.FunctionDef) or len(stmt.decorators) != 1 or \
            index.resolve(stmt.decorators[0].decorator) not in ("property", "builtins.property"):
        return None
    params = stmt.params
    if len(params.params) != 1 or params.posonly_params or params.kwonly_params or \
            isinstance(params.star_arg, cst.Param) or params.star_kwarg is not None:
        return None
    me = params.params[0].name.value
    body = list(stmt.body.body) if isinstance(stmt.body, cst.IndentedBlock) else []
    if body and isinstance(body[0], cst.SimpleStatementLine) and \
            isinstance(body[0].body[0], cst.Expr) and \
            isinstance(body[0].body[0].value, cst.SimpleString):
        body = body[1:]                                 # the docstring
    if len(body) != 1 or not isinstance(body[0], cst.SimpleStatementLine) or \
            len(body[0].body) != 1 or not isinstance(body[0].body[0], cst.Return):
        return None
    expr = body[0].body[0].value
    return (expr, me) if expr is not None and _arith_of_self(expr, me) else None


def _arith_of_self(e, me: str) -> bool:
    if isinstance(e, cst.Integer):
        return True
    if isinstance(e, cst.Attribute):
        return isinstance(e.value, cst.Name) and e.value.value == me
    if isinstance(e, cst.UnaryOperation):
        return type(e.operator).__name__ in ("Minus", "Plus", "BitInvert") and \
            _arith_of_self(e.expression, me)
    if isinstance(e, cst.BinaryOperation):
        return type(e.operator).__name__ not in ("Divide", "MatrixMultiply") and \
            _arith_of_self(e.left, me) and _arith_of_self(e.right, me)
    return False


def collect_classes(body, prefix: str) -> list[tuple[str, cst.ClassDef]]:
    out = []
    for stmt in body:
        if isinstance(stmt, cst.ClassDef) and isinstance(stmt.body, cst.IndentedBlock):
            out.append((prefix + stmt.name.value, stmt))
            out.extend(collect_classes(stmt.body.body, prefix + stmt.name.value + "."))
    return out


def _closure(start: str, edges: dict[str, list[str]], known: dict) -> list[str]:
    """start and every class reachable along edges (breadth first, known classes only)."""
    seen, order, todo = set(), [], [start]
    while todo:
        c = todo.pop(0)
        if c in seen or c not in known:
            continue
        seen.add(c)
        order.append(c)
        todo.extend(edges.get(c, []))
    return order
