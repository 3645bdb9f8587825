"""Which iterables a Python `for` loop runs over are known to be finite (and not grown).

The rule (docs/python-iterables.md): a `for` loop terminates when its iterable is
* a display (`[..]`, `(..)`, `{..}`), a string literal or f-string, a comprehension over
  finite iterables whose expressions call nothing but a few pure builtins;
* `range(..)`, or `enumerate`/`reversed`/`sorted`/`list`/`tuple`/`set`/`frozenset`/`dict`
  of a finite iterable, `zip` with at least one finite argument, `.keys()`/`.values()`/
  `.items()` and the str methods returning strings or lists of a finite container;
* a parameter annotated with a finite container type (`list[int]`, `str`, `dict`, `tuple`,
  `set`, `frozenset`, `bytes`, `bytearray`, `deque`, their `typing` aliases, also
  `Optional[...]` of them), or a local every binding of which is one of the above;
and, when the container is mutable (list, dict, set, ...), the loop body does not grow it:
its name occurs in the body only in reads (`xs[i]`, `len(xs)`, `x in xs`, a nested `for`
over it, non-mutating methods) and the body calls no function of the same file (which could
reach the list through an alias; python_growth).  Anything else — an unannotated parameter, `self.items`,
a call result of unknown type — may be an infinite iterator (itertools.count()): the loop
stays "don't know" (or is proved under a stated assumption: python_assumed_iterables).
`for i in itertools.count(..)` itself is an endless counter loop (python_for).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import libcst as cst

from .python_literals import int_literal
from .python_names import kids

IMMUTABLE = {"str", "bytes", "tuple", "frozenset", "range"}
# "lazy": enumerate/zip/reversed/generator expressions/dict views read their source as
# they go, so a name bound to one is not known finite (its source may grow)
# abstract container annotations (typing / collections.abc Sequence, Mapping, Set): finite
# by their protocol (len() is the number of items), but the object may be any class, so
# their methods other than the protocol's are unknown functions, no IndexError rule
ABSTRACT = {"seq", "map", "aset"}
MUTABLE = {"list", "dict", "set", "bytearray", "deque"} | ABSTRACT
_TYPE_NAMES = {
    "str": "str", "builtins.str": "str", "bytes": "bytes", "tuple": "tuple",
    "frozenset": "frozenset", "list": "list", "dict": "dict", "set": "set",
    "bytearray": "bytearray", "typing.List": "list", "typing.Dict": "dict",
    "typing.Set": "set", "typing.FrozenSet": "frozenset", "typing.Tuple": "tuple",
    "collections.deque": "deque", "typing.Deque": "deque",
    "collections.OrderedDict": "dict", "collections.defaultdict": "dict",
    "collections.Counter": "dict", "typing.DefaultDict": "dict",
    "typing.OrderedDict": "dict", "typing.Counter": "dict", "typing.Text": "str",
    **{f"{m}.{n}": k for m in ("typing", "collections.abc")
       for n, k in (("Sequence", "seq"), ("MutableSequence", "seq"), ("Mapping", "map"),
                    ("MutableMapping", "map"), ("AbstractSet", "aset"), ("Set", "aset"),
                    ("MutableSet", "aset"))
       if not (m == "typing" and n == "Set")},
}
# calls whose result is a new finite container when their (first) argument is finite
_COPYING = {"list": "list", "tuple": "tuple", "set": "set", "frozenset": "frozenset",
            "sorted": "list", "dict": "dict", "reversed": "lazy", "enumerate": "lazy",
            "bytes": "bytes", "bytearray": "bytearray", "collections.deque": "deque"}
# methods of a finite container whose result is finite
_VIEW_METHODS = {"keys", "values", "items", "split", "rsplit", "splitlines", "strip",
                 "lstrip", "rstrip", "lower", "upper", "casefold", "title", "copy",
                 "partition", "rpartition", "replace", "encode", "decode", "join",
                 "expandtabs", "zfill", "center", "ljust", "rjust", "swapcase",
                 "capitalize", "removeprefix", "removesuffix"}
# methods that do not change the container they are called on
READ_METHODS = {"count", "index", "get", "keys", "values", "items", "copy", "find", "rfind",
                "startswith", "endswith", "split", "rsplit", "strip", "lstrip", "rstrip",
                "lower", "upper", "isdigit", "isalpha", "isalnum", "isspace", "join",
                "issubset", "issuperset", "isdisjoint", "union", "intersection",
                "difference", "symmetric_difference", "rindex", "format", "encode",
                "decode", "replace", "splitlines", "partition", "rpartition"}
# pure builtins a comprehension may call and still be known to terminate
PURE_BUILTINS = {"len", "abs", "int", "bool", "isinstance", "ord", "chr", "divmod", "str",
                 "repr", "hash", "round", "min", "max", "range"}


@dataclass
class FiniteIter:
    """A `for` iterable known to be finite."""
    desc: str                                   # "the list xs", "a tuple display"
    length: Optional[int] = None                # known exactly (displays, literals)
    int_elements: Optional[list[int]] = None    # the elements, when all are int literals
    enumerate_start: Optional[cst.BaseExpression] = None   # enumerate(it[, start])
    enumerated: bool = False
    roots: set[str] = field(default_factory=set)    # mutable names the body must not grow
    eager: bool = False     # a copy of an iterable not known finite (list(seq), sorted(..))
    private_roots: set[str] = field(default_factory=set)    # roots no one else can reach
    assumed: str = ""       # finite only under this stated assumption (python_assumed_iterables)


def container_kind(annotation: Optional[cst.BaseExpression],
                   resolve: Callable[[cst.BaseExpression], Optional[str]]) -> Optional[str]:
    """'list', 'str', ... for an annotation naming a finite container type."""
    a = annotation
    if a is None:
        return None
    if isinstance(a, cst.SimpleString):
        try:
            a = cst.parse_expression(str(a.evaluated_value))
        except Exception:
            return None
    if isinstance(a, cst.BinaryOperation) and isinstance(a.operator, cst.BitOr):
        left, right = container_kind(a.left, resolve), container_kind(a.right, resolve)
        if _is_none(a.right):
            return left
        if _is_none(a.left):
            return right
        return left if left is not None and left == right else None
    if isinstance(a, cst.Subscript):
        head = resolve(a.value)
        if head in ("typing.Optional", "Optional") and len(a.slice) == 1:
            inner = a.slice[0].slice
            return container_kind(inner.value, resolve) if isinstance(inner, cst.Index) else None
        a = a.value
    return _TYPE_NAMES.get(resolve(a) or "")


def element_kind(annotation: Optional[cst.BaseExpression],
                 resolve: Callable[[cst.BaseExpression], Optional[str]]) -> Optional[str]:
    """The container kind of the elements of an annotated container (`list[list[int]]`:
    'list'; for a dict, of its keys)."""
    a = annotation
    if isinstance(a, cst.SimpleString):
        try:
            a = cst.parse_expression(str(a.evaluated_value))
        except Exception:
            return None
    if isinstance(a, cst.BinaryOperation) and isinstance(a.operator, cst.BitOr):
        return element_kind(a.left if _is_none(a.right) else a.right, resolve) \
            if _is_none(a.left) or _is_none(a.right) else None
    if not isinstance(a, cst.Subscript) or not a.slice:
        return None
    head = resolve(a.value)
    first = a.slice[0].slice
    if head in ("typing.Optional", "Optional"):
        return element_kind(first.value, resolve) if isinstance(first, cst.Index) else None
    outer = _TYPE_NAMES.get(head or "")
    if outer is None or not isinstance(first, cst.Index):
        return None
    if outer == "tuple" and not (len(a.slice) == 2 and isinstance(a.slice[1].slice, cst.Index)
                                 and isinstance(a.slice[1].slice.value, cst.Ellipsis)):
        return None
    return container_kind(first.value, resolve)


def _is_none(node: cst.BaseExpression) -> bool:
    return isinstance(node, cst.Name) and node.value == "None"


class IterableModel:
    """Classifies iterables within one function.  `kinds`: names known to hold a finite
    container (parameters by annotation, locals by their bindings) -> kind."""

    def __init__(self, resolve, kinds: dict[str, str], shadowed: Callable[[str], bool],
                 fresh: frozenset = frozenset(), enums: frozenset = frozenset()):
        self.resolve = resolve
        self.enums = enums          # module-level Enum classes (python_enums)
        self.private: frozenset = frozenset()   # fresh locals that never escape
        self.escaping: frozenset = frozenset()  # names that may escape (python_escape)
        self.kinds = kinds
        self.fresh = fresh          # locals that never alias another name (finite_locals)
        self.shadowed = shadowed
        self.module_kinds: dict[str, str] = {}  # module-level finite displays (PLURALS)

    def builtin(self, func: cst.BaseExpression) -> Optional[str]:
        name = self.resolve(func)
        if name is None or (isinstance(func, cst.Name) and self.shadowed(func.value)):
            return None
        return name

    def kind(self, node: cst.BaseExpression) -> Optional[str]:
        """The finite container kind an expression evaluates to, if known."""
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return "str"
        if isinstance(node, cst.Tuple):
            return "tuple" if self._elements_ok(node.elements) else None
        if isinstance(node, (cst.List, cst.Set)):
            return ("list" if isinstance(node, cst.List) else "set") \
                if self._elements_ok(node.elements) else None
        if isinstance(node, cst.Dict):
            return "dict" if all(isinstance(e, cst.DictElement) and self._pure(e.key)
                                 and self._pure(e.value) for e in node.elements) else None
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)):
            return {"ListComp": "list", "SetComp": "set", "DictComp": "dict",
                    "GeneratorExp": "lazy"}[
                type(node).__name__] if self._comprehension_ok(node) else None
        if isinstance(node, cst.Name):
            if node.value in self.enums and not self.shadowed(node.value):
                return "enum"       # its members: fixed when the class was created
            return self.kinds.get(node.value) or self._module_kind(node.value)
        if isinstance(node, cst.Call):
            return self._call_kind(node)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
            left, right = self.kind(node.left), self.kind(node.right)
            return left if left is not None and left == right else None
        if isinstance(node, cst.Subscript) and len(node.slice) == 1 \
                and isinstance(node.slice[0].slice, cst.Slice):
            sl = node.slice[0].slice        # xs[a:b]: a new sequence of the same kind
            kind = self.kind(node.value)
            parts = [p for p in (sl.lower, sl.upper, sl.step) if p is not None]
            return kind if kind in ("list", "tuple", "str", "bytes", "bytearray") and all(
                self._pure(p) for p in parts) else None
        return None

    def _module_kind(self, name: str) -> Optional[str]:
        return None if name not in self.module_kinds or self.shadowed(name) \
            else self.module_kinds[name]

    def eager_kind(self, node: cst.BaseExpression) -> Optional[str]:
        """The kind of an eager copy (`list(x)`, `sorted(x)`, a comprehension) of anything:
        finite whenever the call returns (whether it returns is the call's own question,
        asked where it is lowered)."""
        if isinstance(node, (cst.ListComp, cst.SetComp, cst.DictComp, cst.List, cst.Set,
                             cst.Tuple, cst.Dict)):
            return {"ListComp": "list", "SetComp": "set", "DictComp": "dict", "List": "list",
                    "Set": "set", "Tuple": "tuple", "Dict": "dict"}[type(node).__name__]
        if isinstance(node, cst.Call) and not any(a.star for a in node.args):
            name = self.builtin(node.func)
            if name in _COPYING and _COPYING[name] != "lazy":
                return _COPYING[name]
        return None

    def _elements_ok(self, elements) -> bool:
        for e in elements:
            v = e.value
            if isinstance(e, cst.StarredElement):
                if self.kind(v) is None:
                    return False
            elif not self._pure(v):
                return False
        return True

    def _pure(self, node: cst.CSTNode) -> bool:
        """No call other than a pure builtin, no nested comprehension or lambda."""
        stack = [node]
        while stack:
            n = stack.pop()
            if isinstance(n, (cst.Lambda, cst.GeneratorExp, cst.ListComp, cst.SetComp,
                              cst.DictComp, cst.Yield, cst.Await)):
                if not (isinstance(n, (cst.ListComp, cst.SetComp, cst.DictComp,
                                       cst.GeneratorExp)) and self._comprehension_ok(n)):
                    return False
                continue
            if isinstance(n, cst.Call):
                name = self.builtin(n.func)
                if name not in PURE_BUILTINS:
                    return False
                if name in ("min", "max") and len(n.args) < 2:
                    return False            # min(iterable) may not return
            stack.extend(kids(n))
        return True

    def _comprehension_ok(self, node) -> bool:
        loop = node.for_in
        parts = [node.key, node.value] if isinstance(node, cst.DictComp) else [node.elt]
        while loop is not None:
            if loop.asynchronous is not None or self.kind(loop.iter) is None:
                return False
            parts.extend(i.test for i in loop.ifs)
            loop = loop.inner_for_in
        return all(self._pure(p) for p in parts)

    def _call_kind(self, node: cst.Call) -> Optional[str]:
        if any(a.star for a in node.args):
            return None
        func = node.func
        name = self.builtin(func)
        args = [a.value for a in node.args if a.keyword is None]
        keywords = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
        if not all(self._keyword_ok(k, v) for k, v in keywords.items()):
            return None
        if name == "range":
            return "range" if not keywords and all(self._pure(a) for a in args) else None
        if name == "zip":
            # zip stops at its shortest argument: one finite argument makes it finite
            # (zip(count(), xs) pulls once more from count(), which returns)
            return "lazy" if args and any(self.kind(a) for a in args) else None
        if name in _COPYING:
            if not args:
                return None if name in ("reversed", "enumerate") else _COPYING[name]
            if not all(self._pure(a) for a in args[1:]):
                return None
            return _COPYING[name] if self.kind(args[0]) is not None else None
        if isinstance(func, cst.Attribute) and func.attr.value in _VIEW_METHODS:
            if self.kind(func.value) is None or not all(self._pure(a) for a in args) \
                    or keywords:
                return None
            owner = self.kind(func.value)
            if owner in ABSTRACT and not (owner == "map" and func.attr.value in (
                    "keys", "values", "items")):
                return None     # not a method of the protocol: any code
            if func.attr.value in ("keys", "values", "items"):
                return "lazy"           # a view of the dict: reads it as it goes
            return "list" if func.attr.value in ("split",
                                                 "rsplit", "splitlines", "partition",
                                                 "rpartition") else "str"
        return None

    def _keyword_ok(self, key: str, value: cst.BaseExpression) -> bool:
        """sorted(.., key=len, reverse=True), enumerate(.., start=1): nothing that may hang."""
        if key in ("reverse", "start", "strict"):
            return self._pure(value)
        if key == "key":
            if isinstance(value, cst.Lambda):
                return self._pure(value.body)
            return self.builtin(value) in PURE_BUILTINS
        return False

    # ------------------------------------------------------------------ the loop
    def classify(self, it: cst.BaseExpression) -> Optional[FiniteIter]:
        kind, eager = self.kind(it), False
        if kind is None:
            # `sorted(seq)`, `list(seq)`, `[f(x) for x in seq]`: a new container, finite
            # once built (building it is evaluated before the loop, see lower_finite_for)
            kind = self.eager_kind(it)
            eager = kind is not None
        if kind is None or (kind == "lazy" and isinstance(it, cst.Name)):
            return None     # a stored enumerate/zip/generator/view: what does it read?
        out = FiniteIter(desc=_describe(it, kind), roots=self._roots(it),
                         length=self.literal_length(it), eager=eager)
        if isinstance(it, (cst.Tuple, cst.List)) and all(
                isinstance(e, cst.Element) for e in it.elements):
            lits = [int_literal(e.value) for e in it.elements]
            if all(v is not None for v in lits):
                out.int_elements = lits
        elif isinstance(it, cst.Call) and self.builtin(it.func) == "enumerate":
            out.enumerated = True
            pos = [a for a in it.args if not a.keyword]
            kw = [a for a in it.args if a.keyword]
            start = pos[1].value if len(pos) > 1 else (kw[0].value if kw else None)
            out.enumerate_start = start
        return out

    def literal_length(self, it: cst.BaseExpression) -> Optional[int]:
        """The number of elements, when the source text fixes it."""
        if isinstance(it, (cst.Tuple, cst.List)) and all(
                isinstance(e, cst.Element) for e in it.elements):
            return len(it.elements)
        if isinstance(it, cst.SimpleString):
            try:
                return len(it.evaluated_value)
            except Exception:
                return None
        if isinstance(it, cst.Call) and it.args and not any(a.star for a in it.args):
            name = self.builtin(it.func)
            pos = [a.value for a in it.args if a.keyword is None]
            if name in ("enumerate", "reversed", "sorted", "list", "tuple") and pos:
                return self.literal_length(pos[0])
            if name == "zip" and pos and not any(a.keyword for a in it.args):
                lengths = [self.literal_length(a) for a in pos]
                return min(lengths) if None not in lengths else None
        return None

    def _roots(self, it: cst.BaseExpression) -> set[str]:
        """Names of mutable containers the iteration reads lazily (so growth matters)."""
        if isinstance(it, cst.Name):
            kind = self.kinds.get(it.value) or self._module_kind(it.value)
            return {it.value} if kind in MUTABLE else set()
        if isinstance(it, cst.GeneratorExp):
            out: set[str] = set()
            loop = it.for_in
            while loop is not None:
                out |= self._roots(loop.iter)
                loop = loop.inner_for_in
            return out
        if isinstance(it, cst.Call):
            name = self.builtin(it.func)
            if name in ("enumerate", "zip", "reversed"):
                return set().union(*(self._roots(a.value) for a in it.args)) \
                    if it.args else set()
            if isinstance(it.func, cst.Attribute) and it.func.attr.value in (
                    "keys", "values", "items"):
                return self._roots(it.func.value)
        return set()                # copies (sorted(xs), list(xs)) and displays are fresh


def _describe(it: cst.BaseExpression, kind: str) -> str:
    if isinstance(it, cst.Name):
        kind = {"seq": "Sequence", "map": "Mapping", "aset": "Set"}.get(kind, kind)
        return f"the {kind} {it.value}"
    if isinstance(it, cst.Call):
        f = it.func
        name = f.value if isinstance(f, cst.Name) else (
            f".{f.attr.value}" if isinstance(f, cst.Attribute) else "")
        if name:
            return f"{name}(...)"
    return {"Tuple": "a tuple display", "List": "a list display", "Set": "a set display",
            "Dict": "a dict display", "SimpleString": "a string literal",
            "ConcatenatedString": "a string literal", "FormattedString": "an f-string",
            "ListComp": "a list comprehension", "SetComp": "a set comprehension",
            "DictComp": "a dict comprehension", "GeneratorExp": "a generator expression"}.get(type(it).__name__, f"a finite {kind}")
