#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster (Debian's packages) for the tests.
#
#   bash scripts/postgres.sh start DIR   initdb into DIR (trust authentication,
#                                        loopback only, the unix socket in DIR, TLS
#                                        offered), start it on a free loopback port,
#                                        wait until it accepts connections, print its
#                                        URL:
#                                        postgres://postgres@127.0.0.1:PORT/postgres
#   bash scripts/postgres.sh stop DIR    stop it (fast mode)
#
# start on a DIR that holds a stopped cluster starts it again, on the same port.
# As root (as in CI) the PostgreSQL programs run as the postgres system user, who is
# made DIR's owner (so DIR's parent must let that user through, as /tmp does);
# PostgreSQL 15 is installed with apt-get when it is missing.
#
# TLS (for the tests of sslmode): DIR/ca.crt is a throwaway root that signed the
# server's certificate, which names the host `localhost` only (not 127.0.0.1);
# DIR/other-ca.crt is a root that signed nothing.
set -euo pipefail
bin=/usr/lib/postgresql/15/bin
if [ $# -ne 2 ] || { [ "$1" != start ] && [ "$1" != stop ]; }; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi
action=$1
mkdir -p "$2"
dir=$(cd "$2" && pwd)
cd / # the postgres user may not be allowed into the caller's directory

root() { [ "$(id -u)" -eq 0 ]; }
pg() { if root; then runuser -u postgres -- "$@"; else "$@"; fi; }

# The certificates of the header, made with openssl as the cluster's owner (the
# server's key must be theirs, readable by them alone), and TLS on.
tls() {
  local d=$1 key=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
  pg openssl req -x509 "${key[@]}" -keyout "$d/ca.key" -out "$d/ca.crt" -days 30 \
    -subj "/CN=iamkit test root" 2>/dev/null
  pg openssl req -x509 "${key[@]}" -keyout "$d/other-ca.key" -out "$d/other-ca.crt" -days 30 \
    -subj "/CN=iamkit other root" 2>/dev/null
  pg openssl req "${key[@]}" -keyout "$d/server.key" -out "$d/server.csr" \
    -subj "/CN=localhost" 2>/dev/null
  printf "subjectAltName = DNS:localhost\nbasicConstraints = CA:FALSE\nextendedKeyUsage = serverAuth\n" |
    pg tee "$d/server.ext" >/dev/null
  pg openssl x509 -req -in "$d/server.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -out "$d/server.crt" -days 30 -extfile "$d/server.ext" 2>/dev/null
  pg chmod 600 "$d/server.key"
  pg chmod 644 "$d/ca.crt" "$d/other-ca.crt"
  echo "ssl = on" | pg tee -a "$d/postgresql.conf" >/dev/null
}

if [ "$action" = stop ]; then
  pg "$bin/pg_ctl" stop -D "$dir" -m fast -s
  exit
fi

if [ ! -x "$bin/initdb" ]; then
  if ! root; then
    echo "PostgreSQL 15 is missing: install Debian's postgresql-15 package (apt-get install postgresql-15), or run this as root" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
fi
if [ ! -f "$dir/PG_VERSION" ]; then
  if root; then
    chown postgres: "$dir"
    if ! pg test -w "$dir"; then
      echo "$dir: the postgres user cannot reach it (a parent directory shuts it out); use one under /tmp" >&2
      exit 1
    fi
  fi
  if ! out=$(pg "$bin/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --no-sync 2>&1); then
    echo "$out" >&2
    exit 1
  fi
  tls "$dir"
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\n" \
    "$port" "$dir" | pg tee -a "$dir/postgresql.conf" >/dev/null
fi
port=$(sed -n 's/^port = //p' "$dir/postgresql.conf" | tail -n 1)
pg "$bin/pg_ctl" start -D "$dir" -l "$dir/server.log" -W -s
for _ in $(seq 100); do
  if pg "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -U postgres; then
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    exit
  fi
  sleep 0.1
done
echo "PostgreSQL did not accept connections within 10 s; its log:" >&2
cat "$dir/server.log" >&2
exit 1
