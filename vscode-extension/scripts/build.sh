#!/usr/bin/env bash
# Bundles the extension with esbuild and packages veriline-<version>.vsix (offline).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || bash scripts/setup.sh
rm -rf dist out
npx --no-install tsc -p . --noEmit
node scripts/bundle.mjs
version=$(node -p 'require("./package.json").version')
rm -f veriline-*.vsix
npx --no-install vsce package --no-dependencies --allow-missing-repository --no-rewrite-relative-links --no-update-package-json --out "veriline-${version}.vsix" 2>&1 | grep -v 'Unknown user config'
ls -l "veriline-${version}.vsix"
