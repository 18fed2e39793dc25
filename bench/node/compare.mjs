// iamkit's Node binding beside jose (token issue+verify) and scimmy (SCIM filter
// over 100,000 users) on the same work in the same run.
//
// Build the addon in release first: (cd node && npx napi build --cargo-cwd ../bindings/node --release --js false --dts native.d.ts)
// Then: (cd bench/node && npm ci && node compare.mjs)
import { createRequire } from "node:module";
import * as jose from "jose";
import SCIMMY from "scimmy";

const require = createRequire(import.meta.url);
const iamkit = require("../../node/index.js");

function rate(fn, seconds = 3) {
  let n = 0;
  const start = process.hrtime.bigint();
  for (;;) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (elapsed >= seconds) return n / elapsed;
  }
}

async function rateAsync(fn, seconds = 3) {
  let n = 0;
  const start = process.hrtime.bigint();
  for (;;) {
    for (let i = 0; i < 50; i++) await fn();
    n += 50;
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (elapsed >= seconds) return n / elapsed;
  }
}

async function tokens() {
  console.log("| algorithm | iamkit issue+verify/s | jose sign+verify/s | ratio |");
  console.log("|---|---:|---:|---:|");
  for (const algorithm of ["HS256", "ES256"]) {
    const engine = new iamkit.Engine({ algorithm });
    const org = engine.createOrganization("Bench");
    const app = engine.createApp({
      ownerSid: org.sid,
      name: "bench",
      grantType: "client_credentials",
      scopes: ["managed-users/list", "managed-users/read"],
    });
    const request = {
      grantType: "client_credentials",
      clientId: app.clientId,
      clientSecret: app.clientSecret,
    };
    const ours = rate(() => engine.verify(engine.token(request).accessToken));
    const key =
      algorithm === "HS256"
        ? new TextEncoder().encode("0123456789abcdef0123456789abcdef")
        : await jose.generateKeyPair("ES256");
    const signKey = algorithm === "HS256" ? key : key.privateKey;
    const verifyKey = algorithm === "HS256" ? key : key.publicKey;
    const claims = { scope: "managed-users/list managed-users/read", client_id: app.clientId };
    const theirs = await rateAsync(async () => {
      const jwt = await new jose.SignJWT(claims)
        .setProtectedHeader({ alg: algorithm, kid: "k" })
        .setIssuer("https://oauth.iamkit.test")
        .setAudience("https://api.iamkit.test")
        .setIssuedAt()
        .setExpirationTime("1h")
        .setJti(crypto.randomUUID())
        .sign(signKey);
      await jose.jwtVerify(jwt, verifyKey, {
        issuer: "https://oauth.iamkit.test",
        audience: "https://api.iamkit.test",
      });
    });
    console.log(
      `| ${algorithm} | ${Math.round(ours).toLocaleString("en")} | ${Math.round(theirs).toLocaleString("en")} | ${(ours / theirs).toFixed(1)}× |`,
    );
  }
}

/** The same deterministic users as the Rust benches' generator, in spirit: a third
 * with a title, one to three emails of mixed types and domains, one in eight inactive. */
function users(count) {
  let state = 0x2545f4914f6cdd1dn;
  const next = () => {
    state ^= state >> 12n;
    state ^= (state << 25n) & 0xffffffffffffffffn;
    state ^= state >> 27n;
    return Number((state * 0x2545f4914f6cdd1dn) & 0xffffffffn);
  };
  const domains = ["example.com", "example.org", "corp.example.com", "mail.test"];
  const types = ["work", "home", "other"];
  const out = [];
  for (let i = 0; i < count; i++) {
    const userName = `user${i}@${domains[next() % domains.length]}`;
    const emails = [{ value: userName, type: types[next() % 3], primary: true }];
    for (let e = next() % 3; e > 0; e--) {
      emails.push({ value: `alt${i}.${e}@${domains[next() % domains.length]}`, type: types[next() % 3] });
    }
    const user = {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName,
      emails,
      active: next() % 8 !== 0,
    };
    if (next() % 3 === 0) user.title = "Engineer";
    out.push(user);
  }
  return out;
}

function filters() {
  const count = 100_000;
  const compound =
    '(title pr or emails[type eq "work" and value co "@example.com"]) and not (active eq false)';
  // scimmy drops the `not (...)` of this compound filter (it also returns inactive
  // users), so both sides are also run on an equivalent form scimmy evaluates right.
  const equivalent =
    '(title pr or emails[type eq "work" and value co "@example.com"]) and active ne false';
  const all = users(count);
  const engine = new iamkit.Engine();
  const org = engine.createOrganization("Bench");
  for (const user of all) engine.scimCreateUser(org.sid, user);

  const time = (fn) => {
    const start = process.hrtime.bigint();
    const result = fn();
    return [result, Number(process.hrtime.bigint() - start) / 1e6];
  };
  console.log("\n| filter over 100,000 users | iamkit | scimmy | ratio | matches (iamkit / scimmy) |");
  console.log("|---|---:|---:|---:|---:|");
  for (const [name, filter] of [
    ["compound (as written)", compound],
    ["equivalent form", equivalent],
  ]) {
    const [ours, oursMs] = time(() => engine.scimListUsers(org.sid, { filter, count: 0 }).totalResults);
    const [theirs, theirsMs] = time(() => new SCIMMY.Types.Filter(filter).match(all).length);
    console.log(
      `| ${name} | ${oursMs.toFixed(1)} ms | ${theirsMs.toFixed(0)} ms | ${(theirsMs / oursMs).toFixed(0)}× | ${ours} / ${theirs} |`,
    );
    if (filter === equivalent && ours !== theirs) {
      throw new Error(`iamkit and scimmy disagree on ${filter}: ${ours} vs ${theirs}`);
    }
  }
}

await tokens();
filters();
