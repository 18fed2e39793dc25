"""The package as installed: the wheel, its stubs and its plugin registration."""

from __future__ import annotations

import os
from importlib import metadata
from pathlib import Path

import pytest

import iamkit
import iamkit._native


def test_runs_against_the_installed_wheel() -> None:
    location = Path(iamkit.__file__).resolve()
    if os.environ.get("IAMKIT_EXPECT_INSTALLED") == "1":
        assert "site-packages" in location.parts, location
    package = location.parent
    assert (package / "py.typed").is_file()
    assert (package / "_native.pyi").is_file()


def test_version_and_exports() -> None:
    assert iamkit.__version__ == metadata.version("iamkit")
    for name in iamkit.__all__:
        assert hasattr(iamkit, name), name
    assert iamkit._native.Engine is iamkit.Engine


def test_plugin_is_registered_by_entry_point(pytestconfig: pytest.Config) -> None:
    entry_points = metadata.entry_points(group="pytest11")
    assert any(ep.value == "iamkit.pytest_plugin" for ep in entry_points)
    assert pytestconfig.pluginmanager.hasplugin("iamkit")
