"""The SCIM conformance checker scim2-tester against `iamkit serve`.

With `--scim-rules rfc7643` every check passes: the checker fills users with random
values (a UUID `userName`, emails unrelated to it) that only Twilio's rules refuse.
"""

from httpx2 import Client
from scim2_client.engines.httpx2 import SyncSCIMClient
from scim2_tester import Status, check_server


def test_every_scim2_tester_check_passes_under_rfc7643_rules(rfc7643_emulator):
    app = rfc7643_emulator.boot["apps"]["org_client_credentials"]
    headers = {"Authorization": f"Bearer {rfc7643_emulator.access_token(app)}"}
    with Client(base_url=f"{rfc7643_emulator.url}/scim/v2", headers=headers) as http:
        results = check_server(SyncSCIMClient(http))
    failures = [
        f"{r.status.name} {r.title}: {r.reason}" for r in results if r.status != Status.SUCCESS
    ]
    assert results, "scim2-tester ran no check"
    assert not failures, f"{len(failures)} of {len(results)} checks failed:\n" + "\n".join(failures)
