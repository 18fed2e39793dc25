"""Replicas bench: `iamkit serve` throughput on each store, and how fast a revocation
on one replica reaches another on the same PostgreSQL database.

Starts a throwaway PostgreSQL cluster (scripts/postgres.sh) and a release build of
`iamkit serve` in four setups: the in-memory store, SQLite (`--db FILE`), one
replica on PostgreSQL, and two replicas on one PostgreSQL database with the clients
spread over both. In each, CLIENTS client processes (one keep-alive connection each)
run for SECONDS: first client-credentials token requests, then SCIM user creates.
Then, on the two replicas, SAMPLES times: a token issued by replica A is revoked on
A (RFC 7009), and replica B is polled as fast as one connection goes until it refuses
the token; the time from A's answer to B's first refusal. Prints a markdown table.
Not part of CI.

Usage: python3 bench/replicas.py [seconds=5] [clients=8] [samples=300]
(after `cargo build --release --locked -p iamkit-server`).
"""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(
    os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "iamkit"
)
PSQL = "/usr/lib/postgresql/15/bin/psql"
ADMIN_TOKEN = "replicas-bench-admin-token"
ISSUER = "http://iam.bench.test"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class Client:
    """One keep-alive connection to a replica."""

    def __init__(self, url: str):
        parsed = urllib.parse.urlsplit(url)
        self.conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        self.conn.request(method, path, body=body, headers=headers or {})
        response = self.conn.getresponse()
        return response.status, response.read()

    def token(self, app: dict) -> str:
        status, body = self.request("POST", "/v2/token", token_form(app), FORM)
        assert status == 200, body
        return json.loads(body)["access_token"]


def token_form(app: dict) -> str:
    return urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": app["client_id"],
            "client_secret": app["client_secret"],
        }
    )


def serve(work: str, name: str, *flags: str):
    """Starts `iamkit serve` with `flags`; its process and bootstrap document."""
    boot_file = os.path.join(work, f"{name}.json")
    command = [BINARY, "serve", "--port", "0", "--bootstrap", boot_file, "--issuer", ISSUER]
    process = subprocess.Popen(
        [*command, "--admin-token", ADMIN_TOKEN, *flags],
        stdout=subprocess.DEVNULL,
        stderr=open(os.path.join(work, f"{name}.log"), "wb"),
    )
    for _ in range(400):
        if os.path.exists(boot_file) and os.path.getsize(boot_file) > 0:
            return process, json.load(open(boot_file))
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    log = open(os.path.join(work, f"{name}.log")).read()
    sys.exit(f"iamkit serve {' '.join(flags)} did not start: {log}")


def postgres(action: str, directory: str) -> str:
    done = subprocess.run(
        ["bash", os.path.join(ROOT, "scripts", "postgres.sh"), action, directory],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def database(server: str, name: str) -> str:
    """Creates database `name` on `server`; its URL."""
    subprocess.run([PSQL, "-q", server, "-c", f"CREATE DATABASE {name}"], check=True)
    return urllib.parse.urlsplit(server)._replace(path=f"/{name}").geturl()


def load(job: tuple) -> tuple[int, int]:
    """One client: `kind` requests to `url` until `end`; (answered as expected, other)."""
    kind, url, app, start_at, end, index = job
    client = Client(url)
    token = client.token(app)
    scim = {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
    body = token_form(app)
    time.sleep(max(0.0, start_at - time.time()))
    good = bad = n = 0
    while time.time() < end:
        if kind == "tokens":
            status, _ = client.request("POST", "/v2/token", body, FORM)
            good, bad = (good + 1, bad) if status == 200 else (good, bad + 1)
        else:
            name = f"bench-{index}-{n}-{int(start_at * 1000)}@replicas.example"
            user = {"userName": name, "emails": [{"value": name, "primary": True}]}
            status, answer = client.request("POST", "/scim/v2/Users", json.dumps(user), scim)
            good, bad = (good + 1, bad) if status == 201 else (good, bad + 1)
            if status != 201:
                print(f"refused: {status} {answer}", file=sys.stderr)
        n += 1
    return good, bad


def rate(pool, kind: str, urls: list[str], app: dict, seconds: float, clients: int) -> str:
    start_at = time.time() + 1.0
    jobs = [
        (kind, urls[i % len(urls)], app, start_at, start_at + seconds, i) for i in range(clients)
    ]
    results = pool.map(load, jobs)
    good = sum(g for g, _ in results)
    bad = sum(b for _, b in results)
    figure = f"{good / seconds:,.0f}"
    return figure if bad == 0 else f"{figure} ({bad} refused)"


def propagation(a: dict, b: dict, samples: int) -> list[float]:
    """Seconds from a revocation's answer on replica `a` to `b`'s first refusal."""
    app = a["apps"]["org_client_credentials"]
    on_a, on_b = Client(a["url"]), Client(b["url"])
    accounts = f"/Organizations/{a['organization_sid']}/Accounts"
    took = []
    for _ in range(samples):
        token = on_a.token(app)
        bearer = {"Authorization": f"Bearer {token}"}
        status, body = on_b.request("GET", accounts, headers=bearer)
        assert status == 200, body
        revoke = urllib.parse.urlencode(
            {"token": token, "client_id": app["client_id"], "client_secret": app["client_secret"]}
        )
        status, body = on_a.request("POST", "/v2/revoke", revoke, FORM)
        assert status == 200, body
        revoked = time.monotonic()
        while True:
            status, body = on_b.request("GET", accounts, headers=bearer)
            if status != 200:
                break
            if time.monotonic() - revoked > 5:
                sys.exit("replica B still accepted a revoked token after 5 s")
        took.append(time.monotonic() - revoked)
        assert status == 401 and json.loads(body)["error"] == "token_revoked", body
    return took


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    samples = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    work = tempfile.mkdtemp()
    # Directly under /tmp: as root the cluster runs as the postgres user.
    cluster = tempfile.mkdtemp(prefix="iamkit-bench-postgres-", dir="/tmp")
    server = postgres("start", cluster)
    processes = []
    rows = []
    try:
        setups = [
            ("memory", 1, []),
            ("SQLite (`--db FILE`)", 1, ["--db", os.path.join(work, "iamkit.db")]),
            ("PostgreSQL", 1, ["--db", database(server, "bench_one")]),
            ("PostgreSQL", 2, ["--db", database(server, "bench_two")]),
        ]
        with multiprocessing.get_context("fork").Pool(clients) as pool:
            for label, count, flags in setups:
                started = [serve(work, f"{len(processes) + i}", *flags) for i in range(count)]
                processes += [process for process, _ in started]
                boots = [boot for _, boot in started]
                app = boots[0]["apps"]["org_client_credentials"]
                urls = [boot["url"] for boot in boots]
                tokens = rate(pool, "tokens", urls, app, seconds, clients)
                creates = rate(pool, "creates", urls, app, seconds, clients)
                rows.append((label, count, tokens, creates))
                print(f"{label}, {count} replica(s): {tokens} tokens/s, {creates} creates/s")
        a, b = boots
        b["organization_sid"] = a["organization_sid"]
        took = sorted(propagation(a, b, samples))
    finally:
        for process in processes:
            process.terminate()
            process.wait()
        postgres("stop", cluster)
        shutil.rmtree(cluster, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)

    def ms(q: float) -> str:
        return f"{took[min(len(took) - 1, int(q * len(took)))] * 1000:.1f}"

    print()
    print(f"{clients} client processes, {seconds:g} s per figure, release build, loopback")
    print()
    print("| store | replicas | tokens/s (client_credentials) | SCIM creates/s |")
    print("| --- | ---: | ---: | ---: |")
    for label, count, tokens, creates in rows:
        print(f"| {label} | {count} | {tokens} | {creates} |")
    print()
    print("| revocation on replica A refused by replica B | samples | p50 ms | p99 ms | max ms |")
    print("| --- | ---: | ---: | ---: | ---: |")
    mean = statistics.mean(took) * 1000
    print(
        f"| RFC 7009 revoke, B polled back to back (mean {mean:.1f} ms) | {len(took)} "
        f"| {ms(0.5)} | {ms(0.99)} | {took[-1] * 1000:.1f} |"
    )


if __name__ == "__main__":
    main()
