"""The Twilio Python SDK (PyPI `twilio`), unmodified, pointed at the emulator: an
organization token from the Token API, then SCIM users, role assignments and accounts
through the Organizations API; and an account's OAuth apps through the IAM API with
the account SID and auth token."""

import logging

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.credential.orgs_credential_provider import OrgsCredentialProvider
from twilio.http.orgs_token_manager import OrgTokenManager
from twilio.rest import Client
from twilio.rest.iam.v1.o_auth_app import OAuthAppContext, OAuthAppList
from twilio.rest.preview_iam.versionless import Versionless
from twilio.rest.preview_iam.versionless.organization.user import UserContext, UserInstance
from twilio.rest.preview_iam.versionless.role_assignment import RoleAssignmentList
from twilio.rest.preview_iam.versionless.user import UserList

USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
DEVELOPER = "IX69616d6b69742d726f6c652d30303032"


@pytest.fixture(autouse=True)
def quiet_sdk():
    """The SDK logs every request at INFO, headers included; keep test output short."""
    logging.getLogger("twilio.http_client").setLevel(logging.WARNING)


def sdk_client(emulator, client_secret=None):
    """A Twilio client whose token manager and Organizations API use the emulator."""
    app = emulator.boot["apps"]["org_client_credentials"]
    secret = client_secret or app["client_secret"]
    manager = OrgTokenManager("client_credentials", app["client_id"], secret)
    manager.client.oauth.base_url = emulator.url
    provider = OrgsCredentialProvider(app["client_id"], secret, token_manager=manager)
    client = Client(credential_provider=provider)
    client.preview_iam.base_url = emulator.url
    return client


def test_users_role_assignments_and_accounts_through_the_sdk(emulator):
    org = emulator.boot["organization_sid"]
    iam = Versionless(sdk_client(emulator).preview_iam)

    names = [u.user_name for u in iam.users(org).list()]
    assert names == ["owner@demo.iamkit.test", "admin@demo.iamkit.test"]

    email = UserInstance.ScimEmailAddress(
        {"value": "sdk@acme.example", "primary": True, "type": "work"}
    )
    created = iam.users(org).create(
        UserList.ScimUser(
            {"schemas": [USER_URN], "userName": "sdk@acme.example", "emails": [email]}
        )
    )
    assert created.id.startswith("US") and created.meta["version"] == 'W/"1"'

    found = iam.users(org).list(filter='userName eq "SDK@ACME.example"')
    assert [u.id for u in found] == [created.id]

    user = iam.organization(org).users(created.id)
    patched = user.patch(
        UserContext.ScimPatchRequest(
            {
                "schemas": [PATCH_URN],
                "Operations": [{"op": "replace", "path": "displayName", "value": "SDK User"}],
            }
        )
    )
    assert patched.display_name == "SDK User"
    assert user.fetch().display_name == "SDK User"

    assignment = iam.role_assignments(org).create(
        RoleAssignmentList.PublicApiCreateRoleAssignmentRequest(
            {"role_sid": DEVELOPER, "scope": org, "identity": created.id}
        )
    )
    assert assignment.sid.startswith("IY") and assignment.role_sid == DEVELOPER
    listed = iam.role_assignments(org).list(identity=created.id)
    assert [a.sid for a in listed] == [assignment.sid]
    assert iam.organization(org).role_assignments(assignment.sid).delete() is True
    assert iam.role_assignments(org).list(identity=created.id) == []

    accounts = iam.accounts(org).list()
    assert [a.account_sid for a in accounts] == [emulator.boot["account_sid"]]

    assert user.delete() is True
    with pytest.raises(TwilioRestException) as missing:
        user.fetch()
    assert missing.value.status == 404


def test_role_assignment_list_pages_through_the_sdk(emulator):
    org = emulator.boot["organization_sid"]
    iam = Versionless(sdk_client(emulator).preview_iam)
    owner = emulator.boot["users"][0]["sid"]
    for role in ["IX69616d6b69742d726f6c652d30303032", "IX69616d6b69742d726f6c652d30303033"]:
        iam.role_assignments(org).create(
            RoleAssignmentList.PublicApiCreateRoleAssignmentRequest(
                {"role_sid": role, "scope": org, "identity": owner}
            )
        )
    every = iam.role_assignments(org).list(identity=owner, page_size=1)
    assert len(every) == 3, "the Owner assignment and the two new ones, one page at a time"


def test_a_wrong_secret_fails_at_the_token_api(emulator):
    org = emulator.boot["organization_sid"]
    iam = Versionless(sdk_client(emulator, client_secret="not-the-secret").preview_iam)
    with pytest.raises(TwilioRestException) as refused:
        iam.users(org).list()
    assert refused.value.status == 401


def test_oauth_v1_token_create_through_the_sdk(emulator):
    """`client.oauth.v1.token.create` posts Twilio's field names (`GrantType`,
    `ClientId`, `ClientSecret`) to `/v1/token`."""
    app = emulator.boot["apps"]["org_client_credentials"]
    client = Client()
    client.oauth.base_url = emulator.url
    token = client.oauth.v1.token.create(
        grant_type="client_credentials",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
    )
    assert (token.token_type, token.expires_in) == ("Bearer", 3600)
    users = requests.get(
        f"{emulator.url}/scim/v2/Users",
        headers={"Authorization": f"Bearer {token.access_token}"},
        timeout=10,
    )
    assert users.status_code == 200 and users.json()["totalResults"] == 2

    with pytest.raises(TwilioRestException) as refused:
        client.oauth.v1.token.create(
            grant_type="client_credentials", client_id=app["client_id"], client_secret="wrong"
        )
    assert refused.value.status == 401


def account_client(emulator, auth_token=None):
    """A Twilio client authenticated as the demo account (HTTP Basic with its SID
    and auth token), its IAM API on the emulator."""
    client = Client(emulator.boot["account_sid"], auth_token or emulator.boot["account_auth_token"])
    client.iam.base_url = emulator.url
    return client


def test_account_oauth_apps_through_the_sdk(emulator):
    """`client.iam.v1.o_auth_apps`: create, update and delete an account's app as the
    account, then use the app at the Token API."""
    apps = account_client(emulator).iam.v1.o_auth_apps
    created = apps.create(
        OAuthAppList.IamV1AccountVendorOauthAppCreateRequest(
            {
                "friendly_name": "SDK reporter",
                "description": "made by twilio-python",
                "policy": {"allow": ["messages/read", "messages/list"]},
                "access_token_ttl": 600,
            }
        )
    )
    assert created.sid.startswith("OQ") and created.secret
    assert (created.friendly_name, created.access_token_ttl) == ("SDK reporter", 600)
    assert created.created_by == emulator.boot["account_sid"]
    assert created.policy == {"allow": ["messages/read", "messages/list"], "deny": []}

    def token_ttl():
        token = requests.post(
            f"{emulator.url}/v2/token",
            data={"grant_type": "client_credentials"},
            auth=(created.sid, created.secret),
            timeout=10,
        )
        assert token.status_code == 200, token.text
        return token.json()["expires_in"]

    assert token_ttl() == 600

    updated = apps(created.sid).update(
        OAuthAppContext.IamV1AccountVendorOauthAppUpdateRequest(
            {"friendly_name": "SDK reporter 2", "access_token_ttl": 120}
        )
    )
    assert (updated.friendly_name, updated.access_token_ttl) == ("SDK reporter 2", 120)
    assert updated.description == "made by twilio-python", "null keeps a field"
    assert updated.secret is None, "the secret is shown once"
    assert token_ttl() == 120

    with pytest.raises(TwilioRestException) as slow:
        apps(created.sid).update(
            OAuthAppContext.IamV1AccountVendorOauthAppUpdateRequest({"access_token_ttl": 59})
        )
    assert (slow.value.status, slow.value.code) == (400, 20001)
    assert "token lifetime 59 s is out of range: 60..=2592000 s" in slow.value.msg

    assert apps(created.sid).delete() is True
    with pytest.raises(TwilioRestException) as gone:
        apps(created.sid).delete()
    assert (gone.value.status, gone.value.code) == (404, 20404)


def test_account_oauth_apps_need_the_accounts_auth_token(emulator):
    apps = account_client(emulator, auth_token="0" * 32).iam.v1.o_auth_apps
    with pytest.raises(TwilioRestException) as refused:
        apps.create(
            OAuthAppList.IamV1AccountVendorOauthAppCreateRequest(
                {"friendly_name": "x", "policy": {"allow": ["messages/read"]}}
            )
        )
    assert (refused.value.status, refused.value.code) == (401, 20003)
    assert (
        refused.value.msg == "Unable to create record: the account SID and auth token do not match"
    )


def test_account_list_pages_through_the_sdk(emulator):
    """`accounts.list(page_size=1)` follows `meta.next_page_url` page after page."""
    org = emulator.boot["organization_sid"]
    made = [
        emulator.admin_post(f"/organizations/{org}/accounts", {"name": name})["sid"]
        for name in ["Second", "Third"]
    ]
    iam = Versionless(sdk_client(emulator).preview_iam)
    pages = iam.accounts(org).page(page_size=1)
    seen = []
    while pages is not None:
        seen.append([a.account_sid for a in pages])
        pages = pages.next_page()
    assert seen == [[emulator.boot["account_sid"]], [made[0]], [made[1]]]
    every = iam.accounts(org).list(page_size=1)
    assert [a.account_sid for a in every] == [emulator.boot["account_sid"], *made]
    owner = emulator.boot["users"][0]["sid"]
    assert {a.owner_sid for a in every} == {owner}, "owned by the demo Owner"
