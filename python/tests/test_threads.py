"""Eight Python threads issue, verify and rotate at once on one engine; every
invariant holds (the engine releases the GIL in those calls)."""

from __future__ import annotations

import threading

import iamkit

THREADS = 8
ROUNDS = 40


def test_eight_threads_issue_verify_rotate(iamkit_engine: iamkit.Engine) -> None:
    org = iamkit_engine.create_organization("Acme")
    apps = [
        iamkit_engine.create_app(org.sid, name=f"app-{i}", scopes=["managed-users/list"])
        for i in range(THREADS)
    ]
    shared = iamkit_engine.create_app(org.sid, name="shared", scopes=["managed-users/list"])
    errors: list[BaseException] = []
    jtis: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def work(i: int) -> None:
        try:
            start.wait()
            app = apps[i]
            secret = app.client_secret
            for n in range(ROUNDS):
                tok = iamkit_engine.token(
                    grant_type="client_credentials", client_id=app.client_id, client_secret=secret
                )
                claims = iamkit_engine.verify(tok.access_token)
                assert claims["client_id"] == app.client_id
                with lock:
                    jtis.append(claims["jti"])
                if n % 10 == 9:
                    # Organization apps keep the previous secret for 24 hours.
                    rotated = iamkit_engine.rotate_secret(app.client_id)
                    secret = rotated.client_secret
                # Everybody also rotates the shared app; its tokens keep verifying.
                if n % 20 == 0:
                    iamkit_engine.rotate_secret(shared.client_id)
        except BaseException as error:  # collected and re-raised in the main thread
            with lock:
                errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(jtis) == THREADS * ROUNDS
    assert len(set(jtis)) == len(jtis), "every token has its own jti"
    issued = iamkit_engine.audit_events(event_type="oauth-tokens.issued")
    assert len(issued) == THREADS * ROUNDS
    rotations = iamkit_engine.audit_events(event_type="oauth-apps.secret-rotated")
    assert len(rotations) == THREADS * (ROUNDS // 10) + THREADS * (ROUNDS // 20)
