"use strict";
// Runs the shared OAuth scenario vectors (tests/vectors/oauth/*.json) through the
// Node API, as crates/iamkit/tests/oauth_vectors.rs does in Rust and
// python/tests/test_oauth_vectors.py in Python; see tests/vectors/oauth/README.md.

const { test } = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const { Engine, ManualClock, IamkitError } = require("..");

const DIR = path.join(__dirname, "..", "..", "tests", "vectors", "oauth");
const FILES = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort();
const SCENARIOS = FILES.flatMap((file) =>
  JSON.parse(fs.readFileSync(path.join(DIR, file), "utf8")).scenarios.map((scenario) => ({
    file,
    scenario,
  })),
);

function resolve(value, bound) {
  if (typeof value === "string") {
    return value.replace(/\$\{([^}]*)\}/g, (_, ref) => {
      const [alias, name = "id"] = ref.split(/\.(.*)/s);
      const found = bound[alias][name];
      return typeof found === "string" ? found : JSON.stringify(found);
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, bound));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, bound)]));
  }
  return value;
}

const camel = (key) => key.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
const snake = (key) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The step's keys among `keys`, renamed to camelCase. */
function pick(step, ...keys) {
  return Object.fromEntries(keys.filter((k) => k in step).map((k) => [camel(k), step[k]]));
}

function runStep(engine, clock, step) {
  switch (step.op) {
    case "advance":
      clock.advance(step.seconds);
      return {};
    case "create_organization":
      return { id: engine.createOrganization(step.name).sid };
    case "create_account":
      return { id: engine.createAccount(step.organization, step.name).sid };
    case "create_user":
      return {
        id: engine.createUser({
          organizationSid: step.organization,
          userName: step.user_name,
          roles: step.roles ?? [],
          sso: step.sso ?? false,
        }).sid,
      };
    case "create_app": {
      const app = engine.createApp({
        ownerSid: step.owner,
        name: step.name ?? "",
        grantType: step.grant_type,
        scopes: step.scopes ?? [],
        ...pick(
          step,
          "token_ttl",
          "redirect_url",
          "description",
          "company_name",
          "image_urls",
          "homepage_url",
          "terms_of_service_url",
        ),
      });
      return {
        id: app.clientId,
        client_secret: app.clientSecret,
        token_ttl: app.tokenTtl,
        scopes: app.scopes,
      };
    }
    case "update_app": {
      const app = engine.updateApp(
        step.client_id,
        pick(step, "name", "description", "scopes", "token_ttl", "redirect_url"),
      );
      return { id: app.clientId, token_ttl: app.tokenTtl, scopes: app.scopes, name: app.name };
    }
    case "rotate_secret": {
      const rotated = engine.rotateSecret(step.client_id, pick(step, "grace_seconds"));
      return { id: rotated.clientId, client_secret: rotated.clientSecret };
    }
    case "delete_app":
      engine.deleteApp(step.client_id);
      return {};
    case "authorize": {
      const granted = engine.authorize({
        clientId: step.client_id,
        redirectUri: step.redirect_uri,
        userSid: step.user_sid,
        ...pick(step, "response_type", "scope", "state", "code_challenge", "code_challenge_method"),
      });
      return {
        code: granted.code,
        redirect_to: granted.redirectTo,
        authorization_sid: granted.authorization.sid,
      };
    }
    case "token": {
      const issued = engine.token({
        grantType: step.grant_type ?? "",
        ...pick(
          step,
          "client_id",
          "client_secret",
          "code",
          "redirect_uri",
          "refresh_token",
          "code_verifier",
          "scope",
        ),
      });
      // The vectors name the Token API's wire fields (snake_case).
      return Object.fromEntries(Object.entries(issued).map(([k, v]) => [snake(k), v]));
    }
    case "verify":
      return engine.verify(step.token);
    case "check_access":
      return { permission: engine.checkAccess(step.token, step.method, step.path).permission };
    case "introspect":
      return engine.introspect(step.token);
    case "revoke_token":
      engine.revokeToken(step.client_id, step.client_secret, step.token);
      return {};
    case "revoke_authorization":
      engine.revokeAuthorization(step.authorization_sid);
      return {};
    default:
      throw new Error(`unknown op ${step.op}`);
  }
}

test("the vector files exist", () => {
  assert.ok(FILES.length > 0, "no OAuth vector files");
  assert.ok(SCENARIOS.length >= 20);
});

for (const { file, scenario } of SCENARIOS) {
  test(`${file}: ${scenario.name}`, () => {
    const clock = new ManualClock(scenario.start ?? "2026-01-01T00:00:00Z");
    const engine = new Engine({ clock });
    const bound = {};
    scenario.steps.forEach((raw, i) => {
      const { expect, ...rest } = raw;
      const step = resolve(rest, bound);
      const at = `step ${i} (${step.op})`;
      const wantError = step.expect_error;
      let result;
      try {
        result = runStep(engine, clock, step);
      } catch (error) {
        if (!(error instanceof IamkitError)) throw error;
        assert.notEqual(
          wantError,
          undefined,
          `${at}: unexpected error ${error.code}: ${error.message}`,
        );
        assert.equal(error.code, wantError, `${at}: ${error.message}`);
        return;
      }
      assert.equal(
        wantError,
        undefined,
        `${at}: expected error ${wantError}, got ${JSON.stringify(result)}`,
      );
      if (step.as !== undefined) bound[step.as] = result;
      for (const [key, want] of Object.entries(resolve(expect ?? {}, bound))) {
        assert.ok(key in result, `${at}: no field ${key} in ${JSON.stringify(result)}`);
        assert.deepEqual(result[key], want, `${at}: field ${key}`);
      }
    });
  });
}
