"""An example that python/run-tests.sh type-checks with ``mypy --strict`` against the
installed package's stubs; test_typing.py also runs it."""

from __future__ import annotations

from datetime import datetime

import iamkit


def issue_and_check() -> str:
    clock: iamkit.ManualClock = iamkit.ManualClock("2026-01-01T00:00:00Z")
    engine = iamkit.Engine(clock=clock, algorithm="HS256")
    org = engine.create_organization("Acme")
    app = engine.create_app(org.sid, name="Provisioner", scopes=["managed-users/list"])
    token = engine.token(
        grant_type="client_credentials", client_id=app.client_id, client_secret=app.client_secret
    )
    claims: dict[str, object] = engine.verify(token.access_token)
    assert claims["client_id"] == app.client_id
    clock.advance(seconds=301)
    now: datetime = clock.now()
    assert now.year == 2026
    try:
        engine.scim_list_users(org.sid, filter="userName eq")
    except iamkit.ScimError as error:
        code: str = error.code
        status: int = error.status
        assert (code, status) == ("invalidFilter", 400)
    access = engine.check_access(token.access_token, "GET", "/scim/v2/Users")
    permission: str = access.permission
    return permission


if __name__ == "__main__":
    print(issue_and_check())
