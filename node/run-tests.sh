#!/usr/bin/env bash
# Builds the Node addon from source (npm ci runs the package's install script,
# `napi build`, a debug build) and runs the Node tests, the type check and the linters.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
node --test test/
npx --no-install tsc --noEmit -p tsconfig.json
npx --no-install prettier --check .
npx --no-install eslint .
