"""The shared vectors (`tests/vectors/`) over HTTP: each vector op mapped onto the
emulator's public endpoints and its admin API (`/admin/v1`).

The Rust, Python, Node and Kotlin suites run the same files in process. Here every
step of every scenario is a request (or a few) to a real `iamkit serve`, and its
outcome is read back from what the emulator answers: the stable error code from the
`error` member of the OAuth/Twilio error body, from the `error` parameter of an
authorization redirect, or from the authorization error page; SCIM errors by their
`scimType`.

Where HTTP shows less than the in-process API, the step still runs and asserts what
the emulator does show; the part it cannot assert is recorded in `GAPS` (one entry
per step, with the reason) and listed in the pytest summary.
"""

from __future__ import annotations

import base64
import collections
import html
import json
import re
import urllib.parse
from typing import Any

import consent
import jwt
import requests

TIMEOUT = 10

# Steps whose outcome the emulator shows only in part: reason -> where, for the
# pytest summary (conftest.py).
GAPS: dict[str, list[str]] = collections.defaultdict(list)


class StepError(Exception):
    """A step failed with this stable error code."""

    def __init__(self, code: str, detail: Any = None):
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


class NoCounterpart(Exception):
    """The step has no HTTP counterpart: why (recorded in GAPS, not asserted)."""


def error_code(response: requests.Response) -> StepError:
    """The error of an OAuth/Twilio-shaped error response."""
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict) or not isinstance(body.get("error"), str):
        raise AssertionError(
            f"{response.request.method} {response.url}: {response.status_code} "
            f"without an error code: {response.text[:500]}"
        )
    return StepError(body["error"], body)


def checked(response: requests.Response) -> Any:
    """The JSON body of a success, or the StepError of a failure."""
    if response.status_code >= 400:
        raise error_code(response)
    return response.json() if response.content else {}


def claims_of(token: str) -> dict[str, Any] | None:
    """The payload of a JWT, unverified, or None when it is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except ValueError:
        return None
    return claims if isinstance(claims, dict) else None


# The status and Twilio code of each access error, for SCIM paths: their error body
# (the SCIM error schema) carries no RFC 6749 / iamkit code.
ACCESS_ERRORS = {
    "insufficient_scope": (403, 20403),
    "wrong_organization": (403, 20403),
    "wrong_token_level": (403, 20403),
    "unknown_endpoint": (404, 20404),
}
TOKEN_ERROR = (401, 20003)
PERMISSION_NOT_SHOWN = "check_access: the permission that allowed a request is not shown"


class OAuthClient:
    """Runs OAuth vector steps against one emulator (a fresh one per scenario)."""

    def __init__(self, emulator, where: str):
        self.emulator = emulator
        self.url = emulator.url
        self.where = where
        self.http = requests.Session()
        # client id -> {"secret", "organization", "deleted"}; tokens -> client id.
        self.apps: dict[str, dict[str, Any]] = {}
        self.token_client: dict[str, str] = {}
        self._jwks: jwt.PyJWKSet | None = None

    # --- plumbing ---------------------------------------------------------------

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        response = self.emulator.admin.request(
            method, f"{self.url}/admin/v1{path}", json=body, timeout=TIMEOUT
        )
        return checked(response)

    def post_form(self, path: str, fields: dict[str, str]) -> requests.Response:
        return self.http.post(
            f"{self.url}{path}", data=fields, timeout=TIMEOUT, allow_redirects=False
        )

    def gap(self, step_at: str, reason: str) -> None:
        GAPS[reason].append(f"{self.where} / {step_at}")

    @staticmethod
    def quoted(text: str) -> str:
        return urllib.parse.quote(text, safe="")

    # --- ops --------------------------------------------------------------------

    def run(self, step: dict[str, Any], at: str) -> dict[str, Any]:
        op = step["op"]
        handler = getattr(self, f"op_{op}", None)
        if handler is None:
            raise AssertionError(f"{at}: the HTTP interpreter has no mapping for op {op}")
        return handler(step, at)

    def op_advance(self, step, at):
        self.admin("POST", "/clock", {"advance_seconds": step["seconds"]})
        return {}

    def op_create_organization(self, step, at):
        return {"id": self.admin("POST", "/organizations", {"name": step["name"]})["sid"]}

    def op_create_account(self, step, at):
        path = f"/organizations/{self.quoted(step['organization'])}/accounts"
        return {"id": self.admin("POST", path, {"name": step["name"]})["sid"]}

    def op_create_user(self, step, at):
        body = {
            "organization_sid": step["organization"],
            "user_name": step["user_name"],
            "roles": step.get("roles", []),
            "sso": step.get("sso", False),
        }
        return {"id": self.admin("POST", "/users", body)["sid"]}

    def op_create_app(self, step, at):
        body = {"owner_sid": step["owner"], "grant_type": step["grant_type"]}
        body["name"] = step.get("name", "")
        body["scopes"] = step.get("scopes", [])
        for key in (
            "token_ttl",
            "redirect_url",
            "description",
            "company_name",
            "image_urls",
            "homepage_url",
            "terms_of_service_url",
        ):
            if key in step:
                body[key] = step[key]
        app = self.admin("POST", "/apps", body)
        self.apps[app["client_id"]] = {
            "secret": app["client_secret"],
            "organization": organization_of(app),
            "deleted": False,
        }
        return {
            "id": app["client_id"],
            "client_secret": app["client_secret"],
            "token_ttl": app["token_ttl"],
            "scopes": app["scopes"],
        }

    def op_update_app(self, step, at):
        body = {
            k: step[k]
            for k in ("name", "description", "scopes", "token_ttl", "redirect_url")
            if k in step
        }
        app = self.admin("POST", f"/apps/{self.quoted(step['client_id'])}", body)
        return {
            "id": app["client_id"],
            "token_ttl": app["token_ttl"],
            "scopes": app["scopes"],
            "name": app["name"],
        }

    def op_rotate_secret(self, step, at):
        body = {"grace_seconds": step["grace_seconds"]} if "grace_seconds" in step else {}
        app = self.admin("POST", f"/apps/{self.quoted(step['client_id'])}/rotate", body)
        self.apps[app["client_id"]]["secret"] = app["client_secret"]
        return {"id": app["client_id"], "client_secret": app["client_secret"]}

    def op_delete_app(self, step, at):
        self.admin("DELETE", f"/apps/{self.quoted(step['client_id'])}")
        self.apps[step["client_id"]]["deleted"] = True
        return {}

    def op_authorize(self, step, at):
        """The signed-in user approves on the consent page, with the page's ticket."""
        fields = {
            "client_id": step["client_id"],
            "response_type": step.get("response_type", "code"),
            "redirect_uri": step["redirect_uri"],
        }
        for key in ("scope", "state", "code_challenge", "code_challenge_method"):
            if key in step:
                fields[key] = step[key]
        organization = self.apps.get(step["client_id"], {}).get("organization")
        before = self.authorizations(organization)
        response = consent.decide(self.http, self.url, fields, step["user_sid"], "approve")
        if response.status_code == 302:
            location = response.headers["Location"]
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query)
            if "error" in query:
                # RFC 6749 §4.1.2.1: the error goes back to the client.
                assert location.startswith(step["redirect_uri"]), location
                raise StepError(query["error"][0], location)
            (code,) = query["code"]
            return {
                "code": code,
                "redirect_to": location,
                "authorization_sid": self.recorded(step, organization, before),
            }
        # Errors about the client or the redirect URI are shown, never redirected.
        assert response.status_code == 400, (response.status_code, response.text[:300])
        shown = re.search(r'<p id="error">([^<]*)</p>', response.text)
        assert shown, response.text[:300]
        raise StepError(html.unescape(shown.group(1)), response.text)

    def authorizations(self, organization: str | None) -> dict[str, dict[str, Any]]:
        """The organization's authorized apps, by sid, from the admin API."""
        if organization is None:
            return {}
        listed = self.admin("GET", f"/organizations/{organization}/authorized-apps")
        return {a["sid"]: a for a in listed["authorizations"]}

    def recorded(self, step, organization, before) -> str:
        """The authorization the approval recorded: the one it added to the
        organization's authorized apps, or the live one of this app and user."""
        after = self.authorizations(organization)
        added = [sid for sid in after if sid not in before]
        if added:
            assert len(added) == 1, after
            return added[0]
        mine = [
            sid
            for sid, a in after.items()
            if a["client_id"] == step["client_id"]
            and a["authorized_by"] == step["user_sid"]
            and not a.get("revoked_at")
        ]
        assert len(mine) == 1, after
        return mine[0]

    def op_token(self, step, at):
        fields = {
            k: step[k]
            for k in (
                "grant_type",
                "client_id",
                "client_secret",
                "code",
                "redirect_uri",
                "refresh_token",
                "code_verifier",
                "scope",
            )
            if k in step
        }
        response = self.post_form("/v2/token", fields)
        body = checked(response)
        assert response.headers.get("Cache-Control") == "no-store", response.headers
        # The Twilio-shaped body has no `scope`: the granted scope is the access
        # token's `scope` claim, as a resource server reads it.
        claims = claims_of(body["access_token"])
        assert claims is not None, body
        body["scope"] = claims["scope"]
        for key in ("access_token", "refresh_token"):
            if body.get(key):
                self.token_client[body[key]] = step["client_id"]
        return body

    def jwks(self) -> jwt.PyJWKSet:
        if self._jwks is None:
            keys = self.http.get(f"{self.url}/.well-known/jwks.json", timeout=TIMEOUT)
            self._jwks = jwt.PyJWKSet.from_dict(keys.json())
        return self._jwks

    def op_verify(self, step, at):
        """The emulator verifies the token on a resource endpoint that takes any
        valid organization token (`GET /Organizations/{org}/Accounts`); the claims are
        the token's, its signature checked against the published JWKS."""
        token = step["token"]
        unverified = claims_of(token) or {}
        organization = unverified.get("organization_sid", "OR" + "0" * 32)
        response = self.http.get(
            f"{self.url}/Organizations/{self.quoted(str(organization))}/Accounts",
            headers={"Authorization": f"Bearer {token}"},
            timeout=TIMEOUT,
        )
        if response.status_code != 200:
            refused = error_code(response)
            # An account token passes verification and is then refused as not an
            # organization token: that refusal is not a verification failure.
            account_token = "account_sid" in unverified
            if not (account_token and refused.code == "wrong_token_level"):
                raise refused
        header = jwt.get_unverified_header(token)
        key = self.jwks()[header["kid"]]
        return jwt.decode(
            token,
            key=key.key,
            algorithms=[header["alg"]],
            options={"verify_exp": False, "verify_nbf": False, "verify_iat": False},
            audience=unverified.get("aud"),
            issuer=unverified.get("iss"),
        )

    def op_check_access(self, step, at):
        """The request itself, with the token as its bearer: the emulator checks it
        against the permission catalogue before any handler runs."""
        response = self.http.request(
            step["method"].upper(),
            f"{self.url}{step['path']}",
            headers={"Authorization": f"Bearer {step['token']}"},
            timeout=TIMEOUT,
            allow_redirects=False,
        )
        body = response.json() if response.content else {}
        want = step.get("expect_error")
        if response.status_code == 405 or (
            response.status_code == 404 and body.get("error_description") == "no such endpoint"
        ):
            # Only the routes the emulator serves are checked against the catalogue.
            raise NoCounterpart(
                "check_access on a path the emulator does not serve "
                "(an unknown endpoint, the account catalogue's example paths)"
            )
        # A SCIM body (role-assignment errors are labelled application/scim+json too,
        # but carry the Twilio error body, with its error code).
        scim_body = "error" not in body
        if (
            response.headers.get("Content-Type", "").startswith("application/scim+json")
            and scim_body
        ):
            refused = response.status_code in (401, 403) or (
                response.status_code == 404 and not body.get("detail", "").startswith("not found:")
            )
            if not refused:
                return {}  # the handler answered (a 404: no such user)
            if want is None:
                raise AssertionError(f"{at}: refused: {response.status_code} {body}")
            # The SCIM error schema carries the status and Twilio's code, not the
            # error code: assert those of the code the vector names.
            self.gap(at, "check_access on a SCIM path: the SCIM error body has no error code")
            status, twilio = ACCESS_ERRORS.get(want, TOKEN_ERROR)
            assert (response.status_code, body.get("status"), body.get("code")) == (
                status,
                str(status),
                twilio,
            ), f"{at}: {body}"
            raise StepError(want, body)
        if response.status_code in (401, 403) or body.get("error") == "unknown_endpoint":
            raise error_code(response)
        # Through the permission check; the handler answered (a 404 for a resource
        # that does not exist is the handler's). Which permission allowed it is not
        # part of the response: see PERMISSION_NOT_SHOWN.
        return {}

    def caller_for(self, token: str) -> tuple[str, str] | None:
        """A client that may introspect `token`: the one it was issued to, or else
        a live app of the scenario."""
        owner = self.token_client.get(token)
        if owner and not self.apps[owner]["deleted"]:
            return owner, self.apps[owner]["secret"]
        for client_id, app in reversed(list(self.apps.items())):
            if not app["deleted"]:
                return client_id, app["secret"]
        return None

    def op_introspect(self, step, at):
        caller = self.caller_for(step["token"])
        assert caller is not None, f"{at}: no live client to introspect with"
        response = self.http.post(
            f"{self.url}/v2/introspect",
            data={"token": step["token"]},
            auth=caller,
            timeout=TIMEOUT,
        )
        return checked(response)

    def op_revoke_token(self, step, at):
        fields = {k: step[k] for k in ("client_id", "client_secret", "token")}
        response = self.post_form("/v2/revoke", fields)
        checked(response)
        assert response.status_code == 200, response.status_code
        return {}

    def op_revoke_authorization(self, step, at):
        self.admin("DELETE", f"/authorizations/{self.quoted(step['authorization_sid'])}")
        return {}


def organization_of(app: dict[str, Any]) -> str | None:
    """The organization of an organization app, from its admin API record (None for
    an account app)."""
    owner = app["owner"]
    if isinstance(owner, dict):
        owner = owner.get("organization_sid") if "account_sid" not in owner else None
    return owner if isinstance(owner, str) and owner.startswith("OR") else None
