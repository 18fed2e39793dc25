"""The pytest plugin's fixtures."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from datetime import datetime, timezone

import pytest

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
    boot = iamkit_server.bootstrap
    demo = boot["apps"]["org_client_credentials"]
    body = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": demo["client_id"],
            "client_secret": demo["client_secret"],
        }
    ).encode()
    with urllib.request.urlopen(f"{iamkit_server.url}/v2/token", data=body) as response:
        token = json.load(response)
    request = urllib.request.Request(
        f"{iamkit_server.url}/scim/v2/Users",
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    with urllib.request.urlopen(request) as response:
        assert json.load(response)["totalResults"] >= 1


def test_server_fixture_is_shared(iamkit_server: iamkit.Server) -> None:
    assert iamkit_server.running


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
