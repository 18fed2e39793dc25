// CORS in a real browser: a page served from this machine (another port, so another
// origin) reads the emulator's answers, preflighted requests included; a page of an
// origin the emulator does not grant is refused by the browser itself.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { chromium } from "playwright-core";
import { launchChromium, startEmulator } from "./emulator.js";

let page;
let browser;
let site;

before(async () => {
  site = createServer((_, response) => {
    response.writeHead(200, { "Content-Type": "text/html" });
    response.end("<!doctype html><title>app under test</title>");
  });
  await new Promise((resolve) => site.listen(0, "127.0.0.1", resolve));
  browser = await launchChromium(chromium);
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${site.address().port}/`);
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => site?.close(resolve));
});

/** Runs `fetch` in the page: `{ status, body }`, or `{ error }` when the browser refuses. */
function fetchInPage(url, init) {
  return page.evaluate(
    async ([url, init]) => {
      try {
        const response = await fetch(url, init);
        return { status: response.status, body: await response.json() };
      } catch (error) {
        return { error: String(error) };
      }
    },
    [url, init],
  );
}

/** A token request with the app's credentials by HTTP Basic: preflighted, as
 * `Authorization` is not a simple header. */
function tokenRequest(app) {
  return {
    method: "POST",
    headers: {
      Authorization: `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString("base64")}`,
      "Content-Type": "application/x-www-form-urlencoded",
    },
    body: "grant_type=client_credentials",
  };
}

test("a page served from this machine reads the emulator, preflights included", async () => {
  const emulator = await startEmulator();
  try {
    const { url, apps, organization_sid: org } = emulator.boot;
    assert.deepEqual(await fetchInPage(`${url}/healthz`), { status: 200, body: { status: "ok" } });
    const token = await fetchInPage(`${url}/v2/token`, tokenRequest(apps.org_client_credentials));
    assert.equal(token.status, 200, JSON.stringify(token));
    const accounts = await fetchInPage(`${url}/Organizations/${org}/Accounts?PageSize=1`, {
      headers: { Authorization: `Bearer ${token.body.access_token}` },
    });
    assert.equal(accounts.status, 200);
    assert.equal(accounts.body.content[0].account_sid, emulator.boot.account_sid);
    const refused = await fetchInPage(`${url}/scim/v2/Users`, {
      headers: { Authorization: "Bearer not-a-token" },
    });
    assert.equal(refused.status, 401, "an error answer is readable too");
  } finally {
    await emulator.stop();
  }
});

test("a page of an origin the emulator does not grant cannot read it", async () => {
  const emulator = await startEmulator("--cors-origin", "https://app.example");
  try {
    const { url, apps } = emulator.boot;
    for (const init of [undefined, tokenRequest(apps.org_client_credentials)]) {
      const target = init ? `${url}/v2/token` : `${url}/healthz`;
      const result = await fetchInPage(target, init);
      assert.deepEqual(result, { error: "TypeError: Failed to fetch" }, target);
    }
  } finally {
    await emulator.stop();
  }
});
