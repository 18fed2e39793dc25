// The Console in headless Chromium, walked as a person would: sign in, create an
// account app in the wizard and get a token with its secret, rotate with a 7-day
// grace and move the clock past it, delete the app and inspect its token, find a
// user with a SCIM filter, read the audit events. Every page is checked with
// axe-core; each test saves a screenshot under target/console-screenshots/.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { AxeBuilder } from "@axe-core/playwright";
import { launchChromium, startEmulator } from "./emulator.js";

const shots = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "..",
  "target",
  "console-screenshots",
);
mkdirSync(shots, { recursive: true });

let emulator;
let browser;
let page;
let base;

before(async () => {
  emulator = await startEmulator();
  base = emulator.boot.url;
  browser = await launchChromium(chromium);
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await emulator?.stop();
});

async function screenshot(name) {
  await page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
}

/** The serious and critical axe-core violations of the page shown. */
async function seriousViolations() {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

async function signIn() {
  await page.goto(`${base}/console`);
  await page.getByLabel("Admin token").fill(emulator.boot.admin_token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
}

/** Asks the Token API for a client-credentials token over HTTP. */
async function token(clientId, clientSecret) {
  const response = await fetch(`${base}/v2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "client_credentials",
      client_id: clientId,
      client_secret: clientSecret,
    }),
  });
  return { status: response.status, body: await response.json() };
}

async function inspect(jwt) {
  await page.getByRole("link", { name: "Token inspector" }).click();
  await page.getByLabel("Access token (a JWT)").fill(jwt);
  await page.getByRole("button", { name: "Inspect" }).click();
  return (await page.locator("#verdict-code").textContent()).trim();
}

async function moveClock(amount, unit) {
  await page.getByRole("link", { name: "Clock" }).click();
  await page.getByLabel("Amount").fill(String(amount));
  await page.getByLabel("Unit").selectOption(unit);
  await page.getByRole("button", { name: "Advance the clock" }).click();
}

const state = {};

test("signing in takes the admin token in a form and keeps the session in a strict cookie", async () => {
  await page.goto(`${base}/`);
  assert.equal(new URL(page.url()).pathname, "/console", "/ leads to the Console");
  await page.getByLabel("Admin token").fill("not-the-admin-token");
  await page.getByRole("button", { name: "Sign in" }).click();
  assert.match(await page.getByRole("alert").textContent(), /invalid_token/);
  assert.deepEqual(await seriousViolations(), []);
  await signIn();
  assert.ok(!page.url().includes(emulator.boot.admin_token), "the token is never in a URL");
  const [cookie] = await page.context().cookies();
  assert.equal(cookie.name, "iamkit_console");
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, "Strict");
  assert.equal(cookie.path, "/console");
  await screenshot("overview");
  assert.deepEqual(await seriousViolations(), []);
});

test("an account app made in the wizard gets a token with the secret shown once", async () => {
  await page.getByRole("link", { name: "Create an account OAuth app in Demo Account" }).click();
  assert.deepEqual(await seriousViolations(), []);
  await page.getByLabel("Application name").fill("Nightly export");
  await page.getByLabel("Application description").fill("Exports call logs each night");
  await page.getByRole("button", { name: "Next" }).click();
  assert.equal(await page.getByLabel("Amount").inputValue(), "1", "1 hour by default");
  assert.equal(await page.getByLabel("Unit").inputValue(), "hours");
  await page.getByLabel("Amount").fill("2");
  const permissions = page.getByRole("group", { name: /Scopes and permissions/ });
  await permissions.getByRole("checkbox").first().check();
  assert.deepEqual(await seriousViolations(), []);
  await page.getByRole("button", { name: "Create app" }).click();
  await page.getByRole("heading", { name: "Copy secret" }).waitFor();
  state.clientId = await page.getByLabel("Client ID").inputValue();
  state.firstSecret = await page.getByLabel("Client secret").inputValue();
  assert.match(state.clientId, /^OQ[0-9a-f]{32}$/);
  assert.deepEqual(await seriousViolations(), []);
  await screenshot("copy-secret");
  const finish = page.getByRole("button", { name: "Finish" });
  const gotIt = page.getByLabel("Got it! I have copied the secret.");
  await finish.click();
  // The browser refuses the form itself: the box is reported missing, nothing is sent.
  assert.equal(await gotIt.evaluate((box) => box.validity.valueMissing), true);
  assert.ok(await finish.isVisible(), "Finish needs Got it!");
  await gotIt.check();
  assert.equal(await gotIt.evaluate((box) => box.validity.valueMissing), false);
  await finish.click();
  await page.getByRole("heading", { name: "Nightly export", level: 1 }).waitFor();
  assert.equal(await page.getByText(state.firstSecret).count(), 0, "the secret is not shown again");
  const issued = await token(state.clientId, state.firstSecret);
  assert.equal(issued.status, 200, JSON.stringify(issued.body));
  assert.equal(issued.body.expires_in, 7200, "the wizard's 2 hours");
  state.accessToken = issued.body.access_token;
  assert.deepEqual(await seriousViolations(), []);
  await screenshot("app-detail");
});

test("a rotation with a 7-day grace keeps the old secret until the clock passes it", async () => {
  await page.goto(`${base}/console/apps/${state.clientId}`);
  await page.getByRole("link", { name: "Rotate secret" }).click();
  assert.deepEqual(await seriousViolations(), []);
  await page.getByLabel(/Grace period in days/).fill("7");
  await page.getByRole("button", { name: "Yes, rotate secret" }).click();
  await page.getByRole("heading", { name: "Copy the new secret" }).waitFor();
  const newSecret = await page.getByLabel("Client secret").inputValue();
  assert.notEqual(newSecret, state.firstSecret);
  assert.match(
    await page.getByText("The previous secret keeps working until").textContent(),
    /2030-01-08T00:00:00Z/,
  );
  assert.deepEqual(await seriousViolations(), []);
  await screenshot("rotated");
  await page.getByLabel("Got it! I have copied the secret.").check();
  await page.getByRole("button", { name: "Done" }).click();

  assert.equal((await token(state.clientId, state.firstSecret)).status, 200, "old secret in grace");
  assert.equal((await token(state.clientId, newSecret)).status, 200);
  await moveClock(7, "days");
  assert.match(await page.getByRole("status").textContent(), /moved forward 7 days/);
  assert.match(await page.locator("#now").textContent(), /^2030-01-08T00:00:00Z$/);
  assert.deepEqual(await seriousViolations(), []);
  await screenshot("clock");
  const refused = await token(state.clientId, state.firstSecret);
  assert.equal(refused.status, 401, JSON.stringify(refused.body));
  assert.equal(refused.body.error, "invalid_client");
  const fresh = await token(state.clientId, newSecret);
  assert.equal(fresh.status, 200);
  state.accessToken = fresh.body.access_token;
});

test("the inspector shows a token's claims and the engine's verdict, before and after its app is deleted", async () => {
  assert.equal(await inspect(state.accessToken), "valid");
  assert.match(await page.locator("#claims").textContent(), new RegExp(state.clientId));
  assert.deepEqual(await seriousViolations(), []);

  await page.goto(`${base}/console/apps/${state.clientId}`);
  await page.getByRole("link", { name: "Delete app" }).click();
  assert.deepEqual(await seriousViolations(), []);
  await page.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
  assert.equal(await page.getByRole("link", { name: "Nightly export" }).count(), 0);

  assert.equal(await inspect(state.accessToken), "app_deleted");
  await screenshot("inspector-app-deleted");

  const demo = emulator.boot.apps.account_client_credentials;
  const old = await token(demo.client_id, demo.client_secret);
  await moveClock(2, "hours");
  assert.equal(await inspect(old.body.access_token), "token_expired");
  assert.match(await page.locator("#expired-ago").textContent(), /^1 hour ago$/);
  assert.equal(await inspect(`${old.body.access_token.slice(0, -4)}AAAA`), "invalid_signature");
  assert.equal(await inspect("not.a.jwt"), "malformed_token");
  assert.deepEqual(await seriousViolations(), []);
});

test("a SCIM filter finds a user, and a malformed one is shown with where it fails", async () => {
  await page.goto(`${base}/console`);
  await page.getByRole("link", { name: "SCIM users" }).click();
  await page.getByLabel(/SCIM filter/).fill('userName sw "owner"');
  await page.getByRole("button", { name: "Find users" }).click();
  assert.match(await page.getByRole("status").textContent(), /^1 user matches/);
  await page.getByRole("link", { name: "owner@demo.iamkit.test" }).waitFor();
  assert.deepEqual(await seriousViolations(), []);
  await screenshot("scim-users");

  await page.getByLabel(/SCIM filter/).fill('userName zz "owner"');
  await page.getByRole("button", { name: "Find users" }).click();
  const alert = await page.getByRole("alert").textContent();
  assert.match(alert, /invalidFilter/);
  assert.match(alert, /at byte 9/);
  assert.equal(
    await page.getByLabel("Where the filter is malformed").textContent(),
    'userName zz "owner"\n         ^',
  );
  assert.deepEqual(await seriousViolations(), []);

  await page.getByLabel(/SCIM filter/).fill("");
  await page.getByRole("button", { name: "Find users" }).click();
  await page.getByRole("link", { name: "owner@demo.iamkit.test" }).click();
  await page.getByRole("cell", { name: "Owner", exact: true }).waitFor();
  assert.deepEqual(await seriousViolations(), []);
});

test("the audit events show all of it, the rotation's grace period included", async () => {
  await page.getByRole("link", { name: "Audit events" }).first().click();
  await page.getByLabel("Subject (a client ID, a sid, …)").fill(state.clientId);
  await page.getByRole("button", { name: "Filter" }).click();
  const types = await page.locator("table.events tbody tr td:nth-child(2)").allTextContents();
  assert.deepEqual(
    types.map((t) => t.trim()),
    [
      "oauth-apps.deleted",
      "oauth-tokens.issued",
      "oauth-tokens.refused",
      "oauth-tokens.issued",
      "oauth-tokens.issued",
      "oauth-apps.secret-rotated",
      "oauth-tokens.issued",
      "oauth-apps.created",
    ],
  );
  await page.getByLabel("Type").selectOption("oauth-apps.secret-rotated");
  await page.getByRole("button", { name: "Filter" }).click();
  const details = await page.locator("table.events .details").textContent();
  assert.match(details, /grace_period_seconds\s*604800 \(7 days\)/);
  assert.match(details, /previous_secret_valid_until\s*2030-01-08T00:00:00Z/);
  assert.deepEqual(await seriousViolations(), []);
  await screenshot("audit");
});

test("an authorized app is revoked from the list, and its token with it", async () => {
  const app = emulator.boot.apps.org_authorization_code;
  const owner = emulator.boot.users.find((u) => u.role === "Owner");
  const approved = await fetch(`${base}/admin/v1/authorizations`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${emulator.boot.admin_token}`,
      "Content-Type": "application/json",
    },
    body: JSON.stringify({
      client_id: app.client_id,
      redirect_uri: app.redirect_uri,
      user_sid: owner.sid,
    }),
  });
  assert.equal(approved.status, 201);
  const { code } = await approved.json();
  const exchanged = await fetch(`${base}/v2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: app.redirect_uri,
      client_id: app.client_id,
      client_secret: app.client_secret,
    }),
  });
  assert.equal(exchanged.status, 200);
  const { access_token: accessToken } = await exchanged.json();

  await page.goto(`${base}/console`);
  await page.getByRole("link", { name: "Authorized apps" }).click();
  const row = page.getByRole("row", { name: /Demo SCIM connector/ });
  assert.match(await row.textContent(), /owner@demo\.iamkit\.test/);
  assert.deepEqual(await seriousViolations(), []);
  await row.getByRole("button", { name: /^Revoke Demo SCIM connector/ }).click();
  assert.match(await page.getByRole("status").textContent(), /^Revoked /);
  assert.equal(await page.getByRole("row", { name: /Demo SCIM connector/ }).count(), 0);
  await screenshot("authorized-apps");
  assert.equal(await inspect(accessToken), "authorization_revoked");
});

test("the other pages pass axe, in a narrow window too", async () => {
  const org = emulator.boot.organization_sid;
  const demoApp = emulator.boot.apps.org_authorization_code.client_id;
  const paths = [
    `/console`,
    `/console/audit`,
    `/console/organizations/${org}/users`,
    `/console/organizations/${org}/authorized-apps`,
    `/console/faults`,
    `/console/apps/new?owner=${org}`,
    `/console/apps/${demoApp}`,
    `/console/apps/${demoApp}/rotate`,
    `/console/inspect`,
  ];
  for (const width of [1100, 360]) {
    await page.setViewportSize({ width, height: 800 });
    for (const path of paths) {
      await page.goto(`${base}${path}`);
      assert.deepEqual(await seriousViolations(), [], `${path} at ${width}px`);
    }
  }
  await page.goto(`${base}/console`);
  const scrollWidth = await page.evaluate("document.documentElement.scrollWidth");
  assert.ok(scrollWidth <= 360, `the overview fits 360px (${scrollWidth}px wide)`);
  await screenshot("overview-narrow");
  await page.setViewportSize({ width: 1100, height: 900 });
});

test("fault rules are added and cleared in the Console, and apply to the API", async () => {
  await page.goto(`${base}/console/faults`);
  await page.getByLabel("Path (exact, e.g. /v2/token)").fill("/v2/token");
  await page.getByLabel(/^Status/).fill("503");
  await page.getByLabel("Body (JSON)").fill('{"error":"temporarily_unavailable"}');
  await page.getByRole("button", { name: "Add rule" }).click();
  assert.match(await page.getByRole("status").textContent(), /Added a rule for \/v2\/token/);
  assert.deepEqual(await seriousViolations(), []);
  await screenshot("faults");
  const demo = emulator.boot.apps.org_client_credentials;
  const faulted = await token(demo.client_id, demo.client_secret);
  assert.deepEqual(faulted, { status: 503, body: { error: "temporarily_unavailable" } });

  await page.getByLabel("Path (exact, e.g. /v2/token)").fill("/console/faults");
  await page.getByRole("button", { name: "Add rule" }).click();
  assert.match(await page.getByRole("alert").textContent(), /the Console cannot be faulted/);
  await page.getByLabel(/^Status/).fill("");
  await page.getByLabel("Path (exact, e.g. /v2/token)").fill("/v2/token");
  await page.getByRole("button", { name: "Add rule" }).click();
  await page.getByRole("button", { name: "Clear every rule" }).click();
  assert.match(await page.getByRole("status").textContent(), /Every rule was removed/);
  assert.equal((await token(demo.client_id, demo.client_secret)).status, 200);
});

test("a form sent from another origin changes nothing, and signed out every page is the sign-in page", async () => {
  // A page on another port of this machine: same site, another origin.
  const site = createServer((_, response) => {
    response.writeHead(200, { "Content-Type": "text/html" });
    response.end(
      `<!doctype html><title>elsewhere</title><form method="post" action="${base}/console/faults">` +
        `<input name="csrf" value="guessed"><input name="path" value="/v2/token">` +
        `<input name="status" value="500"><button>send</button></form>`,
    );
  });
  await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
  try {
    await page.goto(`http://127.0.0.1:${site.address().port}/`);
    await page.getByRole("button", { name: "send" }).click();
    await page.waitForURL(`${base}/console/faults`);
    assert.match(await page.getByRole("alert").textContent(), /cross_site_request/);
    assert.deepEqual(await seriousViolations(), []);
  } finally {
    await new Promise((resolve) => site.close(resolve));
  }
  await page.goto(`${base}/console/faults`);
  assert.match(await page.locator("main").textContent(), /No rules are active/);

  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  assert.deepEqual(await page.context().cookies(), []);
  for (const path of ["/console", "/console/audit", `/console/apps/${state.clientId}`]) {
    const response = await page.goto(`${base}${path}`);
    assert.equal(response.status(), 401, path);
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
  }
  await screenshot("signed-out");
});

test("the Console is usable by keyboard alone", async () => {
  await page.goto(`${base}/console/sign-in`);
  await page.keyboard.press("Tab");
  assert.equal(await page.evaluate("document.activeElement.textContent"), "Skip to content");
  const focused = () =>
    page.evaluate("document.activeElement.id || document.activeElement.textContent");
  for (let i = 0; i < 5 && (await focused()) !== "admin-token"; i++) {
    await page.keyboard.press("Tab");
  }
  assert.equal(await focused(), "admin-token");
  await page.keyboard.type(emulator.boot.admin_token);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
  const stops = [];
  for (let i = 0; i < 8; i++) {
    await page.keyboard.press("Tab");
    stops.push((await focused()).trim());
  }
  assert.deepEqual(stops, [
    "Skip to content",
    "iamkit Console",
    "Overview",
    "Audit events",
    "Token inspector",
    "Clock",
    "Fault rules",
    "Sign out",
  ]);
  await page.keyboard.press("Enter");
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
});
