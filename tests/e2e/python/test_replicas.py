"""Two or three `iamkit serve` replicas on one PostgreSQL database.

A token from one replica is accepted by the others; an app deleted on one is refused
by the others within the staleness bound; a userName and an authorization code stay
unique across replicas under concurrent requests; a replica killed with SIGKILL
under SCIM creates loses nothing it acknowledged; and writes while the database
restarts answer 503 `storage_error` with Retry-After, every replica recovering
after it. Each test has a database of its own on IAMKIT_TEST_POSTGRES.
"""

import base64
import functools
import json
import os
import random
import threading
import time
import urllib.parse

import psycopg
import pytest
import requests
from replicas import (
    PROPAGATION,
    TIMEOUT,
    TIMINGS,
    Replicas,
    caught_up,
    create_user,
    fresh_database,
    own_postgres,
    poll,
    postgres,
    postgres_server,
    scim,
    serves,
    together,
    user_ids,
)

SCIM_PERMISSIONS = [
    f"managed-users/{action}" for action in ("list", "read", "create", "update", "delete")
]


@pytest.fixture
def replicas(tmp_path):
    """Replicas on a fresh database, all stopped (and the database dropped) after it."""
    with fresh_database(postgres_server()) as database:
        started = Replicas(tmp_path, database)
        try:
            yield started
        finally:
            started.stop()


def accounts(node, organization, token):
    """The organization's accounts on `node` with `token`: an endpoint whose errors
    carry the OAuth `error` code."""
    return requests.get(
        f"{node.url}/Organizations/{organization}/Accounts",
        headers={"Authorization": f"Bearer {token}"},
        timeout=TIMEOUT,
    )


def claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def test_a_token_from_one_replica_is_accepted_by_every_other(replicas):
    nodes = replicas.start_many(3)
    for issuer in nodes:
        token = replicas.token(issuer)
        assert claims(token)["iss"] == "http://iam.replicas.test"
        session = scim(token)
        for node in nodes:
            listed = session.get(f"{node.url}/scim/v2/Users", timeout=TIMEOUT)
            assert listed.status_code == 200, (issuer.url, node.url, listed.text)
    forged = scim("a.forged.token").get(f"{nodes[1].url}/scim/v2/Users", timeout=TIMEOUT)
    assert forged.status_code == 401


def test_replicas_over_tls_checking_the_servers_certificate_share_tokens(tmp_path):
    ca = os.environ.get("IAMKIT_TEST_POSTGRES_CA")
    assert ca, "IAMKIT_TEST_POSTGRES_CA must name the test server's root (DIR/ca.crt)"
    with fresh_database(postgres_server()) as database:
        # The server's certificate names localhost; verify-full checks it and the root.
        url = urllib.parse.urlsplit(database)
        tls = url._replace(
            netloc=url.netloc.replace("127.0.0.1", "localhost"),
            query=urllib.parse.urlencode({"sslmode": "verify-full", "sslrootcert": ca}),
        ).geturl()
        started = Replicas(tmp_path, tls)
        try:
            nodes = started.start_many(2)
            token = started.token(nodes[0])
            listed = scim(token).get(f"{nodes[1].url}/scim/v2/Users", timeout=TIMEOUT)
            assert listed.status_code == 200, listed.text
            with psycopg.connect(postgres_server()) as db:
                connections = db.execute(
                    "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid)"
                    " WHERE a.datname = %s AND a.application_name = 'iamkit'",
                    (url.path.lstrip("/"),),
                ).fetchall()
            # Each replica's writer and follower.
            assert connections == [(True,)] * 4
        finally:
            started.stop()


def test_an_app_deleted_on_one_replica_is_refused_by_the_others_within_the_bound(
    replicas, record_property
):
    a, b, c = replicas.start_many(3)
    organization = replicas.demo["organization_sid"]
    app = a.admin_post(
        "/apps",
        {
            "owner_sid": organization,
            "grant_type": "client_credentials",
            "name": "Deleted",
            "scopes": SCIM_PERMISSIONS,
        },
    )
    token = a.access_token(app)
    for node in (b, c):
        known, _ = poll(
            lambda n=node: accounts(n, organization, token).status_code == 200, PROPAGATION
        )
        assert known, f"{node.url} never accepted the new app's token"
    deleted = a.admin.delete(f"{a.url}/admin/v1/apps/{app['client_id']}", timeout=TIMEOUT)
    assert deleted.status_code == 204
    began = time.monotonic()
    refused = accounts(a, organization, token)
    assert (refused.status_code, refused.json()["error"]) == (401, "app_deleted")
    took = {}
    while len(took) < 2 and time.monotonic() - began < PROPAGATION:
        for node in (b, c):
            if node.url not in took and accounts(node, organization, token).status_code != 200:
                took[node.url] = time.monotonic() - began
        time.sleep(0.005)
    for node in (b, c):
        refused = accounts(node, organization, token)
        assert (refused.status_code, refused.json()["error"]) == (401, "app_deleted"), node.url
        assert node.url in took
    slowest = max(took.values())
    record_property("deletion_propagation_seconds", round(slowest, 3))
    TIMINGS["an app's deletion reached the other replicas after (s)"] = round(slowest, 3)


def test_parallel_creates_of_one_user_name_on_every_replica_make_one_user(replicas):
    nodes = replicas.start_many(3)
    tokens = [replicas.token(node) for node in nodes]
    name = "contested@replicas.example"
    answers = together(
        [lambda i=i: create_user(scim(tokens[i % 3]), nodes[i % 3], name) for i in range(50)]
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] + [409] * 49, statuses
    conflicts = {a.json()["scimType"] for a in answers if a.status_code == 409}
    assert conflicts == {"uniqueness"}
    (winner,) = [a.json()["id"] for a in answers if a.status_code == 201]
    for node, token in zip(nodes, tokens):

        def found(node=node, token=token):
            listed = scim(token).get(
                f"{node.url}/scim/v2/Users",
                params={"filter": f'userName eq "{name}"'},
                timeout=TIMEOUT,
            )
            assert listed.status_code == 200
            return [u["id"] for u in listed.json()["Resources"]]

        ids, _ = poll(found, PROPAGATION)
        assert ids == [winner], node.url


def test_one_code_redeemed_on_two_replicas_at_once_gives_one_token(replicas):
    a, b = replicas.start_many(2)
    app = replicas.demo["apps"]["org_authorization_code"]
    approval = {
        "client_id": app["client_id"],
        "redirect_uri": app["redirect_uri"],
        "user_sid": replicas.demo["users"][0]["sid"],
    }
    redemption = {"grant_type": "authorization_code", "redirect_uri": app["redirect_uri"]}
    auth = (app["client_id"], app["client_secret"])

    def redeem(node, code):
        fields = {**redemption, "code": code}
        return requests.post(f"{node.url}/v2/token", data=fields, auth=auth, timeout=TIMEOUT)

    sessions = {a.url: scim(replicas.token(a)), b.url: scim(replicas.token(b))}
    for round_ in range(10):
        issuer, other = (a, b) if round_ % 2 == 0 else (b, a)
        approved = issuer.admin.post(
            f"{issuer.url}/admin/v1/authorizations", json=approval, timeout=TIMEOUT
        )
        assert approved.status_code == 201, approved.text
        code = approved.json()["code"]
        # The other replica has the code before the race begins.
        caught_up(sessions[issuer.url], issuer, [other])
        answers = together([lambda n=n, c=code: redeem(n, c) for n in (a, b)])
        statuses = sorted(r.status_code for r in answers)
        assert statuses == [200, 400], (round_, statuses)
        (issued,) = [r.json() for r in answers if r.status_code == 200]
        assert issued["access_token"]
        (refused,) = [r.json() for r in answers if r.status_code == 400]
        assert refused["error"] == "invalid_grant", refused


CYCLES = 20
WRITERS = 3


def create_users(node, token, prefix, acknowledged, stop):
    session = scim(token)
    n = 0
    while not stop.is_set():
        try:
            response = create_user(session, node, f"{prefix}-{n}@crash.example")
        except requests.RequestException:
            return
        n += 1
        if response.status_code == 201:
            acknowledged.append(response.json()["id"])


def test_a_replica_killed_under_scim_creates_loses_nothing_it_acknowledged(replicas):
    survivor = replicas.start()
    rng = random.Random(11)
    acknowledged = []
    for cycle in range(CYCLES + 1):
        victim = replicas.start()
        missing = set(acknowledged) - user_ids(victim)
        assert not missing, f"cycle {cycle}: a restarted replica lacks {len(missing)} users"
        if cycle == CYCLES:
            break
        token = replicas.token(victim)
        stop = threading.Event()
        writers = [
            threading.Thread(
                target=create_users,
                args=(victim, token, f"c{cycle}w{w}", acknowledged, stop),
            )
            for w in range(WRITERS)
        ]
        for writer in writers:
            writer.start()
        time.sleep(rng.uniform(0.1, 0.4))
        replicas.kill(victim)
        stop.set()
        for writer in writers:
            writer.join(timeout=10)
        settled, _ = poll(lambda: not set(acknowledged) - user_ids(survivor), PROPAGATION)
        assert settled, f"cycle {cycle}: the surviving replica lacks acknowledged users"
    assert len(acknowledged) > CYCLES, "the load wrote users"


OUTAGE = 2.0
RECOVERY = 15.0


def test_writes_during_a_database_restart_answer_503_and_every_replica_recovers(tmp_path):
    with own_postgres() as (directory, server), fresh_database(server) as database:
        replicas = Replicas(tmp_path, database)
        try:
            nodes = replicas.start_many(2)
            outage_writes(replicas, nodes, directory)
        finally:
            replicas.stop()


def outage_writes(replicas, nodes, directory):
    tokens = {node.url: replicas.token(node) for node in nodes}
    answers = []  # (sent, answered, node, kind, response)
    stop = threading.Event()

    def write(node, kind, w):
        session = scim(tokens[node.url])
        n = 0
        while not stop.is_set():
            sent = time.monotonic()
            try:
                if kind == "scim":
                    response = create_user(session, node, f"w{w}-{n}@outage.example")
                else:
                    response = node.admin.post(
                        f"{node.url}/admin/v1/organizations",
                        json={"name": f"Outage {w}-{n}"},
                        timeout=TIMEOUT,
                    )
            except requests.RequestException as e:
                response = e
            n += 1
            answers.append((sent, time.monotonic(), node, kind, response))
            time.sleep(0.01)

    writers = [
        threading.Thread(target=write, args=(node, kind, f"{i}{kind}{j}"))
        for i, node in enumerate(nodes)
        for j, kind in enumerate(("scim", "scim", "admin"))
    ]
    for writer in writers:
        writer.start()
    try:
        time.sleep(0.5)
        postgres("stop", directory)
        down = time.monotonic()
        time.sleep(OUTAGE)
        up = time.monotonic()
        postgres("start", directory)
        began = time.monotonic()
        for node in nodes:
            recovered, _ = poll(
                lambda n=node: (
                    create_user(
                        scim(tokens[n.url]), n, f"after-{time.monotonic_ns()}@outage.example"
                    ).status_code
                    == 201
                ),
                RECOVERY,
            )
            assert recovered, f"{node.url} did not accept writes again"
            listed = scim(tokens[node.url]).get(f"{node.url}/scim/v2/Users", timeout=TIMEOUT)
            assert listed.status_code == 200, listed.text
        TIMINGS["every replica wrote again after the database restart (s)"] = round(
            time.monotonic() - began, 3
        )
    finally:
        stop.set()
        for writer in writers:
            writer.join(timeout=30)

    failed = [a for a in answers if not isinstance(a[4], requests.Response)]
    assert not failed, failed[:3]
    statuses = {(kind, response.status_code) for _, _, _, kind, response in answers}
    assert statuses <= {("scim", 201), ("scim", 503), ("admin", 201), ("admin", 503)}, statuses
    unavailable = [a for a in answers if a[4].status_code == 503]
    for _, _, _, kind, response in unavailable:
        assert response.headers.get("Retry-After", "").isdigit(), response.headers
        body = response.json()
        if kind == "scim":
            assert (body["status"], body["code"]) == ("503", 20503), body
        else:
            assert (body["error"], body["code"]) == ("storage_error", 20503), body
    during = [a for a in answers if a[0] >= down and a[1] <= up]
    assert during, "no write was answered while the database was down"
    assert {a[4].status_code for a in during} == {503}
    # Nothing acknowledged was lost, and a write on one replica reaches the other.
    acknowledged = {
        response.json()["id"]
        for _, _, _, kind, response in answers
        if kind == "scim" and response.status_code == 201
    }
    for node in nodes:
        settled, _ = poll(lambda n=node: not acknowledged - user_ids(n), PROPAGATION)
        assert settled, f"{node.url} lacks acknowledged users"
    for writer, reader in (nodes, nodes[::-1]):
        created = create_user(
            scim(tokens[writer.url]), writer, f"x-{writer.url[-5:]}@outage.example"
        )
        assert created.status_code == 201, created.text
        check = functools.partial(serves, scim(tokens[reader.url]), reader, created.json()["id"])
        seen, _ = poll(check, PROPAGATION)
        assert seen, f"{reader.url} does not serve a user created on {writer.url}"
