"""The pytest plugin's fixtures."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from datetime import datetime, timezone
from typing import Any

import pytest
from conftest import demo_token

import iamkit


def test_clock_fixture(iamkit_clock: iamkit.ManualClock) -> None:
    assert iamkit_clock.now() == datetime(2026, 1, 1, tzinfo=timezone.utc)
    iamkit_clock.advance(seconds=60)


def test_clock_fixture_is_fresh(iamkit_clock: iamkit.ManualClock) -> None:
    assert iamkit_clock.isoformat() == "2026-01-01T00:00:00Z"


def test_engine_fixture_uses_the_clock(
    iamkit_engine: iamkit.Engine, iamkit_clock: iamkit.ManualClock
) -> None:
    assert iamkit_engine.clock is iamkit_clock
    assert iamkit_engine.organizations() == []
    iamkit_engine.create_organization("Acme")


def test_engine_fixture_is_fresh(iamkit_engine: iamkit.Engine) -> None:
    assert iamkit_engine.organizations() == []


def test_server_fixture_serves_the_demo(iamkit_server: iamkit.Server) -> None:
    token = demo_token(iamkit_server)
    request = urllib.request.Request(
        f"{iamkit_server.url}/scim/v2/Users",
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    with urllib.request.urlopen(request) as response:
        assert json.load(response)["totalResults"] >= 1


def test_server_fixture_is_shared(iamkit_server: iamkit.Server) -> None:
    assert iamkit_server.running


def test_emulator_fixture_runs_on_the_tests_clock(
    iamkit_emulator: iamkit.Server,
    iamkit_engine: iamkit.Engine,
    iamkit_clock: iamkit.ManualClock,
) -> None:
    token = demo_token(iamkit_emulator)
    access = str(token["access_token"])
    assert iamkit_engine.verify(access)["iat"] == 1767225600  # 2026-01-01T00:00:00Z
    iamkit_clock.advance(seconds=3600)
    with pytest.raises(iamkit.TokenError) as expired:
        iamkit_engine.verify(access)
    assert expired.value.code == "token_expired"


def test_emulator_fixture_a_test_adds_a_user(
    iamkit_emulator: iamkit.Server, iamkit_engine: iamkit.Engine
) -> None:
    org = str(iamkit_emulator.bootstrap["organization_sid"])
    iamkit_engine.create_user(org, "extra@example.com", roles=["Owner"])
    assert len(iamkit_engine.users(org)) == 3


def test_emulator_fixture_is_fresh_per_test(
    iamkit_emulator: iamkit.Server, iamkit_engine: iamkit.Engine
) -> None:
    """Runs after the test above: its user is not here."""
    org = str(iamkit_emulator.bootstrap["organization_sid"])
    assert sorted(u.user_name for u in iamkit_engine.users(org)) == sorted(
        u["user_name"] for u in iamkit_emulator.bootstrap["users"]
    )
    assert len(iamkit_emulator.bootstrap["users"]) == 2


def test_readme_example_code_expires(
    iamkit_engine: iamkit.Engine, iamkit_clock: iamkit.ManualClock
) -> None:
    """The pytest example of python/README.md."""
    org = iamkit_engine.create_organization("Acme")
    admin = iamkit_engine.create_user(org.sid, "a@acme.example", roles=["Owner"])
    app = iamkit_engine.create_app(
        org.sid,
        name="Web",
        grant_type="authorization_code",
        scopes=["managed-users/read"],
        redirect_url="https://app.example/cb",
    )
    code = iamkit_engine.authorize(
        client_id=app.client_id, redirect_uri="https://app.example/cb", user_sid=admin.sid
    ).code
    iamkit_clock.advance(seconds=301)
    with pytest.raises(iamkit.OAuthError) as caught:
        iamkit_engine.token(
            grant_type="authorization_code",
            code=code,
            redirect_uri="https://app.example/cb",
            client_id=app.client_id,
            client_secret=app.client_secret,
        )
    assert caught.value.code == "invalid_grant"


def test_twilio_client_fixture_lists_the_demo_users_through_the_sdk(
    iamkit_twilio_client: Any, iamkit_emulator: iamkit.Server
) -> None:
    from twilio.rest.preview_iam.versionless import Versionless

    org = iamkit_emulator.bootstrap["organization_sid"]
    users = Versionless(iamkit_twilio_client.preview_iam).users(org).list()
    assert [u.user_name for u in users] == ["owner@demo.iamkit.test", "admin@demo.iamkit.test"]
