"""Python calls per second for client-credentials issue + verify: iamkit beside PyJWT
and Authlib on the same claims, in the same run.

iamkit: ``engine.token(...)`` (checks the client secret and the app, signs) then
``engine.verify(...)`` (signature, times, app, revocation). PyJWT and Authlib: encode
then decode similar claims with the same algorithm, checking the signature, the
issuer, the audience and the times, nothing else.

Before timing, the results are checked to agree: iamkit's ES256 token verifies with
PyJWT and Authlib against iamkit's JWKS, and each peer's token decodes with the other
peer to the same claims. A disagreement exits non-zero.

Each side is timed for the given seconds in ten slices taken in turn with the other
sides of the same algorithm, so that the ratios compare the sides under the same
load even when the machine's load changes during the run.

Run with the installed wheel (a release build for real figures), PyJWT with
``cryptography``, and Authlib:
``python python/bench/issue_verify.py [seconds-per-case] [--json]``
"""

from __future__ import annotations

import json
import sys
import time
import uuid
import warnings

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

import iamkit

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # authlib.jose is deprecated in favour of joserfc
    from authlib.jose import JsonWebKey
    from authlib.jose import jwt as authlib_jwt

ISSUER = "https://oauth.iamkit.test"
AUDIENCE = "https://api.iamkit.test"
ALGORITHMS = ("HS256", "ES256")


def rates(fns: dict, seconds: float, turns: int = 10) -> dict:
    """Calls per second of each of ``fns`` (by name) over at least ``seconds`` each,
    timed in ``turns`` slices that alternate between them, so that a change in the
    machine's load during the run weighs on every side alike."""
    calls = dict.fromkeys(fns, 0)
    spent = dict.fromkeys(fns, 0.0)
    for _ in range(turns):
        for name, fn in fns.items():
            n, start = 0, time.perf_counter()
            while True:
                for _ in range(100):
                    fn()
                n += 100
                elapsed = time.perf_counter() - start
                if elapsed >= seconds / turns:
                    break
            calls[name] += n
            spent[name] += elapsed
    return {name: calls[name] / spent[name] for name in fns}


def claims() -> dict:
    now = int(time.time())
    return {
        "iss": ISSUER,
        "sub": "OQ" + "0" * 32,
        "aud": AUDIENCE,
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "jti": uuid.uuid4().hex,
        "scope": "managed-users/list",
    }


class Keys:
    """One key per algorithm, as PyJWT and Authlib each take it."""

    def __init__(self, algorithm: str) -> None:
        if algorithm == "ES256":
            private = ec.generate_private_key(ec.SECP256R1())
            self.sign = private
            self.verify = private.public_key()
            pem = private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            self.authlib_sign = JsonWebKey.import_key(pem)
            self.authlib_verify = JsonWebKey.import_key(
                self.verify.public_bytes(
                    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
                )
            )
        else:
            self.sign = self.verify = b"k" * 32
            self.authlib_sign = self.authlib_verify = JsonWebKey.import_key(
                self.sign, {"kty": "oct"}
            )


def pyjwt_encode(keys: Keys, algorithm: str, payload: dict) -> str:
    return jwt.encode(payload, keys.sign, algorithm=algorithm, headers={"kid": "k1"})


def pyjwt_decode(keys: Keys, algorithm: str, token: str) -> dict:
    return jwt.decode(token, keys.verify, algorithms=[algorithm], audience=AUDIENCE, issuer=ISSUER)


AUTHLIB_CLAIMS = {
    "iss": {"essential": True, "value": ISSUER},
    "aud": {"essential": True, "value": AUDIENCE},
}


def authlib_encode(keys: Keys, algorithm: str, payload: dict) -> str:
    header = {"alg": algorithm, "kid": "k1"}
    return authlib_jwt.encode(header, payload, keys.authlib_sign).decode()


def authlib_decode(keys: Keys, algorithm: str, token: str, key=None) -> dict:
    decoded = authlib_jwt.decode(token, key or keys.authlib_verify, claims_options=AUTHLIB_CLAIMS)
    decoded.validate()
    return dict(decoded)


def iamkit_setup(algorithm: str):
    engine = iamkit.Engine(algorithm=algorithm)
    org = engine.create_organization("Bench")
    app = engine.create_app(org.sid, name="bench", scopes=["managed-users/list"])

    def issue() -> str:
        return engine.token(
            grant_type="client_credentials",
            client_id=app.client_id,
            client_secret=app.client_secret,
        ).access_token

    return engine, app, issue


def fail(message: str) -> None:
    print(f"DISAGREE: {message}", file=sys.stderr)
    sys.exit(1)


def check_agreement(algorithm: str, keys: Keys) -> None:
    """Every side accepts the others' tokens with the same claims; exits otherwise."""
    engine, app, issue = iamkit_setup(algorithm)
    token = issue()
    ours = engine.verify(token)
    if ours.get("sub") != app.client_id or "managed-users/list" not in str(ours.get("scope")):
        fail(f"iamkit {algorithm} claims {ours}")
    if algorithm == "ES256":
        jwk = engine.jwks()["keys"][0]
        public = jwt.PyJWK(jwk).key
        by_pyjwt = jwt.decode(token, public, algorithms=["ES256"], audience=AUDIENCE, issuer=ISSUER)
        by_authlib = authlib_decode(keys, algorithm, token, JsonWebKey.import_key(jwk))
        for name, decoded in (("PyJWT", by_pyjwt), ("Authlib", by_authlib)):
            if decoded != ours:
                fail(f"{name} decodes iamkit's token to {decoded}, iamkit to {ours}")
    payload = claims()
    if pyjwt_decode(keys, algorithm, authlib_encode(keys, algorithm, payload)) != payload:
        fail(f"PyJWT does not read Authlib's {algorithm} token back")
    if authlib_decode(keys, algorithm, pyjwt_encode(keys, algorithm, payload)) != payload:
        fail(f"Authlib does not read PyJWT's {algorithm} token back")


def measure(algorithm: str, seconds: float) -> dict:
    keys = Keys(algorithm)
    check_agreement(algorithm, keys)
    engine, _app, issue = iamkit_setup(algorithm)

    def ours() -> None:
        engine.verify(issue())

    def by(encode, decode):
        return lambda: decode(keys, algorithm, encode(keys, algorithm, claims()))

    measured = rates(
        {
            "iamkit": ours,
            "PyJWT": by(pyjwt_encode, pyjwt_decode),
            "Authlib": by(authlib_encode, authlib_decode),
        },
        seconds,
    )
    return {"algorithm": algorithm, **measured}


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--json"]
    seconds = float(args[0]) if args else 2.0
    results = [measure(algorithm, seconds) for algorithm in ALGORITHMS]
    if "--json" in sys.argv:
        print(json.dumps({"agree": True, "results": results}))
        return
    print("| algorithm | iamkit issue+verify/s | PyJWT/s | Authlib/s | ÷ PyJWT | ÷ Authlib |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['algorithm']} | {r['iamkit']:,.0f} | {r['PyJWT']:,.0f} | {r['Authlib']:,.0f}"
            f" | {r['iamkit'] / r['PyJWT']:.1f}× | {r['iamkit'] / r['Authlib']:.1f}× |"
        )


if __name__ == "__main__":
    main()
