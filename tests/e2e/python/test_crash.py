"""`iamkit serve --db` killed with SIGKILL under a write load keeps every write it
acknowledged, and its database file stays sound.

Each of 20 cycles starts the emulator on the same file, runs SCIM creates from three
clients and secret rotations from a fourth, kills the process at a random moment,
then checks the file with `PRAGMA integrity_check` and, after the next start, that
every user answered with 201 is there and every rotation answered with 200 is
recorded (the last acknowledged secret works unless a later rotation, cut off by
the kill before its answer, replaced it).
"""

import random
import signal
import sqlite3
import threading
import time

import requests
from conftest import start

CYCLES = 20
WRITERS = 3


def create_users(emulator, token, prefix, acknowledged, stop):
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    n = 0
    while not stop.is_set():
        name = f"{prefix}-{n}@crash.example"
        n += 1
        try:
            response = session.post(
                f"{emulator.url}/scim/v2/Users",
                json={"userName": name, "emails": [{"value": name, "primary": True}]},
                timeout=5,
            )
        except requests.RequestException:
            return
        if response.status_code == 201:
            acknowledged.append(response.json()["id"])


def rotate_secrets(emulator, client_id, secrets, stop):
    while not stop.is_set():
        try:
            response = emulator.admin.post(
                f"{emulator.url}/admin/v1/apps/{client_id}/rotate", json={}, timeout=5
            )
        except requests.RequestException:
            return
        if response.status_code == 200:
            secrets.append(response.json()["client_secret"])


def rotation_count(emulator, client_id):
    response = emulator.admin.get(
        f"{emulator.url}/admin/v1/audit-events",
        params={"event_type": "oauth-apps.secret-rotated", "subject": client_id},
        timeout=10,
    )
    response.raise_for_status()
    return len(response.json()["events"])


def token_status(emulator, client_id, secret):
    return requests.post(
        f"{emulator.url}/v2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": secret,
        },
        timeout=10,
    ).status_code


def integrity(path):
    db = sqlite3.connect(path)
    try:
        return db.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        db.close()


def user_ids(emulator):
    state = emulator.admin.get(f"{emulator.url}/admin/v1/state", timeout=30)
    state.raise_for_status()
    tables = state.json()["state"]["users"].values()
    return {user["id"] for table in tables for user in table}


def test_acknowledged_writes_survive_sigkill(tmp_path):
    db = tmp_path / "iamkit.db"
    admin = ["--db", str(db), "--admin-token", "crash-test-admin-token"]
    rng = random.Random(7)
    acknowledged = []
    secrets = []
    scim_app = rotated_app = None
    seen = (0, 0)  # rotations recorded and acknowledged at the last start
    for cycle in range(CYCLES + 1):
        run = tmp_path / f"run{cycle}"
        run.mkdir()
        process, emulator = start(run, *admin)
        try:
            if cycle == 0:
                scim_app = emulator.boot["apps"]["org_client_credentials"]
                rotated_app = emulator.boot["apps"]["account_client_credentials"]
                secrets.append(rotated_app["client_secret"])
            else:
                assert emulator.boot["apps"] is None, "the demo is seeded once"
            # Everything acknowledged before the last kill is there.
            missing = set(acknowledged) - user_ids(emulator)
            assert not missing, f"cycle {cycle}: lost {len(missing)} acknowledged users"
            # Every rotation acknowledged in the last cycle is there; at most one
            # more, cut off by the kill before its answer, may follow them.
            rotations = rotation_count(emulator, rotated_app["client_id"])
            acked = len(secrets) - 1
            gained, acked_gained = rotations - seen[0], acked - seen[1]
            assert gained in (acked_gained, acked_gained + 1), f"cycle {cycle}"
            last = token_status(emulator, rotated_app["client_id"], secrets[-1])
            if gained == acked_gained:
                assert last == 200, f"cycle {cycle}: the last acknowledged secret"
            seen = (rotations, acked)
            if cycle == CYCLES:
                break

            token = emulator.access_token(scim_app)
            stop = threading.Event()
            writers = [
                threading.Thread(
                    target=create_users,
                    args=(emulator, token, f"c{cycle}w{w}", acknowledged, stop),
                )
                for w in range(WRITERS)
            ]
            writers.append(
                threading.Thread(
                    target=rotate_secrets,
                    args=(emulator, rotated_app["client_id"], secrets, stop),
                )
            )
            for writer in writers:
                writer.start()
            time.sleep(rng.uniform(0.2, 0.8))
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        stop.set()
        for writer in writers:
            writer.join(timeout=10)
        assert integrity(db) == "ok", f"cycle {cycle}"
    assert len(acknowledged) > CYCLES, "the load wrote users"
    assert len(secrets) > CYCLES, "the load rotated secrets"
