"""The hostile suite against the real binary: one test per way an adversary was
found to misuse `iamkit serve`, each asserting the exact refusal."""

import base64
import json
import os
import socket
import stat
import subprocess
import time

import consent
import pytest
import requests
from conftest import ROOT, start

TIMEOUT = 10
SCIM_PERMISSIONS = [
    f"managed-users/{action}" for action in ("list", "read", "create", "update", "delete")
]
# The order of P-256 (FIPS 186-4, D.1.2.3).
P256_N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


@pytest.fixture
def emulator_with(tmp_path):
    """Starts an emulator with extra flags; every one started is stopped."""
    started = []

    def launch(*flags):
        directory = tmp_path / str(len(started))
        directory.mkdir()
        process, emulator = start(directory, *flags)
        started.append(process)
        return emulator

    yield launch
    for process in started:
        process.terminate()
        process.wait(timeout=10)


def org_app(emulator, organization, scopes):
    return emulator.admin_post(
        "/apps",
        {
            "owner_sid": organization,
            "grant_type": "client_credentials",
            "name": "Hostile",
            "scopes": scopes,
        },
    )


def approve_by_admin(emulator, scope=None):
    app = emulator.boot["apps"]["org_authorization_code"]
    body = {
        "client_id": app["client_id"],
        "redirect_uri": app["redirect_uri"],
        "user_sid": emulator.boot["users"][0]["sid"],
    }
    if scope:
        body["scope"] = scope
    return emulator.admin.post(
        f"{emulator.url}/admin/v1/authorizations", json=body, timeout=TIMEOUT
    )


def token(emulator, fields, auth=None):
    return requests.post(f"{emulator.url}/v2/token", data=fields, auth=auth, timeout=TIMEOUT)


def test_consent_from_another_site_or_without_the_pages_ticket_is_refused(emulator):
    app = emulator.boot["apps"]["org_authorization_code"]
    fields = {
        "client_id": app["client_id"],
        "response_type": "code",
        "redirect_uri": app["redirect_uri"],
    }
    owner = emulator.boot["users"][0]["sid"]
    page = requests.get(f"{emulator.url}/v2/authorize", params=fields, timeout=TIMEOUT)
    assert page.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    ticket = consent.ticket_of(page.text)
    form = {**fields, "user_sid": owner, "decision": "approve"}
    attempts = [
        ({**form, "ticket": ticket}, {"Origin": "https://evil.example"}, "cross_site_request"),
        ({**form, "ticket": ticket}, {"Sec-Fetch-Site": "cross-site"}, "cross_site_request"),
        (form, {}, "forged_consent"),
    ]
    for data, headers, code in attempts:
        refused = requests.post(
            f"{emulator.url}/v2/authorize",
            data=data,
            headers=headers,
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert refused.status_code == 403, refused.text
        assert f'<p id="error">{code}</p>' in refused.text
    emulator.advance(600)
    late = requests.post(
        f"{emulator.url}/v2/authorize",
        data={**form, "ticket": ticket},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    assert late.status_code == 403 and '<p id="error">consent_expired</p>' in late.text


def test_unredeemed_codes_are_capped_and_dropped_when_they_expire(emulator):
    for _ in range(1_000):
        assert approve_by_admin(emulator).status_code == 201
    refused = approve_by_admin(emulator)
    assert refused.status_code == 503
    assert (refused.json()["error"], refused.json()["code"]) == ("temporarily_unavailable", 20503)
    emulator.advance(300)
    assert approve_by_admin(emulator).status_code == 201
    state = emulator.admin.get(f"{emulator.url}/admin/v1/state", timeout=TIMEOUT).json()
    assert (len(state["state"]["grants"]), len(state["state"]["codes"])) == (1, 1)


def test_refused_token_requests_cannot_wipe_the_audit_log(emulator):
    app = emulator.boot["apps"]["org_client_credentials"]
    for i in range(200):
        sent = "admin" if i == 0 else f"OQ{i:032x}"
        refused = token(
            emulator,
            {"grant_type": "client_credentials", "client_id": sent, "client_secret": "s3cret"},
        )
        assert refused.status_code == 401
    events = emulator.admin.get(f"{emulator.url}/admin/v1/audit-events", timeout=TIMEOUT).json()
    created = [e for e in events["events"] if e["event_type"] == "oauth-apps.created"]
    assert app["client_id"] in {e["subject"] for e in created}
    refusals = [e for e in events["events"] if e["event_type"] == "oauth-tokens.refused"]
    assert len(refusals) == 200
    assert {(e["actor"], e["subject"]) for e in refusals} == {("unknown-client", "unknown-client")}
    assert "s3cret" not in json.dumps(events)


def test_a_refresh_token_does_not_live_forever(emulator):
    app = emulator.boot["apps"]["org_authorization_code"]
    code = approve_by_admin(emulator, "offline_access").json()["code"]
    auth = (app["client_id"], app["client_secret"])
    issued = token(
        emulator,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": app["redirect_uri"]},
        auth,
    ).json()
    refresh = {"grant_type": "refresh_token", "refresh_token": issued["refresh_token"]}
    emulator.advance(400 * 86_400)
    refused = token(emulator, refresh, auth)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"
    assert "expired" in refused.json()["error_description"]


@pytest.mark.parametrize(
    "user_name, status, scim_type",
    [
        ("\uff4fwner@demo.iamkit.test", 409, "uniqueness"),
        ("OWNER@demo.iamkit.test", 409, "uniqueness"),
        ("own\u200ber@demo.iamkit.test", 400, "invalidValue"),
        ("owner\u2060@demo.iamkit.test", 400, "invalidValue"),
        ("\ufeffowner@demo.iamkit.test", 400, "invalidValue"),
        ("owner\u202e@demo.iamkit.test", 400, "invalidValue"),
    ],
)
def test_a_look_alike_of_a_user_name_is_refused(emulator, user_name, status, scim_type):
    app = org_app(emulator, emulator.boot["organization_sid"], SCIM_PERMISSIONS)
    created = requests.post(
        f"{emulator.url}/scim/v2/Users",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": user_name,
            "emails": [{"value": user_name, "primary": True, "type": "work"}],
        },
        headers={"Authorization": f"Bearer {emulator.access_token(app)}"},
        timeout=TIMEOUT,
    )
    assert created.status_code == status, created.text
    assert created.json()["scimType"] == scim_type


def test_another_organizations_client_sees_a_token_as_inactive(emulator):
    mine = emulator.boot["apps"]["org_client_credentials"]
    access = emulator.access_token(mine)
    other_org = emulator.admin_post("/organizations", {"name": "Other"})["sid"]
    other = org_app(emulator, other_org, ["managed-users/list"])
    seen = requests.post(
        f"{emulator.url}/v2/introspect",
        data={"token": access},
        auth=(other["client_id"], other["client_secret"]),
        timeout=TIMEOUT,
    ).json()
    assert seen == {"active": False}


def test_secrets_stay_out_of_files_help_and_weak_tokens_are_flagged(tmp_path, emulator_with):
    weak = emulator_with("--admin-token", "sixteen-chars-ok")
    boot_file = tmp_path / "0" / "bootstrap.json"
    assert stat.S_IMODE(os.stat(boot_file).st_mode) == 0o600
    deadline = time.monotonic() + TIMEOUT
    while "shorter than 32" not in weak.log_file.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "shorter than 32 characters" in weak.log_file.read_text()
    binary = os.environ.get("IAMKIT_BIN", str(ROOT / "target" / "debug" / "iamkit"))
    helped = subprocess.run(
        [binary, "serve", "--help"],
        env={**os.environ, "IAMKIT_ADMIN_TOKEN": "do-not-print-this-admin-token"},
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert helped.returncode == 0
    assert "do-not-print-this-admin-token" not in helped.stdout + helped.stderr


def test_a_state_import_refuses_unknown_fields_and_leaves_a_trace(emulator):
    state = emulator.admin.get(f"{emulator.url}/admin/v1/state", timeout=TIMEOUT).json()
    doctored = {**state, "state": {**state["state"], "revocations_off": True}}
    refused = emulator.admin.put(f"{emulator.url}/admin/v1/state", json=doctored, timeout=TIMEOUT)
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_state"
    assert "unknown field state.revocations_off" in refused.json()["error_description"]
    put = emulator.admin.put(f"{emulator.url}/admin/v1/state", json=state, timeout=TIMEOUT)
    assert put.status_code == 204
    events = emulator.admin.get(
        f"{emulator.url}/admin/v1/audit-events",
        params={"event_type": "state.imported"},
        timeout=TIMEOUT,
    ).json()["events"]
    assert [e["actor"] for e in events] == ["admin"]


def test_wrong_secrets_beyond_the_rate_get_429(emulator_with):
    emulator = emulator_with("--token-rate-per-client", "3/m")
    app = emulator.boot["apps"]["org_client_credentials"]
    wrong = {"grant_type": "client_credentials", "client_id": app["client_id"]}
    statuses = [token(emulator, {**wrong, "client_secret": "guess"}).status_code for _ in range(3)]
    assert statuses == [401, 401, 401]
    limited = token(emulator, {**wrong, "client_secret": "guess"})
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "20"
    assert limited.json()["code"] == 20429


def test_http_basic_credentials_are_decoded_whole(emulator):
    app = emulator.boot["apps"]["org_client_credentials"]
    credentials = f"{app['client_id']}:{app['client_secret']}&junk=1".encode()
    refused = requests.post(
        f"{emulator.url}/v2/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic " + base64.b64encode(credentials).decode()},
        timeout=TIMEOUT,
    )
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"


def test_a_client_that_trickles_its_headers_is_cut_off(emulator_with):
    emulator = emulator_with("--header-read-timeout", "0.5")
    host, port = emulator.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=TIMEOUT) as slow:
        slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        began = time.monotonic()
        while True:
            received = slow.recv(4096)
            if not received or time.monotonic() - began > TIMEOUT:
                break
        assert received == b"" or b"408" in received.split(b"\r\n")[0]
        assert time.monotonic() - began < TIMEOUT, "the server closed the connection"


def test_oversized_scim_values_weak_redirects_and_malleable_signatures_are_refused(emulator):
    app = org_app(emulator, emulator.boot["organization_sid"], SCIM_PERMISSIONS)
    bearer = {"Authorization": f"Bearer {emulator.access_token(app)}"}
    big = requests.post(
        f"{emulator.url}/scim/v2/Users",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": "big@demo.iamkit.test",
            "emails": [{"value": "big@demo.iamkit.test", "primary": True}],
            "displayName": "x" * 5_000,
        },
        headers=bearer,
        timeout=TIMEOUT,
    )
    assert big.status_code == 400 and big.json()["scimType"] == "invalidValue"

    plain = emulator.admin.post(
        f"{emulator.url}/admin/v1/apps",
        json={
            "owner_sid": emulator.boot["organization_sid"],
            "grant_type": "authorization_code",
            "name": "Plain",
            "scopes": ["managed-users/list"],
            "redirect_url": "http://example.com/cb",
        },
        timeout=TIMEOUT,
    )
    assert plain.status_code == 400 and plain.json()["error"] == "invalid_url"

    access = bearer["Authorization"].removeprefix("Bearer ")
    head, body, signature = access.split(".")
    raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    r, s = raw[:32], int.from_bytes(raw[32:], "big")
    twin = r + (P256_N - s).to_bytes(32, "big")
    high_s = ".".join([head, body, base64.urlsafe_b64encode(twin).rstrip(b"=").decode()])
    listed = requests.get(
        f"{emulator.url}/scim/v2/Users",
        headers={"Authorization": f"Bearer {high_s}"},
        timeout=TIMEOUT,
    )
    assert listed.status_code == 401
    assert requests.get(f"{emulator.url}/scim/v2/Users", headers=bearer, timeout=TIMEOUT).ok
