"""Null tests of pointer parameters: `if (p)`, `!p`, `p ? a : b`, `p == NULL`, `p != 0`.

A pointer parameter the function never reassigns (nor takes the address of) keeps its
entry value, so whether it is NULL is one input: a `_Bool` chosen at entry (`Nondet`,
labelled `p != NULL`), and every null test of p reads it.  That is exact: the two
answers are both possible for a caller, and two tests of the same p agree (`kwnames ?
PyTuple_GET_SIZE(kwnames) : 0` is 0 whenever kwnames is NULL).  Any other use of the
pointer (its value, comparisons with other pointers, dereferences) stays opaque.  Not
tracked where NULL may be no valid input: a parameter of known size (`\\valid`, `[static
N]`, every caller's `&x`), a function with an ACSL contract, a file that says `nonnull`,
`main`, a parameter the function asserts about (`assert(p != NULL)` says NULL is no
valid input: a counterexample passing NULL would be a false alarm); nor in a function the
file calls: a caller's run passes a pointer whose null-ness the callee's input would
otherwise choose freely (a false counterexample).
"""
from __future__ import annotations

import re
from typing import Optional

from pycparser import c_ast

from .. import ir
from .c_memory import _Scan
from .c_opaque import is_pointer
from .c_single_objects import called_functions


# `__attribute__((nonnull))`, `_Nonnull`, `Py_NONNULL`...: the preprocessor drops them
_NONNULL = re.compile(r"non_?null", re.I)


class NullTests:
    """The null-ness inputs of one function's pointer parameters."""

    def __init__(self, lw, fdef: c_ast.FuncDef, declared, anns=(), sized=()):
        scan = _Scan()
        scan.visit(fdef.body)
        asserted = asserted_names(fdef.body)
        self.entries: dict[str, tuple] = {}      # C name -> its scope entry
        if anns or _NONNULL.search(getattr(lw.ctx, "masked", "") or "") or \
                fdef.decl.name == "main" or fdef.decl.name in called_functions(lw.ctx):
            declared = ()      # NULL may be no input (a contract, `nonnull`), or callers
            # in the file pass the pointer: their runs must not choose its null-ness
        for _, p, t in declared:
            name = getattr(p, "name", None)
            if name is None or not is_pointer(t) or not lw.scopes or name in sized or \
                    name not in lw.scopes[0] or name in scan.assigned or \
                    name in scan.declared or name in asserted:
                continue
            self.entries[name] = lw.scopes[0][name]
        # C name -> its IR `_Bool` variable, made here: a temporary made while lowering
        # could be inside static_type's sandbox, which gives its name out again
        self.flags = {n: lw.temp(ir.C_BOOL, f"{n}_nonnull") for n in self.entries}
        self.used: set[str] = set()

    def _flag(self, lw, node) -> Optional[ir.Expr]:
        """`p != NULL` of a tracked parameter p (casts between pointer types kept)."""
        while isinstance(node, c_ast.Cast) and is_pointer(lw.ctx.tenv.resolve(node.to_type)):
            node = node.expr
        if not isinstance(node, c_ast.ID) or node.name not in self.entries or \
                lw.lookup(node.name) is not self.entries[node.name]:
            return None
        var = self.flags[node.name]
        self.used.add(node.name)
        span = lw.sp(node)
        return ir.Binary(op="ne", left=ir.Var(name=var, type=ir.C_BOOL, span=span),
                         right=ir.Const(value=0, type=ir.C_BOOL, span=span),
                         type=ir.BOOL, span=span)

    def truth(self, lw, node) -> Optional[ir.Expr]:
        """The condition `node` when it is a null test of a tracked parameter, else None."""
        if isinstance(node, c_ast.BinaryOp) and node.op in ("==", "!="):
            for a, b in ((node.left, node.right), (node.right, node.left)):
                if _null_constant(lw, b) and (flag := self._flag(lw, a)) is not None:
                    if node.op == "!=":
                        return flag
                    return ir.Unary(op="not", arg=flag, type=ir.BOOL, span=lw.sp(node))
            return None
        return self._flag(lw, node)

    def prologue(self) -> list[ir.Stmt]:
        return [ir.Assign(target=var, value=ir.Nondet(type=ir.C_BOOL, label=f"{name} != NULL"))
                for name, var in self.flags.items() if name in self.used]


_ASSERT_FAILS = {"__assert_fail", "__assert", "__assert_rtn", "_assert", "__assert2"}


def asserted_names(body) -> set[str]:
    """Names inside the conditions of the function's asserts: `assert(e)` kept as a call,
    or what real <assert.h> makes of it (`(e) ? (void)0 : __assert_fail(...)`, `(void)((e)
    || (__assert(...), 0))`)."""
    out: set[str] = set()

    def fails(node) -> bool:
        if isinstance(node, c_ast.FuncCall) and isinstance(node.name, c_ast.ID) and \
                node.name.name in _ASSERT_FAILS:
            return True
        return any(fails(c) for _, c in node.children())

    def names(node) -> None:
        if isinstance(node, c_ast.ID):
            out.add(node.name)
        for _, c in node.children():
            names(c)

    def walk(node) -> None:
        if isinstance(node, c_ast.FuncCall) and isinstance(node.name, c_ast.ID) and \
                node.name.name == "assert" and node.args is not None:
            names(node.args)
        elif isinstance(node, c_ast.TernaryOp) and fails(node.iffalse):
            names(node.cond)
        elif isinstance(node, c_ast.BinaryOp) and node.op in ("||", "&&") and \
                fails(node.right):
            names(node.left)
        for _, c in node.children():
            walk(c)

    if body is not None:
        walk(body)
    return out


def _null_constant(lw, node) -> bool:
    """`0`, `0L`, `(void *)0`, `((T *)0)`: C's null pointer constants (and casts of one)."""
    while isinstance(node, c_ast.Cast) and is_pointer(lw.ctx.tenv.resolve(node.to_type)):
        node = node.expr
    if isinstance(node, c_ast.Constant) and node.type in ("int", "long", "unsigned int",
                                                          "unsigned long"):
        try:
            return lw.dm.int_constant(node.value)[0] == 0
        except ValueError:
            return False
    return False


def null_truth(lw, node) -> Optional[ir.Expr]:
    """The C lowering's entry point (None when null tests are not tracked)."""
    tests = getattr(lw, "null_tests", None)
    return tests.truth(lw, node) if tests is not None else None
