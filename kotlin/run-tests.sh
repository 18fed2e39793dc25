#!/usr/bin/env bash
# The Kotlin binding's tests: installs JNA (Debian's libjna-java) and the pinned
# Kotlin compiler (npm's kotlin-compiler), builds the uniffi library, generates the
# Kotlin (and, as a check, Swift) sources, compiles them with the test program on the
# machine's JDK and runs it against the shared vectors.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
# shellcheck source=kotlin/tools.sh
. kotlin/tools.sh

bash kotlin/generate.sh --swift
test -s kotlin/build/swift/Iamkit.swift
test -s kotlin/build/swift/IamkitFFI.h

jar=kotlin/build/iamkit-tests.jar
sources=(kotlin/build/generated/dev/iamkit/iamkit.kt kotlin/test/*.kt)
stale=false
[ -f "$jar" ] || stale=true
for source in "${sources[@]}"; do
  [ "$source" -nt "$jar" ] && stale=true
done
if $stale; then
  echo "compiling the generated bindings and the test program with kotlinc (about a minute)"
  "$kotlinc" -nowarn -jvm-target 17 -cp "$jna" -include-runtime -d "$jar" "${sources[@]}"
fi

java -Djna.library.path="$target/debug" -cp "$jar:$jna" dev.iamkit.test.MainKt "$PWD"
