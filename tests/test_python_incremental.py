"""Block-wise parsing of Python files: same IR as a whole-file parse, reuse across edits,
and a safe fallback when a block cannot stand alone."""
from veriline.analyses.frontends import python_source
from veriline.analyses.frontends.python_frontend import parse_python
from veriline.analyses.irprint import pretty

SRC = '''"""Module docstring."""
LIMIT = 10


def f(x: int) -> int:
    """post: __return__ >= x"""
    return x + 1


@decorator
def g(y: int) -> int:
    assert y < LIMIT
    return y


class C:
    def m(self, z: int) -> int:
        return z // 2
'''


def test_blockwise_equals_whole_file():
    program = parse_python(SRC, "m.py")
    assert list(program.functions) == ["f", "g", "C.m"]
    assert program.functions["g"].span.line == 10          # the decorator line
    assert "10" in pretty(program.functions["g"])           # module constant inlined
    python_source._UNIT_CACHE.clear()
    again = parse_python(SRC, "m.py")
    assert [pretty(f) for f in again.functions.values()] == \
        [pretty(f) for f in program.functions.values()]


def test_edit_reparses_only_the_changed_block():
    python_source._UNIT_CACHE.clear()
    parse_python(SRC, "m.py")
    before = dict(python_source._UNIT_CACHE)
    edited = SRC.replace("return x + 1", "return x + 2")
    program = parse_python(edited, "m.py")
    new = [b for b in python_source._UNIT_CACHE if b not in before]
    assert len(new) == 1 and "x + 2" in new[0]
    assert program.functions["g"].span.line == 10
    moved = parse_python("\n\n" + edited, "m.py")      # blocks reused at new offsets
    assert moved.functions["g"].span.line == 12
    assert moved.functions["C.m"].name_span.line == program.functions["C.m"].name_span.line + 2


def test_block_split_inside_a_string_falls_back():
    src = 's = """\ndef not_a_function():\n"""\n\n\ndef real(a: int) -> int:\n    return a\n'
    program = parse_python(src, "s.py")
    assert list(program.functions) == ["real"] and not program.errors
    assert program.functions["real"].span.line == 6


def test_unchanged_functions_are_not_lowered_again():
    from veriline.analyses.frontends import python_frontend
    python_source._UNIT_CACHE.clear()
    python_frontend._LOWERED.clear()
    first = parse_python(SRC, "m.py")
    edited = parse_python(SRC.replace("return x + 1", "return x + 2"), "m.py")
    assert edited.functions["g"] is first.functions["g"]
    assert edited.functions["C.m"] is first.functions["C.m"]
    assert edited.functions["f"] is not first.functions["f"]
    # a changed signature (the module index) lowers every function again
    resig = parse_python(SRC.replace("def f(x: int)", "def f(x: int, k: int = 0)"), "m.py")
    assert resig.functions["g"] is not first.functions["g"]
    assert pretty(resig.functions["g"]) == pretty(first.functions["g"])
