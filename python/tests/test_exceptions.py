"""Every exception class: the hierarchy, the attributes, and which core errors raise
which classes."""

from __future__ import annotations

import pickle

import pytest

import iamkit
from iamkit import exceptions

AREAS = [
    iamkit.AppError,
    iamkit.AuthorizeError,
    iamkit.OAuthError,
    iamkit.TokenError,
    iamkit.AccessError,
    iamkit.ScimError,
    iamkit.RoleError,
    iamkit.StateError,
]
KINDS = [iamkit.InvalidInput, iamkit.Unauthorized, iamkit.Forbidden, iamkit.NotFound]
KINDS.append(iamkit.Conflict)


@pytest.mark.parametrize("cls", AREAS + KINDS)
def test_every_class_is_an_iamkit_error(cls: type[iamkit.IamkitError]) -> None:
    assert issubclass(cls, iamkit.IamkitError)
    error = cls("some_code", 400, 20001, "a message")
    assert (error.code, error.status, error.twilio_code, error.message) == (
        "some_code",
        400,
        20001,
        "a message",
    )
    assert str(error) == "a message"
    assert "some_code" in repr(error)
    assert pickle.loads(pickle.dumps(error)).code == "some_code"


@pytest.mark.parametrize(
    ("area", "status", "classes"),
    [
        ("app", 404, (iamkit.AppError, iamkit.NotFound)),
        ("authorize", 400, (iamkit.AuthorizeError, iamkit.InvalidInput)),
        ("oauth", 401, (iamkit.OAuthError, iamkit.Unauthorized)),
        ("token", 401, (iamkit.TokenError, iamkit.Unauthorized)),
        ("access", 403, (iamkit.AccessError, iamkit.Forbidden)),
        ("scim", 409, (iamkit.ScimError, iamkit.Conflict)),
        ("scim", 412, (iamkit.ScimError, iamkit.Conflict)),
        ("role", 400, (iamkit.RoleError, iamkit.InvalidInput)),
        ("state", 400, (iamkit.StateError, iamkit.InvalidInput)),
        ("role", 500, (iamkit.RoleError,)),
        ("other", 400, (iamkit.InvalidInput,)),
        ("other", 500, (iamkit.IamkitError,)),
    ],
)
def test_native_errors_get_area_and_kind(
    area: str, status: int, classes: tuple[type[iamkit.IamkitError], ...]
) -> None:
    error = exceptions._from_native(area, "c", status, 1, "m")
    for cls in classes:
        assert isinstance(error, cls)
    again = exceptions._from_native(area, "c", status, 1, "m")
    assert type(again) is type(error)
    assert pickle.loads(pickle.dumps(error)).status == status


def test_core_errors_raise_the_right_classes(iamkit_engine: iamkit.Engine) -> None:
    org = iamkit_engine.create_organization("Acme")
    with pytest.raises(iamkit.AppError) as app_missing:
        iamkit_engine.app("OQ" + "0" * 32)
    assert isinstance(app_missing.value, iamkit.NotFound)
    assert (app_missing.value.code, app_missing.value.twilio_code) == ("app_not_found", 20404)
    with pytest.raises(iamkit.AuthorizeError):
        iamkit_engine.authorize(
            client_id="OQ" + "0" * 32, redirect_uri="https://x.example", user_sid="US" + "0" * 32
        )
    with pytest.raises(iamkit.OAuthError):
        iamkit_engine.token(grant_type="client_credentials", client_id="x", client_secret="y")
    with pytest.raises(iamkit.TokenError):
        iamkit_engine.verify("not.a.jwt")
    with pytest.raises(iamkit.AccessError):
        iamkit_engine.check_access("not.a.jwt", "GET", "/scim/v2/Users")
    with pytest.raises(iamkit.ScimError):
        iamkit_engine.scim_get_user(org.sid, "US" + "0" * 32)
    with pytest.raises(iamkit.RoleError):
        iamkit_engine.role_assignments(org.sid)
    with pytest.raises(iamkit.StateError):
        iamkit_engine.import_state('{"version": 999}')


COMBINED = [
    (area, kind, area.__name__.removesuffix("Error") + kind.__name__)
    for area in AREAS
    for kind in KINDS
]


@pytest.mark.parametrize(("area", "kind", "name"), COMBINED)
def test_combined_classes_are_declared(
    area: type[iamkit.IamkitError], kind: type[iamkit.IamkitError], name: str
) -> None:
    cls = getattr(exceptions, name)
    assert cls.__mro__[1:3] == (area, kind)
    assert cls.__module__ == "iamkit.exceptions"
    assert name in exceptions.__all__
    status = kind_status(kind)
    area_name = next(a for a, c in exceptions._AREAS.items() if c is area)
    assert type(exceptions._from_native(area_name, "c", status, 1, "m")) is cls


def kind_status(kind: type[iamkit.IamkitError]) -> int:
    return next(s for s, c in exceptions._KINDS.items() if c is kind)


def test_conflict_covers_409_and_412() -> None:
    for status in (409, 412):
        assert type(exceptions._from_native("scim", "c", status, 1, "m")) is (
            exceptions.ScimConflict
        )
