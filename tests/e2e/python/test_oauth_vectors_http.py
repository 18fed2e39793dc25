"""The shared OAuth scenario vectors (`tests/vectors/oauth/*.json`) over HTTP: each
scenario on a fresh `iamkit serve --empty` whose frozen clock is set to the
scenario's start, every step a request (see vectors_http.py for the mapping).

The expectations are asserted as the in-process interpreters assert them: a step
with `expect_error` must fail with exactly that code, a step without it must
succeed, and each `expect` field must equal the result's.
"""

from __future__ import annotations

import json
import pathlib
import re
from typing import Any

import pytest
from conftest import ROOT, start
from vectors_http import PERMISSION_NOT_SHOWN, NoCounterpart, OAuthClient, StepError

FILES = sorted((ROOT / "tests" / "vectors" / "oauth").glob("*.json"))
SCENARIOS = [
    pytest.param(path.name, scenario, id=f"{path.name}: {scenario['name']}")
    for path in FILES
    for scenario in json.loads(path.read_text())["scenarios"]
]
REFERENCE = re.compile(r"\$\{([^}]*)\}")


def resolve(value: Any, bound: dict[str, dict[str, Any]]) -> Any:
    """Replaces `${alias}` and `${alias.field}` with what earlier steps bound."""
    if isinstance(value, str):

        def field(match: re.Match[str]) -> str:
            alias, _, name = match.group(1).partition(".")
            found = bound[alias][name or "id"]
            return found if isinstance(found, str) else json.dumps(found)

        return REFERENCE.sub(field, value)
    if isinstance(value, list):
        return [resolve(v, bound) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, bound) for k, v in value.items()}
    return value


def test_every_vector_file_and_op_is_covered() -> None:
    assert FILES, "no OAuth vector files"
    assert len(SCENARIOS) >= 20
    ops = {step["op"] for p in SCENARIOS for step in p.values[1]["steps"]}
    missing = [op for op in sorted(ops) if not hasattr(OAuthClient, f"op_{op}")]
    assert not missing, f"ops without an HTTP mapping: {missing}"


@pytest.mark.parametrize(("file", "scenario"), SCENARIOS)
def test_oauth_scenario_over_http(file: str, scenario: dict[str, Any], tmp_path: pathlib.Path):
    process, emulator = start(tmp_path, "--empty")
    try:
        run_scenario(OAuthClient(emulator, f"{file}: {scenario['name']}"), scenario)
    finally:
        process.terminate()
        process.wait(timeout=10)


def run_scenario(client: OAuthClient, scenario: dict[str, Any]) -> None:
    clock = client.admin("POST", "/clock", {"set": scenario.get("start", "2026-01-01T00:00:00Z")})
    assert clock["adjustable"] is True, clock
    bound: dict[str, dict[str, Any]] = {}
    for i, raw in enumerate(scenario["steps"]):
        # `expect` may name what this very step binds, so it is resolved afterwards.
        step = resolve({k: v for k, v in raw.items() if k != "expect"}, bound)
        at = f"step {i} ({step['op']})"
        want_error = step.get("expect_error")
        try:
            result = client.run(step, at)
        except NoCounterpart as reason:
            client.gap(at, str(reason))
            continue
        except StepError as error:
            assert want_error is not None, f"{at}: unexpected error {error}"
            assert error.code == want_error, f"{at}: {error}"
            continue
        assert want_error is None, f"{at}: expected error {want_error}, got {result}"
        if "as" in step:
            bound[step["as"]] = result
        for key, want in resolve(raw.get("expect", {}), bound).items():
            if key == "permission" and step["op"] == "check_access":
                client.gap(at, PERMISSION_NOT_SHOWN)
                continue
            assert key in result, f"{at}: no field {key} in {result}"
            assert result[key] == want, f"{at}: field {key} of {result}"
