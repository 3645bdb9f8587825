#!/usr/bin/env bash
# CI entry point for the VS Code extension: setup (cached), build (.vsix), tests in VS Code.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
# A fresh clone (as in CI) has no .tools/: keep Node 24 and code-server in the user's cache
# instead, so that later runs on the same machine reuse them.
export VERILINE_TOOLS_DIR=${VERILINE_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/veriline-vscode-tools}
bash scripts/setup.sh
bash scripts/build.sh
set +e
bash scripts/test.sh
rc=$?
echo "[vscode ci] finished in $((SECONDS - start)) s (exit $rc)"
exit $rc
