"""The Twilio Python SDK (PyPI `twilio`), unmodified, pointed at the emulator: an
organization token from the Token API, then SCIM users, role assignments and accounts
through the Organizations API."""

import logging

import pytest
import requests
from twilio.base.exceptions import TwilioRestException
from twilio.credential.orgs_credential_provider import OrgsCredentialProvider
from twilio.http.orgs_token_manager import OrgTokenManager
from twilio.rest import Client
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
