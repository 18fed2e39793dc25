"""Identity providers' documented SCIM provisioning sequences, replayed request by
request against the emulator in both SCIM rule sets (`--scim-rules twilio`, the
default, and `rfc7643`).

Each replay is a fixture in `tests/e2e/replay/` (its README gives the format): the
requests Microsoft documents for Entra ID and Okta documents for its SCIM 2.0
client, each with its source and the documented response. A run sends every step
in order with an organization-level app token holding every `managed-users/…`
permission, and checks each response: its status, `application/scim+json` for a
body, no body for a 204, the documented members, the members that must be absent,
and that no response anywhere carries an attribute the replay lists as
`never_returned` (Okta's `password`). All the steps run even when one fails, so a
failed run lists every step that failed and how.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any

import pytest
import requests
from conftest import ROOT, start
from vectors_http import TIMEOUT

REPLAYS = ROOT / "tests" / "e2e" / "replay"
NAMES = ("entra", "okta")
MODES = ("twilio", "rfc7643")
PERMISSIONS = [
    f"managed-users/{action}" for action in ("list", "read", "create", "update", "delete")
]
SCIM_JSON = "application/scim+json"
PLACEHOLDER = re.compile(r"\{\{([^{}]+)\}\}")


def load(name: str) -> dict[str, Any]:
    return json.loads((REPLAYS / f"{name}.json").read_text())


class Unresolved(Exception):
    """A placeholder names nothing known yet (the step that saves it failed)."""


def lookup(context: dict[str, Any], name: str) -> Any:
    value: Any = context
    for part in name.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise Unresolved(name)
    return value


def substitute(value: Any, context: dict[str, Any]) -> Any:
    """`value` with each `{{name}}` replaced: a string that is one placeholder
    becomes the named value itself, any other string gets it as text."""
    if isinstance(value, str):
        whole = PLACEHOLDER.fullmatch(value)
        if whole:
            return lookup(context, whole.group(1))
        return PLACEHOLDER.sub(lambda m: str(lookup(context, m.group(1))), value)
    if isinstance(value, list):
        return [substitute(item, context) for item in value]
    if isinstance(value, dict):
        return {key: substitute(item, context) for key, item in value.items()}
    return value


def mismatches(expected: Any, actual: Any, at: str) -> list[str]:
    """How `actual` differs from the pattern `expected` (empty when it matches).

    Objects match when every expected member matches (others may be present);
    arrays element by element, with the same length; `{"$contains": [...]}` when
    each pattern matches some element of the array; `"$any"` any present value
    but null; `"$unassigned"` an absent member, null, `[]` or `{}`; anything else
    by equality, a boolean only by a boolean."""
    if expected == "$any":
        return [f"{at}: null"] if actual is None else []
    if expected == "$unassigned":
        return [] if actual in (None, [], {}) else [f"{at}: {actual!r}, expected unassigned"]
    if isinstance(expected, dict) and set(expected) == {"$contains"}:
        if not isinstance(actual, list):
            return [f"{at}: {actual!r}, expected an array"]
        return [
            f"{at}: no element matches {json.dumps(pattern)}"
            for pattern in expected["$contains"]
            if all(mismatches(pattern, item, at) for item in actual)
        ]
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{at}: {actual!r}, expected an object"]
        found = []
        for key, pattern in expected.items():
            if key in actual:
                found += mismatches(pattern, actual[key], f"{at}.{key}")
            elif pattern != "$unassigned":
                found.append(f"{at}.{key}: missing")
        return found
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{at}: {actual!r}, expected an array"]
        if len(actual) != len(expected):
            return [f"{at}: {len(actual)} element(s), expected {len(expected)}"]
        found = []
        for index, (pattern, item) in enumerate(zip(expected, actual)):
            found += mismatches(pattern, item, f"{at}.{index}")
        return found
    if isinstance(expected, bool) != isinstance(actual, bool) or expected != actual:
        return [f"{at}: {actual!r}, expected {expected!r}"]
    return []


def keys_anywhere(body: Any, names: set[str]) -> list[str]:
    """The members named in `names` (ignoring case) anywhere in `body`."""
    if isinstance(body, dict):
        found = [key for key in body if key.lower() in names]
        for item in body.values():
            found += keys_anywhere(item, names)
        return found
    if isinstance(body, list):
        return [key for item in body for key in keys_anywhere(item, names)]
    return []


def encoded(path: str) -> str:
    """`path` with each query parameter's value percent-encoded, as an HTTP client
    sends it (a value already encoded stays as it is)."""
    base, _, query = path.partition("?")
    if not query:
        return base
    params = []
    for pair in query.split("&"):
        key, _, value = pair.partition("=")
        params.append(f"{key}={urllib.parse.quote(urllib.parse.unquote(value), safe='')}")
    return f"{base}?{'&'.join(params)}"


def for_mode(step: dict[str, Any], mode: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The step's request and expected response in `mode`."""
    override = step.get(mode, {})
    return override.get("request", step["request"]), override.get("expect", step["expect"])


def provisioning_session(emulator, headers: dict[str, str]) -> tuple[str, requests.Session]:
    """A new organization and a session holding its app's token (every
    `managed-users/…` permission) and the replay's headers but Content-Type,
    which goes with a body only."""
    org = emulator.admin_post("/organizations", {"name": "Provisioned"})["sid"]
    app = emulator.admin_post(
        "/apps",
        {
            "owner_sid": org,
            "grant_type": "client_credentials",
            "name": "Identity provider",
            "scopes": PERMISSIONS,
        },
    )
    session = requests.Session()
    session.headers.update(headers)
    session.headers["Authorization"] = f"Bearer {emulator.access_token(app)}"
    return org, session


def problems(response: requests.Response, expect: dict[str, Any], never: set[str]) -> list[str]:
    """What is wrong with `response` against the expected response (its body is
    not compared when its status is already wrong)."""
    if response.status_code != expect["status"]:
        return [f"status {response.status_code}, expected {expect['status']}"]
    if not response.content:
        return ["no body"] if "body" in expect else []
    found = ["a body with 204 No Content"] if response.status_code == 204 else []
    content_type = response.headers.get("Content-Type", "")
    if not content_type.startswith(SCIM_JSON):
        found.append(f"Content-Type {content_type!r}, expected {SCIM_JSON}")
    try:
        body = response.json()
    except ValueError:
        return [*found, "a body that is not JSON"]
    if "body" in expect:
        found += mismatches(expect["body"], body, "body")
    for path in expect.get("absent", []):
        try:
            lookup(body, path)
        except Unresolved:
            continue
        found.append(f"body.{path}: present, expected absent")
    found += [f"{key}: returned" for key in keys_anywhere(body, never)]
    return found


def replay(fixture: dict[str, Any], mode: str, emulator) -> list[str]:
    """Runs every step of `fixture` in `mode`; the failures, one line per step."""
    headers = dict(fixture.get("headers", {}))
    content_type = headers.pop("Content-Type", SCIM_JSON)
    org, session = provisioning_session(emulator, headers)
    context: dict[str, Any] = {
        "org": org,
        "vars": {name: var[mode] for name, var in fixture.get("vars", {}).items()},
    }
    never = {name.lower() for name in fixture.get("never_returned", [])}
    base = substitute(fixture["base"], context)
    savers = {
        step["save"]: f"step {number} {step['name']}"
        for number, step in enumerate(fixture["steps"], 1)
        if "save" in step
    }
    failures = []
    for number, step in enumerate(fixture["steps"], 1):
        where = f"step {number} {step['name']}"
        template, expected = for_mode(step, mode)
        try:
            request, expect = substitute(template, context), substitute(expected, context)
        except Unresolved as missing:
            saver = savers.get(str(missing).split(".", 1)[0])
            why = f"{saver} failed" if saver else "no step saves it"
            failures.append(f"{where}: not sent, {{{{{missing}}}}} is unknown ({why})")
            continue
        response = session.request(
            request["method"],
            f"{emulator.url}{base}{encoded(request['path'])}",
            data=json.dumps(request["body"]) if "body" in request else None,
            headers={"Content-Type": content_type} if "body" in request else None,
            timeout=TIMEOUT,
        )
        found = problems(response, expect, never)
        if found:
            failures.append(
                f"{where}: {request['method']} {template['path']} -> {'; '.join(found)}"
                f" | response {response.status_code} {response.text[:700]}"
            )
        if "save" in step and response.status_code == expect["status"] and response.content:
            context[step["save"]] = response.json()
    return failures


def run(fixture: dict[str, Any], mode: str, tmp_path) -> list[str]:
    """`replay` against a fresh emulator holding no organization, on `mode`'s rules."""
    process, emulator = start(tmp_path, "--empty", "--scim-rules", mode)
    try:
        return replay(fixture, mode, emulator)
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", NAMES)
def test_replay(name: str, mode: str, tmp_path) -> None:
    failures = run(load(name), mode, tmp_path)
    report = "\n".join(failures)
    assert not failures, f"{len(failures)} step(s) of the {name} replay failed:\n{report}"


@pytest.mark.parametrize("name", NAMES)
def test_replay_fixture_is_well_formed(name: str) -> None:
    """Every step names its source and its documented response; a mode's variant
    says why it differs; a placeholder names a var, the organization or what an
    earlier step saved."""
    fixture = load(name)
    names = [step["name"] for step in fixture["steps"]]
    assert len(set(names)) == len(names), names
    known = {"org", "vars"}
    for var in fixture.get("vars", {}).values():
        assert set(MODES) <= set(var) and var["adjustment"], var
    for step in fixture["steps"]:
        assert step["source"].split(" ", 1)[0] in fixture["sources"], step["name"]
        variants = [(step["request"], step["expect"])]
        for mode in MODES:
            if mode in step:
                assert step[mode]["adjustment"], step["name"]
                variants.append(for_mode(step, mode))
        for request, expect in variants:
            assert request["method"] in {"GET", "POST", "PUT", "PATCH", "DELETE"}, step["name"]
            assert request["path"].startswith("/"), step["name"]
            assert isinstance(expect["status"], int), step["name"]
            for placeholder in PLACEHOLDER.findall(json.dumps([request, expect])):
                root = placeholder.split(".", 1)[0]
                assert root in known, f"{step['name']}: {{{{{placeholder}}}}} before it is saved"
                if root == "vars":
                    assert placeholder.split(".")[1] in fixture["vars"], placeholder
        if "save" in step:
            known.add(step["save"])


# The harness itself, on requests both rule sets take: a run passes when every
# response is the expected one, and reports each kind of difference when not.
PLAIN_USER = {
    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
    "userName": "test.user@okta.local",
    "name": {"givenName": "Test", "familyName": "User"},
    "emails": [{"primary": True, "value": "test.user@okta.local", "type": "work"}],
    "active": True,
}
PLAIN_SEQUENCE = [
    {
        "name": "empty",
        "request": {"method": "GET", "path": "/Users?startIndex=1&count=2"},
        "expect": {"status": 200, "body": {"totalResults": 0, "Resources": []}},
    },
    {
        "name": "create",
        "request": {"method": "POST", "path": "/Users", "body": PLAIN_USER},
        "expect": {
            "status": 201,
            "body": {"id": "$any", "userName": "test.user@okta.local", "nickName": "$unassigned"},
        },
        "save": "user",
    },
    {
        "name": "filter",
        "request": {"method": "GET", "path": '/Users?filter=userName eq "TEST.user@okta.local"'},
        "expect": {
            "status": 200,
            "body": {"totalResults": 1, "Resources": [{"id": "{{user.id}}"}]},
        },
    },
    {
        "name": "deactivate",
        "request": {
            "method": "PATCH",
            "path": "/Users/{{user.id}}",
            "body": {
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "Replace", "path": "active", "value": False}],
            },
        },
        "expect": {"status": 200, "body": {"id": "{{user.id}}", "active": False}},
    },
    {
        "name": "replace",
        "request": {
            "method": "PUT",
            "path": "/Users/{{user.id}}",
            "body": {**PLAIN_USER, "name": {"givenName": "Another", "familyName": "User"}},
        },
        "expect": {
            "status": 200,
            "body": {"name": {"givenName": "Another", "familyName": "User"}, "active": True},
            "absent": ["nickName"],
        },
    },
    {
        "name": "delete",
        "request": {"method": "DELETE", "path": "/Users/{{user.id}}"},
        "expect": {"status": 204},
    },
    {
        "name": "gone",
        "request": {"method": "GET", "path": "/Users/{{user.id}}"},
        "expect": {"status": 404, "body": {"status": "404"}},
    },
]


ORGANIZATION_BASE = "/Organizations/{{org}}/scim"


@pytest.mark.parametrize("mode", MODES)
def test_harness_passes_a_plain_sequence(mode: str, tmp_path) -> None:
    plain = {"base": ORGANIZATION_BASE, "never_returned": ["password"], "steps": PLAIN_SEQUENCE}
    assert run(plain, mode, tmp_path) == []


def test_harness_reports_each_difference(tmp_path) -> None:
    user = "/Users/{{user.id}}"
    steps = [
        {
            "name": "create",
            "request": {"method": "POST", "path": "/Users", "body": PLAIN_USER},
            "expect": {
                "status": 201,
                "body": {
                    "userName": "someone@okta.local",
                    "nickName": "$any",
                    "active": "True",
                    "name": "$unassigned",
                },
            },
            "save": "user",
        },
        {"name": "status", "request": {"method": "GET", "path": user}, "expect": {"status": 404}},
        {
            "name": "absent",
            "request": {"method": "GET", "path": user},
            "expect": {"status": 200, "absent": ["name.givenName"]},
        },
        {
            "name": "list",
            "request": {"method": "GET", "path": "/Users"},
            "expect": {
                "status": 200,
                "body": {
                    "schemas": {"$contains": ["urn:x"]},
                    "Resources": [],
                    "totalResults": True,
                },
            },
        },
        {
            "name": "unknown",
            "request": {"method": "GET", "path": "/Users/{{nobody.id}}"},
            "expect": {"status": 200},
        },
        {
            "name": "delete",
            "request": {"method": "DELETE", "path": user},
            "expect": {"status": 204, "body": {}},
        },
    ]
    wrong = {"base": ORGANIZATION_BASE, "never_returned": ["EMAILS"], "steps": steps}
    failures = run(wrong, "twilio", tmp_path)
    assert [failure.split(" | response ")[0] for failure in failures] == [
        "step 1 create: POST /Users -> body.userName: 'test.user@okta.local', expected"
        " 'someone@okta.local'; body.nickName: missing; body.active: True, expected 'True';"
        " body.name: {'familyName': 'User', 'givenName': 'Test'}, expected unassigned;"
        " emails: returned",
        f"step 2 status: GET {user} -> status 200, expected 404",
        f"step 3 absent: GET {user} -> body.name.givenName: present, expected absent;"
        " emails: returned",
        'step 4 list: GET /Users -> body.schemas: no element matches "urn:x"; body.Resources:'
        " 1 element(s), expected 0; body.totalResults: 1, expected True; emails: returned",
        "step 5 unknown: not sent, {{nobody.id}} is unknown (no step saves it)",
        f"step 6 delete: DELETE {user} -> no body",
    ]
