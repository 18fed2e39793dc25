"""Shared helpers of the iamkit Python tests. The fixtures come from the installed
plugin (``iamkit.pytest_plugin``), registered by its ``pytest11`` entry point."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

import iamkit

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"


def demo_token(server: iamkit.Server) -> dict[str, object]:
    """A token for the demo client-credentials app of `server`, over HTTP."""
    demo = server.bootstrap["apps"]["org_client_credentials"]
    body = urllib.parse.urlencode(
        {
            "grant_type": "client_credentials",
            "client_id": demo["client_id"],
            "client_secret": demo["client_secret"],
        }
    ).encode()
    with urllib.request.urlopen(f"{server.url}/v2/token", data=body) as response:
        token: dict[str, object] = json.load(response)
    return token


@pytest.fixture
def org(iamkit_engine: iamkit.Engine) -> iamkit.Organization:
    return iamkit_engine.create_organization("Acme")


@pytest.fixture
def admin_user(iamkit_engine: iamkit.Engine, org: iamkit.Organization) -> iamkit.User:
    return iamkit_engine.create_user(org.sid, "admin@acme.example", roles=["Administrator"])


@pytest.fixture
def code_app(iamkit_engine: iamkit.Engine, org: iamkit.Organization) -> iamkit.CreatedApp:
    return iamkit_engine.create_app(
        org.sid,
        name="Dashboard",
        grant_type="authorization_code",
        scopes=["managed-users/list", "managed-users/read"],
        redirect_url="https://app.example/callback",
    )
