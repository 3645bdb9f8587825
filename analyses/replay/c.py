"""C replay: the user's real file plus a generated driver, compiled by gcc with UBSan.

Everything goes into one translation unit so `static` functions are callable and the
driver can use ``__auto_type`` for the result:

    prototypes of the SV-COMP helpers the file uses but does not define
    #define main __veriline_user_main        (unless main itself is replayed)
    #line 1 "<user file>"                      (UBSan/assert report the user's lines)
    <user source; reach_error() calls also print their line>
    #line 1 "__veriline_driver.c"
    helper definitions + main() reading the inputs from argv, nondet values from env

The driver does not depend on the input values, so one cached binary (keyed by the
hash of the generated file) serves every counterexample of a function.
"""
from __future__ import annotations

import os
import re

from .. import ir
from .c_compile import ASAN_FLAGS, compile_unit, python_build_args
from .c_params import argument_plan
from .common import Expect, ReplayResult, clean_env, run_limited

# AddressSanitizer's report: the kind of bad access, then the frame that made it
_ASAN_ERROR = re.compile(r"ERROR: AddressSanitizer: (?P<what>[\w-]+)")
_ASAN_BOUNDS = {"heap-buffer-overflow", "stack-buffer-overflow", "global-buffer-overflow",
                "stack-buffer-underflow", "dynamic-stack-buffer-overflow"}
# how a run that was not the real program ends (a NULL we passed, a missing symbol)
_DEADLY = re.compile(r"DEADLYSIGNAL|ERROR: \w+Sanitizer: SEGV|Fatal Python error|"
                     r"runtime error: .*null pointer|symbol lookup error")
_ASAN_FRAME = re.compile(r"#0 0x[0-9a-f]+ in \S+ (?P<file>[^\s:]+):(?P<line>\d+)")
MARK = "__VERILINE__"
NONDET_TYPES = {
    "int": "int", "uint": "unsigned int", "unsigned": "unsigned int", "long": "long",
    "ulong": "unsigned long", "longlong": "long long", "ulonglong": "unsigned long long",
    "short": "short", "ushort": "unsigned short", "char": "char", "uchar": "unsigned char",
    "bool": "_Bool", "_Bool": "_Bool", "size_t": "unsigned long", "u32": "unsigned int",
    "u16": "unsigned short", "u8": "unsigned char", "loff_t": "long", "sector_t": "unsigned long",
}
_RUNTIME_ERROR = re.compile(r"^(?P<file>[^\n:]+):(?P<line>\d+):(?P<col>\d+): runtime error: "
                            r"(?P<msg>.*)$", re.M)
_ASSERTION = re.compile(r": (?P<file>[^:\n]+):(?P<line>\d+): (?P<func>[^:\n]*): "
                        r"Assertion .* failed", re.M)
# a call (not a declaration): the previous non-blank character is not part of a type
_ERROR_CALL = re.compile(r"(?P<pre>^|[^\w\s*])(?P<ws>\s*)\b(?P<name>reach_error|__VERIFIER_error)"
                         r"\s*\(\s*\)(?!\s*\{)", re.M)


def c_type(t: ir.IntT) -> str:
    """The C spelling of an IR integer type (by width: typedef names are not needed)."""
    if t.name == "_Bool":
        return "_Bool"
    base = {8: "char", 16: "short", 32: "int", 64: "long"}.get(t.bits)
    if base is None:
        raise ValueError(f"no C type for {t}")
    if base == "char":
        return "signed char" if t.signed else "unsigned char"
    return base if t.signed else f"unsigned {base}"


def defines(source: str, name: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\s*\([^;{{}}]*\)\s*\{{", source) is not None


def uses(source: str, name: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\b", source) is not None


def build_unit(source: str, basename: str, function: str, params: list[tuple[str, ir.IntT]],
               globals_: list[str], post: str, arrays: tuple = (),
               plan: dict | None = None) -> str:
    """The whole translation unit (user code + driver) as text."""
    proto, helpers = ["void __vl_mark(int);", "unsigned long long __vl_next_nondet(void);"], []
    for suffix in sorted(set(re.findall(r"\b__VERIFIER_nondet_(\w+)\s*\(", source))):
        name = f"__VERIFIER_nondet_{suffix}"
        if defines(source, name):
            continue
        ctype = NONDET_TYPES.get(suffix)
        if ctype is None:
            raise ValueError(f"unsupported nondet function {name}")
        proto.append(f"{ctype} {name}(void);")
        helpers.append(f"{ctype} {name}(void) {{ return ({ctype})__vl_next_nondet(); }}")
    if uses(source, "__VERIFIER_assume") and not defines(source, "__VERIFIER_assume"):
        proto.append("void __VERIFIER_assume(int);")
        helpers.append('void __VERIFIER_assume(int c) { if (!c) { fprintf(stderr, "\\n'
                       + MARK + 'ASSUME\\n"); exit(0); } }')
    for name in ("reach_error", "__VERIFIER_error"):
        if uses(source, name) and not defines(source, name):
            proto.append(f"void {name}(void);")
            helpers.append(f'void {name}(void) {{ fflush(stdout); abort(); }}')
    marked = _ERROR_CALL.sub(lambda m: f"{m['pre']}{m['ws']}(__vl_mark(__LINE__), {m['name']}())",
                             source)
    parts = proto
    if function != "main":
        parts.append("#define main __veriline_user_main")
    parts += [f'#line 1 "{basename}"', marked, '#line 1 "__veriline_driver.c"', "#undef main",
              "#include <stdio.h>", "#include <stdlib.h>", "#include <string.h>", _RUNTIME,
              *helpers]
    parts.append(_main_for_user_main() if function == "main"
                 else _driver_main(function, params, globals_, post, arrays, plan))
    return "\n".join(parts) + "\n"


_RUNTIME = r"""
void __vl_mark(int line) { fprintf(stderr, "\n__VERILINE__REACH %d\n", line); fflush(stderr); }
static const char *__vl_nd;
unsigned long long __vl_next_nondet(void) {
    if (!__vl_nd) { __vl_nd = getenv("VERILINE_NONDET"); if (!__vl_nd) __vl_nd = ""; }
    while (*__vl_nd == ',') __vl_nd++;
    if (!*__vl_nd) { fprintf(stderr, "\n__VERILINE__NEEDS_INPUT\n"); exit(3); }
    char *end; unsigned long long v = strtoull(__vl_nd, &end, 10); __vl_nd = end;
    return v;
}
static void __vl_fill(void *arr, size_t size, long n, const char *name) {
    const char *s = getenv("VERILINE_ELEMS"); size_t len = strlen(name);
    for (; s && *s; s = strchr(s, ';'), s = s ? s + 1 : 0) {
        char *e; long k;
        if (strncmp(s, name, len) != 0 || s[len] != '[') continue;
        k = strtol(s + len + 1, &e, 10);
        if (e[0] != ']' || e[1] != '=' || k < 0 || k >= n) continue;
        long long v = strtoll(e + 2, 0, 10);
        if (size == 1) ((char *)arr)[k] = (char)v;
        else if (size == 2) ((short *)arr)[k] = (short)v;
        else if (size == 4) ((int *)arr)[k] = (int)v;
        else ((long long *)arr)[k] = v;
    }
}
static void __vl_call(void) { fprintf(stderr, "\n__VERILINE__CALL\n"); fflush(stderr); }
static void __vl_returned(void) { fflush(stdout); fprintf(stderr, "\n__VERILINE__RETURNED\n"); }
"""


def _main_for_user_main() -> str:
    return ("__attribute__((constructor)) static void __vl_start(void) { __vl_call(); }\n"
            "__attribute__((destructor)) static void __vl_end(void) { __vl_returned(); }")


def _arrays(params, arrays) -> tuple[list[str], dict[int, str]]:
    """Driver lines allocating each array parameter with exactly its size (so
    AddressSanitizer sees any access past it), filled from VERILINE_ELEMS; and the
    argument text at each array's position."""
    lines, args = [], {}
    for k, a in enumerate(arrays):
        ct = c_type(a.elem)
        lines.append(f"    long __vl_n{k};")
        lines.append("    {")
        for i, (name, _) in enumerate(params):
            lines.append(f"        __int128 {name} = __vl_in{i}; (void){name};")
        lines.append(f"        __vl_n{k} = (long)({a.size});")
        lines.append("    }")
        lines.append(f"    if (__vl_n{k} < 0) {{ fprintf(stderr, \"negative size\\n\"); "
                     f"return 2; }}")
        lines.append(f"    {ct} *__vl_arr{k} = ({ct} *)malloc(__vl_n{k} * sizeof({ct}));")
        lines.append(f"    if (__vl_n{k}) memset(__vl_arr{k}, 0, __vl_n{k} * sizeof({ct}));")
        lines.append(f"    __vl_fill(__vl_arr{k}, sizeof({ct}), __vl_n{k}, \"{a.name}\");")
        args[a.position] = f"__vl_arr{k}"
    return lines, args


def _driver_main(function, params, globals_, post, arrays=(), plan=None) -> str:
    n = len(params) + len(globals_)
    lines = ["int main(int argc, char **argv) {",
             f"    if (argc != {n + 1}) {{ fprintf(stderr, \"bad driver arguments\\n\"); return 2; }}"]
    for i, (name, t) in enumerate(params):
        ct = c_type(t)
        lines.append(f"    {ct} __vl_in{i} = ({ct})strtoull(argv[{i + 1}], 0, 10);")
    for j, g in enumerate(globals_):
        lines.append(f"    {g} = (__typeof__({g}))strtoull(argv[{len(params) + j + 1}], 0, 10);")
    more, at = _arrays(params, arrays)
    lines += more
    ints = iter(f"__vl_in{i}" for i in range(len(params)))
    if plan is None:
        plan = {j: "array" if j in at else "int" for j in range(len(params) + len(arrays))}
    args = ", ".join(at[j] if plan[j] == "array" else "0" if plan[j] == "null" else next(ints)
                     for j in range(len(plan)))
    lines.append("    __vl_call();")
    if post:
        lines.append(f"    __auto_type __vl_r = {function}({args});")
        lines.append("    {")
        for i, (name, _) in enumerate(params):
            lines.append(f"        __int128 {name} = __vl_in{i};")
        lines.append("        __int128 __result = __vl_r;")
        lines.append(f"        int __vl_ok = ({post});")
        lines.append(f'        fprintf(stderr, "\\n{MARK}POST %d\\n", __vl_ok != 0);')
        lines.append("    }")
    else:
        lines.append(f"    {function}({args});")
    lines += ["    __vl_returned();", "    return 0;", "}"]
    return "\n".join(lines)


def acsl_to_c(expr: str) -> str:
    """The few ACSL spellings a postcondition may contain, as C (params = entry values,
    so \\old(e) is just e)."""
    expr = expr.replace("\\result", "__result").replace("\\old", "")
    return expr.replace("\\true", "1").replace("\\false", "0")


def replay_c(source: str, path: str, function: str, params: list[tuple[str, ir.IntT]],
             inputs: dict[str, int], expect: Expect, nondet: list[int] = (),
             timeout_s: float = 5.0, arrays: tuple = (), arity: int = -1,
             cflags: tuple = ()) -> ReplayResult:
    """Compile and run `function(inputs)` from the user's C file and check `expect`.
    arrays: ir.ArrayParam of the pointer parameters (allocated with their size, elements
    from inputs `a[k]`); arity: the number of C parameters (-1: only `params`; other
    pointers are passed as NULL, see c_params); cflags: the build flags the frontend was
    given (-I, -D, -U, -std=)."""
    arrays = tuple(arrays) if arity >= 0 else ()
    plan, nulls, why = argument_plan(source, function, len(params), arrays, arity)
    if plan is None:
        return ReplayResult(None, why)
    basename = os.path.basename(path) or "input.c"
    missing = [n for n, _ in params if n not in inputs]
    if missing:
        return ReplayResult(None, f"no value for parameter(s) {', '.join(missing)}")
    pnames = {n for n, _ in params}
    globals_ = [g for g in inputs if g not in pnames and g.isidentifier()]
    post = acsl_to_c(expect.expr) if expect.kind == "postcondition" else ""
    try:
        unit = build_unit(source, basename, function, params, globals_, post, arrays, plan)
    except ValueError as exc:
        return ReplayResult(None, str(exc))
    asan = ASAN_FLAGS if expect.kind == "bounds" else []
    py_inc, py_link, degraded = python_build_args(source)
    build = compile_unit(unit, basename, os.path.dirname(os.path.abspath(path)),
                         tuple(asan), tuple(cflags) + tuple(py_inc), tuple(py_link), degraded)
    if build.exe is None:
        return ReplayResult(None, f"compilation failed: {build.error}")
    if nulls:
        build.degraded = "; ".join(x for x in (f"{', '.join(nulls)} passed as NULL",
                                               build.degraded) if x)
    argv = [build.exe] + [str(inputs[n] & (2**64 - 1)) for n, _ in params] \
        + [str(inputs[g] & (2**64 - 1)) for g in globals_]
    env = clean_env({"VERILINE_NONDET": ",".join(str(v & (2**64 - 1)) for v in nondet),
                     "UBSAN_OPTIONS": "print_stacktrace=0:halt_on_error=1",
                     "ASAN_OPTIONS": "detect_leaks=0:halt_on_error=1:abort_on_error=0",
                     "VERILINE_ELEMS": ";".join(f"{k}={_signed64(v)}" for k, v in inputs.items()
                                                if k.endswith("]"))})
    run = run_limited(argv, timeout_s, env=env)
    ints = iter(str(inputs[n]) for n, _ in params)
    names = {a.position: a.name for a in arrays}
    shown = [names[j] if plan[j] == "array" else "NULL" if plan[j] == "null"
             else next(ints) for j in range(len(plan))]
    call = f"{function}({', '.join(shown)})"
    return judge(run, expect, basename, call, timeout_s, build.degraded, bool(nulls))


def kind_is_bounds(expect: Expect) -> bool:
    return expect.kind == "bounds"


def _signed64(v: int) -> int:
    v &= 2**64 - 1
    return v - 2**64 if v >= 2**63 else v


def judge(run, expect: Expect, basename: str, call: str, timeout_s: float,
          degraded: str = "", nulls: bool = False) -> ReplayResult:
    """Decide from the run's exit and its stderr markers whether `expect` happened.
    degraded: why this binary is not the real program (NULL for unknown pointers,
    unresolved symbols): then a crash that does not show `expect` tells nothing; and
    with `nulls` (pointers the counterexample leaves free were passed as NULL) neither
    does any run that does not show it (the path may test the pointer)."""
    res = _judge(run, expect, basename, call, timeout_s)
    if not degraded or res.confirmed is not False:
        return res
    if nulls or run.timed_out or run.returncode is None or run.returncode < 0 or \
            _DEADLY.search(run.stderr) or run.returncode == 127:
        return ReplayResult(None, f"{res.note} (not a real run: {degraded})")
    return res


def _judge(run, expect: Expect, basename: str, call: str, timeout_s: float) -> ReplayResult:
    err = run.stderr
    called = f"{MARK}CALL" in err
    if run.timed_out:
        if expect.kind == "nontermination" and called:
            return ReplayResult(True, f"{call} still running after {timeout_s:g} s")
        return ReplayResult(None, f"{call} did not finish in {timeout_s:g} s")
    if not called and not _RUNTIME_ERROR.search(err) and not _ASAN_ERROR.search(err):
        tail = [ln for ln in err.strip().splitlines() if ln.strip()][-1:] or \
            [f"exit status {run.returncode}"]
        return ReplayResult(None, f"the program stopped before calling {call}: {tail[0]}")
    ub = [m for m in _RUNTIME_ERROR.finditer(err)]
    user_ub = [m for m in ub if os.path.basename(m["file"]) == basename]
    asserts = [int(m["line"]) for m in _ASSERTION.finditer(err)]
    reached = [int(x) for x in re.findall(rf"{MARK}REACH (\d+)", err)]
    if f"{MARK}NEEDS_INPUT" in err:
        return ReplayResult(None, f"{call} needed more __VERIFIER_nondet values than given")
    if f"{MARK}ASSUME" in err:
        return ReplayResult(False, f"{call}: a __VERIFIER_assume condition was false")
    asan = _ASAN_ERROR.search(err)
    frame = _ASAN_FRAME.search(err, asan.end()) if asan else None
    if asan and not ub:
        where = f" at {os.path.basename(frame['file'])}:{frame['line']}" if frame else ""
        note = f"{call}: AddressSanitizer: {asan['what']}{where}"
        if kind_is_bounds(expect):     # a wild access (SEGV on NULL) is no bounds error
            return ReplayResult(asan["what"] in _ASAN_BOUNDS and frame is not None and
                                os.path.basename(frame["file"]) == basename and
                                (expect.line is None or int(frame["line"]) == expect.line),
                                note)
        return ReplayResult(False, note)
    if ub:
        first = ub[0]
        note = f"{call}: {os.path.basename(first['file'])}:{first['line']}: " \
               f"runtime error: {first['msg'].strip()}"
    elif asserts or reached:
        line = (reached or asserts)[0]
        note = f"{call}: assertion failed at line {line}"
    elif f"{MARK}RETURNED" in err:
        note = f"{call} returned normally"
    else:
        note = f"{call} ended with exit status {run.returncode}"
    kind, line = expect.kind, expect.line
    if kind == "bounds":              # UBSan's own check of an array of known size
        m = user_ub[0] if user_ub else None
        return ReplayResult(m is not None and m is ub[0] and any(
            w in m["msg"] for w in ("out of bounds", "insufficient space"))
            and (line is None or int(m["line"]) == line), note)
    if kind == "ub":
        if not user_ub:
            return ReplayResult(False, note)
        m = user_ub[0]
        ok = (line is None or int(m["line"]) == line) and \
            any(w in m["msg"] for w in expect.contains.split("|"))
        return ReplayResult(ok and m is ub[0], note)
    if kind == "assert":
        if ub:
            return ReplayResult(False, note)
        hits = reached + asserts
        return ReplayResult(bool(hits) and (line is None or line in hits), note)
    if kind == "postcondition":
        found = re.search(rf"{MARK}POST (\d)", err)
        if found is None:
            return ReplayResult(None if not ub else False,
                                note if ub else f"{note}; the postcondition was not evaluated")
        holds = found.group(1) == "1"
        return ReplayResult(not holds, f"{call} returned; the postcondition is "
                                       f"{'true' if holds else 'false'}")
    if kind == "nontermination":
        return ReplayResult(False, note)
    if kind in ("conversion", "unsigned-wrap"):
        return ReplayResult(None, f"{kind} is defined or implementation-defined behaviour, "
                                  "not UB: UBSan cannot observe it")
    return ReplayResult(None, f"unknown expectation {kind!r}")
