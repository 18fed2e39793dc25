"""Type stubs of the native module ``iamkit._native`` (the pyo3 binding)."""

import os
from collections.abc import Iterator
from datetime import datetime
from types import TracebackType
from typing import Any, ClassVar, Literal, final

from typing_extensions import TypeAlias, disjoint_base

__all__ = [
    "filter_matches",
    "cli_main",
    "Record",
    "Organization",
    "Account",
    "CreatedAccount",
    "User",
    "App",
    "CreatedApp",
    "RotatedSecret",
    "AuthorizationCode",
    "Authorization",
    "Token",
    "TokenInspection",
    "Access",
    "Role",
    "RoleAssignment",
    "AuditEvent",
    "ManualClock",
    "Engine",
    "Server",
    "__version__",
]

__version__: str

_Instant: TypeAlias = str | datetime
"""An RFC 3339 string or a timezone-aware ``datetime``."""

def filter_matches(filter: str, resource: dict[str, Any]) -> bool:
    """Whether a SCIM filter matches a User resource (stored or not)."""

def cli_main(argv: list[str]) -> int:
    """Runs the ``iamkit`` command line with ``argv`` (program name first)."""

@disjoint_base
class Record:
    """The base class of every result record: its fields as typed attributes (declared
    by each kind below) and as a read-only mapping (``record["name"]``, ``in``,
    ``len``, iteration over the names, ``keys()``); ``to_dict()`` copies them into a
    plain ``dict``. Records of the same kind are equal when their fields are; their
    ``repr`` hides secrets."""

    @property
    def kind(self) -> str:
        """The kind of record, e.g. ``"App"`` (its class name)."""
    def __getitem__(self, name: str, /) -> Any: ...
    def __contains__(self, name: object, /) -> bool: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[str]: ...
    def __eq__(self, other: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]
    def keys(self) -> list[str]:
        """The field names, in order."""
    def to_dict(self) -> dict[str, Any]:
        """A plain ``dict`` of the fields."""

@final
class Organization(Record):
    """An organization."""

    @property
    def sid(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def created_at(self) -> str: ...

@final
class Account(Record):
    """An account of an organization."""

    @property
    def sid(self) -> str: ...
    @property
    def organization_sid(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def owner_sid(self) -> str | None: ...
    @property
    def created_at(self) -> str: ...

@final
class CreatedAccount(Record):
    """A new account with its auth token, which is never shown again."""

    @property
    def sid(self) -> str: ...
    @property
    def organization_sid(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def owner_sid(self) -> str | None: ...
    @property
    def created_at(self) -> str: ...
    @property
    def auth_token(self) -> str: ...

@final
class User(Record):
    """A managed user of an organization."""

    @property
    def sid(self) -> str: ...
    @property
    def organization_sid(self) -> str: ...
    @property
    def user_name(self) -> str: ...
    @property
    def roles(self) -> list[str]: ...
    @property
    def active(self) -> bool: ...
    @property
    def sso(self) -> bool: ...
    @property
    def created_at(self) -> str: ...

@disjoint_base
class App(Record):
    """An OAuth app (never its secret)."""

    @property
    def client_id(self) -> str: ...
    @property
    def owner(self) -> dict[str, str]:
        """``level`` (``"organization"`` or ``"account"``), ``organization_sid`` and,
        for an account app, ``account_sid``."""
    @property
    def grant_type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def description(self) -> str | None: ...
    @property
    def company_name(self) -> str | None: ...
    @property
    def image_urls(self) -> list[str]: ...
    @property
    def homepage_url(self) -> str | None: ...
    @property
    def terms_of_service_url(self) -> str | None: ...
    @property
    def redirect_url(self) -> str | None: ...
    @property
    def scopes(self) -> list[str]: ...
    @property
    def token_ttl(self) -> int: ...
    @property
    def created_at(self) -> str: ...
    @property
    def updated_at(self) -> str: ...
    @property
    def created_by(self) -> str: ...
    @property
    def authorization_url(self) -> str | None: ...

@final
class CreatedApp(App):
    """A new app with its client secret, which is never shown again."""

    @property
    def client_secret(self) -> str: ...

@final
class RotatedSecret(App):
    """An app whose secret was replaced: the new secret, and until when the previous
    one still works."""

    @property
    def client_secret(self) -> str: ...
    @property
    def previous_valid_until(self) -> str | None: ...

@final
class AuthorizationCode(Record):
    """A single-use code the authorization step issued, where to send the user with
    it, and the authorization recorded (as a dict)."""

    @property
    def code(self) -> str: ...
    @property
    def redirect_to(self) -> str: ...
    @property
    def authorization(self) -> dict[str, Any]: ...
    @property
    def expires_at(self) -> str: ...

@final
class Authorization(Record):
    """An app a user of the organization authorized."""

    @property
    def sid(self) -> str: ...
    @property
    def client_id(self) -> str: ...
    @property
    def organization_sid(self) -> str: ...
    @property
    def authorized_by(self) -> str: ...
    @property
    def scopes(self) -> list[str]: ...
    @property
    def created_at(self) -> str: ...
    @property
    def revoked_at(self) -> str | None: ...

@final
class Token(Record):
    """A Token API response."""

    @property
    def access_token(self) -> str: ...
    @property
    def id_token(self) -> str | None: ...
    @property
    def token_type(self) -> str: ...
    @property
    def expires_in(self) -> int: ...
    @property
    def refresh_token(self) -> str | None: ...
    @property
    def scope(self) -> str: ...

@final
class Access(Record):
    """A token allowed to make a request: the permission it used and its claims."""

    @property
    def permission(self) -> str: ...
    @property
    def claims(self) -> dict[str, Any]: ...

@final
class TokenInspection(Record):
    """A token taken apart, and the engine's verdict on it."""

    @property
    def valid(self) -> bool: ...
    @property
    def code(self) -> str | None: ...
    @property
    def message(self) -> str | None: ...
    @property
    def expired_seconds_ago(self) -> int | None: ...
    @property
    def header(self) -> dict[str, Any] | None: ...
    @property
    def claims(self) -> dict[str, Any] | None: ...

@final
class Role(Record):
    """A role, as Twilio's Role resource."""

    @property
    def sid(self) -> str: ...
    @property
    def friendly_name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def external_description(self) -> str: ...
    @property
    def product_group(self) -> str: ...
    @property
    def lowest_level(self) -> str: ...

@final
class RoleAssignment(Record):
    """A role assignment."""

    @property
    def sid(self) -> str: ...
    @property
    def role_sid(self) -> str: ...
    @property
    def scope(self) -> str: ...
    @property
    def identity(self) -> str: ...
    @property
    def organization_sid(self) -> str: ...
    @property
    def date_created(self) -> str: ...

@final
class AuditEvent(Record):
    """An audit event."""

    @property
    def sid(self) -> str: ...
    @property
    def event_type(self) -> str: ...
    @property
    def at(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def subject(self) -> str: ...
    @property
    def details(self) -> dict[str, Any]: ...

@final
class ManualClock:
    """A clock that stands still until set or advanced."""

    def __new__(cls, at: _Instant | None = None) -> ManualClock: ...
    def advance(self, seconds: float) -> None: ...
    def set(self, at: _Instant) -> None: ...
    def now(self) -> datetime: ...
    def isoformat(self) -> str: ...

@final
class Server:
    """A running emulator sharing an engine; a context manager that stops it."""

    @property
    def url(self) -> str: ...
    @property
    def bootstrap(self) -> dict[str, Any]: ...
    @property
    def running(self) -> bool: ...
    def stop(self) -> None: ...
    def __enter__(self) -> Server: ...
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> bool: ...

@final
class Engine:
    """The OAuth 2.0 + SCIM 2.0 engine, in memory."""

    def __new__(
        cls,
        clock: ManualClock | None = None,
        algorithm: str | None = None,
        *,
        issuer: str | None = None,
        rs256_key_pem: str | None = None,
        database: str | os.PathLike[str] | None = None,
        scim_rules: Literal["twilio", "rfc7643"] | None = None,
    ) -> Engine: ...
    @property
    def clock(self) -> ManualClock | None: ...
    @property
    def algorithm(self) -> str: ...
    # organizations, accounts, users
    def create_organization(self, name: str) -> Organization: ...
    def organization(self, sid: str) -> Organization: ...
    def organizations(self) -> list[Organization]: ...
    def create_account(
        self, organization_sid: str, name: str, owner_sid: str | None = None
    ) -> CreatedAccount: ...
    def rotate_auth_token(self, account_sid: str) -> str: ...
    def account(self, sid: str) -> Account: ...
    def accounts(
        self,
        organization_sid: str,
        *,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> dict[str, Any]: ...
    def create_user(
        self,
        organization_sid: str,
        user_name: str,
        roles: list[str] | None = None,
        sso: bool = False,
    ) -> User: ...
    def user(self, sid: str) -> User: ...
    def users(self, organization_sid: str) -> list[User]: ...
    # apps
    def create_app(
        self,
        owner_sid: str,
        *,
        name: str,
        grant_type: str = "client_credentials",
        scopes: list[str],
        redirect_url: str | None = None,
        token_ttl: int | None = None,
        description: str | None = None,
        company_name: str | None = None,
        image_urls: list[str] | None = None,
        homepage_url: str | None = None,
        terms_of_service_url: str | None = None,
    ) -> CreatedApp: ...
    def app(self, client_id: str) -> App: ...
    def apps(self, owner_sid: str) -> list[App]: ...
    def update_app(
        self,
        client_id: str,
        *,
        name: str | None = None,
        description: str | None = None,
        company_name: str | None = None,
        image_urls: list[str] | None = None,
        homepage_url: str | None = None,
        terms_of_service_url: str | None = None,
        redirect_url: str | None = None,
        scopes: list[str] | None = None,
        token_ttl: int | None = None,
    ) -> App: ...
    def rotate_secret(self, client_id: str, grace_seconds: int | None = None) -> RotatedSecret: ...
    def delete_app(self, client_id: str) -> None: ...
    # Twilio's account OAuth-apps API, as an account with its auth token
    def create_account_app(
        self, account_sid: str, auth_token: str, body: dict[str, Any]
    ) -> CreatedApp: ...
    def update_account_app(
        self, account_sid: str, auth_token: str, client_id: str, body: dict[str, Any]
    ) -> App: ...
    def delete_account_app(self, account_sid: str, auth_token: str, client_id: str) -> None: ...
    # authorization code flow and Token API
    def authorize(
        self,
        *,
        client_id: str,
        redirect_uri: str,
        user_sid: str,
        scope: str | None = None,
        state: str | None = None,
        code_challenge: str | None = None,
        code_challenge_method: str | None = None,
        response_type: str = "code",
    ) -> AuthorizationCode: ...
    def authorizations(self, organization_sid: str) -> list[Authorization]: ...
    def authorization(self, authorization_sid: str) -> Authorization: ...
    def revoke_authorization(self, authorization_sid: str) -> Authorization: ...
    def token(
        self,
        *,
        grant_type: str,
        client_id: str | None = None,
        client_secret: str | None = None,
        code: str | None = None,
        redirect_uri: str | None = None,
        refresh_token: str | None = None,
        code_verifier: str | None = None,
        scope: str | None = None,
    ) -> Token: ...
    def verify(self, token: str) -> dict[str, Any]: ...
    def inspect_token(self, token: str) -> TokenInspection: ...
    def check_access(self, token: str, method: str, path: str) -> Access: ...
    def introspect(self, token: str) -> dict[str, Any]: ...
    def revoke_token(self, client_id: str, client_secret: str, token: str) -> None: ...
    def jwks(self) -> dict[str, Any]: ...
    def metadata(self) -> dict[str, Any]: ...
    # SCIM
    def scim_create_user(
        self, organization_sid: str, resource: dict[str, Any]
    ) -> dict[str, Any]: ...
    def scim_get_user(
        self,
        organization_sid: str,
        id: str,
        attributes: list[str] | None = None,
        excluded_attributes: list[str] | None = None,
    ) -> dict[str, Any]: ...
    def scim_list_users(
        self,
        organization_sid: str,
        filter: str | None = None,
        sort_by: str | None = None,
        sort_order: str | None = None,
        start_index: int | None = None,
        count: int | None = None,
        attributes: list[str] | None = None,
        excluded_attributes: list[str] | None = None,
    ) -> dict[str, Any]: ...
    def scim_replace_user(
        self,
        organization_sid: str,
        id: str,
        resource: dict[str, Any],
        if_match: str | None = None,
    ) -> dict[str, Any]: ...
    def scim_patch_user(
        self,
        organization_sid: str,
        id: str,
        patch: dict[str, Any],
        if_match: str | None = None,
    ) -> dict[str, Any]: ...
    def scim_delete_user(
        self, organization_sid: str, id: str, if_match: str | None = None
    ) -> None: ...
    def scim_service_provider_config(self) -> dict[str, Any]: ...
    def scim_resource_types(self) -> dict[str, Any]: ...
    def scim_schemas(self) -> dict[str, Any]: ...
    # roles
    def roles(self) -> list[Role]: ...
    def create_role_assignment(
        self, organization_sid: str, *, role_sid: str, scope: str, identity: str
    ) -> RoleAssignment: ...
    def role_assignments(
        self,
        organization_sid: str,
        *,
        identity: str | None = None,
        scope: str | None = None,
        page_size: int | None = None,
        page_token: str | None = None,
    ) -> dict[str, Any]: ...
    def delete_role_assignment(self, organization_sid: str, sid: str) -> None: ...
    # audit and state
    def audit_events(
        self,
        event_type: str | None = None,
        subject: str | None = None,
        since: _Instant | None = None,
        until: _Instant | None = None,
        limit: int | None = None,
    ) -> list[AuditEvent]: ...
    def export_state(self) -> str: ...
    def import_state(self, state: str) -> None: ...
    # the emulator
    def serve(
        self,
        port: int = 0,
        *,
        host: str | None = None,
        demo: bool = False,
        admin_token: str | None = None,
        response_style: Literal["twilio", "rfc"] | None = None,
        cors_origins: list[str] | None = None,
    ) -> Server: ...
