"""iamkit: an embeddable OAuth 2.0 + SCIM 2.0 engine modelled on Twilio's OAuth apps,
Token API and SCIM API, with a Twilio-compatible HTTP emulator.

>>> import iamkit
>>> clock = iamkit.ManualClock("2026-01-01T00:00:00Z")
>>> engine = iamkit.Engine(clock=clock)
>>> org = engine.create_organization("Acme")
>>> app = engine.create_app(org.sid, name="Provisioner", scopes=["managed-users/list"])
>>> tok = engine.token(
...     grant_type="client_credentials", client_id=app.client_id, client_secret=app.client_secret
... )
>>> engine.check_access(tok.access_token, "GET", "/scim/v2/Users").permission
'managed-users/list'
>>> clock.advance(seconds=3600)
>>> engine.verify(tok.access_token)
Traceback (most recent call last):
...
iamkit.exceptions.TokenUnauthorized: the token has expired

Every rule lives in the Rust core; this package converts types and errors. Results
are records, one typed class per kind (:class:`Organization`, :class:`CreatedApp`,
:class:`Token`, …, all :class:`Record`: fields as typed attributes and as items,
``to_dict()``), plain dicts for JSON documents (claims, SCIM resources, JWKS), and
lists of those.
"""

from iamkit._native import (
    Access,
    Account,
    App,
    AuditEvent,
    Authorization,
    AuthorizationCode,
    CreatedAccount,
    CreatedApp,
    Engine,
    ManualClock,
    Organization,
    Record,
    Role,
    RoleAssignment,
    RotatedSecret,
    Server,
    Token,
    TokenInspection,
    User,
    __version__,
    filter_matches,
)
from iamkit.exceptions import (
    AccessError,
    AppError,
    AuthorizeError,
    Conflict,
    Forbidden,
    IamkitError,
    InvalidInput,
    NotFound,
    OAuthError,
    RoleError,
    ScimError,
    StateError,
    TokenError,
    Unauthorized,
)

__all__ = [
    "filter_matches",
    "Access",
    "AccessError",
    "Account",
    "App",
    "AppError",
    "AuditEvent",
    "Authorization",
    "AuthorizationCode",
    "AuthorizeError",
    "Conflict",
    "CreatedAccount",
    "CreatedApp",
    "Engine",
    "Forbidden",
    "IamkitError",
    "InvalidInput",
    "ManualClock",
    "NotFound",
    "OAuthError",
    "Organization",
    "Record",
    "Role",
    "RoleAssignment",
    "RoleError",
    "RotatedSecret",
    "ScimError",
    "Server",
    "StateError",
    "Token",
    "TokenError",
    "TokenInspection",
    "Unauthorized",
    "User",
    "__version__",
]
