#!/usr/bin/env bash
# Builds the fuzz targets on the stable toolchain (so they always compile) and, where
# a nightly toolchain is present, runs each under libFuzzer for a few seconds: a
# smoke run that catches a target that no longer starts or fails at once. Long runs
# are by hand (README.md).
#
# IAMKIT_FUZZ_BUILD_DIR, when set, is the target directory of the stable build: the
# test command points it at the workspace's, whose debug build of iamkit and its
# dependencies this build then reuses.
set -euo pipefail
cd "$(dirname "$0")"
cargo build --locked ${IAMKIT_FUZZ_BUILD_DIR:+--target-dir "$IAMKIT_FUZZ_BUILD_DIR"}
if ! cargo +nightly --version >/dev/null 2>&1; then
  echo "no nightly toolchain: the fuzz targets are built, not run"
  exit 0
fi
# Each target built as `cargo fuzz run --dev` builds it (libFuzzer's coverage
# instrumentation, AddressSanitizer, debug assertions; for the target triple only, so
# build scripts and proc macros are not instrumented), then run: the same binaries,
# without installing cargo-fuzz.
triple=$(rustc -vV | sed -n 's/^host: //p')
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Zsanitizer=address -Cdebug-assertions"
cargo +nightly build --locked --target "$triple" --bins
for target in $(python3 -c 'import tomllib; print(*(b["name"] for b in tomllib.load(open("Cargo.toml", "rb"))["bin"]))'); do
  echo "fuzzing $target for 5 s"
  "target/$triple/debug/$target" -max_total_time=5 -max_len=4200 2>&1 | tail -5
done
