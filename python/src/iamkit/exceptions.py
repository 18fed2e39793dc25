"""The exceptions iamkit raises, one hierarchy for every area of the engine.

Every engine error is an :class:`IamkitError` carrying the core's stable ``code``
(an RFC 6749 error code, a SCIM ``scimType`` or an iamkit code), the HTTP ``status``
the emulator answers with, Twilio's numeric ``twilio_code`` and a message.

Two independent ways to catch one:

* by **area** (which part of the engine refused): :class:`AppError`,
  :class:`AuthorizeError`, :class:`OAuthError` (Token API), :class:`TokenError`
  (verifying a token), :class:`AccessError` (scopes), :class:`ScimError`,
  :class:`RoleError`, :class:`StateError` (importing state);
* by **kind**, from the HTTP status: :class:`InvalidInput` (400),
  :class:`Unauthorized` (401), :class:`Forbidden` (403), :class:`NotFound` (404),
  :class:`Conflict` (409 and 412: the state does not allow it).

The raised object is an instance of both: a SCIM 404 is a ``ScimError`` *and* a
``NotFound``. The raised class is one of the combined classes declared below, named
area then kind (e.g. ``ScimNotFound``, a subclass of both :class:`ScimError` and
:class:`NotFound`); :func:`_from_native` is the one place the native module builds
exceptions.

Wrong argument types and malformed values that are not engine rules (a float where a
string is needed, an unknown role name, a naive ``datetime``) raise the built-in
``TypeError`` or ``ValueError``.
"""

from __future__ import annotations

__all__ = [
    "AccessConflict",
    "AccessError",
    "AccessForbidden",
    "AccessInvalidInput",
    "AccessNotFound",
    "AccessUnauthorized",
    "AppConflict",
    "AppError",
    "AppForbidden",
    "AppInvalidInput",
    "AppNotFound",
    "AppUnauthorized",
    "AuthorizeConflict",
    "AuthorizeError",
    "AuthorizeForbidden",
    "AuthorizeInvalidInput",
    "AuthorizeNotFound",
    "AuthorizeUnauthorized",
    "Conflict",
    "Forbidden",
    "IamkitError",
    "InvalidInput",
    "NotFound",
    "OAuthConflict",
    "OAuthError",
    "OAuthForbidden",
    "OAuthInvalidInput",
    "OAuthNotFound",
    "OAuthUnauthorized",
    "RoleConflict",
    "RoleError",
    "RoleForbidden",
    "RoleInvalidInput",
    "RoleNotFound",
    "RoleUnauthorized",
    "ScimConflict",
    "ScimError",
    "ScimForbidden",
    "ScimInvalidInput",
    "ScimNotFound",
    "ScimUnauthorized",
    "StateConflict",
    "StateError",
    "StateForbidden",
    "StateInvalidInput",
    "StateNotFound",
    "StateUnauthorized",
    "TokenConflict",
    "TokenError",
    "TokenForbidden",
    "TokenInvalidInput",
    "TokenNotFound",
    "TokenUnauthorized",
    "Unauthorized",
]


class IamkitError(Exception):
    """An error of the iamkit engine.

    Attributes:
        code: the stable machine-readable code, e.g. ``"invalid_client"``.
        status: the HTTP status the emulator answers with, e.g. ``401``.
        twilio_code: Twilio's numeric error code, e.g. ``20003``.
        message: a human-readable message.
    """

    def __init__(self, code: str, status: int, twilio_code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status
        self.twilio_code = twilio_code
        self.message = message

    def __reduce__(self) -> tuple[type[IamkitError], tuple[str, int, int, str]]:
        # Keeps exceptions picklable (e.g. across processes).
        return (self.__class__, (self.code, self.status, self.twilio_code, self.message))

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, status={self.status}, "
            f"twilio_code={self.twilio_code}, message={self.message!r})"
        )


# Areas: which part of the engine refused.
class AppError(IamkitError):
    """Managing organizations, accounts, users and apps (also a malformed sid)."""


class AuthorizeError(IamkitError):
    """The authorization (consent) step of the authorization-code flow."""


class OAuthError(IamkitError):
    """The Token API and token revocation; ``code`` is the RFC 6749 error code."""


class TokenError(IamkitError):
    """Verifying an access token (expired, revoked, bad signature, …)."""


class AccessError(IamkitError):
    """A token's scopes or organization do not allow a request."""


class ScimError(IamkitError):
    """SCIM resources, filters and PATCH; ``code`` is the SCIM ``scimType``."""


class RoleError(IamkitError):
    """Roles and role assignments."""


class StateError(IamkitError):
    """Importing exported state, or opening or writing a database."""


# Kinds: what the HTTP status says.
class InvalidInput(IamkitError):
    """The request is malformed or breaks a rule (HTTP 400)."""


class Unauthorized(IamkitError):
    """Bad client credentials or an invalid token (HTTP 401)."""


class Forbidden(IamkitError):
    """Authenticated, but not allowed (HTTP 403)."""


class NotFound(IamkitError):
    """The resource does not exist (HTTP 404)."""


class Conflict(IamkitError):
    """The current state does not allow it: a duplicate, a failed precondition (HTTP 409,
    412)."""


# Area and kind together: the classes raised for engine errors.
class AppInvalidInput(AppError, InvalidInput):
    """Both AppError and InvalidInput (HTTP 400)."""


class AppUnauthorized(AppError, Unauthorized):
    """Both AppError and Unauthorized (HTTP 401)."""


class AppForbidden(AppError, Forbidden):
    """Both AppError and Forbidden (HTTP 403)."""


class AppNotFound(AppError, NotFound):
    """Both AppError and NotFound (HTTP 404)."""


class AppConflict(AppError, Conflict):
    """Both AppError and Conflict (HTTP 409 or 412)."""


class AuthorizeInvalidInput(AuthorizeError, InvalidInput):
    """Both AuthorizeError and InvalidInput (HTTP 400)."""


class AuthorizeUnauthorized(AuthorizeError, Unauthorized):
    """Both AuthorizeError and Unauthorized (HTTP 401)."""


class AuthorizeForbidden(AuthorizeError, Forbidden):
    """Both AuthorizeError and Forbidden (HTTP 403)."""


class AuthorizeNotFound(AuthorizeError, NotFound):
    """Both AuthorizeError and NotFound (HTTP 404)."""


class AuthorizeConflict(AuthorizeError, Conflict):
    """Both AuthorizeError and Conflict (HTTP 409 or 412)."""


class OAuthInvalidInput(OAuthError, InvalidInput):
    """Both OAuthError and InvalidInput (HTTP 400)."""


class OAuthUnauthorized(OAuthError, Unauthorized):
    """Both OAuthError and Unauthorized (HTTP 401)."""


class OAuthForbidden(OAuthError, Forbidden):
    """Both OAuthError and Forbidden (HTTP 403)."""


class OAuthNotFound(OAuthError, NotFound):
    """Both OAuthError and NotFound (HTTP 404)."""


class OAuthConflict(OAuthError, Conflict):
    """Both OAuthError and Conflict (HTTP 409 or 412)."""


class TokenInvalidInput(TokenError, InvalidInput):
    """Both TokenError and InvalidInput (HTTP 400)."""


class TokenUnauthorized(TokenError, Unauthorized):
    """Both TokenError and Unauthorized (HTTP 401)."""


class TokenForbidden(TokenError, Forbidden):
    """Both TokenError and Forbidden (HTTP 403)."""


class TokenNotFound(TokenError, NotFound):
    """Both TokenError and NotFound (HTTP 404)."""


class TokenConflict(TokenError, Conflict):
    """Both TokenError and Conflict (HTTP 409 or 412)."""


class AccessInvalidInput(AccessError, InvalidInput):
    """Both AccessError and InvalidInput (HTTP 400)."""


class AccessUnauthorized(AccessError, Unauthorized):
    """Both AccessError and Unauthorized (HTTP 401)."""


class AccessForbidden(AccessError, Forbidden):
    """Both AccessError and Forbidden (HTTP 403)."""


class AccessNotFound(AccessError, NotFound):
    """Both AccessError and NotFound (HTTP 404)."""


class AccessConflict(AccessError, Conflict):
    """Both AccessError and Conflict (HTTP 409 or 412)."""


class ScimInvalidInput(ScimError, InvalidInput):
    """Both ScimError and InvalidInput (HTTP 400)."""


class ScimUnauthorized(ScimError, Unauthorized):
    """Both ScimError and Unauthorized (HTTP 401)."""


class ScimForbidden(ScimError, Forbidden):
    """Both ScimError and Forbidden (HTTP 403)."""


class ScimNotFound(ScimError, NotFound):
    """Both ScimError and NotFound (HTTP 404)."""


class ScimConflict(ScimError, Conflict):
    """Both ScimError and Conflict (HTTP 409 or 412)."""


class RoleInvalidInput(RoleError, InvalidInput):
    """Both RoleError and InvalidInput (HTTP 400)."""


class RoleUnauthorized(RoleError, Unauthorized):
    """Both RoleError and Unauthorized (HTTP 401)."""


class RoleForbidden(RoleError, Forbidden):
    """Both RoleError and Forbidden (HTTP 403)."""


class RoleNotFound(RoleError, NotFound):
    """Both RoleError and NotFound (HTTP 404)."""


class RoleConflict(RoleError, Conflict):
    """Both RoleError and Conflict (HTTP 409 or 412)."""


class StateInvalidInput(StateError, InvalidInput):
    """Both StateError and InvalidInput (HTTP 400)."""


class StateUnauthorized(StateError, Unauthorized):
    """Both StateError and Unauthorized (HTTP 401)."""


class StateForbidden(StateError, Forbidden):
    """Both StateError and Forbidden (HTTP 403)."""


class StateNotFound(StateError, NotFound):
    """Both StateError and NotFound (HTTP 404)."""


class StateConflict(StateError, Conflict):
    """Both StateError and Conflict (HTTP 409 or 412)."""


_AREAS: dict[str, type[IamkitError]] = {
    "app": AppError,
    "authorize": AuthorizeError,
    "oauth": OAuthError,
    "token": TokenError,
    "access": AccessError,
    "scim": ScimError,
    "role": RoleError,
    "state": StateError,
}

_KINDS: dict[int, type[IamkitError]] = {
    400: InvalidInput,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    412: Conflict,
}

_COMBINED: dict[tuple[type[IamkitError], type[IamkitError]], type[IamkitError]] = {
    (AppError, InvalidInput): AppInvalidInput,
    (AppError, Unauthorized): AppUnauthorized,
    (AppError, Forbidden): AppForbidden,
    (AppError, NotFound): AppNotFound,
    (AppError, Conflict): AppConflict,
    (AuthorizeError, InvalidInput): AuthorizeInvalidInput,
    (AuthorizeError, Unauthorized): AuthorizeUnauthorized,
    (AuthorizeError, Forbidden): AuthorizeForbidden,
    (AuthorizeError, NotFound): AuthorizeNotFound,
    (AuthorizeError, Conflict): AuthorizeConflict,
    (OAuthError, InvalidInput): OAuthInvalidInput,
    (OAuthError, Unauthorized): OAuthUnauthorized,
    (OAuthError, Forbidden): OAuthForbidden,
    (OAuthError, NotFound): OAuthNotFound,
    (OAuthError, Conflict): OAuthConflict,
    (TokenError, InvalidInput): TokenInvalidInput,
    (TokenError, Unauthorized): TokenUnauthorized,
    (TokenError, Forbidden): TokenForbidden,
    (TokenError, NotFound): TokenNotFound,
    (TokenError, Conflict): TokenConflict,
    (AccessError, InvalidInput): AccessInvalidInput,
    (AccessError, Unauthorized): AccessUnauthorized,
    (AccessError, Forbidden): AccessForbidden,
    (AccessError, NotFound): AccessNotFound,
    (AccessError, Conflict): AccessConflict,
    (ScimError, InvalidInput): ScimInvalidInput,
    (ScimError, Unauthorized): ScimUnauthorized,
    (ScimError, Forbidden): ScimForbidden,
    (ScimError, NotFound): ScimNotFound,
    (ScimError, Conflict): ScimConflict,
    (RoleError, InvalidInput): RoleInvalidInput,
    (RoleError, Unauthorized): RoleUnauthorized,
    (RoleError, Forbidden): RoleForbidden,
    (RoleError, NotFound): RoleNotFound,
    (RoleError, Conflict): RoleConflict,
    (StateError, InvalidInput): StateInvalidInput,
    (StateError, Unauthorized): StateUnauthorized,
    (StateError, Forbidden): StateForbidden,
    (StateError, NotFound): StateNotFound,
    (StateError, Conflict): StateConflict,
}


def _from_native(area: str, code: str, status: int, twilio_code: int, message: str) -> IamkitError:
    """Builds the exception for a core error; called by the native module only."""
    cls = _AREAS.get(area, IamkitError)
    kind = _KINDS.get(status)
    if kind is not None:
        cls = _COMBINED[(cls, kind)] if cls is not IamkitError else kind
    return cls(code, status, twilio_code, message)
