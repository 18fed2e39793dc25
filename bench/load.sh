#!/usr/bin/env bash
# Load figures for BENCHMARKS.md: client-credentials tokens per second and SCIM
# `userName eq` look-ups per second at 64 connections on loopback against a release
# build of `iamkit serve`, measured with wrk (Debian's `wrk` package).
# Usage: bash bench/load.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-15}"
command -v wrk >/dev/null || { echo "install wrk: apt-get install wrk" >&2; exit 1; }

cargo build --release --locked -p iamkit-server --quiet
boot="$(mktemp)"
./target/release/iamkit serve --port 0 --bootstrap "$boot" >/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$boot"' EXIT
for _ in $(seq 100); do [ -s "$boot" ] && break; sleep 0.05; done

read -r url id secret < <(python3 -c '
import json, sys
b = json.load(open(sys.argv[1]))
a = b["apps"]["org_client_credentials"]
print(b["url"], a["client_id"], a["client_secret"])' "$boot")

echo "== POST /v2/token (client_credentials, ES256), 64 connections, ${seconds}s"
CLIENT_ID="$id" CLIENT_SECRET="$secret" \
  wrk -t2 -c64 -d"${seconds}s" --latency -s bench/token.lua "$url/v2/token"

token="$(curl -s "$url/v2/token" -d grant_type=client_credentials -d client_id="$id" \
  -d client_secret="$secret" | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')"
filter='filter=userName%20eq%20%22admin%40demo.iamkit.test%22'
echo "== GET /scim/v2/Users?${filter}, 64 connections, ${seconds}s"
ACCESS_TOKEN="$token" \
  wrk -t2 -c64 -d"${seconds}s" --latency -s bench/scim_filter.lua "$url/scim/v2/Users?${filter}"
