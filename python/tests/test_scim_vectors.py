"""Runs the shared SCIM vectors through the engine's Python API: filter evaluation
(``tests/vectors/scim/matches.json``) through ``scim_list_users`` and PATCH
(``tests/vectors/scim/patch.json``) through ``scim_patch_user``; see
``tests/vectors/scim/README.md``.

The Rust suite (``crates/iamkit/tests/scim_vectors.rs``) evaluates these vectors on
the filter and PATCH functions directly. Here each vector user is loaded into an
engine with ``import_state`` (keeping its id, times and version), so only users the
engine can hold take part: the vector users that are not valid Users (no email, a
userName other than the primary email, member names in unusual case) cannot be
stored by any engine, so their cases run through ``iamkit.filter_matches``, the
same evaluator on a resource that is not stored.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import VECTORS

import iamkit

MATCHES = json.loads((VECTORS / "scim" / "matches.json").read_text())
PATCHES = json.loads((VECTORS / "scim" / "patch.json").read_text())["cases"]
STORED = {"schemas", "meta"}


def engine_holding(user: dict[str, Any]) -> tuple[iamkit.Engine, str, str]:
    """An engine whose only organization holds `user` as it is (id, times, version)."""
    # The vectors' locations are under https://example.com, as the engine's are
    # under its issuer.
    engine = iamkit.Engine(
        clock=iamkit.ManualClock("2026-06-01T00:00:00Z"), issuer="https://example.com"
    )
    org = engine.create_organization("Vectors")
    state = json.loads(engine.export_state())
    record = {k: v for k, v in user.items() if k not in STORED}
    record.setdefault("id", "US" + "a" * 32)
    meta = user.get("meta") or {}
    record["created"] = meta.get("created", "2026-01-01T00:00:00Z")
    record["lastModified"] = meta.get("lastModified", record["created"])
    record["version"] = int(meta.get("version", 'W/"1"').strip('W/"'))
    record["sso"] = False
    state["state"]["users"] = {org.sid: [record]}
    engine.import_state(json.dumps(state))
    return engine, org.sid, record["id"]


def loadable(user: dict[str, Any]) -> str | None:
    """Why the engine cannot hold `user`, or None when it can."""
    try:
        engine_holding(user)
    except iamkit.StateError as error:
        return error.message
    return None


UNLOADABLE = {name: loadable(user) for name, user in MATCHES["users"].items()}


def match_params() -> list[Any]:
    return [
        pytest.param(case, id=f"{i}: {case['user']}: {case['filter']}")
        for i, case in enumerate(MATCHES["cases"])
    ]


def test_most_match_cases_run_through_the_engine() -> None:
    runnable = [c for c in MATCHES["cases"] if UNLOADABLE[c["user"]] is None]
    assert len(runnable) >= len(MATCHES["cases"]) // 2


@pytest.mark.parametrize("case", match_params())
def test_filter_matches(case: dict[str, Any]) -> None:
    user = MATCHES["users"][case["user"]]
    assert iamkit.filter_matches(case["filter"], user) == case["match"], case
    if UNLOADABLE[case["user"]] is not None:
        return  # not a storable User: the evaluator above is the whole check
    engine, org, user_id = engine_holding(user)
    listed = engine.scim_list_users(org, filter=case["filter"])
    matched = [u["id"] for u in listed["Resources"]] == [user_id]
    assert matched == case["match"], case


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=f"{i}: {c['name']}") for i, c in enumerate(PATCHES)]
)
def test_patch(case: dict[str, Any]) -> None:
    engine, org, user_id = engine_holding(case["resource"])
    if "error" in case:
        with pytest.raises(iamkit.ScimError) as caught:
            engine.scim_patch_user(org, user_id, case["request"])
        assert caught.value.code == case["error"]
        assert caught.value.status == 400
        unchanged = engine.scim_get_user(org, user_id)
        assert unchanged["meta"]["version"] == case["resource"]["meta"]["version"]
        return
    patched = engine.scim_patch_user(org, user_id, case["request"])
    want = {k: v for k, v in case["result"].items() if k != "meta"}
    got = {k: v for k, v in patched.items() if k != "meta"}
    assert got == want


def test_filter_matches_refuses_an_invalid_filter() -> None:
    with pytest.raises(iamkit.ScimError) as caught:
        iamkit.filter_matches("userName gt true", {"userName": "a@b.example"})
    assert (caught.value.code, caught.value.status) == ("invalidFilter", 400)
