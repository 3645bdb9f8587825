"""C build flags: -I/-D/-U/-std= on the CLI and in settings, compile_commands.json
(CMake/Meson `command`, Bear `arguments`), per-file flags, and `.i` files."""
from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stdout

import pytest

from veriline import check_cli, config
from veriline.analyses import api
from veriline.analyses.frontends.c_build import (BuildConfig, build_config, load_database,
                                                 parse_args)

needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")

GUARDED = """\
#ifdef UNSAFE
int inc(int x) { return x + 1; }
#else
int inc(int x) { if (x == 2147483647) return 0; return x + 1; }
#endif
"""


def check_json(*argv) -> tuple[int, dict]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = check_cli.main([*argv, "--no-cache", "--format", "json"])
    return code, json.loads(out.getvalue())


def statuses(doc: dict, file_end: str = "") -> list[tuple[str, str]]:
    return sorted((f["function"], f["status"]) for f in doc["findings"]
                  if f["file"].endswith(file_end) and f["kind"] == "overflow")


# ------------------------------------------------------------------ flag parsing

def test_parse_args_keeps_preprocessing_flags_with_absolute_paths(tmp_path):
    flags = parse_args(["-Iinc", "-I", "/abs/x", "-DA=1", "-D", "B", "-UC", "-std=c99",
                        "-O2", "-Wall", "-c", "x.c", "-isystem", "sys", "-o", "x.o"],
                       str(tmp_path))
    assert flags.args() == (f"-I{tmp_path}/inc", "-I/abs/x", "-DA=1", "-DB", "-UC",
                            "-std=c99", "-isystem", f"{tmp_path}/sys")


def test_compile_commands_command_and_arguments_forms(tmp_path):
    (tmp_path / "build").mkdir()
    db = [
        {"directory": str(tmp_path / "build"), "file": "../a.c",
         "command": "cc -DONE=1 -I../inc -c ../a.c -o a.o"},
        {"directory": "build", "file": str(tmp_path / "b.c"),
         "arguments": ["gcc", "-DTWO", "-c", "b.c"]},
        {"file": 3}, "junk",
    ]
    path = tmp_path / "compile_commands.json"
    path.write_text(json.dumps(db))
    got = load_database(str(path))
    assert got[str(tmp_path / "a.c")].args() == ("-DONE=1", f"-I{tmp_path}/inc")
    assert got[str(tmp_path / "b.c")].args() == ("-DTWO",)
    assert len(got) == 2
    # the database's flags first, then the user's (which can override)
    cfg = BuildConfig(parse_args(["-DUSER"]), str(path))
    assert cfg.flags_for(str(tmp_path / "a.c")).args() == ("-DONE=1", f"-I{tmp_path}/inc",
                                                           "-DUSER")
    assert cfg.flags_for(str(tmp_path / "other.c")).args() == ("-DUSER",)


def test_unreadable_database_is_empty(tmp_path):
    bad = tmp_path / "compile_commands.json"
    bad.write_text("{not json")
    assert load_database(str(bad)) == {}
    assert BuildConfig(compile_commands=str(bad)).flags_for(str(tmp_path / "a.c")).args() == ()


def test_options_key_depends_on_the_file_flags(tmp_path):
    base = api.Options(c_build=build_config(defines=["UNSAFE"]))
    per_file = base.for_file(str(tmp_path / "a.c"))
    assert per_file.c_flags == ("-DUNSAFE",)
    assert per_file.key() != base.key() and base.key() == api.Options().key()
    assert base.for_file(str(tmp_path / "a.py")).c_flags == ()


# ------------------------------------------------------------------ verdicts change

@needs_gcc
def test_cli_define_changes_the_verdict(tmp_path):
    f = tmp_path / "inc.c"
    f.write_text(GUARDED)
    code, doc = check_json(str(f))
    assert code == 0 and statuses(doc) == [("inc", "proved")]
    code, doc = check_json(str(f), "-DUNSAFE")
    assert code == 1 and statuses(doc) == [("inc", "counterexample")]
    code, doc = check_json(str(f), "-D", "UNSAFE", "-U", "UNSAFE")
    assert code == 0 and statuses(doc) == [("inc", "proved")]


@needs_gcc
def test_compile_commands_per_file_defines(tmp_path):
    (tmp_path / "a.c").write_text(GUARDED)
    (tmp_path / "b.c").write_text(GUARDED)
    (tmp_path / "compile_commands.json").write_text(json.dumps([
        {"directory": str(tmp_path), "file": "a.c", "command": "gcc -DUNSAFE -c a.c"},
        {"directory": str(tmp_path), "file": "b.c", "command": "gcc -c b.c"}]))
    code, doc = check_json(str(tmp_path))
    assert code == 1
    assert statuses(doc, "a.c") == [("inc", "counterexample")]
    assert statuses(doc, "b.c") == [("inc", "proved")]


@needs_gcc
def test_explicit_compile_commands_path(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.c").write_text(GUARDED)
    db = tmp_path / "elsewhere.json"
    db.write_text(json.dumps([{"directory": str(src), "file": "a.c",
                               "arguments": ["cc", "-DUNSAFE", "a.c"]}]))
    assert statuses(check_json(str(src / "a.c"))[1]) == [("inc", "proved")]
    code, doc = check_json(str(src / "a.c"), "--compile-commands", str(db))
    assert statuses(doc) == [("inc", "counterexample")]


@needs_gcc
def test_include_dir_flag(tmp_path):
    inc = tmp_path / "include"
    inc.mkdir()
    (inc / "mylimits.h").write_text("#define MY_LIMIT 100\ntypedef short small_t;\n")
    f = tmp_path / "use.c"
    f.write_text('#include "mylimits.h"\n'
                 "int twice(small_t x) { if (x > MY_LIMIT) return 0; return x * 2; }\n")
    code, doc = check_json(str(f))
    assert any("mylimits.h not found" in e["message"] and e["range"]["start"]["line"] == 1
               for e in doc["errors"])
    code, doc = check_json(str(f), "-I", str(inc))
    assert doc["errors"] == []
    # small_t (short) promotes to int: x * 2 never overflows
    assert statuses(doc) == [("twice", "proved")]


def test_settings_keys_reach_the_options(tmp_path):
    s = config.merge({"includePath": [str(tmp_path)], "defines": "A=1, B",
                      "compile-commands": str(tmp_path / "cc.json")})
    assert s["includePath"] == [str(tmp_path)] and s["defines"] == ["A=1", "B"]
    opts = config.options_from_settings(s, with_cache=False)
    assert opts.c_build.compile_commands == str(tmp_path / "cc.json")
    assert opts.for_file(str(tmp_path / "x.c")).c_flags == (f"-I{tmp_path}", "-DA=1", "-DB")
    assert config.normalize({"includePath": 3}) == {}


# ------------------------------------------------------------------ .i files

PREPROCESSED = """\
# 1 "prog.c"
# 1 "<built-in>"
# 1 "/usr/include/stdio.h" 1 3 4
extern int printf (const char *__restrict __format, ...) __attribute__ ((__nonnull__ (1)));
typedef __builtin_va_list __gnuc_va_list;
# 2 "prog.c" 2
#include <does/not/exist.h>
__extension__ typedef long long big_t;
static __inline int twice(int x)
{
  return x * 2;
}
"""


@needs_gcc
def test_preprocessed_file_is_c_and_not_reincluded(tmp_path):
    f = tmp_path / "prog.i"
    f.write_text(PREPROCESSED)
    assert api.language_of(str(f)) == "c"
    prog = api.parse(PREPROCESSED, str(f))
    assert prog.errors == [] and list(prog.functions) == ["twice"]
    assert prog.functions["twice"].span.line == 9          # the .i's own lines
    assert check_cli.collect([str(tmp_path)], []) == [str(f)]
    code, doc = check_json(str(f))
    assert code == 1 and statuses(doc) == [("twice", "counterexample")]
    assert doc["summary"]["files"] == 1


@needs_gcc
def test_gcc_save_temps_output_parses(tmp_path):
    src = tmp_path / "real.c"
    src.write_text("#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
                   "int add(int a, int b) { return a + b; }\n")
    out = tmp_path / "real.i"
    import subprocess
    subprocess.run(["gcc", "-E", str(src), "-o", str(out)], check=True)
    prog = api.parse(out.read_text(), str(out))
    assert [e.message for e in prog.errors] == []
    assert "add" in prog.functions


# ------------------------------------------------------------------ language server

@needs_gcc
def test_server_parses_with_the_file_flags(tmp_path):
    import asyncio
    from veriline.server.documents import Snapshot
    from veriline.server.scheduler import Scheduler

    path = str(tmp_path / "inc.c")
    opts = config.options_from_settings({"defines": ["UNSAFE"]}, with_cache=False)
    opts = opts.for_file(path)
    assert opts.c_flags == ("-DUNSAFE",)

    async def parse_both():
        sched = Scheduler(asyncio.get_running_loop(), None, lambda uri: None, backend=api)
        snap = Snapshot("file://" + path, 1, GUARDED, "c", path)
        return sched._parse(snap, opts), sched._parse(snap, api.Options())
    with_flags, without = asyncio.run(parse_both())
    unsafe = [f.status for f in api.verify_function(with_flags, "inc", opts)]
    safe = [f.status for f in api.verify_function(without, "inc", api.Options())]
    assert unsafe == ["counterexample"] and safe == ["proved"]
