#!/usr/bin/env bash
# Builds the iamkit-uniffi library (debug) and generates its Kotlin sources (package
# dev.iamkit, set in bindings/uniffi/uniffi.toml) into kotlin/build/generated, and
# with --swift also its Swift sources into kotlin/build/swift.
# Usage: bash kotlin/generate.sh [--swift]
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
echo "building the uniffi library and uniffi-bindgen (cargo; minutes on a cold build)"
cargo build --locked -p iamkit-uniffi -p iamkit-uniffi-bindgen
lib="$target/debug/libiamkit_uniffi.so"
fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
echo "generating the Kotlin sources"
"$target/debug/uniffi-bindgen" generate --library "$lib" --language kotlin \
  --no-format --out-dir "$fresh/kotlin" >/dev/null
# Keep the old file (and its time stamp) when nothing changed, so that the test
# program is not compiled again.
mkdir -p kotlin/build/generated
if ! diff -r -q "$fresh/kotlin" kotlin/build/generated >/dev/null 2>&1; then
  rm -rf kotlin/build/generated
  cp -r "$fresh/kotlin" kotlin/build/generated
fi
if [ "${1:-}" = "--swift" ]; then
  echo "generating the Swift sources"
  rm -rf kotlin/build/swift
  "$target/debug/uniffi-bindgen" generate --library "$lib" --language swift \
    --no-format --out-dir kotlin/build/swift >/dev/null
fi
