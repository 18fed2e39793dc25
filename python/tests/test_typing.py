"""The typed example runs; run-tests.sh type-checks it with mypy --strict."""

from __future__ import annotations

import typing_example


def test_typed_example_runs() -> None:
    assert typing_example.issue_and_check() == "managed-users/list"
