"""Hostile soak: what requests without credentials leave behind in `iamkit serve`.

Starts a release build on a frozen clock, then as an unauthenticated caller
(1) approves the demo authorization-code app 100,000 times through the consent page
(the page, its ticket, the form), never redeeming a code, moving the clock 30 s
every 100 approvals (the pace at which codes expire stays under the per-app cap);
moves the clock a day and approves once more; (2) sends 100,000 token requests
with made-up client ids. Prints the server's resident memory (VmRSS) at idle and
after each phase, how many grants and codes the state holds, and whether the app's
own audit events are still listed. Not part of CI.

Usage: python3 bench/hostile_soak.py [approvals=100000] [refusals=100000]
(after `cargo build --release --locked -p iamkit-server`).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BINARY = os.path.join(
    os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target")), "release", "iamkit"
)
TICKET = re.compile(r'name="ticket" value="([^"]*)"')


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


class Client:
    """One keep-alive connection to the emulator."""

    def __init__(self, url: str, admin_token: str):
        parsed = urllib.parse.urlsplit(url)
        self.conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        self.admin_token = admin_token

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        self.conn.request(method, path, body=body, headers=headers or {})
        response = self.conn.getresponse()
        return response.status, response.read().decode()

    def admin(self, method: str, path: str, body=None):
        headers = {"Authorization": f"Bearer {self.admin_token}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        status, text = self.request(
            method, f"/admin/v1{path}", json.dumps(body) if body is not None else None, headers
        )
        return status, json.loads(text) if text else None

    def form(self, path: str, fields: dict[str, str]):
        body = urllib.parse.urlencode(fields)
        return self.request(
            "POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"}
        )


def main() -> None:
    approvals = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    refusals = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    work = tempfile.mkdtemp()
    boot_file = os.path.join(work, "boot.json")
    server = subprocess.Popen(
        [
            BINARY,
            "serve",
            "--port",
            "0",
            "--frozen-at",
            "2026-01-01T00:00:00Z",
            "--bootstrap",
            boot_file,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            if os.path.exists(boot_file) and os.path.getsize(boot_file) > 0:
                break
            time.sleep(0.05)
        boot = json.load(open(boot_file))
        client = Client(boot["url"], boot["admin_token"])
        app = boot["apps"]["org_authorization_code"]
        owner = boot["users"][0]["sid"]
        query = {
            "client_id": app["client_id"],
            "response_type": "code",
            "redirect_uri": app["redirect_uri"],
        }
        path = "/v2/authorize?" + urllib.parse.urlencode(query)
        idle = rss_kb(server.pid)
        print(f"VmRSS idle: {idle} kB")

        began = time.monotonic()
        approved = 0
        for i in range(approvals):
            status, page = client.request("GET", path)
            ticket = TICKET.search(page).group(1)
            status, _ = client.form(
                "/v2/authorize",
                {**query, "user_sid": owner, "decision": "approve", "ticket": ticket},
            )
            approved += status == 302
            if i % 100 == 99:
                client.admin("POST", "/clock", {"advance_seconds": 30})
        client.admin("POST", "/clock", {"advance_seconds": 86_400})
        status, page = client.request("GET", path)
        client.form(
            "/v2/authorize",
            {
                **query,
                "user_sid": owner,
                "decision": "approve",
                "ticket": TICKET.search(page).group(1),
            },
        )
        _, state = client.admin("GET", "/state")
        grants, codes = len(state["state"]["grants"]), len(state["state"]["codes"])
        after_approvals = rss_kb(server.pid)
        print(
            f"{approvals} approvals ({approved} redirected with a code) "
            f"in {time.monotonic() - began:.0f} s, "
            f"then a day: VmRSS {after_approvals} kB ({(after_approvals - idle) / 1024:+.1f} MiB), "
            f"{grants} grants and {codes} codes kept"
        )

        began = time.monotonic()
        refused = 0
        for i in range(refusals):
            status, _ = client.form(
                "/v2/token",
                {
                    "grant_type": "client_credentials",
                    "client_id": f"OQ{i:032x}",
                    "client_secret": "guess",
                },
            )
            refused += status == 401
        after_refusals = rss_kb(server.pid)
        _, created = client.admin("GET", "/audit-events?event_type=oauth-apps.created")
        listed = any(e["subject"] == app["client_id"] for e in created["events"])
        print(
            f"{refusals} refused token requests ({refused} answered 401) "
            f"in {time.monotonic() - began:.0f} s: "
            f"VmRSS {after_refusals} kB ({(after_refusals - idle) / 1024:+.1f} MiB); "
            f"the app's oauth-apps.created event still listed: {listed}"
        )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
