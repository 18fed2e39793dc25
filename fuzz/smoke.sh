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
tools="$PWD/target/tools"
if [ ! -x "$tools/bin/cargo-fuzz" ]; then
  echo "installing cargo-fuzz 0.13.2 into $tools"
  cargo install --quiet --locked cargo-fuzz --version 0.13.2 --root "$tools"
fi
export PATH="$tools/bin:$PATH"
for target in $(cargo fuzz list); do
  echo "fuzzing $target for 5 s"
  cargo +nightly fuzz run --dev "$target" -- -max_total_time=5 -max_len=4200 2>&1 | tail -5
done
