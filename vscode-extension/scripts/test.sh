#!/usr/bin/env bash
# Installs the packaged .vsix into a real VS Code (code-server's VS Code server), runs the
# extension-host tests headless (trusted workspace, then untrusted), prints one summary
# line "vscode: N passed, M failed" and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
ext_dir=$(pwd)
examples=${VERILINE_EXAMPLES_DIR:-$ext_dir/../examples}
version=$(node -p 'require("./package.json").version')
vsix=${VERILINE_VSIX:-$ext_dir/veriline-$version.vsix}
py=${VERILINE_PYTHON:-python3}

if ! "$py" -m veriline --version >/dev/null 2>&1; then
  echo "vscode-test: '$py -m veriline' does not run: pip install the project first (pip install -e .)"
  echo "vscode: 0 passed, 1 failed"
  exit 1
fi
[ -f "$vsix" ] && [ -f out/test/suite/index.js ] || bash scripts/build.sh

passed=0; failed=0; rc=0
for mode in trusted untrusted; do
  echo "=== VS Code extension tests: $mode workspace"
  args=(--vsix "$vsix" --examples "$examples" --timeout "${VERILINE_TEST_TIMEOUT:-600}")
  [ "$mode" = untrusted ] && args+=(--untrusted)
  log=$(mktemp)
  node test/run.mjs "${args[@]}" 2>&1 | grep --line-buffered -v '\[workbench info\]' | tee "$log"
  r=${PIPESTATUS[0]}
  line=$(grep -E 'summary of this run: [0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
  p=$(echo "$line" | sed -nE 's/.* ([0-9]+) passed.*/\1/p'); f=$(echo "$line" | sed -nE 's/.* ([0-9]+) failed.*/\1/p')
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-1}))
  [ "$r" = 0 ] || rc=1
  rm -f "$log"
done
[ "$failed" -eq 0 ] || rc=1
echo "vscode: $passed passed, $failed failed"
exit $rc
