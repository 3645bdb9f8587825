"""One solver on one SMT-LIB2 query, in its own process (so the portfolio can kill it).

Run as a script, never imported by the package: `python worker.py BACKEND TIMEOUT_MS`
reads the query on stdin and prints one JSON line {"status": "sat"|"unsat"|"unknown",
"model": {name: int|bool}, "reason": str}.  Bit-vector values are printed unsigned.
It imports only its own solver, so it starts fast.  Its address space is capped
(VERILINE_SOLVER_MEMORY_MB, default MEMORY_MB): a solver that would take more answers
unknown (or dies, which the portfolio reads as unknown) instead of taking the machine.
"""
import json
import os
import sys

MEMORY_MB = 1024


def cap_memory() -> None:
    try:
        import resource
        mb = int(os.environ.get("VERILINE_SOLVER_MEMORY_MB", MEMORY_MB))
        if mb > 0:
            resource.setrlimit(resource.RLIMIT_AS, (mb << 20, mb << 20))
    except (ImportError, ValueError, OSError):
        pass


def _name(sym: str) -> str:
    return sym[1:-1] if len(sym) > 1 and sym[0] == sym[-1] == "|" else sym


def run_z3(text: str, timeout_ms: int) -> dict:
    import z3
    s = z3.Solver()
    s.set("timeout", timeout_ms)
    s.from_string(text)
    r = s.check()
    if r == z3.unsat:
        return {"status": "unsat"}
    if r != z3.sat:
        return {"status": "unknown", "reason": s.reason_unknown()}
    m = s.model()
    out = {}
    for d in m.decls():
        if d.arity() == 0:
            v = m[d]
            if z3.is_true(v) or z3.is_false(v):
                out[d.name()] = z3.is_true(v)
            elif z3.is_bv_value(v) or z3.is_int_value(v):
                out[d.name()] = v.as_long()
    return {"status": "sat", "model": out}


def run_bitwuzla(text: str, timeout_ms: int) -> dict:
    import bitwuzla as bz
    tm = bz.TermManager()
    opts = bz.Options()
    opts.set(bz.Option.PRODUCE_MODELS, True)
    opts.set(bz.Option.TIME_LIMIT_PER, timeout_ms)
    p = bz.Parser(tm, opts)
    p.parse(text, True, False)
    solver = p.bitwuzla()
    r = solver.check_sat()
    if r == bz.Result.UNSAT:
        return {"status": "unsat"}
    if r != bz.Result.SAT:
        return {"status": "unknown", "reason": "bitwuzla: unknown"}
    out = {}
    for t in p.get_declared_funs():
        if t.sort().is_fun():
            continue
        v = solver.get_value(t)
        if t.sort().is_bool():
            out[_name(t.symbol())] = str(v) == "true"
        elif t.sort().is_bv():
            out[_name(t.symbol())] = int(v.value(10))
    return {"status": "sat", "model": out}


def run_cvc5(text: str, timeout_ms: int) -> dict:
    import cvc5
    tm = cvc5.TermManager()
    s = cvc5.Solver(tm)
    s.setOption("produce-models", "true")
    s.setOption("tlimit-per", str(timeout_ms))
    sm = cvc5.SymbolManager(tm)
    p = cvc5.InputParser(s, sm)
    if "(set-logic" not in text:
        text = "(set-logic ALL)\n" + text
    p.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, text, "query")
    while True:
        cmd = p.nextCommand()
        if cmd.isNull():
            break
        if str(cmd).startswith("(check-sat"):
            break
        cmd.invoke(s, sm)
    r = s.checkSat()
    if r.isUnsat():
        return {"status": "unsat"}
    if not r.isSat():
        return {"status": "unknown", "reason": "cvc5: unknown"}
    out = {}
    for t in sm.getDeclaredTerms():
        srt = t.getSort()
        if srt.isFunction():
            continue
        v = s.getValue(t)
        if srt.isBoolean():
            out[_name(t.getSymbol())] = v.getBooleanValue()
        elif srt.isInteger():
            out[_name(t.getSymbol())] = v.getIntegerValue()
        elif srt.isBitVector():
            out[_name(t.getSymbol())] = int(v.getBitVectorValue(10))
    return {"status": "sat", "model": out}


def run_cvc5_proof(text: str, timeout_ms: int) -> dict:
    """cvc5 with produce-proofs: runs the file's own commands (so its (check-sat) is what
    is answered), then (get-proof) in cvc5's default proof format."""
    import cvc5
    tm = cvc5.TermManager()
    s = cvc5.Solver(tm)
    s.setOption("produce-proofs", "true")
    s.setOption("tlimit-per", str(timeout_ms))
    sm = cvc5.SymbolManager(tm)
    p = cvc5.InputParser(s, sm)
    p.setStringInput(cvc5.InputLanguage.SMT_LIB_2_6, text + "\n(get-proof)\n", "query")
    status, proof = "unknown", ""
    while True:
        cmd = p.nextCommand()
        if cmd.isNull():
            break
        shown = str(cmd)
        out = cmd.invoke(s, sm) or ""
        if shown.startswith("(check-sat"):
            status = out.strip() if out.strip() in ("sat", "unsat") else "unknown"
            if status != "unsat":
                break
        elif shown.startswith("(get-proof"):
            proof = out
    res = {"status": status}
    if proof:
        res["proof"] = proof
    return res


BACKENDS = {"z3": run_z3, "bitwuzla": run_bitwuzla, "cvc5": run_cvc5,
            "cvc5-proof": run_cvc5_proof}


def batch(backend: str, timeout_ms: int) -> None:
    """`worker.py --batch BACKEND TIMEOUT_MS`: a JSON list of query texts on stdin, one
    JSON answer line per query, flushed as it comes (a killed batch keeps its answers)."""
    for text in json.loads(sys.stdin.read()):
        try:
            res = BACKENDS[backend](text, timeout_ms)
        except Exception as exc:   # noqa: BLE001 - the answer says what went wrong
            res = {"status": "unknown", "reason": f"{backend}: {type(exc).__name__}: {exc}"[:300]}
        sys.stdout.write(json.dumps(res) + "\n")
        sys.stdout.flush()


def main() -> None:
    cap_memory()
    if sys.argv[1] == "--batch":
        batch(sys.argv[2], int(sys.argv[3]))
        return
    backend, timeout_ms = sys.argv[1], int(sys.argv[2])
    text = sys.stdin.read()
    try:
        res = BACKENDS[backend](text, timeout_ms)
    except MemoryError:
        res = {"status": "unknown", "reason": f"{backend}: out of memory"}
    except Exception as exc:   # a solver that cannot parse or crashes answers unknown
        res = {"status": "unknown", "reason": f"{backend}: {type(exc).__name__}: {exc}"[:300]}
    sys.stdout.write(json.dumps(res) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
