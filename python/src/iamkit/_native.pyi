"""Type stubs of the native module ``iamkit._native`` (the pyo3 binding)."""

from datetime import datetime
from types import TracebackType
from typing import Any, Iterator, Literal, Optional, Union

__version__: str

Instant = Union[str, datetime]
"""An RFC 3339 string or a timezone-aware ``datetime``."""

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

    def __init__(self, at: Optional[Instant] = None) -> None: ...
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
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> bool: ...

Algorithm = Literal["ES256", "EdDSA", "RS256", "HS256"]
GrantType = Literal["client_credentials", "authorization_code"]

class Engine:
    """The OAuth 2.0 + SCIM 2.0 engine, in memory."""

    def __init__(self, clock: Optional[ManualClock] = None, algorithm: str = "ES256") -> None: ...
    @property
    def clock(self) -> Optional[ManualClock]: ...
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
        roles: Optional[list[str]] = None,
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
        redirect_url: Optional[str] = None,
        token_ttl: Optional[int] = None,
        description: Optional[str] = None,
        company_name: Optional[str] = None,
        image_urls: Optional[list[str]] = None,
        homepage_url: Optional[str] = None,
        terms_of_service_url: Optional[str] = None,
    ) -> Record: ...
    def app(self, client_id: str) -> Record: ...
    def apps(self, owner_sid: str) -> list[Record]: ...
    def update_app(
        self,
        client_id: str,
        *,
        name: Optional[str] = None,
        description: Optional[str] = None,
        company_name: Optional[str] = None,
        image_urls: Optional[list[str]] = None,
        homepage_url: Optional[str] = None,
        terms_of_service_url: Optional[str] = None,
        redirect_url: Optional[str] = None,
        scopes: Optional[list[str]] = None,
        token_ttl: Optional[int] = None,
    ) -> Record: ...
    def rotate_secret(self, client_id: str, grace_seconds: Optional[int] = None) -> Record: ...
    def delete_app(self, client_id: str) -> None: ...
    # authorization code flow and Token API
    def authorize(
        self,
        *,
        client_id: str,
        redirect_uri: str,
        user_sid: str,
        scope: Optional[str] = None,
        state: Optional[str] = None,
        code_challenge: Optional[str] = None,
        code_challenge_method: Optional[str] = None,
        response_type: str = "code",
    ) -> Record: ...
    def authorizations(self, organization_sid: str) -> list[Record]: ...
    def revoke_authorization(self, authorization_sid: str) -> Record: ...
    def token(
        self,
        *,
        grant_type: str,
        client_id: Optional[str] = None,
        client_secret: Optional[str] = None,
        code: Optional[str] = None,
        redirect_uri: Optional[str] = None,
        refresh_token: Optional[str] = None,
        code_verifier: Optional[str] = None,
        scope: Optional[str] = None,
    ) -> Record: ...
    def verify(self, token: str) -> dict[str, Any]: ...
    def check_access(self, token: str, method: str, path: str) -> Record: ...
    def introspect(self, token: str) -> dict[str, Any]: ...
    def revoke_token(self, client_id: str, client_secret: str, token: str) -> None: ...
    def jwks(self) -> dict[str, Any]: ...
    def metadata(self) -> dict[str, Any]: ...
    # SCIM
    def scim_create_user(self, organization_sid: str, resource: dict[str, Any]) -> dict[str, Any]: ...
    def scim_get_user(
        self,
        organization_sid: str,
        id: str,
        attributes: Optional[list[str]] = None,
        excluded_attributes: Optional[list[str]] = None,
    ) -> dict[str, Any]: ...
    def scim_list_users(
        self,
        organization_sid: str,
        filter: Optional[str] = None,
        sort_by: Optional[str] = None,
        sort_order: Optional[str] = None,
        start_index: Optional[int] = None,
        count: Optional[int] = None,
        attributes: Optional[list[str]] = None,
        excluded_attributes: Optional[list[str]] = None,
    ) -> dict[str, Any]: ...
    def scim_replace_user(
        self,
        organization_sid: str,
        id: str,
        resource: dict[str, Any],
        if_match: Optional[str] = None,
    ) -> dict[str, Any]: ...
    def scim_patch_user(
        self,
        organization_sid: str,
        id: str,
        patch: dict[str, Any],
        if_match: Optional[str] = None,
    ) -> dict[str, Any]: ...
    def scim_delete_user(self, organization_sid: str, id: str, if_match: Optional[str] = None) -> None: ...
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
        identity: Optional[str] = None,
        scope: Optional[str] = None,
        page_size: Optional[int] = None,
        page_token: Optional[str] = None,
    ) -> dict[str, Any]: ...
    def delete_role_assignment(self, organization_sid: str, sid: str) -> None: ...
    # audit and state
    def audit_events(
        self,
        event_type: Optional[str] = None,
        subject: Optional[str] = None,
        since: Optional[Instant] = None,
        until: Optional[Instant] = None,
        limit: Optional[int] = None,
    ) -> list[Record]: ...
    def export_state(self) -> str: ...
    def import_state(self, state: str) -> None: ...
    # the emulator
    def serve(
        self,
        port: int = 0,
        *,
        host: str = "127.0.0.1",
        demo: bool = False,
        admin_token: Optional[str] = None,
    ) -> Server: ...
