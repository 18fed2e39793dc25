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
* ``iamkit_twilio_client``: a Twilio SDK ``Client`` (``pip install "iamkit[twilio]"``)
  with the demo organization app's credentials, whose Token API and Organizations
  API requests go to ``iamkit_emulator``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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


@pytest.fixture
def iamkit_twilio_client(iamkit_emulator: iamkit.Server) -> Any:
    """A Twilio SDK client pointed at ``iamkit_emulator``, as its demo org app."""
    try:
        from twilio.credential.orgs_credential_provider import OrgsCredentialProvider
        from twilio.http.orgs_token_manager import OrgTokenManager
        from twilio.rest import Client
    except ImportError as missing:
        raise pytest.UsageError(
            'iamkit_twilio_client needs the Twilio SDK: pip install "iamkit[twilio]"'
        ) from missing
    app = iamkit_emulator.bootstrap["apps"]["org_client_credentials"]
    client_id, secret = app["client_id"], app["client_secret"]
    manager = OrgTokenManager("client_credentials", client_id, secret)
    manager.client.oauth.base_url = iamkit_emulator.url
    provider = OrgsCredentialProvider(client_id, secret, token_manager=manager)
    client = Client(credential_provider=provider)
    client.preview_iam.base_url = iamkit_emulator.url
    return client
