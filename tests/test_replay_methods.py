"""--replay of Python methods: the instance is made by `Class.__new__(Class)` (its
`__init__` not run) and holds the counterexample's `self.x`; static and class methods
are called on the class; modules of a package are imported as part of it; what cannot be
built is "not confirmed" with the reason."""
from __future__ import annotations

import textwrap

from veriline.analyses import api
from veriline.analyses.replay import Expect, replay_python

METERS = '''\
class Meter:
    """A meter.

    inv: self.level >= 0
    """

    def __init__(self, device):
        self.device = device
        self.level = 0

    def drain(self, k: int) -> int:
        if k > 0:
            assert self.level >= k
        self.level = self.level - k
        return self.level


class Units:
    @staticmethod
    def per(a: int, b: int) -> int:
        return a // b

    @classmethod
    def scale(cls, x: int) -> int:
        if x > 10:
            assert x < 100
        return x


class Token:
    def __new__(cls, text):
        return super().__new__(cls)

    def check(self, n: int) -> int:
        if n > 3:
            assert n < 9
        return n


def rebind(c):
    return lambda *a: None


@rebind
class Gone:
    def m(self, n: int) -> int:
        if n > 3:
            assert n < 9
        return n


class Outer:
    class Inner:
        def m(self, n: int) -> int:
            if n > 3:
                assert n < 9
            return n
'''


def _cexs(path) -> dict:
    report = api.analyze_file(str(path), api.Options(analyses=frozenset({"contract",
                                                                          "overflow"}),
                                                     replay=True))
    return {f.function: f for f in report.findings if f.status == "counterexample"}


def test_method_counterexamples_are_replayed_on_the_real_class(tmp_path):
    path = tmp_path / "meters.py"
    path.write_text(METERS)
    cx = _cexs(path)
    assert set(cx) == {"Meter.drain", "Units.per", "Units.scale", "Token.check", "Gone.m",
                       "Outer.Inner.m"}
    # self.level from the counterexample; Meter(device) is never called
    drain = cx["Meter.drain"].counterexample
    assert (cx["Meter.drain"].property, drain.inputs) == ("assert", {"k": 1, "self.level": 0})
    assert drain.confirmed is True
    assert drain.replay_note == "Meter.drain(k=1) raised AssertionError at line 13"
    per = cx["Units.per"].counterexample
    assert cx["Units.per"].property == "division-by-zero" and per.inputs["b"] == 0
    assert per.confirmed is True
    assert per.replay_note.startswith(f"Units.per(a={per.inputs['a']}, b=0) raised "
                                      "ZeroDivisionError at line 21")
    scale = cx["Units.scale"].counterexample
    assert scale.confirmed is True and 100 <= scale.inputs["x"]
    assert scale.replay_note == f"Units.scale(x={scale.inputs['x']}) raised AssertionError " \
                                "at line 26"
    # a class nested in a class is found by its qualified name
    inner = cx["Outer.Inner.m"].counterexample
    assert inner.confirmed is True and inner.replay_note.endswith("AssertionError at line 56")


def test_classes_that_cannot_be_built_are_not_confirmed(tmp_path):
    path = tmp_path / "meters.py"
    path.write_text(METERS)
    cx = _cexs(path)
    token = cx["Token.check"].counterexample
    assert token.confirmed is None
    assert token.replay_note == (
        "cannot build the instance: Token.__new__(Token): TypeError: Token.__new__() "
        "missing 1 required positional argument: 'text'")
    gone = cx["Gone.m"].counterexample
    assert gone.confirmed is None
    assert gone.replay_note.startswith("Gone at run time is a function, with no 'm'")


def test_attributes_missing_from_the_counterexample_tell_nothing(tmp_path):
    src = textwrap.dedent('''\
        class Box:
            __slots__ = ("n",)

            def get(self, k):
                assert k < self.n
                return k
        ''')
    path = str(tmp_path / "box.py")
    want = Expect("exception", exception="AssertionError", line=5)
    r = replay_python(src, path, "Box.get", {"k": 3}, want, attributes={"n": 3})
    assert (r.confirmed, r.note) == (True, "Box.get(k=3) raised AssertionError at line 5")
    r = replay_python(src, path, "Box.get", {"k": 2}, want, attributes={"n": 3})
    assert (r.confirmed, r.note) == (False, "Box.get(k=2) returned 2")
    r = replay_python(src, path, "Box.get", {"k": 3}, want)
    assert r.confirmed is None
    assert r.note.endswith("(self.n is not in the counterexample: the instance was built "
                           "without __init__)")
    r = replay_python(src, path, "Box.get", {"k": 3}, want, attributes={"n": 3, "m": 1})
    assert r.confirmed is None and r.note.startswith("cannot build the instance: cannot set "
                                                     "self.m: AttributeError")


def test_a_name_bound_to_other_code_is_not_replayed(tmp_path):
    src = "def f(x):\n    assert x > 0\n    return x\n\n\ndef f(x):\n    return x\n"
    path = str(tmp_path / "twice.py")
    want = Expect("exception", exception="AssertionError", line=2)
    r = replay_python(src, path, "f", {"x": 0}, want, lines=(1, 3))
    assert r.confirmed is None
    assert r.note == "f at run time is function (line 6), not the function verified at " \
                     "lines 1-3"
    r = replay_python(src, path, "f", {"x": 0}, Expect("exception", exception="AssertionError"),
                      lines=(6, 7))
    assert (r.confirmed, r.note) == (False, "f(x=0) returned 0")


def test_static_and_class_methods_take_no_instance_attributes(tmp_path):
    src = "class K:\n    @classmethod\n    def c(cls, x):\n        assert x\n"
    r = replay_python(src, str(tmp_path / "k.py"), "K.c", {"x": 0},
                      Expect("exception", exception="AssertionError", line=4),
                      attributes={"n": 1})
    assert r.confirmed is None
    assert r.note == "cannot build the instance: the counterexample gives attributes n of " \
                     "a classmethod's class"


def test_a_module_of_a_package_is_imported_with_its_package(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "helpers.py").write_text("LIMIT = 10\n")
    init = "from . import helpers\n\n\ndef check(x: int) -> int:\n    if x > 3:\n" \
           "        assert x < 9\n    return helpers.LIMIT\n"
    (pkg / "__init__.py").write_text(init)
    sub = "from .helpers import LIMIT\n\n\ndef half(x: int) -> int:\n    return 100 // x\n"
    (pkg / "calc.py").write_text(sub)
    cx = _cexs(pkg / "__init__.py")
    assert cx["check"].counterexample.inputs == {"x": 9}
    assert cx["check"].counterexample.confirmed is True
    cx = _cexs(pkg / "calc.py")
    assert cx["half"].counterexample.inputs == {"x": 0}
    assert cx["half"].counterexample.confirmed is True
    # an edited (unsaved) module of the package: its relative imports still resolve
    r = replay_python(sub.replace("100 //", "LIMIT //"), str(pkg / "calc.py"), "half",
                      {"x": 0}, Expect("exception", exception="ZeroDivisionError", line=5))
    assert (r.confirmed, r.note) == (
        True, "half(x=0) raised ZeroDivisionError at line 5: integer division or modulo by zero")
