"""Generic OAuth clients nobody here wrote, pointed at the emulator."""

import base64
import hashlib
import secrets
import urllib.parse

import consent
import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from oauthlib.oauth2 import BackendApplicationClient
from requests_oauthlib import OAuth2Session as OAuthlibSession


def test_requests_oauthlib_client_credentials(emulator):
    app = emulator.boot["apps"]["org_client_credentials"]
    session = OAuthlibSession(client=BackendApplicationClient(client_id=app["client_id"]))
    token = session.fetch_token(
        token_url=f"{emulator.url}/v2/token",
        client_id=app["client_id"],
        client_secret=app["client_secret"],
    )
    assert token["token_type"] == "Bearer"
    assert token["expires_in"] == 3600
    assert token["access_token"].count(".") == 2


def test_requests_oauthlib_wrong_secret_raises(emulator):
    app = emulator.boot["apps"]["org_client_credentials"]
    session = OAuthlibSession(client=BackendApplicationClient(client_id=app["client_id"]))
    with pytest.raises(Exception) as raised:
        session.fetch_token(
            token_url=f"{emulator.url}/v2/token",
            client_id=app["client_id"],
            client_secret="not-the-secret",
        )
    assert "invalid_client" in str(raised.value)


def test_authlib_client_credentials_with_basic_auth(emulator):
    app = emulator.boot["apps"]["account_client_credentials"]
    session = OAuth2Session(
        app["client_id"],
        app["client_secret"],
        token_endpoint_auth_method="client_secret_basic",
    )
    token = session.fetch_token(f"{emulator.url}/v2/token", grant_type="client_credentials")
    assert token["expires_in"] == 3600
    claims = requests.post(
        f"{emulator.url}/v2/introspect",
        data={"token": token["access_token"]},
        auth=(app["client_id"], app["client_secret"]),
        timeout=10,
    ).json()
    assert claims["active"] is True
    assert claims["account_sid"] == emulator.boot["account_sid"]


def approve(emulator, authorization_url, user_sid):
    """Plays the signed-in user on the consent page; the redirect location."""
    return consent.approve(emulator.url, authorization_url, user_sid)


def test_authlib_authorization_code_with_pkce_and_refresh(emulator):
    app = emulator.boot["apps"]["org_authorization_code"]
    owner = emulator.boot["users"][0]["sid"]
    session = OAuth2Session(
        app["client_id"],
        app["client_secret"],
        redirect_uri=app["redirect_uri"],
        scope="offline_access",
        code_challenge_method="S256",
    )
    verifier = secrets.token_urlsafe(48)
    url, state = session.create_authorization_url(
        f"{emulator.url}/v2/authorize", code_verifier=verifier
    )
    location = approve(emulator, url, owner)
    assert f"state={state}" in location
    token = session.fetch_token(
        f"{emulator.url}/v2/token",
        authorization_response=location,
        code_verifier=verifier,
    )
    assert token["refresh_token"]
    refreshed = session.refresh_token(
        f"{emulator.url}/v2/token", refresh_token=token["refresh_token"]
    )
    assert refreshed["access_token"] != token["access_token"]


def test_a_replayed_code_is_refused_and_revokes_the_first_tokens(emulator):
    app = emulator.boot["apps"]["org_authorization_code"]
    owner = emulator.boot["users"][0]["sid"]
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    query = urllib.parse.urlencode(
        {
            "client_id": app["client_id"],
            "response_type": "code",
            "redirect_uri": app["redirect_uri"],
            "state": "s",
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    location = approve(emulator, f"{emulator.url}/v2/authorize?{query}", owner)
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))["code"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": app["redirect_uri"],
        "code_verifier": verifier,
    }
    auth = (app["client_id"], app["client_secret"])
    first = requests.post(f"{emulator.url}/v2/token", data=form, auth=auth, timeout=10)
    assert first.status_code == 200
    second = requests.post(f"{emulator.url}/v2/token", data=form, auth=auth, timeout=10)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    introspection = requests.post(
        f"{emulator.url}/v2/introspect",
        data={"token": first.json()["access_token"]},
        auth=auth,
        timeout=10,
    ).json()
    assert introspection == {"active": False}


def test_clock_moves_token_code_and_rotated_secret_to_their_boundaries(emulator):
    """Advances the emulator's clock through the admin API and watches a token, a
    code and a rotated secret expire at their exact boundaries."""
    cc = emulator.boot["apps"]["org_client_credentials"]

    def token(secret):
        return requests.post(
            f"{emulator.url}/v2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": cc["client_id"],
                "client_secret": secret,
            },
            timeout=10,
        )

    def active(access_token):
        return requests.post(
            f"{emulator.url}/v2/introspect",
            data={"token": access_token},
            auth=(cc["client_id"], rotated["client_secret"]),
            timeout=10,
        ).json()["active"]

    access = token(cc["client_secret"]).json()["access_token"]
    rotated = emulator.admin_post(f"/apps/{cc['client_id']}/rotate", {})
    assert rotated["previous_secret_valid_until"] == "2030-01-02T00:00:00Z"

    emulator.advance(3599)
    assert active(access) is True
    emulator.advance(1)
    assert active(access) is False

    emulator.admin_post("/clock", {"set": "2030-01-01T23:59:59Z"})
    assert token(cc["client_secret"]).status_code == 200
    emulator.advance(1)
    refused = token(cc["client_secret"])
    assert refused.status_code == 401 and refused.json()["error"] == "invalid_client"
    assert token(rotated["client_secret"]).status_code == 200

    app = emulator.boot["apps"]["org_authorization_code"]
    query = urllib.parse.urlencode(
        {
            "client_id": app["client_id"],
            "response_type": "code",
            "redirect_uri": app["redirect_uri"],
        }
    )
    location = approve(
        emulator,
        f"{emulator.url}/v2/authorize?{query}",
        emulator.boot["users"][1]["sid"],
    )
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))["code"]
    emulator.advance(299)
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": app["redirect_uri"],
    }
    location = approve(
        emulator,
        f"{emulator.url}/v2/authorize?{query}",
        emulator.boot["users"][1]["sid"],
    )
    second_code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))["code"]
    on_time = requests.post(
        f"{emulator.url}/v2/token",
        data=form,
        auth=(app["client_id"], app["client_secret"]),
        timeout=10,
    )
    assert on_time.status_code == 200
    emulator.advance(300)
    expired = requests.post(
        f"{emulator.url}/v2/token",
        data={**form, "code": second_code},
        auth=(app["client_id"], app["client_secret"]),
        timeout=10,
    )
    assert expired.status_code == 400 and expired.json()["error"] == "invalid_grant"
    assert "expired" in expired.json()["error_description"]
