#!/usr/bin/env bash
# CI entry point for the VS Code extension: setup (cached), build (.vsix), tests in VS Code.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
bash scripts/setup.sh
bash scripts/build.sh
set +e
bash scripts/test.sh
rc=$?
echo "[vscode ci] finished in $((SECONDS - start)) s (exit $rc)"
exit $rc
