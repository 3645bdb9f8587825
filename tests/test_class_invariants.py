"""Class invariants (icontract `@invariant`, PEP 316 `inv:`): assumed on entry of every
public method, checked at its normal return; `__init__` only establishes them.  Under an
invariant a method is judged on every state it allows, so a broken invariant is a ✗ with
the attribute values."""
from __future__ import annotations

from veriline.analyses import api
from findings_kit import by_function, one_per_function

SOURCE = '''import icontract


@icontract.invariant(lambda s: 0 <= s.count <= s.limit)
class Counter:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.count = 0

    def bump(self) -> None:
        if self.count < self.limit:
            self.count += 1

    def bump_bad(self) -> None:
        self.count += 1

    def reset(self) -> int:
        old = self.count
        self.count = 0
        return old

    def _private(self) -> None:
        self.count = -5


class Account:
    """A bank account.

    inv: self.balance >= 0
    """

    def deposit(self, amount: int) -> None:
        if amount > 0:
            self.balance += amount

    def withdraw(self, amount: int) -> None:
        self.balance -= amount

    def withdraw_checked(self, amount: int) -> None:
        if 0 <= amount <= self.balance:
            self.balance -= amount

    def audit(self) -> None:
        log(self)
        self.balance = self.balance

    def ratio(self, parts: int) -> int:
        assert self.balance + 1 > 0
        return self.balance // (parts + 1)
'''


def _verdicts(tmp_path):
    path = tmp_path / "accounts.py"
    path.write_text(SOURCE)
    report = api.analyze_file(str(path), api.Options(analyses=frozenset({"contract", "overflow"})))
    out = by_function(report.findings, lambda f: f.property == "ensures" or f.kind == "contract",
                      lambda f: (f.status, f.span.line,
                                 f.counterexample.call if f.counterexample else f.reason))
    return out, report


def test_class_invariants_are_checked_at_return_and_assumed_on_entry(tmp_path):
    v, _ = _verdicts(tmp_path)
    assert v["Counter.bump"] == [("proved", 4, None)]
    assert v["Counter.reset"] == [("proved", 4, None)]
    # the lambda names the instance `s`; the method's `self` stands for it
    assert v["Counter.bump_bad"] == [
        ("counterexample", 4, "Counter.bump_bad() with self.count = 0, self.limit = 0")]
    assert "Counter._private" not in v                 # private methods are exempt
    assert v["Account.deposit"] == [("proved", 29, None)]
    assert v["Account.withdraw_checked"] == [("proved", 29, None)]
    assert v["Account.withdraw"] == [("counterexample", 29,
                                      "Account.withdraw(1) with self.balance = 0")]
    # the assert holds only because the invariant is assumed on entry
    assert v["Account.ratio"] == [("proved", 29, None), ("proved", 48, None)]


def test_an_invariant_the_method_cannot_be_modelled_for_is_unknown(tmp_path):
    v, _ = _verdicts(tmp_path)
    (status, line, reason), = v["Account.audit"]
    assert (status, line) == ("unknown", 29) and reason == "depends on name self at line 44"



def test_init_must_establish_the_invariant(tmp_path):
    """__init__ starts with no attributes (a read before the first write would be an
    arbitrary value no counterexample may rely on); Counter(limit) with limit < 0 breaks
    0 <= count <= limit, and the real constructor shows it."""
    path = tmp_path / "accounts.py"
    path.write_text(SOURCE)
    report = api.analyze_file(str(path), api.Options(analyses=frozenset({"contract"}),
                                                     replay=True))
    f, = [f for f in report.findings if f.function == "Counter.__init__"]
    assert f.status == "counterexample" and f.span.line == 4
    assert list(f.counterexample.inputs) == ["limit"] and f.counterexample.inputs["limit"] < 0
    assert f.counterexample.confirmed is True


def test_the_counterexample_state_is_confirmed_by_the_interpreter(tmp_path):
    _, report = _verdicts(tmp_path)
    f = next(f for f in report.findings if f.function == "Account.withdraw"
             and f.status == "counterexample")
    assert f.counterexample.inputs == {"amount": 1, "self.balance": 0}
    assert f.counterexample.nondet == [0]
    assert f.message.startswith("postcondition `class invariant self.balance >= 0` fails")


def test_replay_builds_the_instance_from_the_counterexample_state(tmp_path):
    """--replay runs the real method on an instance holding the counterexample's
    attributes (its __init__ bypassed) and evaluates the invariant after it."""
    path = tmp_path / "accounts.py"
    path.write_text(SOURCE)
    report = api.analyze_file(str(path), api.Options(analyses=frozenset({"contract"}),
                                                     replay=True))
    cx = one_per_function(report.findings, lambda f: f.status == "counterexample",
                          lambda f: f.counterexample)
    assert set(cx) == {"Counter.__init__", "Counter.bump_bad", "Account.withdraw"}
    assert cx["Account.withdraw"].confirmed is True
    assert cx["Account.withdraw"].replay_note.startswith(
        "Account.withdraw(amount=1) returned None; postcondition 'self.balance >= 0' is false")
    assert cx["Counter.bump_bad"].confirmed is True      # the lambda's `s` reads as self
    assert "postcondition '0 <= self.count <= self.limit' is false" in \
        cx["Counter.bump_bad"].replay_note


def test_editing_the_class_invariant_changes_the_methods_fingerprints(tmp_path):
    a = api.parse(SOURCE, "m.py")
    b = api.parse(SOURCE.replace("inv: self.balance >= 0", "inv: self.balance >= 1"), "m.py")
    assert api.fingerprint(a, "Account.deposit") != api.fingerprint(b, "Account.deposit")
    assert api.fingerprint(a, "Counter.bump") == api.fingerprint(b, "Counter.bump")


ATTRS = '''from dataclasses import dataclass


class A:
    big = 1e20
    small = 3

    def uses_big(self) -> None:
        assert self.big + 1 > self.big

    def uses_small(self) -> None:
        assert self.small + 1 > self.small

    def __init__(self) -> None:
        self.n = 1e20
        self.k = 3
        self.m = self.k * 2
        self.h = self.m / 2

    def f(self) -> None:
        assert self.n + 1 > self.n

    def g(self) -> None:
        assert self.m + 1 > self.m

    def h2(self) -> None:
        assert self.h + 1 > self.h


@dataclass
class P:
    x: int
    name: str
    ratio: float

    def step(self, k: int) -> None:
        self.x += k
        assert self.x - k + k == self.x

    def scaled(self) -> None:
        assert self.ratio * 2 >= self.ratio
'''


def test_attributes_that_may_hold_non_ints_are_not_modelled_as_ints(tmp_path):
    """`assert self.n + 1 > self.n` is false for self.n = 1e20: it was proved when every
    attribute was taken for an int."""
    path = tmp_path / "attrs.py"
    path.write_text(ATTRS)
    report = api.analyze_file(str(path), api.Options(analyses=frozenset({"contract"})))
    got = {(f.function, f.status) for f in report.findings}
    assert got == {("A.f", "unknown"), ("A.g", "proved"), ("A.h2", "unknown"),
                   ("A.uses_big", "unknown"), ("A.uses_small", "proved"),
                   ("P.step", "proved"), ("P.scaled", "unknown")}
    f = next(f for f in report.findings if f.function == "A.f")
    assert f.reason == "depends on attribute access at line 21"


INHERITED = '''import icontract


@icontract.invariant(lambda self: self.size >= 0)
class Base:
    def grow(self) -> None:
        self.size += 1


class Child(Base):
    def shrink(self) -> None:
        self.size -= 1

    def shrink_checked(self) -> None:
        if self.size > 0:
            self.size -= 1


class Floaty(Base):
    def set_half(self) -> None:
        self.size = 0.5
'''


def test_invariants_and_attribute_kinds_are_inherited_within_the_module(tmp_path):
    path = tmp_path / "inherit.py"
    path.write_text(INHERITED)
    report = api.analyze_file(str(path), api.Options(analyses=frozenset({"contract"})))
    got = {f.function: (f.status, f.counterexample.call if f.counterexample else None)
           for f in report.findings}
    # self in Base.grow may be a Floaty, whose size may be 0.5: not taken for an int
    assert got["Base.grow"][0] == "unknown"
    assert got["Child.shrink"] == ("counterexample", "Child.shrink() with self.size = 0")
    assert got["Child.shrink_checked"] == ("proved", None)
    assert got["Floaty.set_half"][0] == "unknown"          # size may be a float there


def test_editing_a_base_class_invariant_reaches_the_subclass(tmp_path):
    a = api.parse(INHERITED, "m.py")
    b = api.parse(INHERITED.replace("self.size >= 0", "self.size >= 1"), "m.py")
    assert b.functions["Child.shrink"].ensures[0].text == "class invariant self.size >= 1"
    assert api.fingerprint(a, "Child.shrink") != api.fingerprint(b, "Child.shrink")


PROPERTIES = '''class Buf:
    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.used = 0

    @property
    def free(self) -> int:
        return self.cap - self.used

    def take(self, n: int) -> None:
        if n <= self.free:
            self.used += n
        assert self.used <= self.cap or self.free < 0

    def take_bad(self, n: int) -> None:
        self.used += n
        assert self.free >= 0

    def set_free(self, n: int) -> None:
        self.free = n
        assert self.used == self.used
'''


def test_a_simple_property_reads_as_its_expression(tmp_path):
    path = tmp_path / "buf.py"
    path.write_text(PROPERTIES)
    report = api.analyze_file(str(path), api.Options(analyses=frozenset({"contract"})))
    got = one_per_function(report.findings, value=lambda f: (f.status, f.reason))
    assert got["Buf.take"] == ("proved", None)
    # state at entry is unknown without an invariant: the failure is real but unconfirmed
    assert got["Buf.take_bad"] == ("unknown", "depends on the attributes of self at entry (line 15)")
    # assigning a property runs its setter: the method is not modelled
    assert got["Buf.set_free"] == ("unknown", "depends on attribute access at line 21")
