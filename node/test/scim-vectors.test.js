"use strict";
// Runs the shared SCIM vectors through the Node API, as python/tests/test_scim_vectors.py
// does: filter evaluation (tests/vectors/scim/matches.json) through filterMatches and,
// for the users an engine can hold (loaded with importState, keeping id, times and
// version), through scimListUsers; PATCH (tests/vectors/scim/patch.json) through
// scimPatchUser. See tests/vectors/scim/README.md.

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { Engine, ManualClock, StateError, ScimError, filterMatches } = require("..");

const DIR = path.join(__dirname, "..", "..", "tests", "vectors", "scim");
const MATCHES = JSON.parse(fs.readFileSync(path.join(DIR, "matches.json"), "utf8"));
const PATCHES = JSON.parse(fs.readFileSync(path.join(DIR, "patch.json"), "utf8")).cases;
const STORED = new Set(["schemas", "meta"]);

/** An engine whose only organization holds `user` as it is (id, times, version). */
function engineHolding(user) {
  const engine = new Engine({
    clock: new ManualClock("2026-06-01T00:00:00Z"),
    issuer: "https://example.com",
  });
  const org = engine.createOrganization("Vectors");
  const state = JSON.parse(engine.exportState());
  const record = Object.fromEntries(Object.entries(user).filter(([k]) => !STORED.has(k)));
  record.id ??= "US" + "a".repeat(32);
  const meta = user.meta ?? {};
  record.created = meta.created ?? "2026-01-01T00:00:00Z";
  record.lastModified = meta.lastModified ?? record.created;
  record.version = Number((meta.version ?? 'W/"1"').replace(/^W\/"|"$/g, ""));
  record.sso = false;
  state.state.users = { [org.sid]: [record] };
  engine.importState(JSON.stringify(state));
  return { engine, org: org.sid, userId: record.id };
}

/** Why the engine cannot hold `user`, or null when it can. */
function loadable(user) {
  try {
    engineHolding(user);
  } catch (error) {
    if (error instanceof StateError) return error.message;
    throw error;
  }
  return null;
}

const UNLOADABLE = Object.fromEntries(
  Object.entries(MATCHES.users).map(([name, user]) => [name, loadable(user)]),
);

test("most match cases run through the engine", () => {
  const runnable = MATCHES.cases.filter((c) => UNLOADABLE[c.user] === null);
  assert.ok(runnable.length >= Math.floor(MATCHES.cases.length / 2));
});

MATCHES.cases.forEach((c, i) => {
  test(`match ${i}: ${c.user}: ${c.filter}`, () => {
    const user = MATCHES.users[c.user];
    assert.equal(filterMatches(c.filter, user), c.match);
    if (UNLOADABLE[c.user] !== null) return; // not a storable User
    const { engine, org, userId } = engineHolding(user);
    const listed = engine.scimListUsers(org, { filter: c.filter });
    const matched = JSON.stringify(listed.Resources.map((u) => u.id)) === JSON.stringify([userId]);
    assert.equal(matched, c.match);
  });
});

PATCHES.forEach((c, i) => {
  test(`patch ${i}: ${c.name}`, () => {
    const { engine, org, userId } = engineHolding(c.resource);
    if ("error" in c) {
      assert.throws(
        () => engine.scimPatchUser(org, userId, c.request),
        (error) => error instanceof ScimError && error.code === c.error && error.status === 400,
      );
      const unchanged = engine.scimGetUser(org, userId);
      assert.equal(unchanged.meta.version, c.resource.meta.version);
      return;
    }
    const patched = engine.scimPatchUser(org, userId, c.request);
    const strip = (r) => Object.fromEntries(Object.entries(r).filter(([k]) => k !== "meta"));
    assert.deepEqual(strip(patched), strip(c.result));
  });
});

test("filterMatches refuses an invalid filter", () => {
  assert.throws(
    () => filterMatches("userName gt true", { userName: "a@b.example" }),
    (error) => error instanceof ScimError && error.code === "invalidFilter" && error.status === 400,
  );
  assert.throws(() => filterMatches(42, {}), TypeError);
});
