#!/usr/bin/env bash
# Installs what the tests need and runs every test of the project.
# This is the README's test command; CI runs exactly this.
#
# The Rust checks and tests run in the foreground. The stages that do not need
# them, or need only what they built, run alongside in the background, each with
# its output in target/test-logs/<stage>.log: printed (every line prefixed with the
# stage's name) in full when the stage fails, its last lines when it passes. A
# failed stage fails the run, naming the stage.
#
#   foreground  fmt, MSRV, clippy (also the core without default features), doc,
#               nextest, doc tests, the debug builds the later stages use
#   background  setup (e2e venv, npm ci, Chromium) and packages (scripts/package.sh)
#               from the start; node (the package's tests), e2e, publish (the crates
#               as packaged for crates.io, built) and fuzz (fuzz/smoke.sh) after the
#               Rust tests; python and kotlin after packages; artifacts after kotlin
#               (both use kotlin/'s npm install) and setup.
#
# A throwaway PostgreSQL 15 cluster (scripts/postgres.sh, in a directory under /tmp)
# is started first, before the background stages (its install, when PostgreSQL is
# missing, must not race setup's apt-get); its URL is exported as
# IAMKIT_TEST_POSTGRES to the Rust tests and the e2e stage, which create their own
# databases in it, and it is stopped and removed on exit.
#
# Builds that share a Cargo build directory wait for each other (cargo's lock): the
# debug builds are in target/debug (the packaged crates and the fuzz targets too,
# reusing the dependencies the tests built), the shipped release builds in
# target/<triple> and target/wheel. publish and fuzz run at a lower priority (nice),
# so they use what the other stages leave idle.
set -euo pipefail
set -m # each background stage in its own process group, so it can be stopped whole
cd "$(dirname "$0")/.."
root=$PWD
# Every build here starts cold: incremental state would only cost disk.
export CARGO_INCREMENTAL=0
logs="$root/target/test-logs"
mkdir -p "$logs"
rm -f "$logs"/*.log
run_start=$SECONDS

declare -A stage_pid=() stage_began=()

stop_stages() {
  local name
  for name in "${!stage_pid[@]}"; do
    kill -TERM -- "-${stage_pid[$name]}" 2>/dev/null || true
  done
  if [ -n "${postgres_dir:-}" ]; then
    bash "$root/scripts/postgres.sh" stop "$postgres_dir" >/dev/null 2>&1 || true
    rm -rf "$postgres_dir"
  fi
}
trap stop_stages EXIT
trap 'exit 130' INT TERM

# start NAME COMMAND...: runs COMMAND in the background, its output in its log.
start() {
  local name=$1
  shift
  echo "== [$name] started in the background (log: target/test-logs/$name.log)"
  "$@" >"$logs/$name.log" 2>&1 </dev/null &
  stage_pid[$name]=$!
  stage_began[$name]=$SECONDS
}

# finish NAME: waits for the stage; fails the run, with its whole log, if it failed.
finish() {
  local name=$1 status=0
  wait "${stage_pid[$name]}" || status=$?
  unset "stage_pid[$name]"
  local took=$((SECONDS - stage_began[$name]))
  if [ "$status" -ne 0 ]; then
    echo "== [$name] FAILED (exit $status after $took s); its log:" >&2
    sed "s/^/[$name] /" "$logs/$name.log" >&2
    echo "== FAILED: stage $name (log: target/test-logs/$name.log)" >&2
    exit 1
  fi
  echo "== [$name] passed in $took s; the end of its log:"
  tail -n 12 "$logs/$name.log" | sed "s/^/[$name] /"
}

# --- the background stages ---------------------------------------------------------

setup_stage() {
  echo "-- the e2e virtual environment, ruff on the e2e and artifact tests"
  python3 -m venv .venv
  .venv/bin/pip install --quiet --disable-pip-version-check -r tests/e2e/python/requirements.txt
  .venv/bin/ruff format --check tests/e2e/python tests/artifacts
  .venv/bin/ruff check tests/e2e/python tests/artifacts
  echo "-- the e2e Node clients (npm ci, lint)"
  (cd tests/e2e/node && npm ci --no-audit --no-fund --loglevel=error && npm run -s lint)
  echo "-- Chromium for the consent page"
  if ! command -v chromium >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
      echo "Chromium is missing: install Debian's chromium package (apt-get install chromium)" >&2
      exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  command -v chromium
}

packages_stage() {
  echo "-- every shipped artifact built into dist/ (release, stripped)"
  bash scripts/package.sh
}

publish_stage() {
  # What crates.io would get: both crates packaged as `cargo publish` packages them
  # (manifest checks, the files each includes, iamkit-server's lock file)...
  local version unpacked
  version=$(python3 -c 'import tomllib; print(tomllib.load(open("Cargo.toml", "rb"))["workspace"]["package"]["version"])')
  cargo package --no-verify --locked --allow-dirty -p iamkit -p iamkit-server
  # ...then built from those packages alone, as a user of crates.io builds them:
  # unpacked outside the workspace as path crates (so an unchanged version never
  # hides a change), iamkit-server on the packaged iamkit with its packaged lock
  # file, in the workspace's debug build directory, whose dependencies the tests
  # built already (with the workspace's dev profile, which a package does not carry).
  unpacked=$(mktemp -d)
  for crate in iamkit iamkit-server; do
    tar -xzf "target/package/$crate-$version.crate" -C "$unpacked"
  done
  nice -n 10 cargo build --offline --target-dir "$root/target" \
    --manifest-path "$unpacked/iamkit-server-$version/Cargo.toml" \
    --config "patch.crates-io.iamkit.path=\"$unpacked/iamkit-$version\"" \
    --config 'profile.dev.package."*".debug="line-tables-only"'
  rm -rf "$unpacked"
}

fuzz_stage() {
  IAMKIT_FUZZ_BUILD_DIR="$root/target" nice -n 10 bash fuzz/smoke.sh
  # The instrumented build is used once: its disk goes back to the other stages.
  rm -rf fuzz/target
}

node_stage() {
  echo "-- npm ci builds the addon from source, then node --test, tsc, prettier, eslint"
  bash node/run-tests.sh
}

e2e_stage() {
  echo "-- Python clients (requests-oauthlib, authlib, the Twilio SDK, scim2-tester) and the shared vectors over HTTP"
  .venv/bin/python -m pytest -q tests/e2e/python
  echo "-- Node clients (openid-client) and the consent page in Chromium"
  (cd tests/e2e/node && node --test)
}

python_stage() {
  echo "-- the shipped wheel, installed in a fresh venv"
  IAMKIT_PY_WHEEL=$(ls "$root"/dist/iamkit-*.whl) bash python/run-tests.sh
}

kotlin_stage() {
  echo "-- uniffi library, generated Kotlin compiled by kotlinc, run on the JVM"
  bash kotlin/run-tests.sh
}

artifacts_stage() {
  echo "-- each package in dist/ installed in a scratch directory, no Rust on PATH"
  .venv/bin/python -m pytest -q -p no:cacheprovider tests/artifacts
}

# The MSRV that each crate declares (rust-version), checked with the one toolchain
# here: every package a workspace crate builds with (its dev-dependencies included,
# every platform's) must declare a rust-version no newer than that crate's, and a
# package on edition 2024 needs 1.85. Together with clippy's incompatible_msrv lint
# below (standard library items stabilised after the MSRV, in this workspace's code).
# Newer syntax or language features, and dependencies that declare a wrong
# rust-version, are caught only by the msrv job of .github/workflows/ci.yml, which
# builds with that Rust itself.
msrv_check() {
  cargo metadata --format-version 1 --locked | python3 -c '
import json, sys

def version(text):
    parts = [int(p) for p in text.split("-")[0].split(".")]
    return tuple(parts + [0] * (3 - len(parts)))

def needs(p):
    v = p.get("rust_version")
    if p["edition"] == "2024" and (v is None or version(v) < (1, 85, 0)):
        v = "1.85"
    return v

def deps(node, dev):
    for d in node["deps"]:
        if dev or any(k["kind"] != "dev" for k in d["dep_kinds"]):
            yield d["pkg"]

meta = json.load(sys.stdin)
packages = {p["id"]: p for p in meta["packages"]}
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
problems = []
for member in meta["workspace_members"]:
    crate = packages[member]
    declared = crate.get("rust_version")
    if declared is None:
        problems.append("%s declares no rust-version" % crate["name"])
        continue
    seen, todo = set(), list(deps(nodes[member], dev=True))
    while todo:
        i = todo.pop()
        if i not in seen:
            seen.add(i)
            todo.extend(deps(nodes[i], dev=False))
    newer = sorted("%s %s needs %s" % (packages[i]["name"], packages[i]["version"], needs(packages[i]))
                   for i in seen if needs(packages[i]) and version(needs(packages[i])) > version(declared))
    if newer:
        problems.append("%s declares Rust %s, but %s" % (crate["name"], declared, "; ".join(newer)))
    else:
        print("MSRV %s %s: %d packages, none needs a newer Rust" % (crate["name"], declared, len(seen)))
if problems:
    sys.exit("MSRV:\n  " + "\n  ".join(problems))
'
}

# --- the run -----------------------------------------------------------------------

echo "== PostgreSQL: a throwaway cluster for the PostgreSQL store's tests"
postgres_dir=$(mktemp -d /tmp/iamkit-test-postgres.XXXXXX)
IAMKIT_TEST_POSTGRES=$(bash scripts/postgres.sh start "$postgres_dir")
# and the root certificate that signed the server's (for the tests of sslmode).
export IAMKIT_TEST_POSTGRES IAMKIT_TEST_POSTGRES_CA="$postgres_dir/ca.crt"
echo "IAMKIT_TEST_POSTGRES=$IAMKIT_TEST_POSTGRES"

start setup setup_stage
start packages packages_stage

echo "== Rust: format, MSRV, lints (the core also without default features, and with PostgreSQL alone), docs"
cargo fmt --all -- --check
msrv_check
cargo clippy --workspace --all-targets --locked -- -D warnings -D clippy::incompatible_msrv
# The core alone, without the sqlite feature (tests that need it declare it in
# crates/iamkit/Cargo.toml); the features must really be off.
core_deps=$(cargo tree -p iamkit --no-default-features -e normal --prefix none --locked)
if grep -q '^rusqlite ' <<<"$core_deps"; then
  echo "rusqlite is still a dependency of the core without default features" >&2
  exit 1
fi
cargo clippy -p iamkit --all-targets --no-default-features --locked -- -D warnings
# and with only the PostgreSQL store.
cargo clippy -p iamkit --lib --no-default-features --features postgres --locked -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked --quiet

echo "== Rust: tests (nextest), then the doc tests"
if ! cargo nextest --version >/dev/null 2>&1; then
  echo "installing cargo-nextest 0.9.143"
  cargo install --quiet --locked cargo-nextest --version 0.9.143
fi
cargo nextest run --workspace --locked --no-fail-fast --status-level fail --final-status-level fail
cargo test --workspace --doc --locked

echo "== Rust: the debug builds the later stages use (the emulator, the Node addon, the uniffi library)"
cargo build --locked -p iamkit-server -p iamkit-node -p iamkit-uniffi -p iamkit-uniffi-bindgen
export IAMKIT_BIN="$root/target/debug/iamkit"
echo "== Rust: done after $((SECONDS - run_start)) s"

start node node_stage
start publish publish_stage
start fuzz fuzz_stage
finish setup
start e2e e2e_stage
finish packages
start python python_stage
start kotlin kotlin_stage
finish kotlin
start artifacts artifacts_stage
for name in e2e node python artifacts publish fuzz; do
  finish "$name"
done
echo "== every stage passed in $((SECONDS - run_start)) s"
