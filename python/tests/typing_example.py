"""An example that python/run-tests.sh type-checks with ``mypy --strict`` against the
installed package's stubs; test_typing.py also runs it, and checks with mypy what
type each record field has."""

from __future__ import annotations

from datetime import datetime

import iamkit
from iamkit.exceptions import ScimInvalidInput


def issue_and_check() -> str:
    clock: iamkit.ManualClock = iamkit.ManualClock("2026-01-01T00:00:00Z")
    engine = iamkit.Engine(clock=clock, algorithm="HS256")
    org: iamkit.Organization = engine.create_organization("Acme")
    app: iamkit.CreatedApp = engine.create_app(
        org.sid, name="Provisioner", scopes=["managed-users/list"], token_ttl=3600
    )
    # Record fields are typed: str, int, bool, lists and optionals, not Any.
    client_id: str = app.client_id
    secret: str = app.client_secret
    ttl: int = app.token_ttl
    scopes: list[str] = app.scopes
    description: str | None = app.description
    assert (ttl, scopes, description) == (3600, ["managed-users/list"], None)
    fetched: iamkit.App = engine.app(client_id)
    assert fetched.name == app.name and isinstance(app, iamkit.App)
    token = engine.token(grant_type="client_credentials", client_id=client_id, client_secret=secret)
    access_token: str = token.access_token
    expires_in: int = token.expires_in
    refresh_token: str | None = token.refresh_token
    assert (expires_in, refresh_token) == (3600, None)
    claims: dict[str, object] = engine.verify(access_token)
    assert claims["client_id"] == client_id
    user: iamkit.User = engine.create_user(org.sid, "owner@acme.example", roles=["Owner"])
    sso: bool = user.sso
    roles: list[str] = user.roles
    assert (sso, roles) == (False, ["Owner"])
    clock.advance(seconds=301)
    now: datetime = clock.now()
    assert now.year == 2026
    try:
        engine.scim_list_users(org.sid, filter="userName eq")
    except iamkit.ScimError as error:
        code: str = error.code
        status: int = error.status
        assert (code, status) == ("invalidFilter", 400)
        # The combined exception classes are declared statically.
        assert isinstance(error, ScimInvalidInput)
    events: list[iamkit.AuditEvent] = engine.audit_events(event_type="oauth-apps.created")
    subject: str = events[0].subject
    assert subject == client_id
    access = engine.check_access(access_token, "GET", "/scim/v2/Users")
    permission: str = access.permission
    return permission


if __name__ == "__main__":
    print(issue_and_check())
