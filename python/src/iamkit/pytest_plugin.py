"""The iamkit pytest plugin, registered through the ``pytest11`` entry point.

Fixtures:

* ``iamkit_clock``: a fresh :class:`iamkit.ManualClock` at 2026-01-01T00:00:00Z.
* ``iamkit_engine``: a fresh in-memory :class:`iamkit.Engine` on ``iamkit_clock``.
* ``iamkit_emulator``: an emulator for one test, seeded with the demo organization,
  serving ``iamkit_engine`` on ``iamkit_clock``: advance the clock and the emulator's
  tokens expire. ``iamkit_emulator.bootstrap`` holds its admin token and demo
  credentials.
* ``iamkit_server``: an emulator running for the whole test session, seeded with the
  demo organization, on the system clock (one server for many tests).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import iamkit

START = "2026-01-01T00:00:00Z"


@pytest.fixture
def iamkit_clock() -> iamkit.ManualClock:
    """A manual clock standing at 2026-01-01T00:00:00Z."""
    return iamkit.ManualClock(START)


@pytest.fixture
def iamkit_engine(iamkit_clock: iamkit.ManualClock) -> iamkit.Engine:
    """A fresh in-memory engine on ``iamkit_clock``."""
    return iamkit.Engine(clock=iamkit_clock)


@pytest.fixture
def iamkit_emulator(iamkit_engine: iamkit.Engine) -> Iterator[iamkit.Server]:
    """An emulator for this test, with the demo organization, on ``iamkit_clock``."""
    with iamkit_engine.serve(port=0, demo=True) as server:
        yield server


@pytest.fixture(scope="session")
def iamkit_server() -> Iterator[iamkit.Server]:
    """An emulator with the demo organization, running for the test session."""
    engine = iamkit.Engine()
    with engine.serve(port=0, demo=True) as server:
        yield server
