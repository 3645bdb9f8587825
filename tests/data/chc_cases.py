def step2(n: int) -> int:
    i = 0
    while i < n:
        i += 2
    assert i % 2 == 0
    return i


def triple(n: int) -> int:
    s = 0
    i = 0
    while i < n:
        s += 3
        i += 1
    assert n < 0 or s == 3 * n
    return s


def countdown(n: int) -> int:
    k = n
    t = 0
    while k > 0:
        k -= 1
        t += 2
    assert n <= 0 or t == 2 * n
    return t


def wrong(n: int) -> int:
    s = 0
    i = 0
    while i < n:
        s += 3
        i += 1
    assert s != 9
    return s


def square(n: int) -> int:
    s = 0
    i = 0
    while i < n:
        s += i
        i += 1
    assert n < 0 or 2 * s == n * (n - 1)
    return s
