"""The Python binding's cost per call, and HS256 issue+verify beside PyJWT, in one run.

1. Per-call overhead: time per call of binding calls whose core work is next to
   nothing (the ``engine.algorithm`` getter, ``clock.isoformat()``, ``clock.now()``),
   beside a Python no-op function call and a Python property read on the same
   interpreter; then calls that build a record or read a field, and the Token API
   calls. With ``--core BIN`` (the ``core_calls`` example of bindings/python, built
   in release), the same calls made in Rust on an engine built the way the binding
   builds one are timed in the same run, and the difference is the binding's own
   cost per call.
2. HS256 client-credentials issue+verify: through iamkit (``engine.token(...)``:
   checks the client secret and the app, signs; then ``engine.verify(...)``:
   signature, issuer, audience, times, app, revocation, claims as a dict) beside
   PyJWT encoding then decoding similar claims (signature, issuer, audience and
   times checked), one thread.

Every figure is from ``timeit``: 7 runs of N calls each; the tables give the fastest
run (the least disturbed by other work on the machine) and the median run.

Before timing, iamkit's token is checked to verify to the app's claims and PyJWT's
to decode to what it encoded; a disagreement exits non-zero.

Run with a release build of the wheel installed, and PyJWT (both pinned in
``python/bench/requirements.txt``):
``python python/bench/overhead.py [--core target/release/examples/core_calls] [--json]``
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
import timeit
import uuid

import jwt

import iamkit

ISSUER = "https://oauth.iamkit.test"
AUDIENCE = "https://api.iamkit.test"
HS256_KEY = b"k" * 32


def timed(fn, number: int) -> dict:
    """Nanoseconds per call of ``fn``: the fastest and the median of 7 runs."""
    runs = [t / number * 1e9 for t in timeit.repeat(fn, number=number, repeat=7)]
    return {"best_ns": min(runs), "median_ns": statistics.median(runs)}


def noop() -> None:
    pass


class PlainPython:
    """A Python class with a property, the pure-Python reference for a getter."""

    @property
    def algorithm(self) -> str:
        return "HS256"


def fail(message: str) -> None:
    print(f"DISAGREE: {message}", file=sys.stderr)
    sys.exit(1)


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


def pyjwt_issue_verify() -> dict:
    token = jwt.encode(claims(), HS256_KEY, algorithm="HS256", headers={"kid": "k1"})
    return jwt.decode(token, HS256_KEY, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER)


def measure() -> tuple[list[dict], dict]:
    clock = iamkit.ManualClock("2026-01-01T00:00:00Z")
    engine = iamkit.Engine(clock=clock, algorithm="HS256")
    org = engine.create_organization("Bench")
    app = engine.create_app(org.sid, name="bench", scopes=["managed-users/list"])
    client_id, client_secret = app.client_id, app.client_secret
    plain = PlainPython()
    token = engine.token(
        grant_type="client_credentials", client_id=client_id, client_secret=client_secret
    ).access_token

    def issue() -> iamkit.Token:
        return engine.token(
            grant_type="client_credentials", client_id=client_id, client_secret=client_secret
        )

    def issue_verify() -> dict:
        return engine.verify(issue().access_token)

    got = issue_verify()
    if got.get("sub") != client_id or got.get("scope") != "managed-users/list":
        fail(f"iamkit HS256 claims {got}")
    payload = claims()
    encoded = jwt.encode(payload, HS256_KEY, algorithm="HS256")
    if jwt.decode(encoded, HS256_KEY, algorithms=["HS256"], audience=AUDIENCE) != payload:
        fail("PyJWT does not read its own HS256 token back")

    cases = [
        ("Python: a no-op function call `noop()`", noop, None, 1_000_000),
        ("Python: a property read `plain.algorithm`", lambda: plain.algorithm, None, 1_000_000),
        (
            "iamkit: the `engine.algorithm` getter",
            lambda: engine.algorithm,
            "engine.algorithm",
            1_000_000,
        ),
        ("iamkit: `clock.isoformat()` (a str)", clock.isoformat, "clock.isoformat()", 500_000),
        ("iamkit: `clock.now()` (a datetime)", clock.now, None, 500_000),
        (
            "iamkit: `engine.organization(sid)` (a record)",
            lambda: engine.organization(org.sid),
            None,
            200_000,
        ),
        ("iamkit: a record field `org.name`", lambda: org.name, None, 1_000_000),
        ("iamkit: `org.to_dict()`", org.to_dict, None, 200_000),
        ("iamkit: `engine.token(...)` HS256", issue, "engine.token(...)", 20_000),
        (
            "iamkit: `engine.verify(token)` HS256",
            lambda: engine.verify(token),
            "engine.verify(token)",
            20_000,
        ),
    ]
    calls = []
    for label, fn, core_key, number in cases:
        calls.append({"call": label, "core_key": core_key, **timed(fn, number)})
    tokens = {
        "iamkit": timed(issue_verify, 20_000),
        "PyJWT": timed(pyjwt_issue_verify, 2_000),
    }
    return calls, tokens


def core_figures(binary: str | None) -> dict:
    """The ``core_calls`` example's figures (ns per call by name), if given."""
    if binary is None:
        return {}
    out = subprocess.run([binary], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def fmt_ns(ns: float) -> str:
    return f"{ns:,.0f} ns" if ns < 1000 else f"{ns / 1000:,.2f} µs"


def main() -> None:
    args = sys.argv[1:]
    core_binary = args[args.index("--core") + 1] if "--core" in args else None
    load_before = os.getloadavg()
    calls, tokens = measure()
    core = core_figures(core_binary)
    load_after = os.getloadavg()
    result = {
        "python": platform.python_version(),
        "iamkit": iamkit.__version__,
        "pyjwt": jwt.__version__,
        "load_before": load_before,
        "load_after": load_after,
        "per_call": calls,
        "core": core,
        "hs256": tokens,
    }
    if "--json" in args:
        print(json.dumps(result))
        return
    print(
        f"Python {result['python']}, iamkit {result['iamkit']}, PyJWT {result['pyjwt']}; "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    print()
    print("| call | fastest run | median run | the core in Rust | the binding's own |")
    print("|---|---:|---:|---:|---:|")
    for c in calls:
        in_core = core.get(c["core_key"]) if c["core_key"] else None
        core_cell = fmt_ns(in_core) if in_core is not None else ""
        own = fmt_ns(c["best_ns"] - in_core) if in_core is not None else ""
        print(
            f"| {c['call']} | {fmt_ns(c['best_ns'])} | {fmt_ns(c['median_ns'])} "
            f"| {core_cell} | {own} |"
        )
    print()
    print("| HS256 client-credentials issue+verify | fastest run | median run | per second |")
    print("|---|---:|---:|---:|")
    for name in ("iamkit", "PyJWT"):
        t = tokens[name]
        print(
            f"| {name} | {fmt_ns(t['best_ns'])} | {fmt_ns(t['median_ns'])} "
            f"| {1e9 / t['best_ns']:,.0f} |"
        )
    if "issue+verify" in core:
        print(f"| the core in Rust (same engine) | {fmt_ns(core['issue+verify'])} | | |")
    best = tokens["PyJWT"]["best_ns"] / tokens["iamkit"]["best_ns"]
    median = tokens["PyJWT"]["median_ns"] / tokens["iamkit"]["median_ns"]
    print(f"| iamkit ÷ PyJWT | {best:.1f}× | {median:.1f}× | |")


if __name__ == "__main__":
    main()
