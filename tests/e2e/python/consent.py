"""Plays the signed-in user on the emulator's consent page, as a browser does:
loads the page, reads its one-use ticket and posts the decision from the same
origin."""

from __future__ import annotations

import html
import re
import urllib.parse

import requests

TIMEOUT = 10
TICKET = re.compile(r'<input type="hidden" name="ticket" value="([^"]*)">')


def ticket_of(page: str) -> str:
    """The hidden `ticket` field of a consent page."""
    found = TICKET.search(page)
    assert found, page[:300]
    return html.unescape(found.group(1))


def decide(
    http: requests.Session | None, url: str, fields: dict[str, str], user_sid: str, decision: str
) -> requests.Response:
    """Loads `GET /v2/authorize` with the request's `fields`; when the page is shown,
    posts `decision` for `user_sid` with its ticket. Returns the page's answer when it
    refused the request, the decision's answer otherwise; redirects are not followed."""
    http = http or requests.Session()
    page = http.get(f"{url}/v2/authorize", params=fields, timeout=TIMEOUT, allow_redirects=False)
    if page.status_code != 200:
        return page
    form = {**fields, "user_sid": user_sid, "decision": decision, "ticket": ticket_of(page.text)}
    return http.post(
        f"{url}/v2/authorize",
        data=form,
        headers={"Origin": url},
        timeout=TIMEOUT,
        allow_redirects=False,
    )


def approve(url: str, authorization_url: str, user_sid: str) -> str:
    """Approves the request in `authorization_url` for `user_sid`; the redirect location."""
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorization_url).query))
    response = decide(None, url, query, user_sid, "approve")
    assert response.status_code == 302, (response.status_code, response.text[:300])
    return response.headers["Location"]
