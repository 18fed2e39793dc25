// iamkit's Node binding beside jose and jsonwebtoken (token issue+verify) and scimmy
// (the compound SCIM filter over the shared users file) on the same work in the
// same run. Checks first that the sides agree and exits non-zero if they do not.
//
// Build the addon in release first (bench/run.sh does), then:
//   node bench/node/compare.mjs USERS.jsonl [seconds-per-case] [--json]
import { createRequire } from "node:module";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import * as jose from "jose";
import jsonwebtoken from "jsonwebtoken";
import SCIMMY from "scimmy";

const require = createRequire(import.meta.url);
const iamkit = require("../../node/index.js");

const ISSUER = "https://oauth.iamkit.test";
const AUDIENCE = "https://api.iamkit.test";
const COMPOUND =
  '(title pr or emails[type eq "work" and value co "@example.com"]) and not (active eq false)';
// scimmy drops the `not (...)` after `and` (it also returns inactive users), and its
// `co` is case-sensitive where RFC 7643 makes `emails.value` case-insensitive. So
// every side also runs this form, equivalent on the generated users (whose domains
// are spelled `example.com` and `Example.COM`), which scimmy evaluates right.
const EQUIVALENT =
  '(title pr or emails[type eq "work" and value co "@example.com"] or ' +
  'emails[type eq "work" and value co "@Example.COM"]) and active ne false';

const args = process.argv.slice(2).filter((a) => a !== "--json");
const asJson = process.argv.includes("--json");
const usersPath = args[0];
const seconds = Number(args[1] ?? 2);

function disagree(message) {
  console.error(`DISAGREE: ${message}`);
  process.exit(1);
}

/** Calls per second of `fn` (sync or async) over at least `seconds`. */
async function rate(fn) {
  let n = 0;
  const start = process.hrtime.bigint();
  for (;;) {
    for (let i = 0; i < 50; i++) await fn();
    n += 50;
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (elapsed >= seconds) return n / elapsed;
  }
}

function syncRate(fn) {
  let n = 0;
  const start = process.hrtime.bigint();
  for (;;) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
    const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    if (elapsed >= seconds) return n / elapsed;
  }
}

const canonical = (object) => JSON.stringify(Object.entries(object).sort());
const claims = (clientId) => ({ scope: "managed-users/list", sub: clientId });

function peerKeys(algorithm) {
  if (algorithm === "HS256") {
    const secret = new TextEncoder().encode("0123456789abcdef0123456789abcdef");
    return {
      sign: secret,
      verify: secret,
      jwtSign: Buffer.from(secret),
      jwtVerify: Buffer.from(secret),
    };
  }
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { sign: privateKey, verify: publicKey, jwtSign: privateKey, jwtVerify: publicKey };
}

const joseSign = (algorithm, keys, payload) =>
  new jose.SignJWT(payload)
    .setProtectedHeader({ alg: algorithm, kid: "k" })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime("1h")
    .setJti(randomUUID())
    .sign(keys.sign);
const joseVerify = async (keys, token) =>
  (await jose.jwtVerify(token, keys.verify, { issuer: ISSUER, audience: AUDIENCE })).payload;
const jwtSign = (algorithm, keys, payload) =>
  jsonwebtoken.sign(payload, keys.jwtSign, {
    algorithm,
    keyid: "k",
    issuer: ISSUER,
    audience: AUDIENCE,
    expiresIn: 3600,
    jwtid: randomUUID(),
  });
const jwtVerify = (algorithm, keys, token) =>
  jsonwebtoken.verify(token, keys.jwtVerify, {
    algorithms: [algorithm],
    issuer: ISSUER,
    audience: AUDIENCE,
  });

async function tokens(algorithm) {
  const engine = new iamkit.Engine({ algorithm });
  const org = engine.createOrganization("Bench");
  const app = engine.createApp({
    ownerSid: org.sid,
    name: "bench",
    grantType: "client_credentials",
    scopes: ["managed-users/list"],
  });
  const request = {
    grantType: "client_credentials",
    clientId: app.clientId,
    clientSecret: app.clientSecret,
  };
  const keys = peerKeys(algorithm);

  // Agreement: iamkit's claims; jose reads iamkit's ES256 token with iamkit's JWKS;
  // jose and jsonwebtoken read each other's tokens to the same claims.
  const token = engine.token(request).accessToken;
  const ours = engine.verify(token);
  if (ours.sub !== app.clientId || !String(ours.scope).includes("managed-users/list")) {
    disagree(`iamkit ${algorithm} claims ${JSON.stringify(ours)}`);
  }
  if (algorithm === "ES256") {
    const jwk = await jose.importJWK(engine.jwks().keys[0], "ES256");
    const read = (await jose.jwtVerify(token, jwk, { issuer: ISSUER, audience: AUDIENCE })).payload;
    if (canonical(read) !== canonical(ours))
      disagree(`jose reads iamkit's token as ${JSON.stringify(read)}`);
  }
  const byJose = await joseVerify(keys, jwtSign(algorithm, keys, claims(app.clientId)));
  const byJwt = jwtVerify(algorithm, keys, await joseSign(algorithm, keys, claims(app.clientId)));
  for (const read of [byJose, byJwt]) {
    if (read.sub !== app.clientId || read.iss !== ISSUER || read.aud !== AUDIENCE) {
      disagree(`jose and jsonwebtoken disagree on ${algorithm}: ${JSON.stringify(read)}`);
    }
  }

  return {
    algorithm,
    iamkit: syncRate(() => engine.verify(engine.token(request).accessToken)),
    jose: await rate(async () =>
      joseVerify(keys, await joseSign(algorithm, keys, claims(app.clientId))),
    ),
    jsonwebtoken: syncRate(() =>
      jwtVerify(algorithm, keys, jwtSign(algorithm, keys, claims(app.clientId))),
    ),
  };
}

function timed(fn, repeat) {
  const times = [];
  let result;
  for (let i = 0; i < repeat; i++) {
    const start = process.hrtime.bigint();
    result = fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { matches: result, median_ms: times[Math.floor(times.length / 2)] };
}

function filters() {
  const users = readFileSync(usersPath, "utf8")
    .split("\n")
    .filter((line) => line)
    .map((line) => JSON.parse(line));
  const engine = new iamkit.Engine();
  const org = engine.createOrganization("Bench");
  for (const user of users) engine.scimCreateUser(org.sid, user);
  const out = { users: users.length };
  for (const [name, filter] of [
    ["compound", COMPOUND],
    ["equivalent", EQUIVALENT],
  ]) {
    out[name] = {
      filter,
      iamkit: timed(() => engine.scimListUsers(org.sid, { filter, count: 0 }).totalResults, 5),
      scimmy: timed(() => new SCIMMY.Types.Filter(filter).match(users).length, 1),
    };
  }
  if (out.compound.iamkit.matches !== out.equivalent.iamkit.matches) {
    disagree("iamkit counts the two equivalent filters differently");
  }
  if (out.equivalent.scimmy.matches !== out.equivalent.iamkit.matches) {
    disagree(
      `iamkit ${out.equivalent.iamkit.matches} vs scimmy ${out.equivalent.scimmy.matches} on ${EQUIVALENT}`,
    );
  }
  return out;
}

const result = {
  tokens: [await tokens("HS256"), await tokens("ES256")],
  filters: filters(),
  agree: true,
};
if (asJson) {
  console.log(JSON.stringify(result));
} else {
  console.log(JSON.stringify(result, null, 2));
}
