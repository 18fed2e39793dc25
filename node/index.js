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

/** The one error-conversion point. */
function convert(error) {
  if (!(error instanceof Error)) return error;
  const message = String(error.message);
  if (message.startsWith(MARK)) {
    const reason = JSON.parse(message.slice(MARK.length));
    if (reason.kind === "type") return new TypeError(reason.message);
    if (reason.kind === "range") return new RangeError(reason.message);
    const Class = AREAS[reason.area] || IamkitError;
    return new Class(reason.code, reason.status, reason.twilioCode, reason.message);
  }
  if (NAPI_TYPE_CODES.has(error.code)) return new TypeError(message);
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

function call(fn) {
  try {
    return hideSecrets(fn());
  } catch (error) {
    throw convert(error);
  }
}

async function callAsync(fn) {
  try {
    return await fn();
  } catch (error) {
    throw convert(error);
  }
}

/**
 * An object argument as JSON text for the addon (which parses it with serde):
 * BigInts, functions and symbols are refused with a TypeError, as are circular
 * structures (by JSON.stringify itself); `undefined` members mean "absent".
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

// The positions of object arguments, per method; they cross as JSON text.
const OBJECT_ARGS = {
  createUser: [0],
  createApp: [0],
  updateApp: [1],
  authorize: [0],
  token: [0],
  scimCreateUser: [1],
  scimGetUser: [2],
  scimListUsers: [1],
  scimListUsersAsync: [1],
  scimReplaceUser: [2, 3],
  scimPatchUser: [2, 3],
  scimDeleteUser: [2],
  createRoleAssignment: [1],
  roleAssignments: [1],
  auditEvents: [0],
  serve: [0],
};

function encodeArgs(name, args) {
  const positions = OBJECT_ARGS[name];
  if (positions === undefined) return args;
  return args.map((arg, i) =>
    positions.includes(i) ? encode(arg, `${name} argument ${i + 1}`) : arg,
  );
}

const CLOCK = Symbol("iamkit.nativeClock");
const ENGINE = Symbol("iamkit.nativeEngine");

/** A clock that stands still until set or advanced. */
class ManualClock {
  /** @param {string} [at] an RFC 3339 instant, by default 2026-01-01T00:00:00Z */
  constructor(at) {
    if (at !== undefined && typeof at !== "string") {
      throw new TypeError(`at must be an RFC 3339 string, not ${typeof at}`);
    }
    this[CLOCK] = call(() =>
      at === undefined ? new native.ManualClock() : new native.ManualClock(at),
    );
  }
  /** Moves the clock by `seconds` (negative moves it back). */
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
    if (options !== undefined && (options === null || typeof options !== "object")) {
      throw new TypeError(
        `Engine options must be an object, not ${options === null ? "null" : typeof options}`,
      );
    }
    const { clock, ...rest } = options || {};
    if (clock !== undefined && !(clock instanceof ManualClock)) {
      throw new TypeError("options.clock must be a ManualClock");
    }
    this[ENGINE] = call(
      () =>
        new native.Engine(
          encode(rest, "Engine options"),
          clock === undefined ? undefined : clock[CLOCK],
        ),
    );
    this.clock = clock;
  }
  /** The signing algorithm's JWS name. */
  get algorithm() {
    return this[ENGINE].algorithm;
  }
  /** Serves this engine over HTTP; resolves to a running `Server`. */
  async serve(options) {
    const running = await callAsync(() => this[ENGINE].serve(...encodeArgs("serve", [options])));
    return new Server(running);
  }
}

// Promise-returning variants: the work runs on the libuv thread pool.
// importStateAsync resolves to undefined (the native job resolves to null).
const VOID_ASYNC = new Set(["importStateAsync"]);
for (const name of ["scimListUsersAsync", "exportStateAsync", "importStateAsync"]) {
  if (typeof native.Engine.prototype[name] !== "function") {
    throw new Error(`iamkit: the native addon has no Engine.${name}; rebuild it`);
  }
  Object.defineProperty(Engine.prototype, name, {
    value: async function (...args) {
      const result = await callAsync(() => this[ENGINE][name](...encodeArgs(name, args)));
      return VOID_ASYNC.has(name) ? undefined : result;
    },
    writable: true,
    configurable: true,
  });
}

// Every other method forwards to the native engine through `convert`.
const SYNC_METHODS = [
  "createOrganization",
  "organization",
  "organizations",
  "createAccount",
  "account",
  "accounts",
  "createUser",
  "user",
  "users",
  "createApp",
  "app",
  "apps",
  "updateApp",
  "rotateSecret",
  "deleteApp",
  "authorize",
  "authorizations",
  "revokeAuthorization",
  "token",
  "verify",
  "checkAccess",
  "introspect",
  "revokeToken",
  "jwks",
  "metadata",
  "scimCreateUser",
  "scimGetUser",
  "scimListUsers",
  "scimReplaceUser",
  "scimPatchUser",
  "scimDeleteUser",
  "scimServiceProviderConfig",
  "scimResourceTypes",
  "scimSchemas",
  "roles",
  "createRoleAssignment",
  "roleAssignments",
  "deleteRoleAssignment",
  "auditEvents",
  "exportState",
  "importState",
];
for (const name of SYNC_METHODS) {
  if (typeof native.Engine.prototype[name] !== "function") {
    throw new Error(`iamkit: the native addon has no Engine.${name}; rebuild it`);
  }
  Object.defineProperty(Engine.prototype, name, {
    value: function (...args) {
      return call(() => this[ENGINE][name](...encodeArgs(name, args)));
    },
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
