"""Python calls per second for client-credentials issue + verify, iamkit beside PyJWT.

iamkit: ``engine.token(...)`` (checks the client secret and the app, signs) then
``engine.verify(...)`` (signature, times, app, revocation). PyJWT: ``jwt.encode`` and
``jwt.decode`` of similar claims with the same algorithm, nothing else checked.

Run with the installed wheel (a release build for real figures) and PyJWT with
``cryptography``:  python python/bench/issue_verify.py [seconds-per-case]
"""

from __future__ import annotations

import sys
import time
import uuid

import iamkit


def rate(fn, seconds: float) -> float:
    n, start = 0, time.perf_counter()
    while True:
        for _ in range(100):
            fn()
        n += 100
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed


def iamkit_pair(algorithm: str):
    engine = iamkit.Engine(algorithm=algorithm)
    org = engine.create_organization("Bench")
    app = engine.create_app(org.sid, name="bench", scopes=["managed-users/list"])

    def pair() -> None:
        tok = engine.token(
            grant_type="client_credentials",
            client_id=app.client_id,
            client_secret=app.client_secret,
        )
        engine.verify(tok.access_token)

    return pair


def pyjwt_pair(algorithm: str):
    import jwt
    from cryptography.hazmat.primitives.asymmetric import ec

    if algorithm == "ES256":
        key = ec.generate_private_key(ec.SECP256R1())
        public = key.public_key()
    else:
        key = public = b"k" * 32

    def pair() -> None:
        now = int(time.time())
        claims = {
            "iss": "https://oauth.iamkit.test",
            "sub": "OQ" + "0" * 32,
            "aud": "https://api.iamkit.test",
            "iat": now,
            "nbf": now,
            "exp": now + 3600,
            "jti": uuid.uuid4().hex,
            "scope": "managed-users/list",
        }
        token = jwt.encode(claims, key, algorithm=algorithm, headers={"kid": "k1"})
        jwt.decode(token, public, algorithms=[algorithm], audience="https://api.iamkit.test")

    return pair


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    print("| algorithm | iamkit issue+verify/s | PyJWT encode+decode/s | ratio |")
    print("|---|---:|---:|---:|")
    for algorithm in ("HS256", "ES256"):
        ours = rate(iamkit_pair(algorithm), seconds)
        theirs = rate(pyjwt_pair(algorithm), seconds)
        print(f"| {algorithm} | {ours:,.0f} | {theirs:,.0f} | {ours / theirs:.1f}x |")


if __name__ == "__main__":
    main()
