"""N client-credentials issues + verifies through the installed iamkit wheel (HS256),
and nothing else, for counting instructions: the difference between
``valgrind --tool=callgrind python python/bench/issue_verify_loop.py N`` and the same
with ``0``, divided by N, is the cost of one issue+verify from Python, repeatable on a
busy machine.

``python python/bench/issue_verify_loop.py N``
"""

from __future__ import annotations

import sys

import iamkit


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    engine = iamkit.Engine(algorithm="HS256")
    org = engine.create_organization("Bench")
    app = engine.create_app(org.sid, name="bench", scopes=["managed-users/list"])
    for _ in range(n):
        token = engine.token(
            grant_type="client_credentials",
            client_id=app.client_id,
            client_secret=app.client_secret,
        )
        engine.verify(token.access_token)


if __name__ == "__main__":
    main()
