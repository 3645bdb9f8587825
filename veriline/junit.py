"""`--format junit`: JUnit XML, one testcase per property (per finding).

✓ passes, ✗ is a <failure> with the counterexample, ? is <skipped> with the reason, a
syntax error is an <error>.  With a baseline, a known ✗ is <skipped> ("known"), so CI
dashboards show only new failures as failures.
"""
from __future__ import annotations

import os
import xml.etree.ElementTree as ET

from .github import finding_message


def _rel(path: str, base: str) -> str:
    rel = os.path.relpath(os.path.abspath(path), base)
    return (os.path.abspath(path) if rel.startswith("..") else rel).replace(os.sep, "/")


def _case(suite, classname: str, name: str, time_s: float):
    return ET.SubElement(suite, "testcase", classname=classname, name=name,
                         time=f"{time_s:.3f}")


def to_junit(reports, elapsed_ms: float, comparison=None, base: str | None = None) -> str:
    base = os.path.abspath(base or os.getcwd())
    root = ET.Element("testsuites", name="veriline")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for rep in reports:
        file = _rel(rep.path, base)
        suite = ET.SubElement(root, "testsuite", name=file)
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for e in rep.program.errors:
            case = _case(suite, file, f"syntax (line {e.span.line})", 0.0)
            if comparison is not None and comparison.state(e) == "known":
                ET.SubElement(case, "skipped", message=f"known (baseline): {e.message}")
                counts["skipped"] += 1
            else:
                ET.SubElement(case, "error", message=e.message, type="syntax")
                counts["errors"] += 1
            counts["tests"] += 1
        for f in rep.findings:
            name = f"{f.kind} {f.property or f.kind} (line {f.span.line})"
            case = _case(suite, f"{file}.{f.function}", name, f.time_ms / 1000)
            counts["tests"] += 1
            msg = finding_message(f)
            if f.status == "counterexample":
                if comparison is not None and comparison.state(f) == "known":
                    ET.SubElement(case, "skipped", message=f"known (baseline): {f.message}")
                    counts["skipped"] += 1
                elif f.severity == "info":
                    ET.SubElement(case, "skipped", message=f"informational: {f.message}")
                    counts["skipped"] += 1
                else:
                    fail = ET.SubElement(case, "failure", message=f.message,
                                         type="counterexample")
                    fail.text = f"{file}:{f.span.line}:{f.span.col}: {msg}"
                    counts["failures"] += 1
            elif f.status == "unknown":
                ET.SubElement(case, "skipped", message=f"don't know: {msg}")
                counts["skipped"] += 1
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
        suite.set("time", f"{sum(f.time_ms for f in rep.findings) / 1000:.3f}")
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("time", f"{elapsed_ms / 1000:.3f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
