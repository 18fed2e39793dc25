#!/usr/bin/env bash
# Installs what the tests need and runs every test of the project.
# This is the README's test command; CI runs exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== Rust: format, lints, docs"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets --locked -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

echo "== Rust: tests"
cargo test --workspace --locked

echo "== Rust: the core alone, without the sqlite feature; the fuzz targets built, and run briefly on nightly"
cargo check -p iamkit --all-targets --locked
bash fuzz/smoke.sh

echo "== Packages: every shipped artifact built into dist/ (release, stripped)"
bash scripts/package.sh
# The dry run verifies iamkit-server against iamkit packaged into a temporary local
# registry. Cargo takes a registry crate of a known version as unchanged, both where
# it unpacks it under its home and in a target directory, so drop both copies of an
# earlier run of the same version, or it builds against a stale one.
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/iamkit-[0-9]* \
  "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/iamkit-server-[0-9]* target/publish-check
CARGO_TARGET_DIR=target/publish-check \
  cargo publish --dry-run --locked --allow-dirty -p iamkit -p iamkit-server

echo "== Python package: the shipped wheel, installed in a fresh venv"
IAMKIT_PY_WHEEL=$(ls "$PWD"/dist/iamkit-*.whl) bash python/run-tests.sh

echo "== Node package: npm ci builds the addon from source, then node --test, tsc, prettier, eslint"
bash node/run-tests.sh

echo "== Kotlin binding: uniffi library, generated Kotlin compiled by kotlinc, run on the JVM"
bash kotlin/run-tests.sh

echo "== End-to-end: the emulator binary with real clients"
cargo build --locked -p iamkit-server
export IAMKIT_BIN="$PWD/target/debug/iamkit"

echo "-- Python clients (requests-oauthlib, authlib)"
python3 -m venv .venv
.venv/bin/pip install --quiet --disable-pip-version-check -r tests/e2e/python/requirements.txt
.venv/bin/ruff format --check tests/e2e/python tests/artifacts
.venv/bin/ruff check tests/e2e/python tests/artifacts
.venv/bin/python -m pytest -q tests/e2e/python

echo "-- Node clients (openid-client) and the consent page in Chromium"
if ! command -v chromium >/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "Chromium is missing: install Debian's chromium package (apt-get install chromium)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
(cd tests/e2e/node && npm ci --no-audit --no-fund --loglevel=error && npm run -s lint && node --test)

echo "== Artifacts: each package in dist/ installed in a scratch directory, no Rust on PATH"
.venv/bin/python -m pytest -q -p no:cacheprovider tests/artifacts
