"""Twilio's published OpenAPI specs (tests/contract/twilio-oai/) as the contract of the
emulator's responses.

Every response a contract test receives is checked against the operation the spec
files declare for its method and path (in every file that declares it): the status
must be one the operation declares, the media type one that response declares, and
the JSON body must validate against that response's schema (OpenAPI 3.0 schema
objects, checked with openapi-schema-validator, formats included).

Where iamkit keeps an RFC over the spec, the README's "Choices" say so; each such
difference is one `Choice` here, naming the README line and the one response it
stands for. Mismatches in areas changed elsewhere are `Pending`: the one assertion
they name is left out, and listed. The module records what was exercised, so that
`test_twilio_contract.py` can fail when an operation the emulator serves, a status
an operation declares, a choice or a pending entry goes unused.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Callable

import requests
from conftest import ROOT
from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPECS = ROOT / "tests" / "contract" / "twilio-oai"
README = (ROOT / "README.md").read_text()
METHODS = ("get", "put", "post", "delete", "patch")
TIMEOUT = 10

# RFC 6749 §5.2: the body of a token endpoint's error response.
RFC6749_ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "string",
            "enum": [
                "invalid_request",
                "invalid_client",
                "invalid_grant",
                "unauthorized_client",
                "unsupported_grant_type",
                "invalid_scope",
            ],
        },
        "error_description": {"type": "string"},
    },
}


def pointer(*segments: str) -> str:
    """A JSON pointer (RFC 6901) to the segments, as a URI fragment."""
    return "".join(
        "/" + urllib.parse.quote(s.replace("~", "~0").replace("/", "~1"), safe="") for s in segments
    )


@dataclass(frozen=True)
class Operation:
    """One operation of one spec file."""

    spec: str
    method: str
    path: str
    document: dict = field(repr=False, compare=False, hash=False)

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def name(self) -> str:
        return f"{self.spec} {self.method} {self.path} ({self.operation['operationId']})"

    @property
    def operation(self) -> dict:
        return self.document["paths"][self.path][self.method.lower()]

    def responses(self) -> dict[str, tuple[dict, tuple[str, ...]]]:
        """Each declared status: the response object ($ref resolved) and the JSON
        pointer to it in the spec file."""
        declared = {}
        for status, response in self.operation["responses"].items():
            at: tuple[str, ...] = ("paths", self.path, self.method.lower(), "responses", status)
            if "$ref" in response:
                at = tuple(response["$ref"].removeprefix("#/").split("/"))
                response = self.document
                for segment in at:
                    response = response[segment]
            declared[status] = (response, at)
        return declared

    def parameters(self) -> dict[str, dict]:
        """The path parameters, by name."""
        return {p["name"]: p for p in self.operation.get("parameters", []) if p["in"] == "path"}


DOCUMENTS = {file.name: json.loads(file.read_text()) for file in sorted(SPECS.glob("*.json"))}
OPERATIONS = [
    Operation(spec, method.upper(), path, document)
    for spec, document in DOCUMENTS.items()
    for path, item in document["paths"].items()
    for method in METHODS
    if method in item
]
REGISTRY = Registry().with_resources(
    (f"urn:twilio-oai:{spec}", Resource.from_contents(document, default_specification=DRAFT4))
    for spec, document in DOCUMENTS.items()
)


def media_type(response: requests.Response) -> str:
    return response.headers.get("Content-Type", "").split(";")[0].strip().lower()


def schema_errors(schema: dict, body: Any) -> list[ValidationError]:
    validator = OAS30Validator(
        schema, registry=REGISTRY, format_checker=OAS30Validator.FORMAT_CHECKER
    )
    return list(validator.iter_errors(body))


@dataclass(frozen=True)
class Choice:
    """A response where iamkit keeps an RFC rule over Twilio's spec, named by its line
    in the README's "Choices". Either a status the operations do not declare, checked
    instead against the declared response of `as_status`, or against `media_type`
    with `schema` and `check`; or (`status` None) the validation errors it `matches`
    in an otherwise declared response."""

    name: str
    readme: str
    operations: frozenset[tuple[str, str]]
    status: int | None = None
    as_status: str | None = None
    media_type: str | None = None
    schema: dict | None = None
    check: Callable[[requests.Response], None] | None = None
    matches: Callable[[ValidationError], bool] | None = None


@dataclass(frozen=True)
class Pending:
    """A spec mismatch in an area being changed elsewhere: the validation errors it
    `matches` are left out of the check (and listed in the run's summary)."""

    name: str
    operations: frozenset[tuple[str, str]]
    matches: Callable[[ValidationError], bool]


def ops(*keys: str) -> frozenset[tuple[str, str]]:
    """Operation keys written as "METHOD /path"."""
    return frozenset(tuple(k.split(" ", 1)) for k in keys)  # type: ignore[misc]


ORG = "/Organizations/{OrganizationSid}"
SCIM_USERS = f"{ORG}/scim/Users"
SCIM_USER = f"{ORG}/scim/Users/{{UserSid}}"
ACCOUNTS = f"{ORG}/Accounts"
ACCOUNT = f"{ORG}/Accounts/{{AccountSid}}"
ASSIGNMENTS = f"{ORG}/RoleAssignments"
ASSIGNMENT = f"{ORG}/RoleAssignments/{{RoleAssignmentSid}}"


def consent_page(response: requests.Response) -> None:
    assert "<form" in response.text and "Approve access" in response.text, response.text


def refusal_page(response: requests.Response) -> None:
    assert 'id="error"' in response.text, response.text


CHOICES = [
    Choice(
        "token issued with 200 (RFC 6749 §5.1)",
        "a token is issued with `200 OK` (RFC 6749 §5.1)",
        ops("POST /v1/token"),
        200,
        as_status="201",
    ),
    Choice(
        "wrong client secret is 401 invalid_client (RFC 6749 §5.2)",
        "a wrong client secret is `401 invalid_client` (RFC 6749 §5.2)",
        ops("POST /v1/token", "POST /v2/token"),
        401,
        media_type="application/json",
        schema=RFC6749_ERROR,
    ),
    Choice(
        "/v1/token errors are RFC 6749 §5.2 400s",
        "`/v1/token` refuses a request with RFC 6749 §5.2's `400` errors",
        ops("POST /v1/token"),
        400,
        media_type="application/json",
        schema=RFC6749_ERROR,
    ),
    Choice(
        "duplicate userName on create is 409 uniqueness (RFC 7644 §3.3)",
        "a SCIM create with a `userName` already taken is `409 uniqueness`",
        ops(f"POST {SCIM_USERS}"),
        409,
        as_status="400",
    ),
    Choice(
        "stale If-Match is 412 preconditionFailed (RFC 7644 §3.14)",
        "a SCIM `PUT` or `PATCH` with a stale `If-Match` is `412 preconditionFailed`",
        ops(f"PUT {SCIM_USER}", f"PATCH {SCIM_USER}"),
        412,
        as_status="409",
    ),
    Choice(
        "existing role assignment is 409",
        "assigning a role the identity already holds in that scope is `409`",
        ops(f"POST {ASSIGNMENTS}"),
        409,
        as_status="400",
    ),
    Choice(
        "an Accounts page size or token out of range is 400",
        "an Accounts list with a `PageSize` outside 1–100 or a foreign `PageToken` is `400`",
        ops(f"GET {ACCOUNTS}"),
        400,
        as_status="403",
    ),
    Choice(
        "missing or invalid bearer token is 401 (RFC 6750 §3.1)",
        "a request without a valid bearer token is `401` (RFC 6750 §3.1)",
        ops(
            f"GET {ACCOUNTS}",
            f"GET {ACCOUNT}",
            f"GET {ASSIGNMENTS}",
            f"POST {ASSIGNMENTS}",
            f"DELETE {ASSIGNMENT}",
        ),
        401,
        as_status="403",
    ),
    Choice(
        "unknown role assignment is 404 (RFC 9110 §15.5.5)",
        "deleting a role assignment that does not exist is `404`",
        ops(f"DELETE {ASSIGNMENT}"),
        404,
        as_status="400",
    ),
    Choice(
        "unknown account OAuth app is 404 (RFC 9110 §15.5.5)",
        "deleting an account OAuth app that does not exist, or is another account's, is `404`",
        ops("DELETE /v1/Account/OAuthApps/{sid}"),
        404,
        as_status="400",
    ),
    Choice(
        "the consent page is served at /v2/authorize (RFC 6749 §3.1)",
        "`GET /v2/authorize` is the consent page itself",
        ops("GET /v2/authorize"),
        200,
        media_type="text/html",
        check=consent_page,
    ),
    Choice(
        "a bad client or redirect URI is shown, not redirected (RFC 6749 §4.1.2.1)",
        "an unknown client or redirect URI is a `400` page, never a redirect",
        ops("GET /v2/authorize"),
        400,
        media_type="text/html",
        check=refusal_page,
    ),
]

# RFC 7644 §3.12, Table 9: the scimType values of a SCIM error.
RFC7644_SCIM_TYPES = {
    "invalidFilter",
    "tooMany",
    "uniqueness",
    "mutability",
    "invalidSyntax",
    "invalidPath",
    "noTarget",
    "invalidValue",
    "invalidVers",
    "sensitive",
}
SCIM_OPERATIONS = ops(
    f"GET {SCIM_USERS}",
    f"POST {SCIM_USERS}",
    f"GET {SCIM_USER}",
    f"PUT {SCIM_USER}",
    f"PATCH {SCIM_USER}",
    f"DELETE {SCIM_USER}",
)
CHOICES.append(
    Choice(
        "scimType is any of RFC 7644 §3.12's",
        "a SCIM error's `scimType` is any of RFC 7644 §3.12's",
        SCIM_OPERATIONS,
        matches=lambda e: (
            e.validator == "enum"
            and list(e.absolute_path) == ["scimType"]
            and e.instance in RFC7644_SCIM_TYPES
        ),
    )
)

PENDING: list[Pending] = []


class Contract:
    """Checks responses against the spec files and records what was exercised."""

    def __init__(self) -> None:
        self.exercised: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        self.choices_used: set[str] = set()
        self.pending_used: set[str] = set()

    def check(self, method: str, path: str, response: requests.Response) -> None:
        declaring = [op for op in OPERATIONS if op.key == (method, path)]
        assert declaring, f"no spec file declares {method} {path}"
        problems = []
        for op in declaring:
            problems += [f"{op.name}: {p}" for p in self.problems(op, response)]
        assert not problems, "\n".join(problems)

    def problems(self, op: Operation, response: requests.Response) -> list[str]:
        status = str(response.status_code)
        self.exercised[(op.spec, op.method, op.path)].add(status)
        declared = op.responses()
        if status in declared:
            return self.against_declared(op, response, *declared[status])
        choice = next(
            (c for c in CHOICES if op.key in c.operations and c.status == response.status_code),
            None,
        )
        if choice is None:
            return [f"status {status} is not declared (declared: {sorted(declared)})"]
        self.choices_used.add(choice.name)
        if choice.as_status:
            return self.against_declared(op, response, *declared[choice.as_status])
        if media_type(response) != choice.media_type:
            return [f"content type {media_type(response)!r}, the choice says {choice.media_type}"]
        if choice.check:
            choice.check(response)
        if choice.schema:
            return [e.message for e in schema_errors(choice.schema, response.json())]
        return []

    def against_declared(
        self, op: Operation, response: requests.Response, declared: dict, at: tuple[str, ...]
    ) -> list[str]:
        content = declared.get("content")
        if not content:
            return (
                [] if not response.content else [f"a body where none is declared: {response.text}"]
            )
        media = media_type(response)
        if media not in content:
            return [f"content type {media!r}, declared {sorted(content)}"]
        try:
            body = response.json()
        except ValueError:
            return [f"a body that is not JSON: {response.text[:200]!r}"]
        ref = f"urn:twilio-oai:{op.spec}#" + pointer(*at, "content", media, "schema")
        problems = []
        for error in schema_errors({"$ref": ref}, body):
            choice = next((c for c in CHOICES if c.matches and accepts(c, op, error)), None)
            pending = next((p for p in PENDING if accepts(p, op, error)), None)
            if choice:
                self.choices_used.add(choice.name)
            elif pending:
                self.pending_used.add(pending.name)
            else:
                where = "/".join(str(s) for s in error.absolute_path) or "(body)"
                problems.append(f"{where}: {error.message}")
        return problems


def accepts(entry: Choice | Pending, op: Operation, error: ValidationError) -> bool:
    return op.key in entry.operations and entry.matches(error)  # type: ignore[misc]


CONTRACT = Contract()


def call(
    base_url: str,
    method: str,
    path: str,
    expect: int,
    at: dict[str, str] | None = None,
    **kwargs: Any,
) -> requests.Response:
    """Sends the request to `path` (a spec template filled with `at`), asserts the
    status the scenario expects, and checks the response against the contract."""
    url = base_url + path.format(**(at or {}))
    response = requests.request(method, url, allow_redirects=False, timeout=TIMEOUT, **kwargs)
    assert response.status_code == expect, f"{method} {url}: {response.status_code} {response.text}"
    CONTRACT.check(method, path, response)
    return response


def served(base_url: str) -> list[Operation]:
    """The operations the emulator serves: those whose request, sent without
    credentials, is answered otherwise than the router answers an unknown path below
    it (its 404), and not with 405."""
    found = []
    for op in OPERATIONS:
        path = op.path
        for name, parameter in op.parameters().items():
            prefix = re.match(r"\^?([A-Z]{2})", parameter["schema"].get("pattern", "XX"))
            path = path.replace("{" + name + "}", (prefix[1] if prefix else "XX") + "0" * 32)
        answer = requests.request(op.method, base_url + path, timeout=TIMEOUT)
        unknown = requests.request(op.method, f"{base_url}{path}/no-such-endpoint", timeout=TIMEOUT)
        routed_away = answer.status_code == 405 or (
            answer.status_code == unknown.status_code == 404 and answer.content == unknown.content
        )
        if not routed_away:
            found.append(op)
    return found


def readme_has(line: str) -> bool:
    return line in " ".join(README.split())
