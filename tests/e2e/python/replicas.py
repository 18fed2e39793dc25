"""Several `iamkit serve` replicas on one PostgreSQL database, for test_replicas.py.

IAMKIT_TEST_POSTGRES names the PostgreSQL server (`bash scripts/postgres.sh start DIR`
prints such a URL; scripts/test.sh starts one and exports it). Each test gets a
database of its own there, dropped after it.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.parse
import uuid

import psycopg
import pytest
import requests
from conftest import ROOT, start

TIMEOUT = 10
# The replicas share the admin token and the issuer, so that tokens and admin calls
# work on every one of them.
ADMIN_TOKEN = "replica-test-admin-token"
ISSUER = "http://iam.replicas.test"
# How long a write on one replica may take to reach the others: the staleness bound
# (1 s), with room for a loaded machine.
PROPAGATION = 2.0
# What the tests measured, printed at the end of the run (conftest.py).
TIMINGS = {}


def postgres_server():
    """The URL of the PostgreSQL server the tests create their databases in."""
    url = os.environ.get("IAMKIT_TEST_POSTGRES")
    if not url:
        pytest.fail(
            "IAMKIT_TEST_POSTGRES is unset: start a PostgreSQL server with "
            "`bash scripts/postgres.sh start DIR` and export the URL it prints as "
            "IAMKIT_TEST_POSTGRES",
            pytrace=False,
        )
    return url


@contextlib.contextmanager
def fresh_database(server):
    """A new, empty database on `server`; its URL. Dropped afterwards."""
    name = f"iamkit_test_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(server, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urllib.parse.urlsplit(server)._replace(path=f"/{name}").geturl()
    finally:
        # Not when the server is down: a test that stops its own failed with it.
        with contextlib.suppress(psycopg.OperationalError):
            with psycopg.connect(server, autocommit=True) as db:
                db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def own_postgres():
    """A PostgreSQL cluster of the caller's own (scripts/postgres.sh), for a test that
    stops and starts it; yields its directory and URL. Removed afterwards."""
    # Directly under /tmp: as root the cluster runs as the postgres user, whom
    # pytest's owner-only temporary directories shut out.
    directory = tempfile.mkdtemp(prefix="iamkit-replicas-postgres-", dir="/tmp")
    try:
        yield directory, postgres("start", directory)
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            postgres("stop", directory)
        shutil.rmtree(directory)


def postgres(action, directory):
    """Runs `scripts/postgres.sh ACTION DIRECTORY`; what it printed."""
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "postgres.sh"), action, directory],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if done.returncode != 0:
        raise subprocess.CalledProcessError(done.returncode, done.args, done.stdout, done.stderr)
    return done.stdout.strip()


class Replicas:
    """The replicas started on one database; `demo` is the first one's bootstrap
    document, the only one with the demo organization's credentials."""

    def __init__(self, tmp_path, database):
        self.tmp_path = tmp_path
        self.database = database
        self.processes = []
        self.demo = None

    def start(self):
        """Starts one more replica; the first seeds the demo organization."""
        directory = self.tmp_path / f"replica{len(self.processes)}"
        directory.mkdir()
        process, emulator = start(
            directory, "--db", self.database, "--issuer", ISSUER, "--admin-token", ADMIN_TOKEN
        )
        self.processes.append(process)
        emulator.process = process
        if self.demo is None:
            assert emulator.boot["apps"] is not None, "the first replica seeds the demo"
            self.demo = emulator.boot
        return emulator

    def start_many(self, count):
        """`count` replicas: the first alone (it seeds the demo), then the others."""
        return [self.start() for _ in range(count)]

    def kill(self, emulator):
        emulator.process.send_signal(signal.SIGKILL)
        emulator.process.wait(timeout=10)

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def token(self, emulator, app="org_client_credentials"):
        """A client-credentials access token of a demo app, issued by `emulator`."""
        return emulator.access_token(self.demo["apps"][app])


def scim(token):
    """A session sending `token` as its bearer token."""
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def new_user(name):
    return {"userName": name, "emails": [{"value": name, "primary": True}]}


def create_user(session, emulator, name):
    return session.post(f"{emulator.url}/scim/v2/Users", json=new_user(name), timeout=TIMEOUT)


def poll(check, seconds):
    """Calls `check` until it returns something true or `seconds` have passed; its
    last answer and the seconds it took."""
    began = time.monotonic()
    while True:
        answer = check()
        took = time.monotonic() - began
        if answer or took > seconds:
            return answer, took
        time.sleep(0.01)


def caught_up(session, writer, readers):
    """Creates a user on `writer` and waits until every reader serves it, so that the
    readers have applied everything `writer` wrote before it."""
    created = create_user(session, writer, f"mark-{uuid.uuid4().hex[:12]}@replicas.example")
    assert created.status_code == 201, created.text
    for reader in readers:
        followed, _ = poll(functools.partial(serves, session, reader, created.json()["id"]), 5)
        assert followed, f"{reader.url} did not follow {writer.url}"


def serves(session, node, user_id):
    """Whether `node` answers 200 to a GET of the user."""
    return session.get(f"{node.url}/scim/v2/Users/{user_id}", timeout=TIMEOUT).status_code == 200


def user_ids(emulator):
    """The ids of every SCIM user that `emulator` holds (its state export)."""
    state = emulator.admin.get(f"{emulator.url}/admin/v1/state", timeout=30)
    state.raise_for_status()
    return {user["id"] for table in state.json()["state"]["users"].values() for user in table}


def together(calls):
    """Runs the callables at the same moment, one thread each; their results (the
    first exception one raised, raised again)."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i):
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as e:  # raised again below, in the test's thread
            results[i] = e

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results
