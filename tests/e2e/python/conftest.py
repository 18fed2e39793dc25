"""Starts the real `iamkit serve` binary on a loopback port for the end-to-end tests.

The binary comes from IAMKIT_BIN, or target/debug/iamkit (built by scripts/test.sh).
"""

import json
import os
import pathlib
import subprocess
import time

import pytest
import requests

# The emulator listens on plain HTTP on loopback; oauthlib refuses that unless told.
os.environ.setdefault("OAUTHLIB_INSECURE_TRANSPORT", "1")

# Every emulator starts on a frozen clock, so tests reach boundaries exactly.
START = "2030-01-01T00:00:00Z"

ROOT = pathlib.Path(__file__).resolve().parents[3]


class Emulator:
    """A running emulator: its bootstrap document and helpers for the admin API."""

    def __init__(self, bootstrap, log_file):
        self.boot = bootstrap
        self.log_file = log_file
        self.url = bootstrap["url"]
        self.admin = requests.Session()
        self.admin.headers["Authorization"] = f"Bearer {bootstrap['admin_token']}"

    def admin_post(self, path, body):
        response = self.admin.post(f"{self.url}/admin/v1{path}", json=body, timeout=10)
        response.raise_for_status()
        return response.json()

    def advance(self, seconds):
        return self.admin_post("/clock", {"advance_seconds": seconds})

    def access_token(self, app):
        """An access token of the client-credentials `app` (its `client_id` and
        `client_secret`) from the Token API."""
        response = requests.post(
            f"{self.url}/v2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": app["client_id"],
                "client_secret": app["client_secret"],
            },
            timeout=10,
        )
        response.raise_for_status()
        return response.json()["access_token"]


def start(tmp_path, *args):
    binary = os.environ.get("IAMKIT_BIN", str(ROOT / "target" / "debug" / "iamkit"))
    boot_file = tmp_path / "bootstrap.json"
    log_file = tmp_path / "iamkit.log"
    command = [binary, "serve", "--port", "0", "--frozen-at", START, "--bootstrap", str(boot_file)]
    with open(log_file, "wb") as log:
        process = subprocess.Popen([*command, *args], stdout=subprocess.DEVNULL, stderr=log)
    deadline = time.monotonic() + 20
    while not boot_file.exists() or not boot_file.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise RuntimeError(f"iamkit serve did not start: {log_file.read_text()}")
        time.sleep(0.02)
    return process, Emulator(json.loads(boot_file.read_text()), log_file)


@pytest.fixture
def emulator(tmp_path):
    """A fresh emulator with the demo organization, stopped after the test."""
    process, emulator = start(tmp_path)
    try:
        yield emulator
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def rfc_emulator(tmp_path):
    """An emulator answering the Token API in strict RFC 6749 shape."""
    process, emulator = start(tmp_path, "--response-style", "rfc")
    try:
        yield emulator
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def rfc7643_emulator(tmp_path):
    """An emulator in strict RFC shapes holding SCIM users to RFC 7643's rules only."""
    process, emulator = start(tmp_path, "--response-style", "rfc", "--scim-rules", "rfc7643")
    try:
        yield emulator
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def logging_emulator(tmp_path):
    """An emulator started with --log, its request log in emulator.log_file."""
    process, emulator = start(tmp_path, "--log")
    try:
        yield emulator
    finally:
        process.terminate()
        process.wait(timeout=10)


def pytest_terminal_summary(terminalreporter):
    """Lists what the replica tests measured (replicas.TIMINGS), the spec mismatches
    the contract test leaves out (twilio_contract.PENDING) and the vector steps that
    HTTP shows only in part (vectors_http.GAPS)."""
    import replicas
    import twilio_contract
    import vectors_http

    if replicas.TIMINGS:
        terminalreporter.section("replicas on one PostgreSQL database: timings")
        for what, seconds in replicas.TIMINGS.items():
            terminalreporter.write_line(f"  {what}: {seconds}")

    pending = sorted(twilio_contract.CONTRACT.pending_used)
    if pending:
        terminalreporter.section("Twilio contract: mismatches left out (pending)")
        for name in pending:
            terminalreporter.write_line(f"  {name}")
    if not vectors_http.GAPS:
        return
    terminalreporter.section("vector steps checked in part over HTTP")
    for reason, where in sorted(vectors_http.GAPS.items()):
        terminalreporter.write_line(f"{len(where):4d} × {reason}")
        for item in where[:3]:
            terminalreporter.write_line(f"       e.g. {item}")
