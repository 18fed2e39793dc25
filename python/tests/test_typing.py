"""The typed example runs; run-tests.sh type-checks it with mypy --strict. Here mypy
also reveals the types of record fields and exceptions, which must be the precise
ones (``str``, ``int``, …), not ``Any``."""

from __future__ import annotations

import re
from pathlib import Path

import mypy.api
import typing_example

REVEALED = {
    "app.client_id": "str",
    "app.client_secret": "str",
    "app.token_ttl": "int",
    "app.scopes": "list[str]",
    "app.redirect_url": "str | None",
    "app.owner": "dict[str, str]",
    "engine.app(app.client_id)": "iamkit._native.App",
    "token.access_token": "str",
    "token.expires_in": "int",
    "token.refresh_token": "str | None",
    "engine.create_user(org.sid, 'u@acme.example').sso": "bool",
    "engine.roles()[0].type": "str",
    "engine.audit_events()": "list[iamkit._native.AuditEvent]",
    "exceptions._from_native('scim', 'c', 404, 1, 'm')": "iamkit.exceptions.IamkitError",
    "exceptions.ScimNotFound('c', 404, 1, 'm').code": "str",
}

SOURCE = """
import iamkit
from iamkit import exceptions

engine = iamkit.Engine()
org = engine.create_organization("Acme")
app = engine.create_app(org.sid, name="P", scopes=["managed-users/list"])
token = engine.token(grant_type="client_credentials")
"""


def test_typed_example_runs() -> None:
    assert typing_example.issue_and_check() == "managed-users/list"


def test_mypy_reveals_precise_types(tmp_path: Path) -> None:
    source = tmp_path / "reveal.py"
    lines = SOURCE + "".join(f"reveal_type({expr})\n" for expr in REVEALED)
    source.write_text(lines)
    stdout, stderr, status = mypy.api.run(
        ["--strict", "--cache-dir", str(tmp_path / "cache"), str(source)]
    )
    assert status == 0, stdout + stderr
    revealed = re.findall(r'note: Revealed type is "(.*)"', stdout)
    assert dict(zip(REVEALED, revealed)) == REVEALED, stdout
