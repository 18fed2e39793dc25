"""Every public method of iamkit.Engine, ManualClock, Record and Server."""

from __future__ import annotations

import base64
import gc
import hashlib
import json
import os
import time
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Callable

import pytest
from conftest import VECTORS, demo_token

import iamkit
import iamkit._native

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


def scim_user(name: str, **extra: object) -> dict:
    return {
        "schemas": [USER_SCHEMA],
        "userName": name,
        "emails": [{"value": name, "type": "work", "primary": True}],
        **extra,
    }


def client_token(engine: iamkit.Engine, app: iamkit.CreatedApp) -> iamkit.Token:
    return engine.token(
        grant_type="client_credentials", client_id=app.client_id, client_secret=app.client_secret
    )


# ----- ManualClock -----


def test_clock_set_advance_now() -> None:
    clock = iamkit.ManualClock("2026-01-01T00:00:00Z")
    assert clock.now() == datetime(2026, 1, 1, tzinfo=timezone.utc)
    clock.advance(seconds=301)
    assert clock.now() == datetime(2026, 1, 1, 0, 5, 1, tzinfo=timezone.utc)
    assert clock.isoformat() == "2026-01-01T00:05:01Z"
    clock.set(datetime(2027, 6, 1, 12, tzinfo=timezone.utc))
    assert clock.isoformat() == "2027-06-01T12:00:00Z"
    clock.set("2026-03-01T00:00:00+01:00")
    assert clock.now() == datetime(2026, 2, 28, 23, tzinfo=timezone.utc)
    assert "2026-02-28T23:00:00Z" in repr(clock)
    assert iamkit.ManualClock().isoformat() == "2026-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda c: c.set("yesterday"), ValueError),
        (lambda c: c.set(datetime(2026, 1, 1)), ValueError),  # naive
        (lambda c: c.set(12), TypeError),
        (lambda c: c.advance(seconds=float("nan")), ValueError),
        (lambda c: c.advance(seconds=-1), ValueError),
        (lambda c: c.advance(seconds="1"), TypeError),
    ],
)
def test_clock_rejects_bad_arguments(call, error) -> None:
    with pytest.raises(error):
        call(iamkit.ManualClock())


ADVANCE_RANGE = "seconds must be a number from 0 to 1e12 (move the clock back with set)"


@pytest.mark.parametrize(
    ("seconds", "error", "message"),
    [
        # Moving back is refused: that is what set() is for.
        (-1, ValueError, f"{ADVANCE_RANGE}, not -1"),
        (-0.5, ValueError, f"{ADVANCE_RANGE}, not -0.5"),
        (float("nan"), ValueError, f"{ADVANCE_RANGE}, not NaN"),
        (1e13, ValueError, f"{ADVANCE_RANGE}, not 10000000000000"),
        # An int too large for a float is out of range too, not an OverflowError.
        (10**400, ValueError, f"{ADVANCE_RANGE}, not inf"),
        (-(10**400), ValueError, f"{ADVANCE_RANGE}, not -inf"),
        ("1", TypeError, "seconds must be a number, not str"),
        (None, TypeError, "seconds must be a number, not NoneType"),
    ],
)
def test_clock_advance_refusals_are_exact(
    seconds: object, error: type[Exception], message: str
) -> None:
    clock = iamkit.ManualClock()
    with pytest.raises(error) as caught:
        clock.advance(seconds=seconds)  # type: ignore[arg-type]
    assert type(caught.value) is error
    assert str(caught.value) == message
    assert clock.isoformat() == "2026-01-01T00:00:00Z"


# ----- Engine construction -----


@pytest.mark.parametrize("algorithm", ["ES256", "EdDSA", "HS256"])
def test_engine_algorithms(algorithm: str) -> None:
    clock = iamkit.ManualClock()
    engine = iamkit.Engine(clock=clock, algorithm=algorithm)
    assert engine.algorithm == algorithm
    assert engine.clock is clock
    org = engine.create_organization("Acme")
    app = engine.create_app(org.sid, name="P", scopes=["managed-users/list"])
    claims = engine.verify(client_token(engine, app).access_token)
    assert claims["client_id"] == app.client_id
    assert algorithm in repr(engine)


def test_engine_issuer() -> None:
    engine = iamkit.Engine(issuer="http://127.0.0.1:8080/")
    assert engine.metadata()["issuer"] == "http://127.0.0.1:8080"
    org = engine.create_organization("Acme")
    app = engine.create_app(org.sid, name="P", scopes=["managed-users/list"])
    assert engine.verify(client_token(engine, app).access_token)["iss"] == "http://127.0.0.1:8080"


def test_inspect_token_gives_the_verdict_and_the_parts() -> None:
    clock = iamkit.ManualClock()
    engine = iamkit.Engine(clock=clock)
    org = engine.create_organization("Acme")
    app = engine.create_app(org.sid, name="P", scopes=["managed-users/list"])
    token = client_token(engine, app).access_token
    seen = engine.inspect_token(token)
    assert isinstance(seen, iamkit.TokenInspection)
    assert (seen.valid, seen.code, seen.message) == (True, None, None)
    assert seen.header is not None and seen.header["alg"] == "ES256"
    assert seen.claims == engine.verify(token)
    clock.advance(3600 + 90)
    seen = engine.inspect_token(token)
    assert (seen.valid, seen.code, seen.expired_seconds_ago) == (False, "token_expired", 90)
    assert seen.message == "the token has expired"
    garbage = engine.inspect_token("not a token")
    assert (garbage.code, garbage.header, garbage.claims) == ("malformed_token", None, None)


def test_engine_defaults_and_bad_arguments() -> None:
    engine = iamkit.Engine()
    assert engine.clock is None
    assert engine.algorithm == "ES256"
    with pytest.raises(ValueError, match="algorithm"):
        iamkit.Engine(algorithm="none")
    # The core cannot generate RSA keys (it loads them from PEM): an engine error.
    with pytest.raises(iamkit.IamkitError) as rsa:
        iamkit.Engine(algorithm="RS256")
    assert isinstance(rsa.value, iamkit.InvalidInput)
    with pytest.raises(TypeError):
        iamkit.Engine(clock="2026-01-01T00:00:00Z")  # type: ignore[arg-type]


def test_an_rs256_key_is_loaded_from_pem() -> None:
    pem_path = VECTORS.parent.parent / "crates/iamkit/tests/fixtures/rs256-test-key.pem"
    engine = iamkit.Engine(rs256_key_pem=pem_path.read_text())
    assert engine.algorithm == "RS256"
    org = engine.create_organization("Acme")
    app = engine.create_app(org.sid, name="P", scopes=["managed-users/list"])
    assert engine.verify(client_token(engine, app).access_token)["client_id"] == app.client_id
    assert engine.jwks()["keys"][0]["kty"] == "RSA"
    with pytest.raises(iamkit.InvalidInput) as bad:
        iamkit.Engine(rs256_key_pem="not a key")
    assert bad.value.code == "invalid_key"


# ----- organizations, accounts, users -----


def test_directory(iamkit_engine: iamkit.Engine) -> None:
    org = iamkit_engine.create_organization("Acme")
    assert org.kind == "Organization"
    assert org.name == "Acme"
    assert org.sid.startswith("OR")
    assert iamkit_engine.organization(org.sid) == org
    assert iamkit_engine.organizations() == [org]
    created = iamkit_engine.create_account(org.sid, "Prod")
    assert type(created) is iamkit.CreatedAccount
    assert created.organization_sid == org.sid and created.owner_sid is None
    assert len(created.auth_token) == 32 and created.auth_token not in repr(created)
    acct = iamkit_engine.account(created.sid)
    assert acct.to_dict() == {k: v for k, v in created.to_dict().items() if k != "auth_token"}
    page = iamkit_engine.accounts(org.sid)
    assert [a["sid"] for a in page["content"]] == [acct.sid]
    assert page["meta"]["page_size"] == 50 and page["meta"]["page"] == 0
    user = iamkit_engine.create_user(org.sid, "owner@acme.example", roles=["Owner"], sso=True)
    assert iamkit_engine.account(acct.sid).owner_sid == user.sid, "the Owner owns it"
    assert user.roles == ["Owner"]
    assert user.sso is True
    assert iamkit_engine.user(user.sid) == user
    assert iamkit_engine.users(org.sid) == [user]
    with pytest.raises(ValueError, match="not a role"):
        iamkit_engine.create_user(org.sid, "x@acme.example", roles=["Emperor"])
    with pytest.raises(iamkit.NotFound):
        iamkit_engine.organization("OR" + "0" * 32)
    with pytest.raises(iamkit.AppError) as caught:
        iamkit_engine.account("not-a-sid")
    assert caught.value.code == "invalid_sid"
    assert isinstance(caught.value, iamkit.InvalidInput)


def test_accounts_page_and_their_owners(
    iamkit_engine: iamkit.Engine, org: iamkit.Organization, admin_user: iamkit.User
) -> None:
    owned = iamkit_engine.create_account(org.sid, "A", owner_sid=admin_user.sid)
    assert owned.owner_sid == admin_user.sid
    second = iamkit_engine.create_account(org.sid, "B")
    first_page = iamkit_engine.accounts(org.sid, page_size=1)
    assert [a["sid"] for a in first_page["content"]] == [owned.sid]
    token = first_page["meta"]["nextToken"]
    assert first_page["meta"]["next_page_url"].endswith(
        f"/Organizations/{org.sid}/Accounts?PageSize=1&PageToken={token}"
    )
    second_page = iamkit_engine.accounts(org.sid, page_size=1, page_token=token)
    assert [a["sid"] for a in second_page["content"]] == [second.sid]
    assert second_page["meta"]["next_page_url"] is None
    with pytest.raises(iamkit.AppError) as too_big:
        iamkit_engine.accounts(org.sid, page_size=101)
    assert (too_big.value.code, too_big.value.status) == ("invalid_page_size", 400)
    assert str(too_big.value) == "page size 101 is out of range: 1..=100"
    with pytest.raises(iamkit.InvalidInput) as forged:
        iamkit_engine.accounts(org.sid, page_token="nope")
    assert forged.value.code == "invalid_page_token"
    with pytest.raises(iamkit.AppError) as stranger:
        iamkit_engine.create_account(org.sid, "C", owner_sid="US" + "0" * 32)
    assert stranger.value.code == "invalid_account_owner"


def test_an_account_manages_its_apps_with_its_auth_token(
    iamkit_engine: iamkit.Engine, org: iamkit.Organization
) -> None:
    acct = iamkit_engine.create_account(org.sid, "Prod")
    body = {
        "friendly_name": "Reporter",
        "policy": {"allow": ["messages/read"], "deny": None},
        "access_token_ttl": 120,
    }
    made = iamkit_engine.create_account_app(acct.sid, acct.auth_token, body)
    assert type(made) is iamkit.CreatedApp and made.client_secret
    assert (made.name, made.scopes, made.token_ttl) == ("Reporter", ["messages/read"], 120)
    assert made.owner["account_sid"] == acct.sid and made.created_by == acct.sid
    updated = iamkit_engine.update_account_app(
        acct.sid, acct.auth_token, made.client_id, {"friendly_name": None, "access_token_ttl": 60}
    )
    assert (updated.name, updated.token_ttl) == ("Reporter", 60)
    with pytest.raises(iamkit.AppError) as wrong:
        iamkit_engine.delete_account_app(acct.sid, "0" * 32, made.client_id)
    assert (wrong.value.code, wrong.value.status, wrong.value.twilio_code) == (
        "invalid_credentials",
        401,
        20003,
    )
    assert isinstance(wrong.value, iamkit.Unauthorized)
    other = iamkit_engine.create_account(org.sid, "Other")
    with pytest.raises(iamkit.NotFound):
        iamkit_engine.delete_account_app(other.sid, other.auth_token, made.client_id)
    with pytest.raises(iamkit.InvalidInput) as slow:
        iamkit_engine.update_account_app(
            acct.sid, acct.auth_token, made.client_id, {"access_token_ttl": 59}
        )
    assert slow.value.code == "invalid_token_ttl"
    with pytest.raises(iamkit.InvalidInput) as unknown:
        iamkit_engine.create_account_app(acct.sid, acct.auth_token, {"scopes": []})
    assert unknown.value.code == "invalid_request"
    iamkit_engine.delete_account_app(acct.sid, acct.auth_token, made.client_id)
    assert iamkit_engine.apps(acct.sid) == []
    rotated = iamkit_engine.rotate_auth_token(acct.sid)
    with pytest.raises(iamkit.Unauthorized):
        iamkit_engine.create_account_app(acct.sid, acct.auth_token, body)
    assert iamkit_engine.create_account_app(acct.sid, rotated, body).name == "Reporter"


def test_record_protocol(iamkit_engine: iamkit.Engine, org: iamkit.Record) -> None:
    assert org["name"] == "Acme"
    assert "name" in org
    assert "nope" not in org
    assert 1 not in org
    assert list(org) == ["sid", "name", "created_at"]
    assert len(org) == 3
    assert org.keys() == list(org)
    copy = org.to_dict()
    copy["name"] = "changed"
    assert org.name == "Acme"
    with pytest.raises(AttributeError):
        org.nope  # noqa: B018
    with pytest.raises(KeyError):
        org["nope"]
    assert org != org.to_dict()
    assert repr(org) == (
        f"Organization(sid={org.sid!r}, name='Acme', created_at='2026-01-01T00:00:00Z')"
    )


def test_records_are_typed_frozen_classes(
    iamkit_engine: iamkit.Engine, org: iamkit.Organization, code_app: iamkit.CreatedApp
) -> None:
    assert type(org) is iamkit.Organization and isinstance(org, iamkit.Record)
    assert type(code_app) is iamkit.CreatedApp and isinstance(code_app, iamkit.App)
    fetched = iamkit_engine.app(code_app.client_id)
    assert type(fetched) is iamkit.App and fetched.kind == "App"
    # A created app is not equal to the same app fetched: it also has the secret.
    assert fetched != code_app
    assert code_app.to_dict() == {**fetched.to_dict(), "client_secret": code_app.client_secret}
    assert fetched.owner == {"level": "organization", "organization_sid": org.sid}
    assert fetched.created_by == "admin"
    with pytest.raises(AttributeError):
        fetched.name = "renamed"  # type: ignore[misc]
    # Lists and dicts read from a record are copies: changing them changes nothing.
    fetched.scopes.append("x")
    fetched.owner["level"] = "x"
    assert iamkit_engine.app(code_app.client_id) == fetched
    assert fetched.scopes == ["managed-users/list", "managed-users/read"]
    with pytest.raises(TypeError):
        iamkit.App()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        type("Mine", (iamkit.Organization,), {})
    role = iamkit_engine.roles()[0]
    assert (role.type, role["type"]) == ("organization", "organization")
    with pytest.raises(TypeError):
        hash(org)


def test_record_reprs_hide_secrets(
    iamkit_engine: iamkit.Engine,
    org: iamkit.Organization,
    admin_user: iamkit.User,
    code_app: iamkit.CreatedApp,
) -> None:
    granted = iamkit_engine.authorize(
        client_id=code_app.client_id,
        redirect_uri="https://app.example/callback",
        user_sid=admin_user.sid,
        scope="offline_access",
    )
    tok = iamkit_engine.token(
        grant_type="authorization_code",
        client_id=code_app.client_id,
        client_secret=code_app.client_secret,
        code=granted.code,
        redirect_uri="https://app.example/callback",
    )
    rotated = iamkit_engine.rotate_secret(code_app.client_id)
    secrets = [
        code_app.client_secret,
        granted.code,
        granted.redirect_to,
        tok.access_token,
        tok.refresh_token,
        rotated.client_secret,
    ]
    shown = " ".join(repr(r) for r in (code_app, granted, tok, rotated))
    for secret in secrets:
        assert secret and secret not in shown
    assert "access_token='***'" in repr(tok) and "id_token=None" in repr(tok)
    assert "client_secret='***'" in repr(rotated)
    assert repr(granted).startswith("AuthorizationCode(code='***', redirect_to='***', ")


# ----- apps -----


def test_app_lifecycle(iamkit_engine: iamkit.Engine, org: iamkit.Record) -> None:
    acct = iamkit_engine.create_account(org.sid, "Prod")
    app = iamkit_engine.create_app(
        acct.sid,
        name="Sender",
        scopes=["messages/read"],
        token_ttl=600,
        description="sends",
        company_name="Acme Inc",
        image_urls=["https://acme.example/logo.png"],
        homepage_url="https://acme.example",
        terms_of_service_url="https://acme.example/tos",
    )
    assert app.kind == "CreatedApp"
    assert app.client_id.startswith("OQ")
    assert app.client_secret
    assert app.token_ttl == 600
    assert "***" in repr(app) and app.client_secret not in repr(app)
    fetched = iamkit_engine.app(app.client_id)
    assert "client_secret" not in fetched
    assert fetched.name == "Sender"
    assert [a.client_id for a in iamkit_engine.apps(acct.sid)] == [app.client_id]
    updated = iamkit_engine.update_app(app.client_id, name="Renamed", token_ttl=120)
    assert (updated.name, updated.token_ttl, updated.description) == ("Renamed", 120, "sends")
    rotated = iamkit_engine.rotate_secret(app.client_id, grace_seconds=60)
    assert rotated.client_secret != app.client_secret
    assert rotated.previous_valid_until == "2026-01-01T00:01:00Z"
    # The old secret works during the grace period, then stops.
    assert client_token(iamkit_engine, app).expires_in == 120
    iamkit_engine.clock.advance(seconds=61)
    with pytest.raises(iamkit.OAuthError) as caught:
        client_token(iamkit_engine, app)
    assert caught.value.code == "invalid_client"
    assert isinstance(caught.value, iamkit.Unauthorized)
    iamkit_engine.delete_app(app.client_id)
    with pytest.raises(iamkit.NotFound):
        iamkit_engine.app(app.client_id)
    assert iamkit_engine.apps(acct.sid) == []


def test_app_rules_raise_app_errors(iamkit_engine: iamkit.Engine, org: iamkit.Record) -> None:
    with pytest.raises(iamkit.AppError) as caught:
        iamkit_engine.create_app(org.sid, name="x", scopes=["no-such/permission"])
    assert caught.value.status == 400
    with pytest.raises(iamkit.InvalidInput):
        iamkit_engine.create_app(
            org.sid, name="x", grant_type="authorization_code", scopes=["managed-users/list"]
        )
    with pytest.raises(TypeError):
        iamkit_engine.create_app(org.sid, name=3, scopes=[])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        iamkit_engine.create_app(org.sid, "positional-name", scopes=[])  # type: ignore[misc]
    with pytest.raises(ValueError) as negative:
        iamkit_engine.rotate_secret("OQ" + "0" * 32, grace_seconds=-1)
    assert str(negative.value) == (
        "grace_seconds must be an integer from 0 to 18446744073709551615, not -1"
    )


U64_MAX = 2**64 - 1
BAD_ARGUMENTS = [
    # A str where a list of str is needed is refused, not split into characters.
    (
        lambda e, org: e.create_app(org, name="x", scopes="managed-users/list"),
        TypeError,
        "scopes must be a list of str, not str",
    ),
    (
        lambda e, org: e.create_app(org, name="x", scopes=["managed-users/list", 1]),
        TypeError,
        "scopes[1] must be a str, not int",
    ),
    (
        lambda e, org: e.create_app(org, name="x", scopes=[], image_urls="https://x.example"),
        TypeError,
        "image_urls must be a list of str, not str",
    ),
    (
        lambda e, org: e.update_app("OQ" + "0" * 32, scopes="a b"),
        TypeError,
        "scopes must be a list of str, not str",
    ),
    (
        lambda e, org: e.create_user(org, "u@acme.example", roles="Owner"),
        TypeError,
        "roles must be a list of str, not str",
    ),
    (
        lambda e, org: e.scim_get_user(org, "x", attributes="userName"),
        TypeError,
        "attributes must be a list of str, not str",
    ),
    (
        lambda e, org: e.scim_list_users(org, excluded_attributes={"userName"}),
        TypeError,
        "excluded_attributes must be a list of str, not set",
    ),
    # Integers out of range are a ValueError, other types a TypeError, naming the
    # argument.
    (
        lambda e, org: e.create_app(org, name="x", scopes=[], token_ttl=2**64),
        ValueError,
        f"token_ttl must be an integer from 0 to {U64_MAX}, not {2**64}",
    ),
    (
        lambda e, org: e.create_app(org, name="x", scopes=[], token_ttl="60"),
        TypeError,
        "token_ttl must be an int, not str",
    ),
    (
        lambda e, org: e.update_app("OQ" + "0" * 32, token_ttl=-5),
        ValueError,
        f"token_ttl must be an integer from 0 to {U64_MAX}, not -5",
    ),
    (
        lambda e, org: e.rotate_secret("OQ" + "0" * 32, grace_seconds=1.5),
        TypeError,
        "grace_seconds must be an int, not float",
    ),
    (
        lambda e, org: e.role_assignments(org, identity="x", page_size=2**32),
        ValueError,
        "page_size must be an integer from 0 to 4294967295, not 4294967296",
    ),
    (
        lambda e, org: e.scim_list_users(org, start_index=-1),
        ValueError,
        f"start_index must be an integer from 0 to {U64_MAX}, not -1",
    ),
    (
        lambda e, org: e.scim_list_users(org, count=2**70),
        ValueError,
        f"count must be an integer from 0 to {U64_MAX}, not {2**70}",
    ),
    (
        lambda e, org: e.audit_events(limit=-1),
        ValueError,
        f"limit must be an integer from 0 to {U64_MAX}, not -1",
    ),
    (
        lambda e, org: e.serve(port=70000),
        ValueError,
        "port must be an integer from 0 to 65535, not 70000",
    ),
    (
        lambda e, org: e.serve(port="8080"),
        TypeError,
        "port must be an int, not str",
    ),
]


@pytest.mark.parametrize(("call", "error", "message"), BAD_ARGUMENTS)
def test_bad_arguments_name_the_argument(
    iamkit_engine: iamkit.Engine,
    org: iamkit.Organization,
    call: Callable[[iamkit.Engine, str], object],
    error: type[Exception],
    message: str,
) -> None:
    with pytest.raises(error) as caught:
        call(iamkit_engine, org.sid)
    assert type(caught.value) is error
    assert str(caught.value) == message


def test_cli_main_takes_a_list_of_str() -> None:
    with pytest.raises(TypeError) as caught:
        iamkit._native.cli_main("iamkit --help")  # type: ignore[arg-type]
    assert str(caught.value) == "argv must be a list of str, not str"


# ----- authorization code flow, tokens, verification -----


def test_authorization_code_with_pkce_and_refresh(
    iamkit_engine: iamkit.Engine,
    org: iamkit.Record,
    admin_user: iamkit.Record,
    code_app: iamkit.Record,
) -> None:
    assert code_app.authorization_url.startswith("https://oauth.iamkit.test/v2/authorize?")
    verifier = "v" * 50
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    granted = iamkit_engine.authorize(
        client_id=code_app.client_id,
        redirect_uri="https://app.example/callback",
        user_sid=admin_user.sid,
        scope="managed-users/list offline_access",
        state="xyz",
        code_challenge=challenge,
        code_challenge_method="S256",
    )
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(granted.redirect_to).query)
    assert query == {"code": [granted.code], "state": ["xyz"]}
    assert granted.expires_at == "2026-01-01T00:05:00Z"
    authorization = granted.authorization
    assert authorization["authorized_by"] == admin_user.sid
    assert [a.sid for a in iamkit_engine.authorizations(org.sid)] == [authorization["sid"]]

    tok = iamkit_engine.token(
        grant_type="authorization_code",
        client_id=code_app.client_id,
        client_secret=code_app.client_secret,
        code=granted.code,
        redirect_uri="https://app.example/callback",
        code_verifier=verifier,
    )
    assert tok.token_type == "Bearer"
    assert tok.id_token is None
    assert tok.refresh_token
    assert tok.scope == "managed-users/list"
    claims = iamkit_engine.verify(tok.access_token)
    assert claims["sub"] == admin_user.sid

    refreshed = iamkit_engine.token(
        grant_type="refresh_token",
        client_id=code_app.client_id,
        client_secret=code_app.client_secret,
        refresh_token=tok.refresh_token,
    )
    assert refreshed.access_token != tok.access_token

    # The code works once.
    with pytest.raises(iamkit.OAuthError) as caught:
        iamkit_engine.token(
            grant_type="authorization_code",
            client_id=code_app.client_id,
            client_secret=code_app.client_secret,
            code=granted.code,
            redirect_uri="https://app.example/callback",
            code_verifier=verifier,
        )
    assert caught.value.code == "invalid_grant"

    revoked = iamkit_engine.revoke_authorization(authorization["sid"])
    assert revoked.revoked_at == "2026-01-01T00:00:00Z"
    assert iamkit_engine.authorizations(org.sid) == []
    assert iamkit_engine.authorization(authorization["sid"]) == revoked
    with pytest.raises(iamkit.NotFound) as missing:
        iamkit_engine.authorization("AZ" + "0" * 32)
    assert missing.value.code == "authorization_not_found"
    with pytest.raises(iamkit.TokenError):
        iamkit_engine.verify(refreshed.access_token)


def test_authorize_errors(
    iamkit_engine: iamkit.Engine, org: iamkit.Record, code_app: iamkit.Record
) -> None:
    sso = iamkit_engine.create_user(org.sid, "sso@acme.example", roles=["Owner"], sso=True)
    with pytest.raises(iamkit.AuthorizeError) as caught:
        iamkit_engine.authorize(
            client_id=code_app.client_id,
            redirect_uri="https://app.example/callback",
            user_sid=sso.sid,
        )
    assert caught.value.status in (400, 403)
    with pytest.raises(iamkit.AuthorizeError):
        iamkit_engine.authorize(
            client_id=code_app.client_id, redirect_uri="https://evil.example", user_sid=sso.sid
        )


def test_check_access_introspect_revoke(iamkit_engine: iamkit.Engine, org: iamkit.Record) -> None:
    app = iamkit_engine.create_app(org.sid, name="P", scopes=["managed-users/list"])
    tok = client_token(iamkit_engine, app)
    access = iamkit_engine.check_access(tok.access_token, "GET", "/scim/v2/Users")
    assert access.permission == "managed-users/list"
    assert access.claims["client_id"] == app.client_id
    with pytest.raises(iamkit.AccessError) as caught:
        iamkit_engine.check_access(tok.access_token, "DELETE", "/scim/v2/Users/US" + "0" * 32)
    assert caught.value.code == "insufficient_scope"
    assert isinstance(caught.value, iamkit.Forbidden)
    assert caught.value.twilio_code == 20403

    found = iamkit_engine.introspect(tok.access_token)
    assert found["active"] is True
    assert found["client_id"] == app.client_id
    assert iamkit_engine.introspect("garbage") == {"active": False}

    iamkit_engine.revoke_token(app.client_id, app.client_secret, tok.access_token)
    with pytest.raises(iamkit.TokenError) as revoked:
        iamkit_engine.verify(tok.access_token)
    assert isinstance(revoked.value, iamkit.Unauthorized)
    assert iamkit_engine.introspect(tok.access_token)["active"] is False
    with pytest.raises(iamkit.OAuthError):
        iamkit_engine.revoke_token(app.client_id, "wrong", tok.access_token)


def test_expiry_follows_the_clock(iamkit_engine: iamkit.Engine, org: iamkit.Record) -> None:
    app = iamkit_engine.create_app(org.sid, name="P", scopes=["managed-users/list"])
    tok = client_token(iamkit_engine, app)
    iamkit_engine.clock.advance(seconds=3599)
    iamkit_engine.verify(tok.access_token)
    iamkit_engine.clock.advance(seconds=1)
    with pytest.raises(iamkit.TokenError) as caught:
        iamkit_engine.verify(tok.access_token)
    assert caught.value.code == "token_expired"


def test_token_errors(iamkit_engine: iamkit.Engine) -> None:
    with pytest.raises(iamkit.OAuthError) as caught:
        iamkit_engine.token(grant_type="password", client_id="x", client_secret="y")
    assert caught.value.code in ("unsupported_grant_type", "invalid_client")
    with pytest.raises(TypeError):
        iamkit_engine.token(grant_type="client_credentials", client_id=1)  # type: ignore[arg-type]


def test_documents(iamkit_engine: iamkit.Engine) -> None:
    keys = iamkit_engine.jwks()["keys"]
    assert keys[0]["alg"] == "ES256"
    metadata = iamkit_engine.metadata()
    assert metadata["issuer"] == "https://oauth.iamkit.test"
    assert "client_credentials" in metadata["grant_types_supported"]


# ----- SCIM -----


def test_scim_users(iamkit_engine: iamkit.Engine, org: iamkit.Record) -> None:
    created = iamkit_engine.scim_create_user(
        org.sid, scim_user("babs@acme.example", displayName="Babs", externalId="e1")
    )
    uid = created["id"]
    assert created["meta"]["version"] == 'W/"1"'
    got = iamkit_engine.scim_get_user(org.sid, uid, attributes=["userName"])
    assert got["userName"] == "babs@acme.example"
    assert "displayName" not in got
    got = iamkit_engine.scim_get_user(org.sid, uid, excluded_attributes=["displayName"])
    assert "displayName" not in got and got["externalId"] == "e1"
    iamkit_engine.scim_create_user(org.sid, scim_user("al@acme.example", displayName="Al"))

    listed = iamkit_engine.scim_list_users(org.sid, sort_by="userName", sort_order="descending")
    assert [u["userName"] for u in listed["Resources"]] == ["babs@acme.example", "al@acme.example"]
    assert listed["totalResults"] == 2
    page = iamkit_engine.scim_list_users(org.sid, sort_by="userName", start_index=2, count=1)
    assert [u["userName"] for u in page["Resources"]] == ["babs@acme.example"]
    assert page["startIndex"] == 2
    found = iamkit_engine.scim_list_users(
        org.sid, filter='displayName co "ab"', attributes=["userName"]
    )
    assert [u["userName"] for u in found["Resources"]] == ["babs@acme.example"]
    assert "displayName" not in found["Resources"][0]

    replaced = iamkit_engine.scim_replace_user(
        org.sid, uid, scim_user("babs@acme.example", displayName="Barbara"), if_match='W/"1"'
    )
    assert replaced["displayName"] == "Barbara"
    patched = iamkit_engine.scim_patch_user(
        org.sid,
        uid,
        {
            "schemas": [PATCH_SCHEMA],
            "Operations": [{"op": "replace", "path": "active", "value": False}],
        },
    )
    assert patched["active"] is False
    with pytest.raises(iamkit.Conflict) as stale:
        iamkit_engine.scim_delete_user(org.sid, uid, if_match='W/"1"')
    assert stale.value.status == 412
    iamkit_engine.scim_delete_user(org.sid, uid)
    with pytest.raises(iamkit.ScimError) as gone:
        iamkit_engine.scim_get_user(org.sid, uid)
    assert isinstance(gone.value, iamkit.NotFound)
    assert gone.value.code == "notFound"


def test_scim_errors(iamkit_engine: iamkit.Engine, org: iamkit.Record) -> None:
    iamkit_engine.scim_create_user(org.sid, scim_user("a@acme.example"))
    with pytest.raises(iamkit.ScimError) as dup:
        iamkit_engine.scim_create_user(org.sid, scim_user("A@acme.example"))
    assert (dup.value.code, dup.value.status) == ("uniqueness", 409)
    assert isinstance(dup.value, iamkit.Conflict)
    with pytest.raises(iamkit.ScimError) as bad:
        iamkit_engine.scim_list_users(org.sid, filter="userName eq")
    assert bad.value.code == "invalidFilter"
    assert isinstance(bad.value, iamkit.InvalidInput)
    with pytest.raises(TypeError, match="resource must be made of"):
        iamkit_engine.scim_create_user(org.sid, {"userName": object()})
    with pytest.raises(TypeError, match="keys must be str"):
        iamkit_engine.scim_create_user(org.sid, {1: "x"})
    with pytest.raises(ValueError, match="non-finite"):
        iamkit_engine.scim_create_user(org.sid, {"x": float("inf")})
    deep: list = []
    deep.append(deep)
    with pytest.raises(ValueError, match="nested"):
        iamkit_engine.scim_patch_user(org.sid, "US" + "0" * 32, {"Operations": deep})


def test_scim_discovery(iamkit_engine: iamkit.Engine) -> None:
    assert iamkit_engine.scim_service_provider_config()["filter"]["supported"] is True
    assert iamkit_engine.scim_resource_types()
    assert iamkit_engine.scim_schemas()


# ----- roles -----


def test_roles_and_assignments(iamkit_engine: iamkit.Engine, org: iamkit.Record) -> None:
    roles = {r.friendly_name: r.sid for r in iamkit_engine.roles()}
    assert {"Owner", "Administrator", "Developer"} <= set(roles)
    user = iamkit_engine.create_user(org.sid, "dev@acme.example")
    acct = iamkit_engine.create_account(org.sid, "Prod")
    made = iamkit_engine.create_role_assignment(
        org.sid, role_sid=roles["Developer"], scope=acct.sid, identity=user.sid
    )
    assert made.sid.startswith("IY")
    page = iamkit_engine.role_assignments(org.sid, identity=user.sid, page_size=10)
    assert [a["sid"] for a in page["content"]] == [made.sid]
    assert iamkit_engine.role_assignments(org.sid, scope=acct.sid)["content"][0]["sid"] == made.sid
    with pytest.raises(iamkit.RoleError) as missing:
        iamkit_engine.role_assignments(org.sid)
    assert missing.value.twilio_code == 25203
    with pytest.raises(iamkit.RoleError):
        iamkit_engine.create_role_assignment(
            org.sid, role_sid="IX" + "f" * 32, scope=acct.sid, identity=user.sid
        )
    iamkit_engine.delete_role_assignment(org.sid, made.sid)
    assert iamkit_engine.role_assignments(org.sid, identity=user.sid)["content"] == []
    with pytest.raises(iamkit.NotFound):
        iamkit_engine.delete_role_assignment(org.sid, made.sid)


# ----- audit and state -----


def test_audit_events(iamkit_engine: iamkit.Engine, org: iamkit.Record) -> None:
    app = iamkit_engine.create_app(org.sid, name="P", scopes=["managed-users/list"])
    iamkit_engine.clock.advance(seconds=10)
    iamkit_engine.rotate_secret(app.client_id)
    created = iamkit_engine.audit_events(event_type="oauth-apps.created")
    assert [(e.event_type, e.subject, e.actor) for e in created] == [
        ("oauth-apps.created", app.client_id, "admin")
    ]
    rotated = iamkit_engine.audit_events(event_type="oauth-apps.secret-rotated")
    assert rotated[0].details["grace_period_seconds"] == 86400
    later = iamkit_engine.audit_events(since="2026-01-01T00:00:05Z")
    assert [e.event_type for e in later] == ["oauth-apps.secret-rotated"]
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    before = iamkit_engine.audit_events(until=start + timedelta(seconds=5), subject=app.client_id)
    assert [e.event_type for e in before] == ["oauth-apps.created"]
    assert len(iamkit_engine.audit_events(limit=1)) == 1
    events_text = json.dumps([e.to_dict() for e in iamkit_engine.audit_events()])
    assert app.client_secret not in events_text
    with pytest.raises(ValueError):
        iamkit_engine.audit_events(since=datetime(2026, 1, 1))


def test_export_import_state(iamkit_engine: iamkit.Engine, org: iamkit.Record) -> None:
    app = iamkit_engine.create_app(org.sid, name="P", scopes=["managed-users/list"])
    state = iamkit_engine.export_state()
    assert app.client_secret not in state
    other = iamkit.Engine(clock=iamkit.ManualClock())
    other.import_state(state)
    assert other.app(app.client_id).name == "P"
    assert client_token(other, app).expires_in == 3600
    with pytest.raises(iamkit.StateError) as bad:
        other.import_state("{}")
    assert isinstance(bad.value, iamkit.InvalidInput)
    assert other.organizations() == [org]


# ----- the emulator -----


def test_serve_shares_engine_and_clock(iamkit_engine: iamkit.Engine, org: iamkit.Record) -> None:
    app = iamkit_engine.create_app(org.sid, name="P", scopes=["managed-users/list"])
    with iamkit_engine.serve(port=0) as server:
        assert server.running
        assert server.url.startswith("http://127.0.0.1:")
        assert server.bootstrap["admin_token"]
        body = urllib.parse.urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": app.client_id,
                "client_secret": app.client_secret,
            }
        ).encode()
        with urllib.request.urlopen(f"{server.url}/v2/token", data=body) as response:
            issued = json.load(response)
        # A token the server issued verifies in Python, on the same clock.
        assert iamkit_engine.verify(issued["access_token"])["iat"] == 1767225600
        iamkit_engine.clock.advance(seconds=3600)
        with pytest.raises(iamkit.TokenError):
            iamkit_engine.verify(issued["access_token"])
    assert not server.running
    server.stop()  # stopping twice is harmless
    assert "running=False" in repr(server)


def test_serve_grants_the_cors_origins_it_is_given(iamkit_engine: iamkit.Engine) -> None:
    def allowed(server: iamkit.Server, origin: str) -> str | None:
        request = urllib.request.Request(f"{server.url}/healthz", headers={"Origin": origin})
        with urllib.request.urlopen(request) as response:
            return response.headers.get("access-control-allow-origin")

    with iamkit_engine.serve() as local:
        assert allowed(local, "http://localhost:3000") == "http://localhost:3000"
        assert allowed(local, "https://app.example") is None
    with iamkit_engine.serve(cors_origins=["https://app.example"]) as listed:
        assert allowed(listed, "https://app.example") == "https://app.example"
        assert allowed(listed, "http://localhost:3000") is None
    with pytest.raises(ValueError, match="^cors_origins: the origin \\* allows every origin"):
        iamkit_engine.serve(cors_origins=["*", "https://app.example"])


def test_serve_demo(iamkit_engine: iamkit.Engine) -> None:
    server = iamkit_engine.serve(demo=True)
    try:
        boot = server.bootstrap
        assert boot["organization_sid"] in [o.sid for o in iamkit_engine.organizations()]
        demo = boot["apps"]["org_client_credentials"]
        assert iamkit_engine.app(demo["client_id"])
    finally:
        server.stop()
    with iamkit_engine.serve(host="localhost") as local:
        assert local.url.startswith("http://127.0.0.1:")
    with pytest.raises(ValueError, match='^host: "not-an-ip" is not an IP address or localhost$'):
        iamkit_engine.serve(host="not-an-ip")
    with pytest.raises(ValueError, match='^response_style: unknown response style "soap"'):
        iamkit_engine.serve(response_style="soap")  # type: ignore[arg-type]


def test_serve_in_rfc_style_omits_the_null_token_fields(iamkit_engine: iamkit.Engine) -> None:
    with iamkit_engine.serve(demo=True, response_style="rfc") as server:
        token = demo_token(server)
    assert "refresh_token" not in token and "id_token" not in token
    assert token["token_type"] == "Bearer"


def test_scim_rules_are_an_engine_option() -> None:
    loose = iamkit.Engine(scim_rules="rfc7643")
    org = loose.create_organization("Acme")
    user = loose.scim_create_user(
        org.sid,
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "no-email"},
    )
    assert user["userName"] == "no-email"
    strict = iamkit.Engine()
    org = strict.create_organization("Acme")
    with pytest.raises(iamkit.ScimError):
        strict.scim_create_user(
            org.sid,
            {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "no-email"},
        )
    with pytest.raises(
        ValueError,
        match='^scim_rules: unknown SCIM rule set "loose": expected twilio or rfc7643$',
    ):
        iamkit.Engine(scim_rules="loose")  # type: ignore[arg-type]


def test_an_engine_on_a_database_keeps_state_and_key(tmp_path) -> None:
    path = tmp_path / "iamkit.db"
    engine = iamkit.Engine(database=path, algorithm="HS256")
    org = engine.create_organization("Acme")
    with pytest.raises(iamkit.StateError) as locked:
        iamkit.Engine(database=str(path))
    assert (locked.value.code, locked.value.status) == ("database_locked", 500)
    del engine
    gc.collect()
    reopened = iamkit.Engine(database=path)
    assert reopened.organization(org.sid).name == "Acme"
    assert reopened.algorithm == "HS256", "the kept key, not a fresh ES256 one"
    del reopened
    gc.collect()
    with pytest.raises(iamkit.IamkitError) as switched:
        iamkit.Engine(database=path, algorithm="ES256")
    assert switched.value.code == "invalid_key"


def test_engines_on_one_postgres_database_share_state_and_key() -> None:
    url = os.environ.get("IAMKIT_TEST_POSTGRES")
    assert url, "IAMKIT_TEST_POSTGRES must name a PostgreSQL server (scripts/postgres.sh)"
    first = iamkit.Engine(database=url)
    second = iamkit.Engine(database=url)
    assert first.jwks() == second.jwks(), "one signing key, kept in the database"
    name = f"Acme {time.time_ns()}"
    org = first.create_organization(name)
    deadline = time.monotonic() + 2
    while not any(o.sid == org.sid for o in second.organizations()):
        assert time.monotonic() < deadline, "the other engine did not see the write"
        time.sleep(0.01)
    assert second.organization(org.sid).name == name
