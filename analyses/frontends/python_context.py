"""Shared state of the Python frontend: the module index (imports, constants, function
signatures) and the per-function lowering context (locals, temporaries, unsupported)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import libcst as cst

from .. import ir
from .python_source import Spanner


@dataclass
class Signature:
    """What a call site needs to know about a function of the same file."""
    qualname: str
    params: list[str]
    types: list[ir.IntT]
    defaults: dict[str, Optional[int]]      # param -> int literal default (None: other)
    ret: Optional[ir.IntT]
    kind: str = "function"                  # function | instance | class | static


@dataclass
class ModuleIndex:
    aliases: dict[str, str] = field(default_factory=dict)      # local name -> dotted
    constants: dict[str, int] = field(default_factory=dict)    # module-level int constants
    signatures: dict[str, Signature] = field(default_factory=dict)
    invariants: dict[str, list] = field(default_factory=dict)  # class -> its invariants
    attr_kinds: dict[str, dict] = field(default_factory=dict)  # class -> attr -> int|other
    properties: dict[str, tuple] = field(default_factory=dict)  # 'C.p' -> (expr, self name)
    enums: frozenset = frozenset()      # module-level Enum classes (python_enums)
    module_kinds: dict[str, str] = field(default_factory=dict)  # PLURALS = [..] -> 'list'
    infinite: object = None     # python_module_iterables.InfiniteSources
    growing: frozenset = frozenset()    # functions that may grow a list (python_growing_functions)
    opaque_returns: frozenset = frozenset()     # functions that may return a value of
    #                                             unknown type (python_opaque)

    def resolve(self, node: cst.BaseExpression) -> Optional[str]:
        """Dotted name of a Name/Attribute chain, through import aliases."""
        if isinstance(node, cst.Name):
            if node.value in self.aliases:
                return self.aliases[node.value]
            return {"np": "numpy"}.get(node.value, node.value)
        if isinstance(node, cst.Attribute):
            base = self.resolve(node.value)
            return None if base is None else f"{base}.{node.attr.value}"
        return None


class FnContext:
    """Everything the lowering of one function accumulates."""

    def __init__(self, index: ModuleIndex, spanner: Spanner, qualname: str,
                 class_name: Optional[str] = None, self_name: Optional[str] = None):
        self.index = index
        self.spanner = spanner
        self.qualname = qualname
        self.class_name = class_name
        self.self_name = self_name
        self.locals: dict[str, ir.IntT] = {}
        self.param_names: set[str] = set()
        self.star_names: dict[str, str] = {}    # *args -> 'tuple', **kwargs -> 'dict'
        self.fn_nonlocals: set[str] = set()     # locals a nested function may rebind
        self.int_params: set[str] = set()           # parameters annotated int/bool/fixed
        self.not_none: set[str] = set()     # parameters annotated without None (containers)
        self.local_names: set[str] = set()          # every name the body binds
        self.bad_params: dict[str, str] = {}        # param -> reason its uses are unsupported
        self.global_names: set[str] = set()         # `global`/`nonlocal` names
        self.nested_defs: set[str] = set()          # nested def/class names (not ints)
        self.non_int: set[str] = set()              # names that may hold a non-int
        self.unsupported: list[tuple[str, ir.Span]] = []
        self.ret: Optional[ir.IntT] = ir.MATH_INT
        self.type_hints: dict[str, ir.IntT] = {}    # from a first pass (see python_frontend)
        self.early_reads: set[str] = set()          # locals read before their first store
        self.iterables = None                       # python_iterables.IterableModel
        self.self_attrs: Optional[set[str]] = None  # modelled attributes of self
        self.tries: list = []       # enclosing try statements (python_try.TryFrame)
        self.known_dicts: dict = {}     # dicts whose keys are known (python_known_dicts)
        self.optional: set[str] = set()     # int-or-None parameters (python_optional)
        self.membership = False     # the body tests `k in c` / reads d[k] (python_membership)
        self.memos: set[tuple[str, str]] = set()    # (key text, container) remembered
        self.after_stmt: list[ir.Stmt] = []         # to run after the current statement
        self.assumed: list[str] = []    # "the iterable seq is finite ..." (python_assumed_iterables)
        self.fn_node: Optional[cst.FunctionDef] = None
        self._counter = 0

    def fresh(self, stem: str, typ: ir.IntT = ir.MATH_INT) -> str:
        """A hidden variable: '$' cannot occur in a Python identifier."""
        self._counter += 1
        name = f"${stem}{self._counter}"
        self.locals[name] = typ
        return name

    def note(self, what: str, span: ir.Span) -> None:
        self.unsupported.append((what, span))

    def declare(self, name: str, typ: ir.Type) -> ir.IntT:
        """The type of local `name` (fixed by its first assignment in source order)."""
        if name in self.locals:
            return self.locals[name]
        t = typ if isinstance(typ, ir.IntT) and typ.bounded else ir.MATH_INT
        t = self.type_hints.get(name, t)
        self.locals[name] = t
        return t

    def local_type(self, name: str) -> ir.IntT:
        if name not in self.locals:
            self.early_reads.add(name)
            return self.type_hints.get(name, ir.MATH_INT)
        return self.locals[name]
