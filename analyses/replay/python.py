"""Replay a Python counterexample: call the function in an isolated CPython subprocess."""
from __future__ import annotations

import json
import os
import sys
import tempfile
from typing import Optional

from .common import MARK, Expect, ProcessRun, ReplayResult, clean_env, run_limited

__all__ = ["replay_python"]


_PY_DRIVER = r'''
import copy, importlib, importlib.util, inspect, json, os, re, sys, traceback, types
MARK = "__VERILINE__"
req = json.loads(sys.argv[1])
def report(**d):
    sys.stdout.flush()
    sys.__stdout__.write("\n" + MARK + json.dumps(d) + "\n")
    sys.__stdout__.flush()
    os._exit(0)
stubbed = []
for lib in ("icontract", "deal"):
    try:
        found = importlib.util.find_spec(lib) is not None
    except Exception:
        found = False
    if not found:
        m = types.ModuleType(lib)
        def _decorator_factory(*a, **k):
            if len(a) == 1 and not k and callable(a[0]) and getattr(a[0], "__name__", "") != "<lambda>":
                return a[0]             # used directly as a decorator (@deal.pure)
            return lambda f: f
        def _getattr(name, f=_decorator_factory, lib=lib):
            if lib not in stubbed:
                stubbed.append(lib)
            return f
        m.__getattr__ = _getattr
        m.DBC = type("DBC", (), {})
        sys.modules[lib] = m
path = os.path.realpath(req["path"])
modname = req["module"] or os.path.splitext(os.path.basename(path))[0] or "user_module"
sys.path.insert(0, req["root"] or os.path.dirname(path))
parts = req["qualname"].split(".")
try:
    if req["root"] and req["on_disk"]:      # a module of a package: imported as such
        mod = importlib.import_module(modname)
    else:
        parent = modname.rpartition(".")[0]
        if parent:                          # an edited module of a package
            importlib.import_module(parent)
        spec = importlib.util.spec_from_file_location(
            modname, path, submodule_search_locations=req["package_dir"])
        mod = importlib.util.module_from_spec(spec)
        sys.modules[modname] = mod
        spec.loader.exec_module(mod)
except BaseException as e:
    report(outcome="load_error", error="%s: %s" % (type(e).__name__, e))
obj, owner = mod, None
for i, part in enumerate(parts):
    try:
        owner, obj = obj, getattr(obj, part)
    except BaseException as e:
        where = "%s at run time is a %s, with" % (".".join(parts[:i]), type(obj).__name__) \
            if i else "the module at run time has"
        report(outcome="not_this", error="%s no %r (%s: %s)" % (
            where, part, type(e).__name__, e))
def unwrapped(f):
    f = getattr(f, "__func__", f)
    try:
        return inspect.unwrap(f)
    except Exception:
        return f
fn = obj
inputs = dict(req["inputs"])
instance, self_name, attrs = None, None, req["attributes"]
raw = obj
if len(parts) > 1:
    if not isinstance(owner, type):
        report(outcome="no_instance", error="%s is a %s at run time, not a class" % (
            ".".join(parts[:-1]), type(owner).__name__))
    try:
        raw = inspect.getattr_static(owner, parts[-1])
    except AttributeError as e:
        report(outcome="not_this", error="%s: %s" % (type(e).__name__, e))
code = getattr(unwrapped(raw), "__code__", None)
lo, hi = req["lines"] or (0, 0)
if hi and (code is None or not lo <= code.co_firstlineno <= hi):
    where = "line %d" % code.co_firstlineno if code is not None else "no Python code"
    report(outcome="not_this", error="%s at run time is %s (%s), not the function verified "
           "at lines %d-%d" % (req["qualname"], type(raw).__name__, where, lo, hi))
if len(parts) > 1 and isinstance(raw, (staticmethod, classmethod)):
    if attrs:
        report(outcome="no_instance", error="the counterexample gives attributes %s of "
               "a %s's class" % (", ".join(sorted(attrs)), type(raw).__name__))
elif len(parts) > 1:
    # the state the counterexample starts from: __init__ is not run (it may need
    # arguments, or set what the counterexample gives otherwise)
    try:
        instance = owner.__new__(owner)
    except BaseException as e:
        report(outcome="no_instance", error="%s.__new__(%s): %s: %s" % (
            owner.__name__, owner.__name__, type(e).__name__, e))
    for k, v in attrs.items():
        try:
            object.__setattr__(instance, k, v)
        except BaseException as e:
            report(outcome="no_instance", error="cannot set self.%s: %s: %s" % (
                k, type(e).__name__, e))
    try:
        fn = getattr(instance, parts[-1])
        self_name = next(iter(inspect.signature(unwrapped(raw)).parameters), None)
    except BaseException as e:
        report(outcome="no_instance", error="%s.%s: %s: %s" % (
            owner.__name__, parts[-1], type(e).__name__, e))
try:
    sig = inspect.signature(fn)
    hints = dict(getattr(inspect.unwrap(fn), "__annotations__", {}))
except (TypeError, ValueError):
    sig, hints = None, {}
np = sys.modules.get("numpy")
SEQ = {"list": lambda n: [0] * n, "tuple": lambda n: (0,) * n, "str": lambda n: "a" * n,
       "bytes": lambda n: b"a" * n, "bytearray": lambda n: bytearray(b"a" * n)}
def typed(pname, v):
    if isinstance(v, dict) and "__sequence__" in v:
        return SEQ[v["__sequence__"]](max(0, v["length"]))
    ann = hints.get(pname)
    if isinstance(ann, str):
        try:
            ann = eval(ann, vars(mod))
        except Exception:
            return v
    if ann is bool or ann == "bool":
        return bool(v)
    if np is not None and isinstance(ann, type) and issubclass(ann, np.integer):
        return ann(v)
    return v
args, kwargs = [], {}
params = sig.parameters if sig is not None else {}
for pname, v in inputs.items():
    p = params.get(pname)
    if p is None:
        setattr(mod, pname, v)          # a module global in the counterexample
    elif p.kind == p.POSITIONAL_ONLY:
        args.append(typed(pname, v))
    else:
        kwargs[pname] = typed(pname, v)
old = {k: copy.deepcopy(v) for k, v in kwargs.items()}
for p, v in zip([p for p in params.values() if p.kind == p.POSITIONAL_ONLY], args):
    old[p.name] = copy.deepcopy(v)
def frames(tb):
    return [f.lineno for f in traceback.extract_tb(tb)
            if os.path.realpath(f.filename) == path]
errstate = None
if req["kind"] == "overflow":
    if np is None:
        try:
            import numpy as np
        except ImportError:
            report(outcome="no_numpy")
    errstate = np.errstate(all="raise")
    errstate.__enter__()
sys.__stdout__.write(MARK + "CALL\n"); sys.__stdout__.flush()
try:
    result = fn(*args, **kwargs)
except BaseException as e:
    unset = None                # an attribute of self the counterexample does not give
    if isinstance(e, AttributeError) and instance is not None:
        m = re.match(r"'(\w+)' object has no attribute '(\w+)'", str(e))
        unset = getattr(e, "name", None) if getattr(e, "obj", None) is instance else \
            m.group(2) if m and m.group(1) == type(instance).__name__ and \
            getattr(e, "obj", None) in (None, instance) else None
        unset = unset if unset not in attrs else None
    report(outcome="raised", type=type(e).__name__,
           mro=[c.__name__ for c in type(e).__mro__], message=str(e)[:300],
           lines=frames(e.__traceback__), stubbed=stubbed,
           unset=unset)
if errstate is not None:
    errstate.__exit__(None, None, None)
d = dict(outcome="returned", value=repr(result)[:200], stubbed=stubbed)
if req["kind"] == "postcondition":
    ns = dict(old)
    ns.update(__return__=result, result=result, __result__=result)
    if self_name is not None:
        ns[self_name] = instance
    ns["__old__"] = ns["OLD"] = types.SimpleNamespace(**old)
    try:
        d["post"] = bool(eval(req["expr"], vars(mod), ns))
    except BaseException as e:
        d["post_error"] = "%s: %s" % (type(e).__name__, e)
report(**d)
'''


def replay_python(source: str, path: str, qualname: str, inputs: dict[str, int],
                  expect: Expect, timeout_s: float = 5.0,
                  attributes: Optional[dict[str, int]] = None,
                  lines: Optional[tuple[int, int]] = None) -> ReplayResult:
    """Call `qualname` from the module at `path` (or `source`, when the file on disk is
    missing or differs, e.g. an unsaved editor buffer) with `inputs` and check `expect`.
    A module inside a package is imported as part of it (relative imports work).  A
    method is called on an instance made by `Class.__new__(Class)` (`__init__` is not
    run) holding `attributes` (the counterexample's `self.x`); static and class methods
    on the class.  `lines`: where the verified definition is; a name bound to other
    code at run time is not replayed.  Contract libraries that are not installed
    (icontract, deal) are stubbed out; when installed, their violation errors confirm a
    failing postcondition or invariant."""
    root, module, package_dir = _package_of(path)
    with tempfile.TemporaryDirectory(prefix="veriline-py-") as tmp:
        real = os.path.abspath(path)
        on_disk = _same_file_text(path, source)
        if not on_disk:
            real = os.path.join(tmp, os.path.basename(path) or "module.py")
            with open(real, "w", encoding="utf-8") as fh:
                fh.write(source)
        req = {"path": real, "qualname": qualname, "inputs": inputs, "kind": expect.kind,
               "expr": expect.expr, "attributes": attributes or {}, "root": root,
               "module": module, "package_dir": package_dir, "on_disk": on_disk,
               "lines": list(lines) if lines else None}
        run = run_limited([sys.executable, "-I", "-c", _PY_DRIVER, json.dumps(req)],
                          timeout_s, env=clean_env(), cwd=tmp)
    return _judge_python(run, expect, qualname, inputs, timeout_s)


def _package_of(path: str) -> tuple[str, str, Optional[list[str]]]:
    """(sys.path root, dotted module name, [package dir] for an __init__.py) of a file
    inside a package (its directory holds __init__.py); ('', '', None) otherwise."""
    d = os.path.dirname(os.path.abspath(path))
    stem = os.path.splitext(os.path.basename(path))[0]
    names = [] if stem == "__init__" else [stem]
    top = d
    while os.path.isfile(os.path.join(top, "__init__.py")) and \
            os.path.basename(top).isidentifier():
        names.insert(0, os.path.basename(top))
        top = os.path.dirname(top)
    if top == d or not names:
        return "", "", None
    return top, ".".join(names), [d] if stem == "__init__" else None


_CONTRACT_ERRORS = {"ViolationError", "PostContractError", "InvContractError", "ContractError"}


def _same_file_text(path: str, source: str) -> bool:
    try:
        with open(path, encoding="utf-8") as fh:
            return fh.read() == source
    except OSError:
        return False


def _judge_python(run: ProcessRun, expect: Expect, qualname: str, inputs: dict,
                  timeout_s: float) -> ReplayResult:
    call = f"{qualname}({', '.join(f'{k}={_shown(v)}' for k, v in inputs.items())})"
    called = (MARK + "CALL") in run.stdout
    if run.timed_out:
        if not called:
            return ReplayResult(None, f"loading the module did not finish in {timeout_s:g} s")
        if expect.kind == "nontermination":
            return ReplayResult(True, f"{call} still running after {timeout_s:g} s")
        return ReplayResult(None, f"{call} did not finish in {timeout_s:g} s")
    rep = _last_report(run.stdout)
    if rep is None:
        tail = run.stderr.strip().splitlines()[-1:] or [f"exit status {run.returncode}"]
        return ReplayResult(None, f"replay driver gave no report: {tail[0]}")
    outcome = rep["outcome"]
    if outcome == "load_error":
        return ReplayResult(None, f"cannot load the module: {rep['error']}")
    if outcome == "no_instance":
        return ReplayResult(None, f"cannot build the instance: {rep['error']}")
    if outcome == "not_this":
        return ReplayResult(None, rep["error"])
    if outcome == "no_numpy":
        return ReplayResult(None, "numpy is not importable: cannot replay the overflow")
    stub = f" ({', '.join(rep['stubbed'])} not installed: its contracts were ignored)" \
        if rep.get("stubbed") else ""
    if outcome == "raised":
        where = f" at line {rep['lines'][-1]}" if rep["lines"] else ""
        what = f"{call} raised {rep['type']}{where}: {rep['message']}".rstrip(": ")
        if rep.get("unset") and not (expect.kind == "exception" and
                                     expect.exception in rep["mro"]):
            return ReplayResult(None, f"{what} (self.{rep['unset']} is not in the "
                                      f"counterexample: the instance was built without "
                                      f"__init__)")
        if expect.kind == "exception":
            ok = expect.exception in rep["mro"] if expect.exception else True
            if ok and expect.line is not None:
                ok = bool(rep["lines"]) and rep["lines"][-1] == expect.line
            return ReplayResult(ok, what + stub)
        if expect.kind == "overflow":
            ok = rep["type"] == "FloatingPointError" and "overflow" in rep["message"]
            if ok and expect.line is not None:
                ok = bool(rep["lines"]) and rep["lines"][-1] == expect.line
            return ReplayResult(ok, what + stub)
        if expect.kind == "postcondition" and rep["type"] in _CONTRACT_ERRORS:
            return ReplayResult(True, what)
        if rep["type"] == "RecursionError" and expect.kind == "nontermination":
            return ReplayResult(None, what + " (infinite or merely deep recursion)")
        return ReplayResult(False, what + stub)
    what = f"{call} returned {rep['value']}"
    if expect.kind == "postcondition":
        if "post_error" in rep:
            return ReplayResult(None, f"{what}; cannot evaluate the postcondition "
                                      f"{expect.expr!r}: {rep['post_error']}")
        if rep["post"]:
            return ReplayResult(False, f"{what}; postcondition {expect.expr!r} holds" + stub)
        return ReplayResult(True, f"{what}; postcondition {expect.expr!r} is false" + stub)
    return ReplayResult(False, what + stub)


def _shown(v) -> str:
    """An input as written in the call: a sequence of a length as a list / string."""
    if isinstance(v, dict) and "__sequence__" in v:
        n, kind = max(0, v["length"]), v["__sequence__"]
        return {"str": f"'{'a' * n}'", "bytes": f"b'{'a' * n}'", "tuple": f"(0,) * {n}",
                "bytearray": f"bytearray({n})"}.get(kind, f"[0] * {n}")
    return str(v)


def _last_report(stdout: str) -> Optional[dict]:
    for line in reversed(stdout.splitlines()):
        if line.startswith(MARK + "{"):
            try:
                return json.loads(line[len(MARK):])
            except ValueError:
                return None
    return None
