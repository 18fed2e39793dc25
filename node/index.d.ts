// Types of the npm package iamkit. The options, records and engine methods are the
// ones napi generates from bindings/node (native.d.ts, written by `node build.js`);
// this file adds only what index.js itself is: its error classes, the `clock` of
// `Engine`, the JS objects a SCIM call takes (the addon takes them as JSON text)
// and the JS `Server`.

import type * as native from "./native";

export * from "./native";

/** A JSON value, as a SCIM resource or PATCH body holds. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
/** A SCIM resource or PATCH request body. */
export type ScimResource = { [attribute: string]: Json };

/** An error of the iamkit engine. */
export class IamkitError extends Error {
  constructor(code: string, status: number, twilioCode: number, message: string);
  /** The stable machine-readable code, e.g. `"invalid_client"`. */
  readonly code: string;
  /** The HTTP status the emulator answers with, e.g. `401`. */
  readonly status: number;
  /** Twilio's numeric error code, e.g. `20003`. */
  readonly twilioCode: number;
}
/** Managing organizations, accounts, users and apps (also a malformed sid). */
export class AppError extends IamkitError {}
/** The authorization (consent) step of the authorization-code flow. */
export class AuthorizeError extends IamkitError {}
/** The Token API and token revocation; `code` is the RFC 6749 error code. */
export class OAuthError extends IamkitError {}
/** Verifying an access token. */
export class TokenError extends IamkitError {}
/** A token's scopes or organization do not allow a request. */
export class AccessError extends IamkitError {}
/** SCIM resources, filters and PATCH; `code` is the SCIM `scimType`. */
export class ScimError extends IamkitError {}
/** Roles and role assignments. */
export class RoleError extends IamkitError {}
/** Importing exported state. */
export class StateError extends IamkitError {}

/** A clock that stands still until set or advanced. */
export interface ManualClock extends native.ManualClock {}
export class ManualClock {
  /** A clock at `at` (RFC 3339), by default 2026-01-01T00:00:00Z. */
  constructor(...at: ConstructorParameters<typeof native.ManualClock>);
}

/** How to make an engine: the addon's options and the clock it reads. */
export interface EngineOptions extends native.EngineOptions {
  /** The clock the engine reads (the system clock when absent). */
  clock?: ManualClock;
}

/** A running emulator. */
export interface Server extends native.Server {}
export class Server {
  private constructor();
}

/** Whether a SCIM filter matches a User resource, stored or not; an invalid filter
 * throws a `ScimError` (`invalidFilter`). */
export function filterMatches(filter: string, user: ScimResource): boolean;

/** The methods that index.js gives other arguments or results than the addon's. */
type Wrapped =
  | "serve"
  | "scimCreateUser"
  | "scimReplaceUser"
  | "scimPatchUser"
  | "createAccountApp"
  | "updateAccountApp";

/** The OAuth 2.0 + SCIM 2.0 engine, in memory. */
export interface Engine extends Omit<native.Engine, Wrapped> {}
export class Engine {
  constructor(options?: EngineOptions);
  /** The clock it was made with. */
  readonly clock: ManualClock | undefined;
  /** Creates a SCIM user; returns the stored resource. */
  scimCreateUser(organizationSid: string, user: ScimResource): Record<string, unknown>;
  /** Replaces a SCIM user (PUT); `options.ifMatch` is checked against `meta.version`. */
  scimReplaceUser(
    organizationSid: string,
    id: string,
    user: ScimResource,
    options?: native.ScimReplaceUserOptions,
  ): Record<string, unknown>;
  /** Applies a SCIM PATCH request (a `PatchOp`) to a user. */
  scimPatchUser(
    organizationSid: string,
    id: string,
    patch: ScimResource,
    options?: native.ScimPatchUserOptions,
  ): Record<string, unknown>;
  /** Creates an app of the account (authenticated by its auth token) from the body of
   * Twilio's `POST /v1/Account/OAuthApps`; the result holds `clientSecret`. */
  createAccountApp(
    accountSid: string,
    authToken: string,
    body: Record<string, unknown>,
  ): native.CreatedApp;
  /** Updates an app of the account from the body of Twilio's
   * `PUT /v1/Account/OAuthApps/{sid}` (`null` keeps a field). */
  updateAccountApp(
    accountSid: string,
    authToken: string,
    clientId: string,
    body: Record<string, unknown>,
  ): native.App;
  /** Serves this engine (same state, clock and SCIM rules) over HTTP. */
  serve(options?: native.ServeOptions): Promise<Server>;
}
