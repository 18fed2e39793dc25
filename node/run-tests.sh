#!/usr/bin/env bash
# Builds the Node addon from source and runs the Node tests, the type check and the
# linters. `npm ci --ignore-scripts` installs the dev tools without the package's
# own install script, so that `node build.js --check-types` (a debug build) can
# fail when the committed native.d.ts is not what napi generates from bindings/node
# (`npm run build` rewrites it).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --ignore-scripts
node build.js --check-types
node --test test/
npx --no-install tsc --noEmit -p tsconfig.json
npx --no-install prettier --check .
npx --no-install eslint .
