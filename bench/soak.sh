#!/usr/bin/env bash
# Soak: mixed load (token issue, introspection, SCIM create/list/filter/patch/get/
# delete; see bench/soak.lua) on loopback against a release build of `iamkit serve`
# for a given time, in one-minute wrk runs (or ten runs when shorter). Prints, per
# run, requests per second, p50/p99/max latency, non-2xx responses and socket
# errors, and the server's resident memory (VmRSS) sampled every 5 seconds: at
# start, after each run and at the end. Not part of CI.
# Usage: bash bench/soak.sh [seconds=600] [connections=32]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
connections="${2:-32}"
command -v wrk >/dev/null || { echo "install wrk: apt-get install wrk" >&2; exit 1; }
command -v curl >/dev/null || { echo "install curl" >&2; exit 1; }

target="${CARGO_TARGET_DIR:-target}"
cargo build --release --locked -p iamkit-server --quiet
work="$(mktemp -d)"
"$target/release/iamkit" serve --port 0 --bootstrap "$work/boot.json" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; kill $sampler 2>/dev/null || true; rm -rf "$work"' EXIT
sampler=
for _ in $(seq 200); do [ -s "$work/boot.json" ] && break; sleep 0.05; done
[ -s "$work/boot.json" ] || { echo "the server did not start" >&2; cat "$work/server.log" >&2; exit 1; }

read -r url id secret < <(python3 -c '
import json, sys
b = json.load(open(sys.argv[1]))
a = b["apps"]["org_client_credentials"]
print(b["url"], a["client_id"], a["client_secret"])' "$work/boot.json")
token="$(curl -sf "$url/v2/token" -d grant_type=client_credentials -d client_id="$id" \
  -d client_secret="$secret" | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"

rss() { awk '/^VmRSS/ {print $2}' "/proc/$server/status"; }
( while kill -0 "$server" 2>/dev/null; do echo "$(date +%s) $(rss)" >>"$work/rss"; sleep 5; done ) &
sampler=$!

runs=$(( seconds >= 600 ? seconds / 60 : 10 ))
per_run=$(( seconds / runs ))
start_rss="$(rss)"
echo "soak: ${seconds}s in ${runs} runs of ${per_run}s, wrk -t2 -c${connections}, server pid ${server}"
echo "VmRSS at start: ${start_rss} kB"
total_requests=0; total_non2xx=0; total_socket=0; worst_p99=0
for run in $(seq "$runs"); do
  line="$(RUN="$run" CLIENT_ID="$id" CLIENT_SECRET="$secret" ACCESS_TOKEN="$token" \
    wrk -t2 -c"$connections" -d"${per_run}s" -s bench/soak.lua "$url" | grep '^SOAK')"
  echo "run $run: ${line#SOAK } rss_kb=$(rss)"
  eval "$(echo "${line#SOAK }" | tr ' ' '\n' | sed 's/^/r_/')"
  total_requests=$(( total_requests + r_requests ))
  total_non2xx=$(( total_non2xx + r_non2xx ))
  total_socket=$(( total_socket + r_socket_errors ))
  worst_p99="$(python3 -c "print(max($worst_p99, $r_p99_ms))")"
done
end_rss="$(rss)"
max_rss="$(awk 'BEGIN {m = 0} $2 > m {m = $2} END {print m}' "$work/rss")"
users="$(curl -sf -H "Authorization: Bearer $token" "$url/scim/v2/Users?count=0" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["totalResults"])')"
echo "total: requests=${total_requests} non2xx=${total_non2xx} socket_errors=${total_socket} worst_run_p99_ms=${worst_p99}"
echo "VmRSS: start ${start_rss} kB, end ${end_rss} kB, max ${max_rss} kB; users left in the directory: ${users}"
[ "$total_non2xx" -eq 0 ] && [ "$total_socket" -eq 0 ]
