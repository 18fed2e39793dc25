"""Runs the shared OAuth scenario vectors (``tests/vectors/oauth/*.json``) through the
Python API, as ``crates/iamkit/tests/oauth_vectors.rs`` does in Rust; see
``tests/vectors/oauth/README.md`` for the format."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from conftest import VECTORS

import iamkit

FILES = sorted((VECTORS / "oauth").glob("*.json"))
SCENARIOS = [
    pytest.param(scenario, id=f"{path.name}: {scenario['name']}")
    for path in FILES
    for scenario in json.loads(path.read_text())["scenarios"]
]
REFERENCE = re.compile(r"\$\{([^}]*)\}")


def resolve(value: Any, bound: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, str):

        def field(match: re.Match[str]) -> str:
            alias, _, name = match.group(1).partition(".")
            found = bound[alias][name or "id"]
            return found if isinstance(found, str) else json.dumps(found)

        return REFERENCE.sub(field, value)
    if isinstance(value, list):
        return [resolve(v, bound) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, bound) for k, v in value.items()}
    return value


def pick(step: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: step[k] for k in keys if k in step}


def run_step(engine: iamkit.Engine, clock: iamkit.ManualClock, step: dict[str, Any]) -> dict:
    op = step["op"]
    if op == "advance":
        clock.advance(seconds=step["seconds"])
        return {}
    if op == "create_organization":
        return {"id": engine.create_organization(step["name"]).sid}
    if op == "create_account":
        return {"id": engine.create_account(step["organization"], step["name"]).sid}
    if op == "create_user":
        user = engine.create_user(
            step["organization"],
            step["user_name"],
            roles=step.get("roles", []),
            sso=step.get("sso", False),
        )
        return {"id": user.sid}
    if op == "create_app":
        extra = pick(
            step,
            "token_ttl",
            "redirect_url",
            "description",
            "company_name",
            "image_urls",
            "homepage_url",
            "terms_of_service_url",
        )
        app = engine.create_app(
            step["owner"],
            name=step.get("name", ""),
            grant_type=step["grant_type"],
            scopes=step.get("scopes", []),
            **extra,
        )
        return {
            "id": app.client_id,
            "client_secret": app.client_secret,
            "token_ttl": app.token_ttl,
            "scopes": app.scopes,
        }
    if op == "update_app":
        extra = pick(step, "name", "description", "scopes", "token_ttl", "redirect_url")
        app = engine.update_app(step["client_id"], **extra)
        return {
            "id": app.client_id,
            "token_ttl": app.token_ttl,
            "scopes": app.scopes,
            "name": app.name,
        }
    if op == "rotate_secret":
        rotated = engine.rotate_secret(step["client_id"], grace_seconds=step.get("grace_seconds"))
        return {"id": rotated.client_id, "client_secret": rotated.client_secret}
    if op == "delete_app":
        engine.delete_app(step["client_id"])
        return {}
    if op == "authorize":
        extra = pick(
            step, "response_type", "scope", "state", "code_challenge", "code_challenge_method"
        )
        granted = engine.authorize(
            client_id=step["client_id"],
            redirect_uri=step["redirect_uri"],
            user_sid=step["user_sid"],
            **extra,
        )
        return {
            "code": granted.code,
            "redirect_to": granted.redirect_to,
            "authorization_sid": granted.authorization["sid"],
        }
    if op == "token":
        fields = pick(
            step,
            "client_id",
            "client_secret",
            "code",
            "redirect_uri",
            "refresh_token",
            "code_verifier",
            "scope",
        )
        return engine.token(grant_type=step.get("grant_type", ""), **fields).to_dict()
    if op == "verify":
        return engine.verify(step["token"])
    if op == "check_access":
        access = engine.check_access(step["token"], step["method"], step["path"])
        return {"permission": access.permission}
    if op == "introspect":
        return engine.introspect(step["token"])
    if op == "revoke_token":
        engine.revoke_token(step["client_id"], step["client_secret"], step["token"])
        return {}
    if op == "revoke_authorization":
        engine.revoke_authorization(step["authorization_sid"])
        return {}
    raise AssertionError(f"unknown op {op}")


def test_vector_files_exist() -> None:
    assert FILES, "no OAuth vector files"
    assert len(SCENARIOS) >= 20


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_oauth_scenario(scenario: dict[str, Any]) -> None:
    clock = iamkit.ManualClock(scenario.get("start", "2026-01-01T00:00:00Z"))
    engine = iamkit.Engine(clock=clock)
    bound: dict[str, dict[str, Any]] = {}
    for i, raw in enumerate(scenario["steps"]):
        step = resolve({k: v for k, v in raw.items() if k != "expect"}, bound)
        at = f"step {i} ({step['op']})"
        want_error = step.get("expect_error")
        try:
            result = run_step(engine, clock, step)
        except iamkit.IamkitError as error:
            assert want_error is not None, f"{at}: unexpected error {error!r}"
            assert error.code == want_error, f"{at}: {error!r}"
            continue
        assert want_error is None, f"{at}: expected error {want_error}, got {result}"
        if "as" in step:
            bound[step["as"]] = result
        for key, want in resolve(raw.get("expect", {}), bound).items():
            assert key in result, f"{at}: no field {key} in {result}"
            assert result[key] == want, f"{at}: field {key} of {result}"
