"""Type stubs of the native module ``iamkit._native`` (the pyo3 binding)."""

import os
from collections.abc import Iterator
from datetime import datetime
from types import TracebackType
from typing import Any, Literal

__version__: str

Instant = str | datetime
"""An RFC 3339 string or a timezone-aware ``datetime``."""

def filter_matches(filter: str, resource: dict[str, Any]) -> bool:
    """Whether a SCIM filter matches a User resource (stored or not)."""

def cli_main(argv: list[str]) -> int:
    """Runs the ``iamkit`` command line with ``argv`` (program name first)."""

class Record:
    """A result record: fields as attributes and items; ``to_dict()`` copies them.

    The fields of each kind are listed in the README; e.g. a ``CreatedApp`` has
    ``client_id``, ``client_secret``, ``name``, ``scopes``, ``token_ttl``, ``owner``,
    ``grant_type``, ``redirect_url``, ``authorization_url``, ``created_at`` …
    """

    @property
    def kind(self) -> str: ...
    def __getattr__(self, name: str) -> Any: ...
    def __getitem__(self, name: str) -> Any: ...
    def __contains__(self, name: object) -> bool: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[str]: ...
    def keys(self) -> Any: ...
    def to_dict(self) -> dict[str, Any]: ...

class ManualClock:
    """A clock that stands still until set or advanced."""

    def __init__(self, at: Instant | None = None) -> None: ...
    def advance(self, seconds: float) -> None: ...
    def set(self, at: Instant) -> None: ...
    def now(self) -> datetime: ...
    def isoformat(self) -> str: ...

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

class Engine:
    """The OAuth 2.0 + SCIM 2.0 engine, in memory."""

    def __init__(
        self,
        clock: ManualClock | None = None,
        algorithm: str | None = None,
        *,
        issuer: str | None = None,
        rs256_key_pem: str | None = None,
        database: str | os.PathLike[str] | None = None,
        scim_rules: Literal["twilio", "rfc7643"] | None = None,
    ) -> None: ...
    @property
    def clock(self) -> ManualClock | None: ...
    @property
    def algorithm(self) -> str: ...
    # organizations, accounts, users
    def create_organization(self, name: str) -> Record: ...
    def organization(self, sid: str) -> Record: ...
    def organizations(self) -> list[Record]: ...
    def create_account(self, organization_sid: str, name: str) -> Record: ...
    def account(self, sid: str) -> Record: ...
    def accounts(self, organization_sid: str) -> list[Record]: ...
    def create_user(
        self,
        organization_sid: str,
        user_name: str,
        roles: list[str] | None = None,
        sso: bool = False,
    ) -> Record: ...
    def user(self, sid: str) -> Record: ...
    def users(self, organization_sid: str) -> list[Record]: ...
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
    ) -> Record: ...
    def app(self, client_id: str) -> Record: ...
    def apps(self, owner_sid: str) -> list[Record]: ...
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
    ) -> Record: ...
    def rotate_secret(self, client_id: str, grace_seconds: int | None = None) -> Record: ...
    def delete_app(self, client_id: str) -> None: ...
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
    ) -> Record: ...
    def authorizations(self, organization_sid: str) -> list[Record]: ...
    def revoke_authorization(self, authorization_sid: str) -> Record: ...
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
    ) -> Record: ...
    def verify(self, token: str) -> dict[str, Any]: ...
    def check_access(self, token: str, method: str, path: str) -> Record: ...
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
    def roles(self) -> list[Record]: ...
    def create_role_assignment(
        self, organization_sid: str, *, role_sid: str, scope: str, identity: str
    ) -> Record: ...
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
        since: Instant | None = None,
        until: Instant | None = None,
        limit: int | None = None,
    ) -> list[Record]: ...
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
    ) -> Server: ...
