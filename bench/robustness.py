"""Robustness figures for `veriline check` (issues #11, #12, #14).

Each probe is checked together with a good file; the table shows the exit code, the wall
time, whether the good file's result is in the report, and whether a traceback reached the
user.  The budget row also shows the killed/stopped function's own time against its budget
(must stay within 10 %).  Last: `--jobs 1` vs `--jobs 2` cold on the examples.

    python bench/robustness.py
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOOD = "def f(x: int) -> int:\n    assert x != 3\n    return x\n"
SPIN = """void spin(unsigned long a, unsigned long b) {
    if (a > 1 && b > 1 && a < 4294967296UL && b < 4294967296UL)
        assert(a * b != 11003009456611852343UL);
}
"""
BUDGET = 3.0


def probes(d: str) -> list[tuple[str, str, list[str]]]:
    """(label, file name, extra args) after writing the probe files into d."""
    def w(name, data):
        with open(os.path.join(d, name), "wb") as fh:
            fh.write(data if isinstance(data, bytes) else data.encode())
    w("good.py", GOOD)
    if os.geteuid() != 0:
        w("unreadable.py", GOOD)
        os.chmod(os.path.join(d, "unreadable.py"), 0)
    else:                      # root reads anything: a dangling link cannot be read either
        os.symlink(os.path.join(d, "nowhere.py"), os.path.join(d, "unreadable.py"))
    w("binary.py", b"def h(x: int) -> int:\n    return x\n\x00\x01")
    w("latin1.py", b"def h(x: int) -> int:\n    # caf\xe9\n    return x\n")
    w("deep.py", "def h(x: int) -> int:\n    return " + "+".join(["1"] * 5000) + "\n")
    w("huge.py", "# " + "x" * 6_000_000 + "\ndef h(x: int) -> int:\n    return x\n")
    w("syntax.py", "def h(x:\n")
    w("spin.c", SPIN)
    return [("unreadable file", "unreadable.py", []), ("binary file", "binary.py", []),
            ("non-UTF-8 file", "latin1.py", []), ("5,000-deep nesting", "deep.py", []),
            ("huge file (6 MB)", "huge.py", []), ("syntax error", "syntax.py", []),
            (f"nonlinear spin, --function-timeout {BUDGET:g}", "spin.c",
             ["--function-timeout", str(BUDGET)])]


def check(args: list[str], cwd: str):
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "veriline", "check", "--no-cache", *args],
                         capture_output=True, text=True, cwd=cwd)
    return out, time.perf_counter() - t0


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for label, name, extra in probes(d):
            out, secs = check(["--format", "json", "good.py", name, *extra], d)
            tb = "Traceback" in out.stderr + out.stdout
            try:
                doc = json.loads(out.stdout)
            except ValueError:
                doc = {"findings": []}
            other = any(f["file"] == "good.py" and f["status"] == "counterexample"
                        for f in doc["findings"])
            budget = [f["time_ms"] / 1000 for f in doc["findings"]
                      if f.get("property") == "budget"]
            fn = f"{max(budget):.2f} s / {BUDGET:g} s" if budget else ""
            rows.append((label, out.returncode, f"{secs:.2f}", "yes" if other else "no",
                         "yes" if tb else "no", fn))
    head = ("input", "exit", "seconds", "other files", "traceback", "function time/budget")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
    for r in [head] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, widths)))
    print()
    with tempfile.TemporaryDirectory() as d:
        twenty_functions(d)
        times = {}
        for jobs in (1, 2):
            _, secs = check(["--jobs", str(jobs), "--function-timeout", "120", "."], d)
            times[jobs] = secs
    print(f"20 functions in 5 files, cold: --jobs 1 {times[1]:.2f} s, "
          f"--jobs 2 {times[2]:.2f} s, ratio {times[1] / times[2]:.2f}x "
          f"({os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f})")


def twenty_functions(d: str) -> None:
    """5 files of 4 functions: contracts, arithmetic and loops of similar, modest cost."""
    for k in range(5):
        with open(os.path.join(d, f"m{k}.py"), "w") as fh:
            fh.write(f'''
def clamp{k}(x: int, lo: int, hi: int) -> int:
    """pre: lo <= hi
    post: lo <= __return__ <= hi"""
    if x < lo:
        return lo
    if x > hi:
        return hi
    return x


def countdown{k}(n: int) -> int:
    s = 0
    while n > {k}:
        n -= 1
        s += n
    return s


def mid{k}(a: int, b: int) -> int:
    """pre: 0 <= a <= b
    post: a <= __return__ <= b"""
    return a + (b - a) // 2


def steps{k}(x: int, y: int) -> int:
    while x > 0 and y > 0:
        if x > y:
            x = x - y
        else:
            y = y - x
    assert x >= 0 or y >= 0 or x + y < {k + 1}
    return x + y
''')


if __name__ == "__main__":
    main()
