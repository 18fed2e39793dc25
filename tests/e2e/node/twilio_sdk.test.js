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
