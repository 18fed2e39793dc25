// openid-client (strict RFC 6749/8414 client) against the emulator in --response-style rfc,
// and the consent page driven in headless Debian Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import * as client from "openid-client";
import { chromium } from "playwright-core";
import { launchChromium, startEmulator } from "./emulator.js";

let emulator;
before(async () => {
  emulator = await startEmulator("--response-style", "rfc");
});
after(async () => {
  await emulator?.stop();
});

function discover(app) {
  return client.discovery(new URL(emulator.boot.url), app.client_id, app.client_secret, undefined, {
    execute: [client.allowInsecureRequests],
    algorithm: "oauth2",
  });
}

test("discovery and client credentials", async () => {
  const app = emulator.boot.apps.org_client_credentials;
  const config = await discover(app);
  assert.equal(config.serverMetadata().issuer, emulator.boot.url);
  const tokens = await client.clientCredentialsGrant(config, { scope: "managed-users/list" });
  assert.equal(tokens.token_type, "bearer");
  assert.equal(tokens.expires_in, 3600);
  assert.equal(tokens.scope, "managed-users/list");
});

test("a wrong secret is a ResponseBodyError with invalid_client", async () => {
  const app = emulator.boot.apps.org_client_credentials;
  const config = await discover({ ...app, client_secret: "wrong" });
  await assert.rejects(client.clientCredentialsGrant(config), (error) => {
    assert.equal(error.error, "invalid_client");
    assert.equal(error.status, 401);
    return true;
  });
});

test("authorization code with PKCE through the consent page in Chromium", async () => {
  const app = emulator.boot.apps.org_authorization_code;
  const config = await discover(app);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: app.redirect_uri,
    scope: "offline_access",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
  });

  const browser = await launchChromium(chromium);
  try {
    const page = await browser.newPage();
    await page.goto(url.href);
    assert.equal(await page.textContent("#app-name"), "Demo SCIM connector");
    const owner = emulator.boot.users.find((u) => u.role === "Owner");
    await page.check(`input[name=user_sid][value=${owner.sid}]`);
    await Promise.all([page.waitForURL(`${app.redirect_uri}?**`), page.click("#approve")]);
    const landed = new URL(page.url());
    assert.equal(landed.searchParams.get("state"), state);

    const tokens = await client.authorizationCodeGrant(config, landed, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    assert.ok(tokens.access_token);
    assert.ok(tokens.refresh_token);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token);
    assert.notEqual(refreshed.access_token, tokens.access_token);
  } finally {
    await browser.close();
  }
});

test("denying in Chromium returns access_denied to the client", async () => {
  const app = emulator.boot.apps.org_authorization_code;
  const config = await discover(app);
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, { redirect_uri: app.redirect_uri, state });
  const browser = await launchChromium(chromium);
  try {
    const page = await browser.newPage();
    await page.goto(url.href);
    await Promise.all([page.waitForURL(`${app.redirect_uri}?**`), page.click("#deny")]);
    const landed = new URL(page.url());
    assert.equal(landed.searchParams.get("error"), "access_denied");
    await assert.rejects(
      client.authorizationCodeGrant(config, landed, { expectedState: state }),
      (error) => {
        assert.equal(error.error, "access_denied");
        return true;
      },
    );
  } finally {
    await browser.close();
  }
});
