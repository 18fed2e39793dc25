"use strict";
// The npm package iamkit: a thin wrapper over the native addon (bindings/node).
// Its one job besides loading the addon is `convert`, the single place where a
// native error becomes the JS error class users catch.

const { inspect } = require("node:util");
const { native } = require("./native.js");

const MARK = "\u0001iamkit:";

/** An error of the iamkit engine: `code`, `status`, `twilioCode`, `message`. */
class IamkitError extends Error {
  constructor(code, status, twilioCode, message) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.twilioCode = twilioCode;
  }
}

// Areas: which part of the engine refused.
/** Managing organizations, accounts, users and apps (also a malformed sid). */
class AppError extends IamkitError {}
/** The authorization (consent) step of the authorization-code flow. */
class AuthorizeError extends IamkitError {}
/** The Token API and token revocation; `code` is the RFC 6749 error code. */
class OAuthError extends IamkitError {}
/** Verifying an access token (expired, revoked, bad signature, …). */
class TokenError extends IamkitError {}
/** A token's scopes or organization do not allow a request. */
class AccessError extends IamkitError {}
/** SCIM resources, filters and PATCH; `code` is the SCIM `scimType`. */
class ScimError extends IamkitError {}
/** Roles and role assignments. */
class RoleError extends IamkitError {}
/** Importing exported state. */
class StateError extends IamkitError {}

const AREAS = {
  app: AppError,
  authorize: AuthorizeError,
  oauth: OAuthError,
  token: TokenError,
  access: AccessError,
  scim: ScimError,
  role: RoleError,
  state: StateError,
};

// napi's own argument-conversion failures (a number where a string is needed).
const NAPI_TYPE_CODES = new Set([
  "InvalidArg",
  "ObjectExpected",
  "StringExpected",
  "NameExpected",
  "FunctionExpected",
  "NumberExpected",
  "BooleanExpected",
  "ArrayExpected",
  "BigintExpected",
  "DateExpected",
]);

function typeOf(value) {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}

/**
 * The one error-conversion point. `method` and `args` name a positional argument
 * napi refused (every positional argument of the engine is a string).
 */
function convert(error, method, args) {
  if (!(error instanceof Error)) return error;
  const message = String(error.message);
  if (message.startsWith(MARK)) {
    const reason = JSON.parse(message.slice(MARK.length));
    if (reason.kind === "type") return new TypeError(reason.message);
    if (reason.kind === "range") return new RangeError(reason.message);
    const Class = AREAS[reason.area] || IamkitError;
    return new Class(reason.code, reason.status, reason.twilioCode, reason.message);
  }
  if (NAPI_TYPE_CODES.has(error.code)) {
    const at =
      args && message.includes("into rust type `String`")
        ? args.findIndex((arg) => typeof arg !== "string")
        : -1;
    if (at < 0 && args && args.length === 0) {
      return new TypeError(`${method}: argument 1 must be a string, not undefined`);
    }
    if (at >= 0) {
      return new TypeError(
        `${method}: argument ${at + 1} must be a string, not ${typeOf(args[at])}`,
      );
    }
    return new TypeError(method ? `${method}: ${message}` : message);
  }
  return error;
}

// Members that `console.log` and `util.inspect` show as "<redacted>": secrets, codes
// and URLs that carry one. The values stay readable as properties and in JSON.
const SECRET_FIELDS = new Set([
  "clientSecret",
  "accessToken",
  "refreshToken",
  "code",
  "redirectTo",
  "adminToken",
  "authToken",
  "accountAuthToken",
]);

function showRedacted(depth, options, show) {
  const shown = {};
  for (const [key, value] of Object.entries(this)) {
    shown[key] = SECRET_FIELDS.has(key) && value != null ? "<redacted>" : value;
  }
  return show(shown, options);
}

/** Marks every object in a result that holds a secret so that inspecting it hides it. */
function hideSecrets(value) {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    value.forEach(hideSecrets);
    return value;
  }
  let secret = false;
  for (const [key, member] of Object.entries(value)) {
    if (SECRET_FIELDS.has(key) && member != null) secret = true;
    else hideSecrets(member);
  }
  if (secret) Object.defineProperty(value, inspect.custom, { value: showRedacted });
  return value;
}

function call(fn, method, args) {
  try {
    return hideSecrets(fn());
  } catch (error) {
    throw convert(error, method, args);
  }
}

async function callAsync(fn, method, args) {
  try {
    return await fn();
  } catch (error) {
    throw convert(error, method, args);
  }
}

/**
 * A free-form JSON argument (a SCIM resource or PATCH body) as JSON text for the addon,
 * which parses it with serde: BigInts, functions and symbols are refused with a
 * TypeError, as are circular structures (by JSON.stringify itself). Option objects
 * are not sent this way: the addon reads them as typed structs (bindings/node
 * options.rs), which name a wrong or unknown member in their TypeError.
 */
function encode(value, what) {
  if (value === undefined) return undefined;
  return JSON.stringify(value, (key, member) => {
    const type = typeof member;
    if (type === "bigint" || type === "function" || type === "symbol") {
      const at = key === "" ? "" : ` (at ${JSON.stringify(key)})`;
      throw new TypeError(`${what} must be plain JSON data; a ${type} cannot be sent${at}`);
    }
    return member;
  });
}

// The positions of the free-form JSON arguments, per method; they cross as JSON text.
const JSON_ARGS = {
  scimCreateUser: { 1: "scimCreateUser user" },
  scimReplaceUser: { 2: "scimReplaceUser user" },
  scimPatchUser: { 2: "scimPatchUser patch" },
  createAccountApp: { 2: "createAccountApp body" },
  updateAccountApp: { 3: "updateAccountApp body" },
};

function encodeArgs(name, args) {
  const positions = JSON_ARGS[name];
  if (positions === undefined) return args;
  return args.map((arg, i) => (i in positions ? encode(arg, positions[i]) : arg));
}

const CLOCK = Symbol("iamkit.nativeClock");
const ENGINE = Symbol("iamkit.nativeEngine");

/** A clock that stands still until set or advanced. */
class ManualClock {
  /** @param {string} [at] an RFC 3339 instant, by default 2026-01-01T00:00:00Z */
  constructor(at) {
    if (at != null && typeof at !== "string") {
      throw new TypeError(`at must be an RFC 3339 string, not ${typeOf(at)}`);
    }
    this[CLOCK] = call(() => (at == null ? new native.ManualClock() : new native.ManualClock(at)));
  }
  /** Moves the clock forward by `seconds` (move it back with `set`). */
  advance(seconds) {
    if (typeof seconds !== "number")
      throw new TypeError(`seconds must be a number, not ${typeof seconds}`);
    call(() => this[CLOCK].advance(seconds));
  }
  /** Puts the clock at an RFC 3339 instant. */
  set(at) {
    if (typeof at !== "string")
      throw new TypeError(`at must be an RFC 3339 string, not ${typeof at}`);
    call(() => this[CLOCK].set(at));
  }
  /** The clock's instant as an RFC 3339 string in UTC. */
  now() {
    return this[CLOCK].now();
  }
}

/** A running emulator. */
class Server {
  constructor(running) {
    this.url = running.url;
    this.bootstrap = hideSecrets(running.bootstrap);
    Object.defineProperty(this, "_native", { value: running });
  }
  /** Whether the server still runs. */
  get running() {
    return this._native.running;
  }
  /** Stops the server (waiting for in-flight requests); stopping twice is a no-op. */
  stop() {
    return callAsync(() => this._native.stop());
  }
}

/** The OAuth 2.0 + SCIM 2.0 engine, in memory. */
class Engine {
  /** @param {{clock?: ManualClock, algorithm?: string, issuer?: string, rs256KeyPem?: string}} [options] */
  constructor(options) {
    if (options !== undefined && options !== null) {
      if (typeof options !== "object" || Array.isArray(options)) {
        throw new TypeError(`Engine options must be an object, not ${typeOf(options)}`);
      }
    }
    const { clock, ...rest } = options || {};
    if (clock != null && !(clock instanceof ManualClock)) {
      throw new TypeError("Engine options.clock must be a ManualClock");
    }
    this[ENGINE] = call(() => new native.Engine(rest, clock == null ? undefined : clock[CLOCK]));
    this.clock = clock;
  }
  /** The signing algorithm's JWS name. */
  get algorithm() {
    return this[ENGINE].algorithm;
  }
  /** Serves this engine over HTTP; resolves to a running `Server`. */
  async serve(options) {
    const running = await callAsync(() => this[ENGINE].serve(options));
    return new Server(running);
  }
}

// Every other method of the native engine, forwarded through `convert` (and
// `hideSecrets`); the `…Async` ones return promises (the work runs on the libuv thread
// pool). The list is the addon's own, so the two cannot drift apart.
for (const name of Object.getOwnPropertyNames(native.Engine.prototype)) {
  const { value } = Object.getOwnPropertyDescriptor(native.Engine.prototype, name);
  if (name === "constructor" || typeof value !== "function" || name in Engine.prototype) continue;
  const method = `Engine.${name}`;
  const forward = name.endsWith("Async")
    ? async function (...args) {
        const native = () => this[ENGINE][name](...encodeArgs(name, args));
        return hideSecrets(await callAsync(native, method, args));
      }
    : function (...args) {
        return call(() => this[ENGINE][name](...encodeArgs(name, args)), method, args);
      };
  Object.defineProperty(Engine.prototype, name, {
    value: forward,
    writable: true,
    configurable: true,
  });
}

/** Whether a SCIM filter matches a User resource (an object), stored or not. */
function filterMatches(filter, user) {
  return call(() => native.filterMatches(filter, encode(user, "filterMatches user")));
}

module.exports = {
  filterMatches,
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
};
