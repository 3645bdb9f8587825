def sq(x: int) -> int:
    """
    pre: x >= 0
    post: __return__ >= x
    """
    return x * x


def use_bad(a: int) -> int:
    return sq(a)


def use_good(a: int) -> int:
    """post: __return__ >= 0"""
    if a < 0:
        a = -a
    return sq(a)


def inc(x: int) -> int:
    return x + 1


def inlined(a: int) -> None:
    assert inc(a) > a


def floors(a: int) -> None:
    assert (-7) // 2 == -4 and -7 % 2 == 1
    b = 3
    assert a == (a // b) * b + a % b
    assert 0 <= a % b < 3


def chain(a: int, b: int, c: int) -> None:
    if a <= b < c:
        assert a < c


def loops(n: int) -> int:
    s = 0
    for i in range(n):
        s += 1
    for j in range(10, 0, -2):
        s -= j
    return s


def unsupported(a: int) -> None:
    y = a / 2
    assert y > 0


def halves(n: int) -> int:
    while n > 1:
        n = n // 2
    return n


def grows(x: int) -> int:
    while x > 0:
        x += 1
    return x
