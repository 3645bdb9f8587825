"""Share of termination findings decided (proved or counterexample) in `veriline check
--format json` reports, and the most common reasons of the rest.

    veriline check DIR --format json --analyses termination --no-cache > report.json
    python bench/termination_decided.py report.json [more.json ...]
"""
from __future__ import annotations

import collections
import json
import re
import sys


def main(paths: list[str]) -> None:
    term = []
    for p in paths:
        with open(p) as f:
            term += [x for x in json.load(f)["findings"] if x["kind"] == "termination"]
    decided = [x for x in term if x["status"] in ("proved", "counterexample")]
    print(f"termination findings {len(term)}, decided {len(decided)} "
          f"({100 * len(decided) / max(1, len(term)):.1f}%)")
    reasons = collections.Counter(
        re.sub(r"`[^`]*`", "`X`", re.sub(r"line \d+", "line N", x.get("reason") or ""))[:110]
        for x in term if x["status"] == "unknown")
    for reason, n in reasons.most_common(10):
        print(f"{n:5}  {reason}")


if __name__ == "__main__":
    main(sys.argv[1:])
