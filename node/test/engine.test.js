"use strict";
// Every public method and error class of the npm package, through the CommonJS entry.

const { test } = require("node:test");
const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const iamkit = require("..");
const {
  Engine,
  ManualClock,
  Server,
  IamkitError,
  AppError,
  AuthorizeError,
  OAuthError,
  TokenError,
  AccessError,
  ScimError,
  RoleError,
  StateError,
} = iamkit;

const USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const CALLBACK = "https://app.example/callback";

const scimUser = (name, extra = {}) => ({
  schemas: [USER_SCHEMA],
  userName: name,
  emails: [{ value: name, type: "work", primary: true }],
  ...extra,
});

function setup() {
  const clock = new ManualClock("2026-01-01T00:00:00Z");
  const engine = new Engine({ clock });
  const org = engine.createOrganization("Acme");
  return { clock, engine, org };
}

const clientToken = (engine, app) =>
  engine.token({
    grantType: "client_credentials",
    clientId: app.clientId,
    clientSecret: app.clientSecret,
  });

/** Asserts that `fn` throws an instance of `Class` with `code` (and `status`). */
function throwsIamkit(fn, Class, code, status) {
  assert.throws(fn, (error) => {
    assert.ok(error instanceof Class, `${error.constructor.name}: ${error.message}`);
    assert.ok(error instanceof IamkitError);
    assert.ok(error instanceof Error);
    assert.equal(error.name, Class.name);
    if (code !== undefined) assert.equal(error.code, code);
    if (status !== undefined) assert.equal(error.status, status);
    assert.equal(typeof error.twilioCode, "number");
    assert.ok(error.message.length > 0 && !error.message.includes("\u0001"));
    return true;
  });
}

test("ManualClock: set, advance, now and bad arguments", () => {
  const clock = new ManualClock("2026-01-01T00:00:00Z");
  assert.equal(clock.now(), "2026-01-01T00:00:00Z");
  clock.advance(90);
  assert.equal(clock.now(), "2026-01-01T00:01:30Z");
  assert.throws(() => clock.advance(-30), {
    name: "RangeError",
    message: "seconds must be a number from 0 to 1e12 (move the clock back with set), not -30",
  });
  assert.equal(clock.now(), "2026-01-01T00:01:30Z");
  clock.set("2027-06-01T12:00:00+02:00");
  assert.equal(clock.now(), "2027-06-01T10:00:00Z");
  assert.equal(new ManualClock().now(), "2026-01-01T00:00:00Z");
  assert.throws(() => new ManualClock(5), {
    name: "TypeError",
    message: "at must be an RFC 3339 string, not a number",
  });
  assert.equal(new ManualClock(null).now(), "2026-01-01T00:00:00Z");
  assert.throws(() => new ManualClock("yesterday"), RangeError);
  assert.throws(() => clock.advance("10"), TypeError);
  assert.throws(() => clock.advance(Infinity), RangeError);
  assert.throws(() => clock.set("2026-01-01"), RangeError);
});

test("Engine: algorithms, issuer, defaults and bad options", () => {
  for (const algorithm of ["ES256", "EdDSA", "HS256"]) {
    assert.equal(new Engine({ algorithm }).algorithm, algorithm);
  }
  assert.equal(new Engine().algorithm, "ES256");
  assert.equal(new Engine().clock, undefined);
  const engine = new Engine({ issuer: "https://idp.example" });
  assert.equal(engine.metadata().issuer, "https://idp.example");
  assert.throws(() => new Engine({ algorithm: "none" }), {
    name: "RangeError",
    message:
      'Engine options.algorithm: unsupported signing algorithm "none": use ES256, EdDSA, RS256 or HS256',
  });
  assert.throws(() => new Engine({ clock: "now" }), {
    name: "TypeError",
    message: "Engine options.clock must be a ManualClock",
  });
  assert.throws(() => new Engine(7), {
    name: "TypeError",
    message: "Engine options must be an object, not a number",
  });
  assert.throws(() => new Engine({ algorithem: "ES256" }), {
    name: "TypeError",
    message:
      'Engine options has no option "algorithem" ' +
      "(its options: algorithm, database, issuer, rs256KeyPem, scimRules)",
  });
  // null members and a null options object mean "absent", as undefined does
  assert.equal(new Engine({ algorithm: null, clock: null }).algorithm, "ES256");
  assert.equal(new Engine(null).algorithm, "ES256");
});

test("directory: organizations, accounts, users", () => {
  const { engine, org } = setup();
  assert.match(org.sid, /^OR[0-9a-f]{32}$/);
  assert.equal(org.createdAt, "2026-01-01T00:00:00Z");
  assert.deepEqual(engine.organization(org.sid), org);
  assert.deepEqual(engine.organizations(), [org]);
  const created = engine.createAccount(org.sid, "Prod");
  assert.equal(created.organizationSid, org.sid);
  assert.equal(created.ownerSid, null);
  assert.match(created.authToken, /^[0-9a-f]{32}$/);
  const { authToken, ...acct } = created;
  assert.ok(authToken);
  assert.deepEqual(engine.account(acct.sid), acct);
  const page = engine.accounts(org.sid);
  assert.deepEqual(page.content, [acct]);
  assert.equal(page.meta.pageSize, 50);
  assert.equal(page.meta.page, 0);
  const user = engine.createUser({
    organizationSid: org.sid,
    userName: "a@acme.example",
    roles: ["Owner"],
  });
  assert.equal(user.userName, "a@acme.example");
  assert.deepEqual(user.roles, ["Owner"]);
  assert.equal(engine.account(acct.sid).ownerSid, user.sid, "the Owner owns it");
  assert.deepEqual(engine.user(user.sid), user);
  assert.deepEqual(engine.users(org.sid), [user]);
  throwsIamkit(() => engine.organization("nope"), AppError, "invalid_sid", 400);
  assert.throws(
    () => engine.createUser({ organizationSid: org.sid, userName: "b", roles: ["King"] }),
    { name: "RangeError", message: 'createUser options.roles: "King" is not a role' },
  );
  assert.throws(() => engine.createOrganization(42), {
    name: "TypeError",
    message: "Engine.createOrganization: argument 1 must be a string, not a number",
  });
  assert.throws(() => engine.createOrganization(), {
    name: "TypeError",
    message: "Engine.createOrganization: argument 1 must be a string, not undefined",
  });
  assert.throws(() => engine.createUser("a@acme.example"), {
    name: "TypeError",
    message: "createUser options must be an object, not a string",
  });
  assert.throws(() => engine.createUser({ organizationSid: org.sid }), {
    name: "TypeError",
    message: "createUser options.userName is required",
  });
  assert.throws(
    () => engine.createUser({ organizationSid: org.sid, userName: "c@acme.example", sso: "yes" }),
    { name: "TypeError", message: "createUser options.sso must be a boolean, not a string" },
  );
});

test("accounts page and name their owners", () => {
  const { engine, org } = setup();
  const user = engine.createUser({ organizationSid: org.sid, userName: "dev@acme.example" });
  const owned = engine.createAccount(org.sid, "A", { ownerSid: user.sid });
  assert.equal(owned.ownerSid, user.sid);
  const second = engine.createAccount(org.sid, "B");
  const first = engine.accounts(org.sid, { pageSize: 1 });
  assert.deepEqual(
    first.content.map((a) => a.sid),
    [owned.sid],
  );
  assert.ok(first.meta.nextPageUrl.endsWith(`PageSize=1&PageToken=${first.meta.nextToken}`));
  const next = engine.accounts(org.sid, { pageSize: 1, pageToken: first.meta.nextToken });
  assert.deepEqual(
    next.content.map((a) => a.sid),
    [second.sid],
  );
  assert.equal(next.meta.nextPageUrl, null);
  throwsIamkit(() => engine.accounts(org.sid, { pageSize: 0 }), AppError, "invalid_page_size", 400);
  throwsIamkit(
    () => engine.accounts(org.sid, { pageToken: "nope" }),
    AppError,
    "invalid_page_token",
    400,
  );
  throwsIamkit(
    () => engine.createAccount(org.sid, "C", { ownerSid: "US" + "0".repeat(32) }),
    AppError,
    "invalid_account_owner",
    400,
  );
  assert.throws(() => engine.accounts(org.sid, { size: 1 }), { name: "TypeError" });
});

test("an account manages its apps with its auth token", () => {
  const { inspect } = require("node:util");
  const { engine, org } = setup();
  const acct = engine.createAccount(org.sid, "Prod");
  assert.ok(!inspect(acct).includes(acct.authToken), inspect(acct));
  const body = {
    friendly_name: "Reporter",
    policy: { allow: ["messages/read"], deny: null },
    access_token_ttl: 120,
  };
  const made = engine.createAccountApp(acct.sid, acct.authToken, body);
  assert.ok(made.clientSecret);
  assert.equal(made.owner.accountSid, acct.sid);
  assert.deepEqual([made.name, made.scopes, made.tokenTtl], ["Reporter", ["messages/read"], 120]);
  const updated = engine.updateAccountApp(acct.sid, acct.authToken, made.clientId, {
    friendly_name: null,
    access_token_ttl: 60,
  });
  assert.deepEqual([updated.name, updated.tokenTtl], ["Reporter", 60]);
  throwsIamkit(
    () => engine.deleteAccountApp(acct.sid, "0".repeat(32), made.clientId),
    AppError,
    "invalid_credentials",
    401,
  );
  const other = engine.createAccount(org.sid, "Other");
  throwsIamkit(
    () => engine.deleteAccountApp(other.sid, other.authToken, made.clientId),
    AppError,
    "app_not_found",
    404,
  );
  throwsIamkit(
    () => engine.createAccountApp(acct.sid, acct.authToken, { scopes: [] }),
    AppError,
    "invalid_request",
    400,
  );
  engine.deleteAccountApp(acct.sid, acct.authToken, made.clientId);
  assert.deepEqual(engine.apps(acct.sid), []);
  const rotated = engine.rotateAuthToken(acct.sid);
  throwsIamkit(
    () => engine.createAccountApp(acct.sid, acct.authToken, body),
    AppError,
    "invalid_credentials",
    401,
  );
  assert.equal(engine.createAccountApp(acct.sid, rotated, body).name, "Reporter");
});

test("apps: create, read, list, update, rotate, delete", () => {
  const { engine, clock, org } = setup();
  const acct = engine.createAccount(org.sid, "Prod");
  const app = engine.createApp({
    ownerSid: acct.sid,
    name: "Sender",
    scopes: ["messages/read"],
    tokenTtl: 600,
    description: "sends",
    companyName: "Acme Inc",
    imageUrls: ["https://acme.example/logo.png"],
    homepageUrl: "https://acme.example",
    termsOfServiceUrl: "https://acme.example/tos",
  });
  assert.match(app.clientId, /^OQ/);
  assert.equal(typeof app.clientSecret, "string");
  assert.equal(app.grantType, "client_credentials");
  assert.equal(app.tokenTtl, 600);
  assert.equal(app.companyName, "Acme Inc");
  const read = engine.app(app.clientId);
  assert.equal(read.clientSecret, undefined);
  assert.equal(read.name, "Sender");
  assert.deepEqual(
    engine.apps(acct.sid).map((a) => a.clientId),
    [app.clientId],
  );
  const updated = engine.updateApp(app.clientId, { name: "Renamed", tokenTtl: 120 });
  assert.deepEqual(
    [updated.name, updated.tokenTtl, updated.description],
    ["Renamed", 120, "sends"],
  );
  const rotated = engine.rotateSecret(app.clientId, { graceSeconds: 60 });
  assert.notEqual(rotated.clientSecret, app.clientSecret);
  assert.equal(rotated.previousValidUntil, "2026-01-01T00:01:00Z");
  assert.equal(clientToken(engine, app).expiresIn, 120); // the old secret, in its grace period
  clock.advance(61);
  throwsIamkit(() => clientToken(engine, app), OAuthError, "invalid_client", 401);
  clientToken(engine, { clientId: app.clientId, clientSecret: rotated.clientSecret });
  engine.deleteApp(app.clientId);
  throwsIamkit(() => engine.app(app.clientId), AppError, undefined, 404);
  assert.deepEqual(engine.apps(acct.sid), []);
  throwsIamkit(
    () => engine.createApp({ ownerSid: org.sid, name: "X", scopes: ["openid"] }),
    AppError,
    "invalid_scope",
    400,
  );
  throwsIamkit(
    () =>
      engine.createApp({
        ownerSid: org.sid,
        name: "X",
        scopes: ["managed-users/list"],
        tokenTtl: 600,
      }),
    AppError,
    undefined,
    400,
  );
  assert.throws(
    () => engine.createApp({ ownerSid: org.sid, name: "X", scopes: "managed-users/list" }),
    { name: "TypeError", message: "createApp options.scopes must be an array, not a string" },
  );
  assert.throws(
    () => engine.createApp({ ownerSid: org.sid, name: "X", scopes: [], tokenTtl: "1h" }),
    { name: "TypeError", message: "createApp options.tokenTtl must be a number, not a string" },
  );
  assert.throws(
    () => engine.createApp({ ownerSid: org.sid, name: "X", scopes: [], tokenTtl: 60.5 }),
    {
      name: "RangeError",
      message:
        "createApp options.tokenTtl must be a whole number from 0 to 9007199254740991, not 60.5",
    },
  );
  assert.throws(() => engine.updateApp(app.clientId, { nmae: "typo" }), {
    name: "TypeError",
    message:
      'updateApp options has no option "nmae" (its options: name, description, companyName, ' +
      "imageUrls, homepageUrl, termsOfServiceUrl, redirectUrl, scopes, tokenTtl)",
  });
  assert.throws(() => engine.rotateSecret(app.clientId, 60), {
    name: "TypeError",
    message: "rotateSecret options must be an object, not a number",
  });
  assert.throws(() => engine.rotateSecret(app.clientId, { graceSeconds: "soon" }), {
    name: "TypeError",
    message: "rotateSecret options.graceSeconds must be a number, not a string",
  });
  assert.throws(() => engine.rotateSecret(app.clientId, { gracePeriod: 60 }), {
    name: "TypeError",
    message: 'rotateSecret options has no option "gracePeriod" (its options: graceSeconds)',
  });
});

test("authorization code with PKCE, refresh, authorizations and revocation", () => {
  const { engine, org } = setup();
  const user = engine.createUser({
    organizationSid: org.sid,
    userName: "owner@acme.example",
    roles: ["Owner"],
  });
  const app = engine.createApp({
    ownerSid: org.sid,
    name: "Web",
    grantType: "authorization_code",
    redirectUrl: CALLBACK,
    scopes: ["managed-users/list", "managed-users/read"],
  });
  assert.ok(app.authorizationUrl.startsWith("https://oauth.iamkit.test/v2/authorize?"));
  const verifier = "v".repeat(50);
  const challenge = crypto.createHash("sha256").update(verifier).digest("base64url");
  const granted = engine.authorize({
    clientId: app.clientId,
    redirectUri: CALLBACK,
    userSid: user.sid,
    scope: "managed-users/list offline_access",
    state: "xyz",
    codeChallenge: challenge,
    codeChallengeMethod: "S256",
  });
  const query = new URL(granted.redirectTo).searchParams;
  assert.equal(query.get("code"), granted.code);
  assert.equal(query.get("state"), "xyz");
  assert.equal(granted.expiresAt, "2026-01-01T00:05:00Z");
  assert.equal(granted.authorization.authorizedBy, user.sid);
  assert.deepEqual(
    engine.authorizations(org.sid).map((a) => a.sid),
    [granted.authorization.sid],
  );
  const form = {
    grantType: "authorization_code",
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    code: granted.code,
    redirectUri: CALLBACK,
    codeVerifier: verifier,
  };
  const tok = engine.token(form);
  assert.equal(tok.tokenType, "Bearer");
  assert.equal(tok.idToken, null);
  assert.ok(tok.refreshToken);
  assert.equal(tok.scope, "managed-users/list");
  assert.equal(engine.verify(tok.accessToken).sub, user.sid);
  const refreshed = engine.token({
    grantType: "refresh_token",
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    refreshToken: tok.refreshToken,
  });
  assert.notEqual(refreshed.accessToken, tok.accessToken);
  throwsIamkit(() => engine.token(form), OAuthError, "invalid_grant", 400);
  const revoked = engine.revokeAuthorization(granted.authorization.sid);
  assert.equal(revoked.revokedAt, "2026-01-01T00:00:00Z");
  assert.deepEqual(engine.authorizations(org.sid), []);
  assert.deepEqual(engine.authorization(granted.authorization.sid), revoked);
  throwsIamkit(
    () => engine.authorization(`AZ${"0".repeat(32)}`),
    AppError,
    "authorization_not_found",
    404,
  );
  throwsIamkit(() => engine.verify(refreshed.accessToken), TokenError);
  const sso = engine.createUser({
    organizationSid: org.sid,
    userName: "sso@acme.example",
    roles: ["Owner"],
    sso: true,
  });
  assert.throws(
    () => engine.authorize({ clientId: app.clientId, redirectUri: CALLBACK, userSid: sso.sid }),
    AuthorizeError,
  );
  assert.throws(
    () =>
      engine.authorize({
        clientId: app.clientId,
        redirectUri: "https://evil.example/",
        userSid: user.sid,
      }),
    AuthorizeError,
  );
});

test("checkAccess, introspect, revokeToken, expiry, jwks and metadata", () => {
  const { engine, clock, org } = setup();
  const app = engine.createApp({ ownerSid: org.sid, name: "P", scopes: ["managed-users/list"] });
  const tok = clientToken(engine, app);
  const access = engine.checkAccess(tok.accessToken, "GET", `/Organizations/${org.sid}/scim/Users`);
  assert.ok(access.permission);
  assert.equal(access.claims.client_id, app.clientId);
  throwsIamkit(
    () =>
      engine.checkAccess(
        tok.accessToken,
        "DELETE",
        `/Organizations/${org.sid}/scim/Users/US${"0".repeat(32)}`,
      ),
    AccessError,
    undefined,
    403,
  );
  const seen = engine.inspectToken(tok.accessToken);
  assert.equal(seen.valid, true);
  assert.equal(seen.code, null);
  assert.equal(seen.header.alg, "ES256");
  assert.equal(seen.claims.client_id, app.clientId, "claims keep their JWT names");
  assert.deepEqual(engine.inspectToken("not a token"), {
    valid: false,
    code: "malformed_token",
    message: "the token is not a well-formed JWT",
    expiredSecondsAgo: null,
    header: null,
    claims: null,
  });
  const found = engine.introspect(tok.accessToken);
  assert.equal(found.active, true);
  assert.equal(found.client_id, app.clientId);
  assert.deepEqual(engine.introspect("garbage"), { active: false });
  engine.revokeToken(app.clientId, app.clientSecret, tok.accessToken);
  throwsIamkit(() => engine.verify(tok.accessToken), TokenError);
  throwsIamkit(
    () => engine.revokeToken(app.clientId, "wrong", tok.accessToken),
    OAuthError,
    "invalid_client",
    401,
  );
  const next = clientToken(engine, app);
  clock.advance(3600);
  throwsIamkit(() => engine.verify(next.accessToken), TokenError, undefined, 401);
  assert.equal(engine.jwks().keys.length, 1);
  assert.equal(engine.metadata().token_endpoint.endsWith("/v2/token"), true);
  throwsIamkit(
    () => engine.token({ grantType: "password" }),
    OAuthError,
    "unsupported_grant_type",
    400,
  );
  assert.throws(() => engine.token({}), {
    name: "TypeError",
    message: "token options.grantType is required",
  });
  assert.throws(() => engine.verify(undefined), {
    name: "TypeError",
    message: "Engine.verify: argument 1 must be a string, not undefined",
  });
});

test("SCIM users: create, get, list, replace, patch, delete", () => {
  const { engine, org } = setup();
  const created = engine.scimCreateUser(
    org.sid,
    scimUser("babs@acme.example", { displayName: "Babs", externalId: "e1" }),
  );
  const uid = created.id;
  assert.equal(created.meta.version, 'W/"1"');
  let got = engine.scimGetUser(org.sid, uid, { attributes: ["userName"] });
  assert.equal(got.userName, "babs@acme.example");
  assert.equal(got.displayName, undefined);
  got = engine.scimGetUser(org.sid, uid, { excludedAttributes: ["displayName"] });
  assert.equal(got.displayName, undefined);
  assert.equal(got.externalId, "e1");
  engine.scimCreateUser(org.sid, scimUser("al@acme.example", { displayName: "Al" }));
  const listed = engine.scimListUsers(org.sid, { sortBy: "userName", sortOrder: "descending" });
  assert.deepEqual(
    listed.Resources.map((u) => u.userName),
    ["babs@acme.example", "al@acme.example"],
  );
  assert.equal(listed.totalResults, 2);
  const page = engine.scimListUsers(org.sid, { sortBy: "userName", startIndex: 2, count: 1 });
  assert.deepEqual(
    page.Resources.map((u) => u.userName),
    ["babs@acme.example"],
  );
  assert.equal(page.startIndex, 2);
  const found = engine.scimListUsers(org.sid, {
    filter: 'displayName co "ab"',
    attributes: ["userName"],
  });
  assert.deepEqual(
    found.Resources.map((u) => u.userName),
    ["babs@acme.example"],
  );
  assert.equal(engine.scimListUsers(org.sid).totalResults, 2);
  const replaced = engine.scimReplaceUser(
    org.sid,
    uid,
    scimUser("babs@acme.example", { displayName: "Barbara" }),
    {
      ifMatch: 'W/"1"',
    },
  );
  assert.equal(replaced.displayName, "Barbara");
  const patched = engine.scimPatchUser(org.sid, uid, {
    schemas: [PATCH_SCHEMA],
    Operations: [{ op: "replace", path: "active", value: false }],
  });
  assert.equal(patched.active, false);
  throwsIamkit(
    () => engine.scimDeleteUser(org.sid, uid, { ifMatch: 'W/"1"' }),
    ScimError,
    undefined,
    412,
  );
  engine.scimDeleteUser(org.sid, uid);
  throwsIamkit(() => engine.scimGetUser(org.sid, uid), ScimError, "notFound", 404);
  throwsIamkit(
    () => engine.scimCreateUser(org.sid, scimUser("al@acme.example")),
    ScimError,
    "uniqueness",
    409,
  );
  throwsIamkit(
    () => engine.scimListUsers(org.sid, { filter: "userName eq" }),
    ScimError,
    "invalidFilter",
    400,
  );
  throwsIamkit(() => engine.scimCreateUser(org.sid, "babs"), ScimError, undefined, 400);
  assert.throws(() => engine.scimListUsers(org.sid, { count: "ten" }), {
    name: "TypeError",
    message: "scimListUsers options.count must be a number, not a string",
  });
  assert.throws(() => engine.scimListUsers(org.sid, { startIndex: -1 }), {
    name: "RangeError",
    message:
      "scimListUsers options.startIndex must be a whole number from 0 to 9007199254740991, not -1",
  });
  assert.throws(() => engine.scimGetUser(org.sid, uid, { attributes: [1] }), {
    name: "TypeError",
    message: "scimGetUser options.attributes must hold only strings",
  });
  assert.equal(engine.scimListUsers(org.sid, { filter: null, count: undefined }).totalResults, 1);
});

test("SCIM discovery documents", () => {
  const { engine } = setup();
  assert.equal(engine.scimServiceProviderConfig().filter.supported, true);
  assert.ok(engine.scimResourceTypes());
  assert.ok(engine.scimSchemas());
});

test("roles and role assignments", () => {
  const { engine, org } = setup();
  const roles = Object.fromEntries(engine.roles().map((r) => [r.friendlyName, r.sid]));
  for (const name of ["Owner", "Administrator", "Developer"]) assert.ok(roles[name], name);
  const user = engine.createUser({ organizationSid: org.sid, userName: "dev@acme.example" });
  const acct = engine.createAccount(org.sid, "Prod");
  const made = engine.createRoleAssignment(org.sid, {
    roleSid: roles.Developer,
    scope: acct.sid,
    identity: user.sid,
  });
  assert.match(made.sid, /^IY/);
  const page = engine.roleAssignments(org.sid, { identity: user.sid, pageSize: 10 });
  assert.deepEqual(
    page.content.map((a) => a.sid),
    [made.sid],
  );
  assert.equal(engine.roleAssignments(org.sid, { scope: acct.sid }).content[0].sid, made.sid);
  assert.throws(
    () => engine.roleAssignments(org.sid),
    (error) => error instanceof RoleError && error.twilioCode === 25203,
  );
  assert.throws(
    () =>
      engine.createRoleAssignment(org.sid, {
        roleSid: "IX" + "f".repeat(32),
        scope: acct.sid,
        identity: user.sid,
      }),
    RoleError,
  );
  engine.deleteRoleAssignment(org.sid, made.sid);
  assert.deepEqual(engine.roleAssignments(org.sid, { identity: user.sid }).content, []);
  throwsIamkit(() => engine.deleteRoleAssignment(org.sid, made.sid), RoleError, undefined, 404);
});

test("audit events", () => {
  const { engine, clock, org } = setup();
  const app = engine.createApp({ ownerSid: org.sid, name: "P", scopes: ["managed-users/list"] });
  clock.advance(10);
  engine.rotateSecret(app.clientId);
  const created = engine.auditEvents({ eventType: "oauth-apps.created" });
  assert.deepEqual(
    created.map((e) => [e.eventType, e.subject, e.actor]),
    [["oauth-apps.created", app.clientId, "admin"]],
  );
  const rotated = engine.auditEvents({ eventType: "oauth-apps.secret-rotated" });
  assert.equal(rotated[0].details.gracePeriodSeconds, 86400);
  assert.deepEqual(
    engine.auditEvents({ since: "2026-01-01T00:00:05Z" }).map((e) => e.eventType),
    ["oauth-apps.secret-rotated"],
  );
  assert.deepEqual(
    engine
      .auditEvents({ until: "2026-01-01T00:00:05Z", subject: app.clientId })
      .map((e) => e.eventType),
    ["oauth-apps.created"],
  );
  assert.equal(engine.auditEvents({ limit: 1 }).length, 1);
  assert.ok(!JSON.stringify(engine.auditEvents()).includes(app.clientSecret));
  assert.throws(() => engine.auditEvents({ since: "2026-01-01" }), {
    name: "RangeError",
    message:
      'auditEvents options.since is not an RFC 3339 instant ("2026-01-01"): ' +
      "the 'separator' component could not be parsed",
  });
  assert.throws(() => engine.auditEvents({ limit: Infinity }), {
    name: "RangeError",
    message:
      "auditEvents options.limit must be a whole number from 0 to 9007199254740991, not Infinity",
  });
});

test("exportState and importState", () => {
  const { engine, org } = setup();
  const app = engine.createApp({ ownerSid: org.sid, name: "P", scopes: ["managed-users/list"] });
  const state = engine.exportState();
  assert.equal(typeof state, "string");
  assert.ok(!state.includes(app.clientSecret));
  const other = new Engine({ clock: new ManualClock() });
  other.importState(state);
  assert.equal(other.app(app.clientId).name, "P");
  assert.equal(clientToken(other, app).expiresIn, 3600);
  throwsIamkit(() => other.importState("{}"), StateError, undefined, 400);
  assert.deepEqual(other.organizations(), [org]);
  assert.throws(() => other.importState({}), TypeError);
});

test("async variants: scimListUsersAsync, exportStateAsync, importStateAsync", async () => {
  const { engine, org } = setup();
  engine.scimCreateUser(org.sid, scimUser("al@acme.example"));
  const pending = engine.scimListUsersAsync(org.sid, { filter: 'userName sw "al"' });
  assert.ok(pending instanceof Promise);
  const listed = await pending;
  assert.deepEqual(listed, engine.scimListUsers(org.sid, { filter: 'userName sw "al"' }));
  await assert.rejects(engine.scimListUsersAsync(org.sid, { filter: "userName eq" }), ScimError);
  await assert.rejects(engine.scimListUsersAsync(org.sid, { count: "ten" }), {
    name: "TypeError",
    message: "scimListUsers options.count must be a number, not a string",
  });
  const state = await engine.exportStateAsync();
  assert.equal(state, engine.exportState());
  const other = new Engine();
  assert.equal(await other.importStateAsync(state), undefined);
  assert.deepEqual(other.organizations(), [org]);
  await assert.rejects(other.importStateAsync("{}"), StateError);
});

test("serve shares the engine and the clock, without blocking the event loop", async () => {
  const { engine, clock, org } = setup();
  const app = engine.createApp({ ownerSid: org.sid, name: "P", scopes: ["managed-users/list"] });
  const pending = engine.serve({ port: 0 });
  assert.ok(pending instanceof Promise);
  const server = await pending;
  assert.ok(server instanceof Server);
  try {
    assert.equal(server.running, true);
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(server.bootstrap.adminToken);
    const issued = await httpToken(server.url, app);
    assert.equal(engine.verify(issued.access_token).iat, 1767225600);
    clock.advance(3600);
    assert.throws(() => engine.verify(issued.access_token), TokenError);
  } finally {
    await server.stop();
  }
  assert.equal(server.running, false);
  await server.stop(); // stopping twice is harmless
});

/** A client-credentials token from the emulator at `url` for `app`, over HTTP. */
async function httpToken(url, app) {
  const response = await fetch(`${url}/v2/token`, {
    method: "POST",
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: app.clientId,
      client_secret: app.clientSecret,
    }),
  });
  assert.equal(response.status, 200);
  return response.json();
}

test("console.log and util.inspect hide secrets; properties and JSON keep them", async () => {
  const { inspect } = require("node:util");
  const { engine, org } = setup();
  const app = engine.createApp({ ownerSid: org.sid, name: "P", scopes: ["managed-users/list"] });
  const shown = inspect(app);
  assert.ok(shown.includes("clientSecret: '<redacted>'"), shown);
  assert.ok(!shown.includes(app.clientSecret), shown);
  assert.ok(shown.includes(app.clientId), shown);
  assert.ok(JSON.stringify(app).includes(app.clientSecret));
  const token = clientToken(engine, app);
  assert.ok(!inspect(token).includes(token.accessToken));
  const server = await engine.serve({ demo: true });
  try {
    const boot = server.bootstrap;
    const secrets = [
      boot.adminToken,
      boot.apps.orgClientCredentials.clientSecret,
      boot.accountAuthToken,
    ];
    assert.match(boot.accountAuthToken, /^[0-9a-f]{32}$/);
    const text = inspect(server, { depth: 5 });
    for (const secret of secrets) assert.ok(!text.includes(secret), text);
    assert.ok(text.includes(boot.apps.orgClientCredentials.clientId), text);
  } finally {
    await server.stop();
  }
});

test("serve grants the CORS origins it is given", async () => {
  const engine = new Engine();
  const allowed = async (server, origin) =>
    (await fetch(`${server.url}/healthz`, { headers: { Origin: origin } })).headers.get(
      "access-control-allow-origin",
    );
  const local = await engine.serve();
  try {
    assert.equal(await allowed(local, "http://localhost:3000"), "http://localhost:3000");
    assert.equal(await allowed(local, "https://app.example"), null);
  } finally {
    await local.stop();
  }
  const listed = await engine.serve({ corsOrigins: ["https://app.example"] });
  try {
    assert.equal(await allowed(listed, "https://app.example"), "https://app.example");
    assert.equal(await allowed(listed, "http://localhost:3000"), null);
  } finally {
    await listed.stop();
  }
  await assert.rejects(engine.serve({ corsOrigins: ["app.example"] }), {
    name: "RangeError",
    message:
      'serve options.corsOrigins: "app.example" is not an origin: relative URL without a base',
  });
});

test("serve with demo data, and bad serve options", async () => {
  const engine = new Engine();
  const server = await engine.serve({ demo: true });
  try {
    const boot = server.bootstrap;
    assert.ok(engine.organizations().some((o) => o.sid === boot.organizationSid));
    assert.ok(engine.app(boot.apps.orgClientCredentials.clientId));
  } finally {
    await server.stop();
  }
  await assert.rejects(engine.serve({ host: "not-an-ip" }), {
    name: "RangeError",
    message: 'serve options.host: "not-an-ip" is not an IP address or localhost',
  });
  await assert.rejects(engine.serve({ responseStyle: "soap" }), {
    name: "RangeError",
    message: 'serve options.responseStyle: unknown response style "soap": expected twilio or rfc',
  });
  await assert.rejects(engine.serve({ port: "80" }), {
    name: "TypeError",
    message: "serve options.port must be a number, not a string",
  });
  await assert.rejects(engine.serve({ port: 70000 }), {
    name: "RangeError",
    message: "serve options.port must be a whole number from 0 to 65535, not 70000",
  });
  await assert.rejects(engine.serve({ demo: true, scimRules: "rfc7643" }), {
    name: "TypeError",
    message:
      'serve options has no option "scimRules" ' +
      "(its options: port, host, demo, adminToken, responseStyle, corsOrigins)",
  });
});

test("serve in the rfc response style omits the null token fields", async () => {
  const engine = new Engine();
  const server = await engine.serve({ demo: true, responseStyle: "rfc" });
  try {
    const token = await httpToken(server.url, server.bootstrap.apps.orgClientCredentials);
    assert.equal(token.token_type, "Bearer");
    assert.equal("refresh_token" in token, false);
    assert.equal("id_token" in token, false);
  } finally {
    await server.stop();
  }
});

test("scimRules is an engine option", () => {
  const user = { schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"], userName: "no-email" };
  const loose = new Engine({ scimRules: "rfc7643" });
  assert.equal(loose.scimCreateUser(loose.createOrganization("A").sid, user).userName, "no-email");
  const strict = new Engine();
  assert.throws(() => strict.scimCreateUser(strict.createOrganization("A").sid, user), ScimError);
  assert.throws(() => new Engine({ scimRules: "loose" }), {
    name: "RangeError",
    message: 'Engine options.scimRules: unknown SCIM rule set "loose": expected twilio or rfc7643',
  });
});

test("values that are not JSON data are TypeErrors, never a crash", async () => {
  const { engine, org } = setup();
  const circular = {};
  circular.self = circular;
  let deep = {};
  for (let i = 0; i < 200; i++) deep = { deep };
  const calls = [
    () => engine.createApp({ ownerSid: Symbol("x"), name: "a", scopes: [] }),
    () => engine.createApp({ ownerSid: org.sid, name: "a", scopes: [1n] }),
    () => engine.scimCreateUser(org.sid, { userName: () => 1 }),
    () => engine.scimCreateUser(org.sid, circular),
    () => engine.scimPatchUser(org.sid, "x", deep),
    () => engine.createOrganization(),
    () => engine.app({}),
    () => engine.verify(123),
    () => new Engine({ issuer: 5n }),
    () => engine.auditEvents([]),
  ];
  for (const fn of calls) assert.throws(fn, TypeError);
  assert.throws(() => engine.createApp({ ownerSid: org.sid, name: "a", scopes: [1n] }), {
    name: "TypeError",
    message: "createApp options.scopes must hold only strings",
  });
  assert.throws(() => new Engine({ issuer: 5n }), {
    name: "TypeError",
    message: "Engine options.issuer must be a string, not a bigint",
  });
  assert.throws(() => engine.scimPatchUser(org.sid, "x", { n: 1n }), {
    name: "TypeError",
    message: 'scimPatchUser patch must be plain JSON data; a bigint cannot be sent (at "n")',
  });
  assert.throws(() => engine.rotateSecret("OQ" + "0".repeat(32), { graceSeconds: -5 }), {
    name: "RangeError",
    message:
      "rotateSecret options.graceSeconds must be a whole number from 0 to 9007199254740991, not -5",
  });
  await assert.rejects(engine.serve({ port: 1n }), {
    name: "TypeError",
    message: "serve options.port must be a number, not a bigint",
  });
});

test("the error classes form one hierarchy", () => {
  for (const Class of [
    AppError,
    AuthorizeError,
    OAuthError,
    TokenError,
    AccessError,
    ScimError,
    RoleError,
    StateError,
  ]) {
    const error = new Class("some_code", 400, 20001, "message");
    assert.ok(error instanceof IamkitError && error instanceof Error);
    assert.equal(error.name, Class.name);
    assert.equal(error.message, "message");
    assert.deepEqual([error.code, error.status, error.twilioCode], ["some_code", 400, 20001]);
  }
});

test("the ESM entry exports the same classes", async () => {
  const esm = await import("iamkit");
  assert.equal(esm.Engine, Engine);
  assert.equal(esm.ScimError, ScimError);
  assert.equal(esm.default, iamkit);
});

test("Engine: a database file keeps state and key across processes", () => {
  const os = require("node:os");
  const path = require("node:path");
  const fs = require("node:fs");
  const { execFileSync } = require("node:child_process");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "iamkit-db-"));
  const database = path.join(dir, "iamkit.db");
  const script = `
    const { Engine } = require(${JSON.stringify(path.resolve(__dirname, ".."))});
    const engine = new Engine({ database: process.argv[1], algorithm: "HS256" });
    process.stdout.write(engine.createOrganization("Acme").sid);
  `;
  const sid = execFileSync(process.execPath, ["-e", script, database]).toString();
  try {
    const engine = new Engine({ database });
    assert.equal(engine.organization(sid).name, "Acme");
    assert.equal(engine.algorithm, "HS256", "the kept key, not a fresh ES256 one");
    assert.throws(
      () => new Engine({ database }),
      (e) => e instanceof StateError && e.code === "database_locked" && e.status === 500,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("serve takes the response style; the SCIM rules and the frozen clock are the engine's", async () => {
  const clock = new ManualClock("2030-05-01T00:00:00Z");
  const engine = new Engine({ clock, scimRules: "rfc7643" });
  const server = await engine.serve({ demo: true, responseStyle: "rfc", adminToken: "t0ken" });
  try {
    const boot = server.bootstrap;
    assert.equal(boot.url, server.url);
    assert.equal(boot.adminToken, "t0ken");
    assert.match(boot.organizationSid, /^OR/);
    assert.match(boot.accountSid, /^AC/);
    assert.ok(boot.users.length > 0 && boot.users.every((u) => /^US/.test(u.sid)));
    const apps = boot.apps;
    assert.match(apps.orgClientCredentials.clientId, /^OQ/);
    assert.equal(apps.orgClientCredentials.redirectUri, null);
    assert.ok(apps.orgAuthorizationCode.redirectUri.startsWith(server.url));
    assert.ok(apps.accountClientCredentials.clientSecret);
    const token = await httpToken(server.url, apps.orgClientCredentials);
    assert.equal("refresh_token" in token, false, "the rfc response style");
    const claims = engine.verify(token.access_token);
    assert.equal(claims.iat, Date.parse("2030-05-01T00:00:00Z") / 1000, "the frozen clock");
    const response = await fetch(`${server.url}/Organizations/${boot.organizationSid}/scim/Users`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${token.access_token}`,
        "content-type": "application/scim+json",
      },
      body: JSON.stringify({ schemas: [USER_SCHEMA], userName: "no-email" }),
    });
    assert.equal(response.status, 201, "the engine's rfc7643 SCIM rules");
  } finally {
    await server.stop();
  }
  const plain = await new Engine().serve();
  try {
    assert.equal(plain.bootstrap.apps, null);
    assert.deepEqual(plain.bootstrap.users, []);
  } finally {
    await plain.stop();
  }
});

test("the JS Engine forwards every method of the native engine", () => {
  const { native } = require("../native.js");
  const engine = new Engine();
  for (const name of Object.getOwnPropertyNames(native.Engine.prototype)) {
    if (name !== "constructor") assert.ok(name in engine, name);
  }
});

test("inspect hides the secrets of rotated, authorized and issued results", () => {
  const { inspect } = require("node:util");
  const { engine, org } = setup();
  const user = engine.createUser({
    organizationSid: org.sid,
    userName: "o@acme.example",
    roles: ["Owner"],
  });
  const app = engine.createApp({
    ownerSid: org.sid,
    name: "Web",
    grantType: "authorization_code",
    redirectUrl: CALLBACK,
    scopes: ["managed-users/list"],
  });
  const rotated = engine.rotateSecret(app.clientId);
  assert.ok(!inspect(rotated).includes(rotated.clientSecret));
  const granted = engine.authorize({
    clientId: app.clientId,
    redirectUri: CALLBACK,
    userSid: user.sid,
    scope: "managed-users/list offline_access",
  });
  const shown = inspect(granted);
  assert.ok(!shown.includes(granted.code) && shown.includes("redirectTo: '<redacted>'"), shown);
  const token = engine.token({
    grantType: "authorization_code",
    clientId: app.clientId,
    clientSecret: rotated.clientSecret,
    code: granted.code,
    redirectUri: CALLBACK,
  });
  const text = inspect(token);
  assert.ok(!text.includes(token.accessToken) && !text.includes(token.refreshToken), text);
});
