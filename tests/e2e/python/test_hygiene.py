"""What the emulator writes to its log, and how it stops."""

import urllib.parse

import consent
import requests


def test_the_request_log_holds_no_secret_token_or_code(logging_emulator):
    emulator = logging_emulator
    cc = emulator.boot["apps"]["org_client_credentials"]
    ac = emulator.boot["apps"]["org_authorization_code"]
    token = requests.post(
        f"{emulator.url}/v2/token",
        data={"grant_type": "client_credentials"},
        auth=(cc["client_id"], cc["client_secret"]),
        timeout=10,
    ).json()["access_token"]
    fields = {
        "client_id": ac["client_id"],
        "response_type": "code",
        "redirect_uri": ac["redirect_uri"],
    }
    approved = consent.decide(
        None, emulator.url, fields, emulator.boot["users"][0]["sid"], "approve"
    )
    location = approved.headers["Location"]
    code = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))["code"]
    requests.get(location, timeout=10)  # the demo callback, with the code in its query
    requests.post(
        f"{emulator.url}/v2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": cc["client_id"],
            "client_secret": "x",
        },
        timeout=10,
    )

    log = emulator.log_file.read_text()
    assert "/v2/token" in log and "/callback" in log, "requests are logged"
    for secret in [
        cc["client_secret"],
        ac["client_secret"],
        token,
        code,
        emulator.boot["admin_token"],
    ]:
        assert secret not in log


def test_sigterm_stops_the_emulator_cleanly(tmp_path):
    from conftest import start

    process, emulator = start(tmp_path)
    assert requests.get(f"{emulator.url}/.well-known/jwks.json", timeout=10).status_code == 200
    process.terminate()
    assert process.wait(timeout=10) == 0
    assert "stopped" in emulator.log_file.read_text()
