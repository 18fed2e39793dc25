"""The token servers side by side: cold start to the first token, tokens per second
under wrk (client credentials, 64 connections, loopback), and resident memory idle
and under load, for `iamkit serve`, oauth2-mock-server and oidc-provider-mock.

Before loading a server, its token is checked: a JWT whose signature verifies
against the server's own JWKS, with the expected issuer and claims. A server that
does not pass exits non-zero. A server whose metadata does not list the
client-credentials grant is not loaded; the result says so.

Run by bench/run.sh with the bench virtual environment's Python:
``python bench/servers.py IAMKIT_BINARY OUT.json [seconds] [cold-start-trials]``
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

import jwt

BENCH = os.path.dirname(os.path.abspath(__file__))
CONNECTIONS = 64
SCOPE = "managed-users/list"


def fail(message: str) -> None:
    print(f"DISAGREE: {message}", file=sys.stderr)
    sys.exit(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, body: str | None = None, headers=None):
    """One HTTP request on a new connection: (status, headers, body bytes)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def client_credentials(port: int, path: str, client_id: str, secret: str):
    body = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    )
    return request(port, "POST", path, body, FORM)


def status_kib(pid: int, field_name: str) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field_name):
                return int(line.split()[1])
    return 0


@dataclass
class Server:
    """How to start one token server and get a token from it."""

    name: str
    version: str
    command: Callable[[int, str], list[str]]
    token_path: str
    metadata_path: str
    # (port, workdir) -> (client_id, secret) once the server can be asked; None: not yet
    credentials: Callable[[int, str], tuple[str, str] | None]
    # (claims, client_id) -> whether the token's claims are the expected ones
    expect: Callable[[dict, str], bool]
    # (port, client_id, secret) -> access token, or None while not up
    first_token: Callable[[int, str, str], str | None] = None  # type: ignore[assignment]
    notes: list[str] = field(default_factory=list)


def token_by_client_credentials(server: Server):
    def get(port: int, client_id: str, secret: str) -> str | None:
        status, _, body = client_credentials(port, server.token_path, client_id, secret)
        return json.loads(body)["access_token"] if status == 200 else None

    return get


def token_by_code(port: int, _client_id: str, _secret: str) -> str | None:
    """oidc-provider-mock's only way to a token: authorize as a subject, redeem the code."""
    redirect = "http://127.0.0.1/callback"
    query = urllib.parse.urlencode(
        {"client_id": "bench", "redirect_uri": redirect, "response_type": "code", "scope": "openid"}
    )
    status, headers, _ = request(port, "POST", f"/oauth2/authorize?{query}", "sub=alice", FORM)
    location = headers.get("Location") or headers.get("location") or ""
    code = urllib.parse.parse_qs(urllib.parse.urlparse(location).query).get("code")
    if status not in (302, 303) or not code:
        return None
    basic = base64.b64encode(b"bench:secret").decode()
    body = urllib.parse.urlencode(
        {"grant_type": "authorization_code", "code": code[0], "redirect_uri": redirect}
    )
    status, _, data = request(
        port, "POST", "/oauth2/token", body, {**FORM, "Authorization": f"Basic {basic}"}
    )
    # Its access token is opaque; the ID token beside it is the JWT to check.
    return json.loads(data)["id_token"] if status == 200 else None


def start(server: Server, port: int, workdir: str) -> subprocess.Popen:
    return subprocess.Popen(
        server.command(port, workdir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=BENCH,
    )


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_for_token(server: Server, port: int, workdir: str, timeout: float = 30.0):
    """Polls (bounded) until the server issues a token: (seconds, token, id, secret)."""
    start_time = time.perf_counter()
    deadline = start_time + timeout
    while time.perf_counter() < deadline:
        try:
            creds = server.credentials(port, workdir)
            if creds:
                token = server.first_token(port, *creds)
                if token:
                    return time.perf_counter() - start_time, token, *creds
        except (OSError, http.client.HTTPException, ValueError, KeyError):
            pass
        time.sleep(0.002)
    fail(f"{server.name} issued no token within {timeout:.0f} s")
    raise AssertionError  # unreachable


def cold_start(server: Server, trials: int) -> list[float]:
    """Milliseconds from starting the process to the first token, per trial."""
    times = []
    for _ in range(trials):
        with tempfile.TemporaryDirectory() as workdir:
            port = free_port()
            process = start(server, port, workdir)
            try:
                seconds, *_ = wait_for_token(server, port, workdir)
                times.append(seconds * 1e3)
            finally:
                stop(process)
    return times


def check_token(server: Server, port: int, token: str, client_id: str) -> dict:
    """The token verifies against the server's JWKS with its issuer; returns claims."""
    _, _, body = request(port, "GET", server.metadata_path)
    metadata = json.loads(body)
    jwks_path = urllib.parse.urlparse(metadata["jwks_uri"]).path
    _, _, body = request(port, "GET", jwks_path)
    header = jwt.get_unverified_header(token)
    keys = {k.get("kid"): k for k in json.loads(body)["keys"]}
    key = jwt.PyJWK(
        keys[header.get("kid")] if header.get("kid") in keys else next(iter(keys.values()))
    )
    claims = jwt.decode(
        token,
        key.key,
        algorithms=[header["alg"]],
        issuer=metadata["issuer"],
        options={"verify_aud": False},
    )
    if not server.expect(claims, client_id):
        fail(f"{server.name}: unexpected claims for {client_id}: {claims}")
    return {
        "alg": header["alg"],
        "claims": sorted(claims),
        "grants": metadata.get("grant_types_supported", []),
    }


def wrk(url: str, client_id: str, secret: str, seconds: int) -> dict:
    env = {**os.environ, "CLIENT_ID": client_id, "CLIENT_SECRET": secret}
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            os.path.join(BENCH, "token.lua"),
            url,
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    def grab(pattern: str) -> str:
        match = re.search(pattern, out, re.MULTILINE)
        if not match:
            fail(f"wrk output without {pattern!r}:\n{out}")
        return match.group(1)

    def ms(text: str) -> float:
        match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
        if not match:
            fail(f"wrk latency {text!r} unreadable:\n{out}")
        value, unit = match.groups()
        return float(value) * {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 6e4}[unit]

    return {
        "rps": float(grab(r"Requests/sec:\s+([\d.]+)")),
        "requests": int(grab(r"(\d+) requests in")),
        # Anchored: the thread-stats lines end in percentages such as "70.99%".
        "p50_ms": ms(grab(r"^\s+50%\s+(\S+)")),
        "p99_ms": ms(grab(r"^\s+99%\s+(\S+)")),
        "non_2xx": int(grab(r"non-2xx responses: (\d+)")),
        "socket_errors": int(grab(r"socket errors: (\d+)")),
    }


def load(server: Server, seconds: int) -> dict:
    """Checks the server's token, then loads it with wrk, sampling its memory."""
    with tempfile.TemporaryDirectory() as workdir:
        port = free_port()
        process = start(server, port, workdir)
        try:
            _, token, client_id, secret = wait_for_token(server, port, workdir)
            checked = check_token(server, port, token, client_id)
            wrong, _, _ = client_credentials(port, server.token_path, client_id, secret + "x")
            # Only meaningful where the grant exists: otherwise any request is refused.
            has_grant = "client_credentials" in checked["grants"]
            checked["checks_secret"] = wrong in (400, 401) if has_grant else None
            time.sleep(0.5)
            checked["idle_rss_kib"] = status_kib(process.pid, "VmRSS:")
            if not has_grant:
                checked["loaded"] = None
                return checked
            peak = [0]
            done = threading.Event()

            def sample() -> None:
                while not done.wait(0.2):
                    peak[0] = max(peak[0], status_kib(process.pid, "VmRSS:"))

            sampler = threading.Thread(target=sample)
            sampler.start()
            try:
                result = wrk(
                    f"http://127.0.0.1:{port}{server.token_path}", client_id, secret, seconds
                )
            finally:
                done.set()
                sampler.join()
            if result["non_2xx"] or result["requests"] == 0:
                fail(f"{server.name} under load: {result}")
            checked["loaded"] = result
            checked["loaded_rss_kib"] = peak[0]
            checked["hwm_kib"] = status_kib(process.pid, "VmHWM:")
            return checked
        finally:
            stop(process)


def iamkit_credentials(_port: int, workdir: str) -> tuple[str, str] | None:
    path = os.path.join(workdir, "boot.json")
    if not os.path.exists(path) or not os.path.getsize(path):
        return None
    with open(path) as f:
        app = json.load(f)["apps"]["org_client_credentials"]
    return app["client_id"], app["client_secret"]


def es256_jwk(workdir: str) -> str:
    """An ES256 private JWK file for oauth2-mock-server (`--jwk`)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    key = json.loads(jwt.algorithms.ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP256R1())))
    path = os.path.join(workdir, "es256.json")
    with open(path, "w") as f:
        json.dump({**key, "alg": "ES256", "kid": "bench-es256"}, f)
    return path


def package_version(path: str) -> str:
    with open(os.path.join(BENCH, path)) as f:
        return json.load(f)["version"]


def mock_expect(claims: dict, _client_id: str) -> bool:
    """oauth2-mock-server puts no subject in client-credentials tokens."""
    return "exp" in claims and "iat" in claims


def servers(iamkit_binary: str) -> list[Server]:
    mock = os.path.join("node_modules", "oauth2-mock-server")
    mock_cli = ["node", os.path.join(mock, "dist", "oauth2-mock-server.mjs"), "-a", "127.0.0.1"]
    version = subprocess.run(
        [iamkit_binary, "--version"], capture_output=True, text=True
    ).stdout.strip()
    from importlib.metadata import version as py_version

    any_client = lambda _p, _w: ("bench", "secret")  # noqa: E731
    listed = [
        Server(
            "iamkit serve",
            version or "iamkit",
            lambda port, w: [
                iamkit_binary,
                "serve",
                "--port",
                str(port),
                "--bootstrap",
                os.path.join(w, "boot.json"),
            ],
            "/v2/token",
            "/.well-known/oauth-authorization-server",
            iamkit_credentials,
            lambda claims, client_id: claims.get("sub") == client_id,
            notes=["ES256"],
        ),
        Server(
            "oauth2-mock-server",
            package_version(os.path.join(mock, "package.json")),
            lambda port, w: [*mock_cli, "-p", str(port)],
            "/token",
            "/.well-known/openid-configuration",
            any_client,
            mock_expect,
            notes=["RS256 (its default)"],
        ),
        Server(
            "oauth2-mock-server",
            package_version(os.path.join(mock, "package.json")),
            lambda port, w: [*mock_cli, "-p", str(port), "--jwk", es256_jwk(w)],
            "/token",
            "/.well-known/openid-configuration",
            any_client,
            mock_expect,
            notes=["ES256 (`--jwk`)"],
        ),
        Server(
            "oidc-provider-mock",
            py_version("oidc-provider-mock"),
            lambda port, w: [sys.executable, "-m", "oidc_provider_mock", "-p", str(port)],
            "/oauth2/token",
            "/.well-known/openid-configuration",
            any_client,
            lambda claims, _: claims.get("sub") == "alice",
            notes=["authorization code (its only grant besides refresh)"],
        ),
    ]
    for server in listed:
        if server.first_token is None:
            server.first_token = (
                token_by_code
                if server.name == "oidc-provider-mock"
                else token_by_client_credentials(server)
            )
    return listed


def main() -> None:
    iamkit_binary, out = sys.argv[1], sys.argv[2]
    seconds = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    trials = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    results = []
    for server in servers(iamkit_binary):
        print(
            f"== {server.name} {server.notes[0]}: cold start x{trials}, then {seconds} s of wrk",
            flush=True,
        )
        cold = cold_start(server, trials)
        loaded = load(server, seconds)
        results.append(
            {
                "name": server.name,
                "version": server.version,
                "notes": server.notes,
                "cold_start_ms": cold,
                "cold_start_median_ms": statistics.median(cold),
                **loaded,
            }
        )
        print(json.dumps(results[-1]), flush=True)
    with open(out, "w") as f:
        json.dump(
            {"connections": CONNECTIONS, "seconds": seconds, "servers": results, "agree": True},
            f,
            indent=1,
        )


if __name__ == "__main__":
    main()
