"""A real editor: headless Neovim (Debian's 0.7.2 in CI) runs `veriline serve`, opens
examples/python/subtract_loop.py, waits for diagnostics, hovers over g2's loop and writes
what it saw as JSON.  Uses only the 0.7 API (`vim.lsp.start_client` +
`vim.lsp.buf_attach_client`), which later versions still have.

Skipped when `nvim` is missing, unless $CI is set (then a missing nvim is a failure).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "python" / "subtract_loop.py"

LUA = r"""
local out, file, python = os.getenv("VERILINE_NVIM_OUT"), os.getenv("VERILINE_NVIM_FILE"),
  os.getenv("VERILINE_PYTHON")
local result = {}

local function lsp_code(d)
  if d.code ~= nil then return d.code end
  local ud = d.user_data
  return ud and ud.lsp and ud.lsp.code or nil
end

local ok, err = pcall(function()
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].filetype = "python"
  local id = vim.lsp.start_client({
    name = "veriline",
    cmd = { python, "-m", "veriline", "serve" },
    root_dir = vim.fn.fnamemodify(file, ":h"),
  })
  assert(id, "vim.lsp.start_client failed")
  vim.lsp.buf_attach_client(buf, id)
  result.waited = vim.wait(180000, function()
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      if lsp_code(d) == "termination" then return true end
    end
    return false
  end, 100)
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, end_lnum = d.end_lnum,
      end_col = d.end_col, message = d.message, severity = d.severity, source = d.source,
      code = lsp_code(d) })
  end
  local params = { textDocument = { uri = vim.uri_from_bufnr(buf) },
                   position = { line = 10, character = 6 } }
  local replies = vim.lsp.buf_request_sync(buf, "textDocument/hover", params, 60000) or {}
  for _, reply in pairs(replies) do
    if reply.result and reply.result.contents then
      local c = reply.result.contents
      result.hover = type(c) == "table" and (c.value or vim.fn.json_encode(c)) or c
    end
    if reply.err then result.hover_error = vim.inspect(reply.err) end
  end
  vim.lsp.stop_client(id)
  vim.wait(5000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
end)
result.ok = ok
if not ok then result.error = tostring(err) end
vim.fn.writefile({ vim.fn.json_encode(result) }, out)
vim.cmd("qall!")
"""


def _nvim() -> str:
    exe = shutil.which("nvim")
    if exe is None:
        if os.environ.get("CI"):
            pytest.fail("nvim is not installed (CI must `apt-get install -y neovim`)")
        pytest.skip("nvim is not installed (apt-get install -y neovim); set CI=1 to require it")
    return exe


def test_neovim_shows_g2_termination_and_hover(tmp_path: Path):
    nvim = _nvim()
    script, out = tmp_path / "drive.lua", tmp_path / "result.json"
    script.write_text(LUA)
    env = {**os.environ, "VERILINE_NVIM_OUT": str(out), "VERILINE_NVIM_FILE": str(EXAMPLE),
           "VERILINE_PYTHON": sys.executable}
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        env[var] = str(tmp_path / var.lower())
    proc = subprocess.run([nvim, "--headless", "-u", "NONE", "-i", "NONE", "-n",
                           "-c", f"luafile {script}"], env=env, cwd=tmp_path,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
    assert out.exists(), f"nvim wrote nothing (rc={proc.returncode}): {proc.stderr[-2000:]}"
    result = json.loads(out.read_text())
    assert result["ok"], result.get("error")
    assert result["waited"], f"no termination diagnostic: {result}"
    (d,) = [d for d in result["diagnostics"] if d["code"] == "termination"]
    assert (d["lnum"], d["col"], d["source"], d["severity"]) == (10, 4, "veriline", 2)  # Warn
    m = re.search(r"g2\((-?\d+), (-?\d+)\) never returns", d["message"])
    assert m and int(m.group(2)) <= 0 < int(m.group(1)) - int(m.group(2)), d["message"]
    hover = result.get("hover") or ""
    assert f"`{m.group(0)[:-len(' never returns')]}`" in hover and "termination" in hover, result
