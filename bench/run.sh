#!/usr/bin/env bash
# The side-by-side benchmark suite: installs the peers pinned in bench/package.json
# (+ package-lock.json) and bench/requirements.txt into bench/node_modules and
# bench/.venv, builds iamkit in release (the emulator, the Python wheel, the Node
# addon, the Rust programs), runs iamkit and every peer on the same work, fails if
# their results disagree, and rewrites the generated part of BENCHMARKS.md (between
# `<!-- bench:begin -->` and `<!-- bench:end -->`).
#
# Usage: bash bench/run.sh [wrk-seconds]     (about 15 minutes on 2 cores)
# Needs: Rust, Node 20+ with npm, Python 3.11+ with venv, wrk and valgrind
# (`apt-get install wrk valgrind`). Not part of scripts/test.sh: it is slow.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
seconds="${1:-10}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
out="$CARGO_TARGET_DIR/bench-run"
for tool in cargo node npm python3 wrk valgrind; do
  command -v "$tool" >/dev/null || { echo "bench/run.sh needs $tool (apt-get install wrk valgrind)" >&2; exit 1; }
done
rm -rf "$out"
mkdir -p "$out"
started=$(date -u +%s)
cut -d' ' -f1-3 /proc/loadavg >"$out/load-start"
date -u '+%Y-%m-%d %H:%M UTC' >"$out/date"
git describe --always --dirty >"$out/commit"

echo "== peers: npm ci in bench/, pip install -r bench/requirements.txt into bench/.venv"
(cd bench && npm ci --no-audit --no-fund --loglevel=error)
[ -x bench/.venv/bin/python ] || python3 -m venv bench/.venv
py="$root/bench/.venv/bin/python"
"$py" -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt

echo "== iamkit release builds: emulator, Rust programs, benches, Python wheel, Node addon"
cargo build --release --locked -p iamkit-server -p iamkit --example bench_ops
cargo bench --locked -p iamkit --bench tokens --bench growth --no-run
(cd python && "$root/bench/.venv/bin/maturin" build --release --locked --out "$out/wheels")
"$py" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
  --no-index --find-links "$out/wheels" iamkit
(cd node && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error \
  && node build.js --release)
bin="$CARGO_TARGET_DIR/release"
ops="$bin/examples/bench_ops"

echo "== the shared users: 100,000 generated users as JSON lines"
"$ops" users 100000 "$out/users.jsonl" >/dev/null

echo "== 1, 4, 5: token servers (cold start, wrk ${seconds}s at 64 connections, memory)"
"$py" bench/servers.py "$bin/iamkit" "$out/servers.json" "$seconds" 5

echo "== 2: in-process issue+verify (Python, Node) and 3: the filter (Python, Node, Rust)"
"$py" python/bench/issue_verify.py 2 --json >"$out/python-tokens.json"
"$py" python/bench/scim_filter.py "$out/users.jsonl" 5 --json >"$out/python-filter.json"
node bench/node/compare.mjs "$out/users.jsonl" 2 --json >"$out/node.json"
"$ops" scan "$out/users.jsonl" 9 >"$out/rust-filter.json"

echo "== 4: resident memory holding 1,000,000 users"
"$ops" memory 1000000 >"$out/memory.json"

echo "== 6: instructions (callgrind) and native time per operation"
# NAME N [M]: instructions inside each `measured*` function of one callgrind run,
# divided by its operations, beside the native time of 10x as many operations.
count() {
  local file="$out/callgrind.$1"
  valgrind --tool=callgrind --callgrind-out-file="$file" --collect-atstart=no \
    --toggle-collect='*measured*' "$ops" op "$@" >/dev/null 2>"$file.log"
  callgrind_annotate --inclusive=yes "$file" >"$file.txt"
  "$ops" op "$1" $(($2 * 10)) $((${3:-0} * 10)) | "$py" bench/callgrind.py "$file.txt" "$@"
}
{
  count hs256_issue 2000
  count hs256_verify 2000
  count es256_issue 200
  count es256_verify 200
  count scim 2 2000
} >"$out/ops.jsonl"

echo "== 7 and 8: growth with users, and ES256 beside ring (criterion)"
cargo bench --locked -p iamkit --bench growth -- --noplot
cargo bench --locked -p iamkit --bench tokens -- --noplot --warm-up-time 1 --measurement-time 4 \
  'client_credentials/issue\+verify/ES256|ring/'

cut -d' ' -f1-3 /proc/loadavg >"$out/load-end"
echo $(($(date -u +%s) - started)) >"$out/seconds"
echo "== BENCHMARKS.md"
"$py" bench/report.py "$out" "$CARGO_TARGET_DIR/criterion" BENCHMARKS.md "$seconds"
