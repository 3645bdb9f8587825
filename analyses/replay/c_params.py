"""The C parameter list of the replayed function, read from its definition's text.

The IR keeps only the integer parameters (and the arrays of known size); the driver must
still pass something for every other parameter.  A pointer the counterexample says
nothing about is passed as NULL: any value is an input of the function, and a path that
dereferences it crashes (judged "not confirmed", never "confirmed").  Parameters of other
types (floats, structs, typedef'd pointers) cannot be built: the replay says so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

__all__ = ["CParam", "declared_params", "argument_plan"]

_IDENT = re.compile(r"[A-Za-z_]\w*")
_FN_POINTER = re.compile(r"\(\s*\*\s*(?P<name>[A-Za-z_]\w*)\s*\)")
_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
_ATTRIBUTE = re.compile(r"^\s*__attribute__\s*\(\(")


@dataclass(frozen=True)
class CParam:
    text: str             # as written, e.g. "VNode* parent"
    name: str             # "" when it has none (an unnamed parameter)
    pointer: bool         # a pointer, array or function pointer: NULL is a value of it


def _close(text: str, start: int) -> int:
    """The index of the ')' matching the '(' at `start` (-1 when unbalanced)."""
    depth = 0
    for i in range(start, len(text)):
        c = text[i]
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
    return -1


def _split_top(text: str) -> list[str]:
    out, depth, cur = [], 0, []
    for c in text:
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        if c == "," and depth == 0:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    out.append("".join(cur))
    return [p.strip() for p in out]


def _param(text: str) -> CParam:
    fp = _FN_POINTER.search(text)
    if fp:
        return CParam(text, fp["name"], True)
    base = re.sub(r"\[[^\]]*\]", "", text)
    words = _IDENT.findall(base)
    keywords = {"const", "volatile", "restrict", "__restrict", "struct", "union", "enum",
                "unsigned", "signed", "int", "long", "short", "char", "float", "double",
                "_Bool", "void", "register"}
    name = words[-1] if len(words) >= 2 and words[-1] not in keywords else ""
    return CParam(text, name, "*" in text or "[" in text)


def declared_params(source: str, function: str) -> Optional[list[CParam]]:
    """The parameters of `function`'s (prototype-style) definition in `source`, None when
    no such definition is found (K&R definitions, a name made by a macro)."""
    code = _COMMENT.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), source)
    for m in re.finditer(rf"(?<![\w.>]){re.escape(function)}\s*\(", code):
        close = _close(code, m.end() - 1)
        if close < 0:
            continue
        rest = code[close + 1:]
        while True:                     # `f(...) __attribute__((...)) {`
            a = _ATTRIBUTE.match(rest)
            if not a:
                break
            end = _close(rest, a.end() - 2)
            if end < 0:
                break
            rest = rest[end + 1:]
        if not rest.lstrip().startswith("{"):
            continue
        inner = code[m.end():close].strip()
        if inner in ("", "void"):
            return []
        return [_param(p) for p in _split_top(inner)]
    return None


def argument_plan(source: str, function: str, n_ints: int, arrays: tuple,
                  arity: int) -> tuple[Optional[dict[int, str]], list[str], str]:
    """What the driver passes at each C argument position besides the integers: {position:
    'int' | 'array' | 'null'}, the names passed as NULL, and a reason when the call cannot
    be built ('' when it can)."""
    positions = {a.position for a in arrays}
    if arity < 0:                       # not known: the integers only
        return {i: "int" for i in range(n_ints)}, [], ""
    if arity == n_ints + len(positions):
        plan = {i: ("array" if i in positions else "int") for i in range(arity)}
        return plan, [], ""
    params = declared_params(source, function)
    if params is None or len(params) != arity:
        return None, [], ("the function has parameters the driver cannot build "
                          "(its definition's parameter list was not found)")
    plan, nulls, other = {}, [], []
    for i, p in enumerate(params):
        if i in positions:
            plan[i] = "array"
        elif p.pointer:
            plan[i], _ = "null", nulls.append(p.name or f"#{i + 1}")
        else:
            plan[i] = "int"
            other.append(p)
    if len(other) != n_ints:
        bad = ", ".join(f"`{p.text}`" for p in other)
        return None, [], (f"the function has parameters the driver cannot build (of "
                          f"{bad} only the integer ones have values: floats, structs and "
                          f"typedef'd pointers are not built)")
    return plan, nulls, ""
