"""The compound SCIM filter over the same users in Python: iamkit's binding beside
scim2-filter-parser, which transpiles the filter to SQL, evaluated by SQLite in
memory over the same users (a ``users`` table and an ``emails`` table, indexed on
the user).

scim2-filter-parser binds the filter's ``false`` as the string ``'FALSE'``, so the
SQL side stores ``active`` as ``'TRUE'``/``'FALSE'`` text to compare like it.
Exits non-zero unless both count the same matches.

``python python/bench/scim_filter.py USERS.jsonl [repeat] [--json]``
"""

from __future__ import annotations

import json
import sqlite3
import statistics
import sys
import time

from scim2_filter_parser.queries.sql import SQLQuery

import iamkit

COMPOUND = (
    '(title pr or emails[type eq "work" and value co "@example.com"]) and not (active eq false)'
)
ATTRIBUTES = {
    ("title", None, None): "users.title",
    ("active", None, None): "users.active",
    ("userName", None, None): "users.userName",
    ("emails", "type", None): "emails.type",
    ("emails", "value", None): "emails.value",
}


def median_ms(fn, repeat: int) -> tuple[object, float]:
    """The last result of ``fn`` and its median time in milliseconds."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1e3)
    return result, statistics.median(times)


def iamkit_side(users: list[dict], repeat: int) -> tuple[int, float]:
    engine = iamkit.Engine()
    org = engine.create_organization("Bench").sid
    for user in users:
        engine.scim_create_user(org, user)
    count, ms = median_ms(
        lambda: engine.scim_list_users(org, filter=COMPOUND, count=0)["totalResults"], repeat
    )
    return int(count), ms


def sqlite_side(users: list[dict], repeat: int) -> tuple[int, float, str]:
    db = sqlite3.connect(":memory:")
    db.executescript(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, userName TEXT, title TEXT, active TEXT);"
        "CREATE TABLE emails (user_id INTEGER, type TEXT, value TEXT);"
    )
    db.executemany(
        "INSERT INTO users VALUES (?, ?, ?, ?)",
        (
            (i, u["userName"], u.get("title"), "TRUE" if u.get("active", True) else "FALSE")
            for i, u in enumerate(users)
        ),
    )
    db.executemany(
        "INSERT INTO emails VALUES (?, ?, ?)",
        ((i, e.get("type"), e["value"]) for i, u in enumerate(users) for e in u.get("emails", [])),
    )
    db.execute("CREATE INDEX emails_user ON emails (user_id)")

    def run() -> int:
        query = SQLQuery(
            COMPOUND, "users", ATTRIBUTES, joins=("LEFT JOIN emails ON emails.user_id = users.id",)
        )
        query.placeholder = "?"
        sql = query.sql.strip().rstrip(";")
        return db.execute(f"SELECT COUNT(*) FROM ({sql})", query.params).fetchone()[0]

    count, ms = median_ms(run, repeat)
    query = SQLQuery(COMPOUND, "users", ATTRIBUTES)
    return int(count), ms, query.where_sql


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--json"]
    with open(args[0]) as f:
        users = [json.loads(line) for line in f]
    repeat = int(args[1]) if len(args) > 1 else 5
    ours, ours_ms = iamkit_side(users, repeat)
    theirs, theirs_ms, where = sqlite_side(users, repeat)
    result = {
        "users": len(users),
        "filter": COMPOUND,
        "iamkit": {"matches": ours, "median_ms": ours_ms},
        "scim2-filter-parser": {"matches": theirs, "median_ms": theirs_ms, "where": where},
        "agree": ours == theirs,
    }
    if "--json" in sys.argv:
        print(json.dumps(result))
    else:
        print(f"iamkit: {ours} matches in {ours_ms:.1f} ms")
        print(f"scim2-filter-parser + SQLite: {theirs} matches in {theirs_ms:.1f} ms ({where})")
    if ours != theirs:
        print(f"DISAGREE: iamkit {ours} vs scim2-filter-parser {theirs}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
