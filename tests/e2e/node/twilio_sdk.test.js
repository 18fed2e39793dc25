// The Twilio Node SDK (npm `twilio`), unmodified, against the emulator: its requests
// to Twilio's hosts are sent to the emulator by wrapping RequestClient.request.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import twilio from "twilio";
import { startEmulator } from "./emulator.js";

const USER_URN = "urn:ietf:params:scim:schemas:core:2.0:User";
const PATCH_URN = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
const DEVELOPER = "IX69616d6b69742d726f6c652d30303032";

let emulator;
const request = twilio.RequestClient.prototype.request;
before(async () => {
  emulator = await startEmulator();
  twilio.RequestClient.prototype.request = function (opts) {
    const url = new URL(opts.uri);
    return request.call(this, { ...opts, uri: emulator.boot.url + url.pathname + url.search });
  };
});
after(async () => {
  twilio.RequestClient.prototype.request = request;
  await emulator?.stop();
});

function organization(clientSecret) {
  const app = emulator.boot.apps.org_client_credentials;
  const provider = new twilio.OrgsCredentialProviderBuilder()
    .setClientId(app.client_id)
    .setClientSecret(clientSecret ?? app.client_secret)
    .build();
  const client = twilio();
  client.setCredentialProvider(provider);
  return client.previewIam.organization(emulator.boot.organization_sid);
}

test("users, role assignments and accounts through the SDK", async () => {
  const org = organization();
  const names = (await org.users.list()).map((u) => u.userName);
  assert.deepEqual(names, ["owner@demo.iamkit.test", "admin@demo.iamkit.test"]);

  const created = await org.users.create({
    schemas: [USER_URN],
    userName: "node@acme.example",
    emails: [{ value: "node@acme.example", primary: true, type: "work" }],
  });
  assert.match(created.id, /^US[0-9a-f]{32}$/);
  assert.equal(created.meta.version, 'W/"1"');

  const found = await org.users.list({ filter: 'userName eq "NODE@ACME.example"' });
  assert.deepEqual(
    found.map((u) => u.id),
    [created.id],
  );

  const patched = await org.users(created.id).patch({
    schemas: [PATCH_URN],
    Operations: [{ op: "replace", path: "displayName", value: "Node User" }],
  });
  assert.equal(patched.displayName, "Node User");

  const assignment = await org.roleAssignments.create({
    role_sid: DEVELOPER,
    scope: emulator.boot.organization_sid,
    identity: created.id,
  });
  assert.equal(assignment.roleSid, DEVELOPER);
  const listed = await org.roleAssignments.list({ identity: created.id });
  assert.deepEqual(
    listed.map((a) => a.sid),
    [assignment.sid],
  );
  assert.equal(await org.roleAssignments(assignment.sid).remove(), true);

  const accounts = await org.accounts.list();
  assert.deepEqual(
    accounts.map((a) => a.accountSid),
    [emulator.boot.account_sid],
  );

  assert.equal(await org.users(created.id).remove(), true);
  await assert.rejects(org.users(created.id).fetch(), (error) => {
    assert.equal(error.status, 404);
    return true;
  });
});

test("a refused SCIM request surfaces as a RestException", async () => {
  const org = organization();
  await assert.rejects(
    org.users.create({
      schemas: [USER_URN],
      userName: "mismatch@acme.example",
      emails: [{ value: "other@acme.example", primary: true }],
    }),
    (error) => {
      assert.equal(error.status, 400);
      return true;
    },
  );
});

test("a wrong secret fails at the Token API", async () => {
  const org = organization("not-the-secret");
  await assert.rejects(org.users.list(), {
    message:
      "Failed to fetch access token: Error Status Code: 401\n" +
      "Failed to fetch access token: client authentication failed",
  });
});

test("oauth.v1.token.create sends Twilio's field names to /v1/token", async () => {
  const app = emulator.boot.apps.org_client_credentials;
  const client = twilio();
  client.setCredentialProvider(new twilio.NoAuthCredentialProvider());
  const token = await client.oauth.v1.token.create({
    grantType: "client_credentials",
    clientId: app.client_id,
    clientSecret: app.client_secret,
  });
  assert.equal(token.tokenType, "Bearer");
  assert.equal(token.expiresIn, 3600);
  const users = await fetch(`${emulator.boot.url}/scim/v2/Users`, {
    headers: { Authorization: `Bearer ${token.accessToken}` },
  });
  assert.equal(users.status, 200);
  assert.equal((await users.json()).totalResults, 2);
  await assert.rejects(
    client.oauth.v1.token.create({
      grantType: "client_credentials",
      clientId: app.client_id,
      clientSecret: "wrong",
    }),
    (error) => {
      assert.equal(error.status, 401);
      return true;
    },
  );
});

/** A Twilio client authenticated as the demo account (HTTP Basic with its SID and auth token). */
function account(authToken) {
  return twilio(emulator.boot.account_sid, authToken ?? emulator.boot.account_auth_token);
}

async function tokenTtl(clientId, clientSecret) {
  const response = await fetch(`${emulator.boot.url}/v2/token`, {
    method: "POST",
    headers: {
      Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  });
  assert.equal(response.status, 200);
  return (await response.json()).expires_in;
}

test("an account's OAuth apps through iam.v1.oAuthApps", async () => {
  const apps = account().iam.v1.oAuthApps;
  const created = await apps.create({
    friendly_name: "Node reporter",
    description: "made by twilio-node",
    policy: { allow: ["messages/read"] },
    access_token_ttl: 900,
  });
  assert.match(created.sid, /^OQ[0-9a-f]{32}$/);
  assert.ok(created.secret);
  assert.equal(created.friendlyName, "Node reporter");
  assert.equal(created.accessTokenTtl, 900);
  assert.equal(created.createdBy, emulator.boot.account_sid);
  assert.deepEqual(created.policy.allow, ["messages/read"]);
  assert.equal(await tokenTtl(created.sid, created.secret), 900);

  const updated = await apps(created.sid).update({
    friendly_name: "Node reporter 2",
    access_token_ttl: 300,
  });
  assert.equal(updated.friendlyName, "Node reporter 2");
  assert.equal(updated.description, "made by twilio-node");
  assert.equal(updated.secret, undefined, "the secret is shown once");
  assert.equal(await tokenTtl(created.sid, created.secret), 300);

  await assert.rejects(apps(created.sid).update({ access_token_ttl: 2_592_001 }), (error) => {
    assert.equal(error.status, 400);
    assert.equal(error.code, 20001);
    return true;
  });
  assert.equal(await apps(created.sid).remove(), true);
  await assert.rejects(apps(created.sid).remove(), (error) => {
    assert.equal(error.status, 404);
    return true;
  });
});

test("a wrong auth token is a 401 at the account OAuth-apps API", async () => {
  await assert.rejects(
    account("0".repeat(32)).iam.v1.oAuthApps.create({
      friendly_name: "x",
      policy: { allow: ["messages/read"] },
    }),
    (error) => {
      assert.equal(error.status, 401);
      assert.equal(error.code, 20003);
      return true;
    },
  );
});

test("accounts.list pages one account at a time", async () => {
  const made = [];
  for (const name of ["Second", "Third"]) {
    const response = await fetch(
      `${emulator.boot.url}/admin/v1/organizations/${emulator.boot.organization_sid}/accounts`,
      {
        method: "POST",
        headers: {
          Authorization: `Bearer ${emulator.boot.admin_token}`,
          "Content-Type": "application/json",
        },
        body: JSON.stringify({ name }),
      },
    );
    assert.equal(response.status, 201);
    made.push((await response.json()).sid);
  }
  const org = organization();
  const pages = [];
  let page = await org.accounts.page({ pageSize: 1 });
  while (page) {
    pages.push(page.instances.map((a) => a.accountSid));
    page = await page.nextPage();
  }
  assert.deepEqual(pages, [[emulator.boot.account_sid], [made[0]], [made[1]]]);
  const every = await org.accounts.list({ pageSize: 1 });
  assert.deepEqual(
    every.map((a) => a.accountSid),
    [emulator.boot.account_sid, ...made],
  );
  assert.deepEqual([...new Set(every.map((a) => a.ownerSid))], [emulator.boot.users[0].sid]);
});
