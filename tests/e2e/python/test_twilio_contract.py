"""Twilio's published API contract: every operation of Twilio's OpenAPI specs
(tests/contract/twilio-oai/) that the emulator serves, called with requests that
succeed and requests that fail, each response checked against the spec's declared
status, media type and body schema (twilio_contract.py).

The tests run in file order: the last one finds, by probing a fresh emulator, the
operations the emulator serves, and fails if one of them, or a status one declares,
was not exercised by the tests before it (unless NOT_PRODUCED says why the emulator
never answers it), or if a choice or a pending entry was never used.
"""

from __future__ import annotations

import urllib.parse

import requests
from twilio_contract import (
    ACCOUNT,
    ACCOUNTS,
    ASSIGNMENT,
    ASSIGNMENTS,
    CHOICES,
    CONTRACT,
    PENDING,
    SCIM_USER,
    SCIM_USERS,
    TIMEOUT,
    call,
    consent_page,
    ops,
    readme_has,
    served,
)

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
DEVELOPER = "IX69616d6b69742d726f6c652d30303032"
OTHER_ORG = "OR" + "0" * 32

# Declared statuses that no request makes the emulator answer, and why.
NOT_PRODUCED = [
    ("429", None, "the emulator does not limit request rates"),
    ("500", None, "no request makes the emulator fail"),
    ("201", ops("POST /v1/token"), "a token is issued with 200, as the choice says"),
    (
        "404",
        ops(f"POST {SCIM_USERS}", f"GET {ACCOUNTS}"),
        "another organization's path is 403 wrong_organization: the token is checked first",
    ),
    (
        "403",
        ops("PUT /v1/Account/OAuthApps/{sid}", "DELETE /v1/Account/OAuthApps/{sid}"),
        "an update or delete names no owner: another account's app is 404, as an unknown one",
    ),
    (
        "400",
        ops(f"DELETE {SCIM_USER}", f"DELETE {ASSIGNMENT}"),
        "a delete has no input to refuse: an unknown or malformed sid is 404",
    ),
]


def bearer(emulator, app):
    return {"Authorization": f"Bearer {emulator.access_token(app)}"}


def org_token(emulator, scopes=None):
    """A token of the demo organization's app, or of a new app with `scopes`."""
    app = emulator.boot["apps"]["org_client_credentials"]
    if scopes is not None:
        app = emulator.admin_post(
            "/apps",
            {
                "owner_sid": emulator.boot["organization_sid"],
                "grant_type": "client_credentials",
                "name": "Contract",
                "scopes": scopes,
            },
        )
    return bearer(emulator, app)


def scim_user(user_name, **extra):
    return {
        "schemas": [USER_URN],
        "userName": user_name,
        "emails": [{"value": user_name, "type": "work", "primary": True}],
        **extra,
    }


def patch(*operations):
    return {"schemas": [PATCH_URN], "Operations": list(operations)}


def test_token_endpoints(emulator):
    app = emulator.boot["apps"]["org_client_credentials"]
    rfc = {
        "grant_type": "client_credentials",
        "client_id": app["client_id"],
        "client_secret": app["client_secret"],
    }
    twilio = {
        "GrantType": "client_credentials",
        "ClientId": app["client_id"],
        "ClientSecret": app["client_secret"],
    }
    issued = call(emulator.url, "POST", "/v2/token", 200, data=rfc).json()
    assert issued["token_type"] == "Bearer" and issued["expires_in"] == 3600
    missing = call(
        emulator.url, "POST", "/v2/token", 400, data={"grant_type": "client_credentials"}
    )
    assert missing.json()["error"] == "invalid_request"
    wrong = call(emulator.url, "POST", "/v2/token", 401, data={**rfc, "client_secret": "wrong"})
    assert wrong.json()["error"] == "invalid_client"

    for fields in (twilio, rfc):
        assert (
            call(emulator.url, "POST", "/v1/token", 200, data=fields).json()["expires_in"] == 3600
        )
    unsupported = call(emulator.url, "POST", "/v1/token", 400, data={**twilio, "GrantType": "x"})
    assert unsupported.json()["error"] == "unsupported_grant_type"
    wrong = call(emulator.url, "POST", "/v1/token", 401, data={**twilio, "ClientSecret": "wrong"})
    assert wrong.json()["error"] == "invalid_client"


def test_authorize(emulator):
    app = emulator.boot["apps"]["org_authorization_code"]
    query = {
        "client_id": app["client_id"],
        "response_type": "code",
        "redirect_uri": app["redirect_uri"],
        "scope": "managed-users/list",
        "state": "xyz",
    }
    call(emulator.url, "GET", "/v2/authorize", 200, params=query)
    refused = call(emulator.url, "GET", "/v2/authorize", 400, params={"client_id": "OQ" + "0" * 32})
    assert "invalid_client" in refused.text
    redirected = call(
        emulator.url, "GET", "/v2/authorize", 302, params={**query, "response_type": "token"}
    )
    location = redirected.headers["Location"]
    assert redirected.json() == {"redirect_to": location}
    sent_back = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    assert sent_back["error"] == "unsupported_response_type" and sent_back["state"] == "xyz"

    # Twilio's oauth_v1 names (twilio_oauth_v1.json) and RFC 6749's
    # (twilio_iam_organizations.json) both lead to the consent page.
    twilio = {
        "ClientId": app["client_id"],
        "ResponseType": "code",
        "RedirectUri": app["redirect_uri"],
        "Scope": "managed-users/list",
        "State": "xyz",
    }
    for fields in (twilio, query):
        redirected = call(emulator.url, "GET", "/v1/authorize", 302, params=fields)
        location = redirected.headers["Location"]
        assert redirected.json() == {"redirect_to": location}
        assert location == f"{emulator.url}/v2/authorize?{urllib.parse.urlencode(query)}"
        consent_page(requests.get(location, timeout=TIMEOUT))


def test_scim_users(emulator):
    url, org = emulator.url, emulator.boot["organization_sid"]
    auth = org_token(emulator)
    here = {"OrganizationSid": org}
    elsewhere = {"OrganizationSid": OTHER_ORG}
    account_token = bearer(emulator, emulator.boot["apps"]["account_client_credentials"])
    no_token = {"Authorization": "Bearer not-a-jwt"}

    listed = call(url, "GET", SCIM_USERS, 200, here, headers=auth).json()
    assert listed["totalResults"] == 2
    bad = call(url, "GET", SCIM_USERS, 400, here, headers=auth, params={"filter": "nosuch eq 1"})
    assert bad.json()["scimType"] == "invalidFilter"
    call(url, "GET", SCIM_USERS, 401, here)
    call(url, "GET", SCIM_USERS, 403, here, headers=account_token)
    call(url, "GET", SCIM_USERS, 403, here, headers=org_token(emulator, ["managed-users/read"]))

    body = scim_user("contract@acme.example", externalId="contract-1", displayName="Contract")
    created = call(url, "POST", SCIM_USERS, 201, here, headers=auth, json=body).json()
    user = {**here, "UserSid": created["id"]}
    taken = call(url, "POST", SCIM_USERS, 409, here, headers=auth, json=body)
    assert taken.json()["scimType"] == "uniqueness"
    missing = call(url, "POST", SCIM_USERS, 400, here, headers=auth, json={"schemas": [USER_URN]})
    assert missing.json()["scimType"] == "invalidValue"
    call(url, "POST", SCIM_USERS, 401, here, headers=no_token, json=body)
    call(url, "POST", SCIM_USERS, 403, elsewhere, headers=auth, json=body)

    fetched = call(url, "GET", SCIM_USER, 200, user, headers=auth).json()
    assert fetched["userName"] == "contract@acme.example"
    call(url, "GET", SCIM_USER, 400, user, headers=auth, params={"attributes": "nosuch"})
    call(url, "GET", SCIM_USER, 401, user)
    call(url, "GET", SCIM_USER, 403, {**user, **elsewhere}, headers=auth)
    unknown = {**here, "UserSid": "US" + "0" * 32}
    call(url, "GET", SCIM_USER, 404, unknown, headers=auth)

    owner = emulator.boot["users"][0]["user_name"]
    version = {"If-Match": fetched["meta"]["version"]}
    replaced = call(
        url,
        "PUT",
        SCIM_USER,
        200,
        user,
        headers={**auth, **version},
        json={**body, "displayName": "Replaced"},
    ).json()
    assert replaced["displayName"] == "Replaced"
    stale = {**auth, **version}
    call(url, "PUT", SCIM_USER, 412, user, headers=stale, json=body)
    taken = call(url, "PUT", SCIM_USER, 409, user, headers=auth, json=scim_user(owner))
    assert taken.json()["scimType"] == "uniqueness"
    call(url, "PUT", SCIM_USER, 400, user, headers=auth, json={"schemas": [USER_URN]})
    call(url, "PUT", SCIM_USER, 401, user, json=body)
    call(url, "PUT", SCIM_USER, 403, {**user, **elsewhere}, headers=auth, json=body)
    call(url, "PUT", SCIM_USER, 404, unknown, headers=auth, json=body)

    rename = patch({"op": "replace", "path": "displayName", "value": "Patched"})
    patched = call(url, "PATCH", SCIM_USER, 200, user, headers=auth, json=rename).json()
    assert patched["displayName"] == "Patched"
    call(url, "PATCH", SCIM_USER, 412, user, headers=stale, json=rename)
    to_owner = patch(
        {"op": "replace", "path": "userName", "value": owner},
        {"op": "replace", "path": "emails", "value": [{"value": owner, "primary": True}]},
    )
    taken = call(url, "PATCH", SCIM_USER, 409, user, headers=auth, json=to_owner)
    assert taken.json()["scimType"] == "uniqueness"
    unknown_op = patch({"op": "frob", "path": "displayName", "value": "x"})
    call(url, "PATCH", SCIM_USER, 400, user, headers=auth, json=unknown_op)
    unknown_path = patch({"op": "replace", "path": "nosuch", "value": "x"})
    invalid = call(url, "PATCH", SCIM_USER, 400, user, headers=auth, json=unknown_path)
    assert invalid.json()["scimType"] == "invalidPath"
    call(url, "PATCH", SCIM_USER, 401, user, json=rename)
    call(url, "PATCH", SCIM_USER, 403, {**user, **elsewhere}, headers=auth, json=rename)
    call(url, "PATCH", SCIM_USER, 404, unknown, headers=auth, json=rename)

    call(url, "DELETE", SCIM_USER, 401, user)
    call(url, "DELETE", SCIM_USER, 403, {**user, **elsewhere}, headers=auth)
    call(url, "DELETE", SCIM_USER, 204, user, headers=auth)
    call(url, "DELETE", SCIM_USER, 404, user, headers=auth)


def test_accounts(emulator):
    url, org = emulator.url, emulator.boot["organization_sid"]
    auth = org_token(emulator)
    here = {"OrganizationSid": org}
    account = {**here, "AccountSid": emulator.boot["account_sid"]}
    account_token = bearer(emulator, emulator.boot["apps"]["account_client_credentials"])

    listed = call(url, "GET", ACCOUNTS, 200, here, headers=auth).json()
    assert [a["account_sid"] for a in listed["content"]] == [emulator.boot["account_sid"]]
    assert listed["meta"]["page_size"] == 50
    assert listed["content"][0]["owner_sid"].startswith("US")
    one = call(url, "GET", ACCOUNTS, 200, here, headers=auth, params={"PageSize": 1}).json()
    assert one["meta"]["page_size"] == 1
    call(url, "GET", ACCOUNTS, 400, here, headers=auth, params={"PageSize": 101})
    call(url, "GET", ACCOUNTS, 401, here)
    call(url, "GET", ACCOUNTS, 403, here, headers=account_token)
    call(url, "GET", ACCOUNTS, 403, {"OrganizationSid": OTHER_ORG}, headers=auth)

    fetched = call(url, "GET", ACCOUNT, 200, account, headers=auth).json()
    assert fetched["account_sid"] == emulator.boot["account_sid"]
    call(url, "GET", ACCOUNT, 401, account, headers={"Authorization": "Bearer not-a-jwt"})
    call(url, "GET", ACCOUNT, 403, {**account, "OrganizationSid": OTHER_ORG}, headers=auth)
    call(url, "GET", ACCOUNT, 404, {**account, "AccountSid": "AC" + "0" * 32}, headers=auth)
    call(url, "GET", ACCOUNT, 404, {**account, "AccountSid": "not-a-sid"}, headers=auth)


APPS = "/v1/Account/OAuthApps"
APP = "/v1/Account/OAuthApps/{sid}"


def test_account_oauth_apps(emulator):
    url, account = emulator.url, emulator.boot["account_sid"]
    auth = (account, emulator.boot["account_auth_token"])
    wrong = (account, "0" * 32)
    body = {
        "type": "client_credentials",
        "friendly_name": "Contract",
        "description": "made by the contract test",
        "policy": {"allow": ["messages/read"]},
        "access_token_ttl": 120,
    }
    made = call(url, "POST", APPS, 201, auth=auth, json=body).json()
    assert made["secret"] and made["access_token_ttl"] == 120
    too_short = call(url, "POST", APPS, 400, auth=auth, json={**body, "access_token_ttl": 59})
    assert too_short.json()["code"] == 20001
    call(url, "POST", APPS, 401, auth=wrong, json=body)
    other = {**body, "owner_sid": "AC" + "0" * 32}
    call(url, "POST", APPS, 403, auth=auth, json=other)

    app = {"sid": made["sid"]}
    updated = call(url, "PUT", APP, 200, app, auth=auth, json={"friendly_name": "Renamed"})
    assert updated.json()["friendly_name"] == "Renamed"
    call(url, "PUT", APP, 400, app, auth=auth, json={"access_token_ttl": 59})
    call(url, "PUT", APP, 401, app, auth=wrong, json={"friendly_name": "x"})
    call(url, "PUT", APP, 404, {"sid": "OQ" + "0" * 32}, auth=auth, json={"friendly_name": "x"})

    call(url, "DELETE", APP, 400, {"sid": "not-a-sid"}, auth=auth)
    call(url, "DELETE", APP, 401, app, auth=wrong)
    call(url, "DELETE", APP, 204, app, auth=auth)
    call(url, "DELETE", APP, 404, app, auth=auth)


def test_role_assignments(emulator):
    url, org = emulator.url, emulator.boot["organization_sid"]
    auth = org_token(emulator)
    here = {"OrganizationSid": org}
    elsewhere = {"OrganizationSid": OTHER_ORG}
    admin = emulator.boot["users"][1]["sid"]
    new = {"role_sid": DEVELOPER, "scope": org, "identity": admin}

    listed = call(url, "GET", ASSIGNMENTS, 200, here, headers=auth, params={"Scope": org}).json()
    assert len(listed["content"]) == 2 and listed["meta"]["page_size"] == 100
    unfiltered = call(url, "GET", ASSIGNMENTS, 400, here, headers=auth)
    assert unfiltered.json()["code"] == 25203
    call(url, "GET", ASSIGNMENTS, 401, here, params={"Scope": org})
    call(url, "GET", ASSIGNMENTS, 403, elsewhere, headers=auth, params={"Scope": org})

    created = call(url, "POST", ASSIGNMENTS, 201, here, headers=auth, json=new).json()
    assert created["role_sid"] == DEVELOPER and created["identity"] == admin
    held = call(url, "POST", ASSIGNMENTS, 409, here, headers=auth, json=new)
    assert held.json()["code"] == 20409
    invalid = call(url, "POST", ASSIGNMENTS, 400, here, headers=auth, json={**new, "role_sid": "x"})
    assert invalid.json()["code"] == 25202
    call(url, "POST", ASSIGNMENTS, 401, here, json=new)
    call(url, "POST", ASSIGNMENTS, 403, elsewhere, headers=auth, json=new)
    read_only = org_token(emulator, ["role-assignments/list"])
    call(url, "POST", ASSIGNMENTS, 403, here, headers=read_only, json=new)

    assignment = {**here, "RoleAssignmentSid": created["sid"]}
    call(url, "DELETE", ASSIGNMENT, 401, assignment)
    call(url, "DELETE", ASSIGNMENT, 403, {**assignment, **elsewhere}, headers=auth)
    call(url, "DELETE", ASSIGNMENT, 204, assignment, headers=auth)
    call(url, "DELETE", ASSIGNMENT, 404, assignment, headers=auth)


def not_produced(op, status):
    return next(
        (
            reason
            for s, where, reason in NOT_PRODUCED
            if s == status and (where is None or op.key in where)
        ),
        None,
    )


def test_every_served_operation_and_declared_status_is_exercised(emulator):
    operations = served(emulator.url)
    assert operations, "the probe found no served operation"
    problems = []
    for op in operations:
        exercised = CONTRACT.exercised.get((op.spec, op.method, op.path), set())
        if not exercised:
            problems.append(f"{op.name} is served but no test calls it")
            continue
        if not any(s.startswith(("2", "3")) for s in exercised):
            problems.append(f"{op.name}: no successful response was checked")
        for status in op.responses():
            reason = not_produced(op, status)
            if status not in exercised and reason is None:
                problems.append(f"{op.name}: declared {status} is never exercised")
            if status in exercised and reason is not None:
                problems.append(f"{op.name}: {status} is exercised, yet NOT_PRODUCED says {reason}")
    for key in CONTRACT.exercised:
        if not any((op.spec, op.method, op.path) == key for op in operations):
            problems.append(f"{key} is called, but the probe does not find it served")
    unused_choices = [c.name for c in CHOICES if c.name not in CONTRACT.choices_used]
    unused_pending = [p.name for p in PENDING if p.name not in CONTRACT.pending_used]
    problems += [f"choice never used: {name}" for name in unused_choices]
    problems += [f"pending mismatch no longer seen (remove it): {name}" for name in unused_pending]
    assert not problems, "\n".join(problems)


def test_every_choice_names_its_readme_line():
    missing = [c.name for c in CHOICES if not readme_has(c.readme)]
    assert not missing, missing
