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
``NotFound``. The combined classes (e.g. ``ScimNotFound``) are made on first use by
:func:`_from_native`, the one place the native module builds exceptions.

Wrong argument types and malformed values that are not engine rules (a float where a
string is needed, an unknown role name, a naive ``datetime``) raise the built-in
``TypeError`` or ``ValueError``.
"""

from __future__ import annotations

__all__ = [
    "AccessError",
    "AppError",
    "AuthorizeError",
    "Conflict",
    "Forbidden",
    "IamkitError",
    "InvalidInput",
    "NotFound",
    "OAuthError",
    "RoleError",
    "ScimError",
    "StateError",
    "TokenError",
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

    def __reduce__(self):  # keeps exceptions picklable (e.g. across processes)
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

_COMBINED: dict[tuple[type[IamkitError], type[IamkitError]], type[IamkitError]] = {}


def _combined(area: type[IamkitError], kind: type[IamkitError]) -> type[IamkitError]:
    cls = _COMBINED.get((area, kind))
    if cls is None:
        name = area.__name__.removesuffix("Error") + kind.__name__
        cls = type(name, (area, kind), {"__module__": __name__, "__doc__": area.__doc__})
        _COMBINED[(area, kind)] = cls
        globals()[name] = cls  # so that pickle finds it by name
    return cls


def _from_native(area: str, code: str, status: int, twilio_code: int, message: str):
    """Builds the exception for a core error; called by the native module only."""
    cls = _AREAS.get(area, IamkitError)
    kind = _KINDS.get(status)
    if kind is not None:
        cls = _combined(cls, kind) if cls is not IamkitError else kind
    return cls(code, status, twilio_code, message)
