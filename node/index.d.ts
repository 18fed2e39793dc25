// Types of the npm package iamkit (maintained by hand beside index.js; the addon's
// generated native.d.ts describes the raw native layer only).

/** A JSON value as the engine returns it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** An error of the iamkit engine. */
export class IamkitError extends Error {
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
export class ManualClock {
  /** A clock at `at` (RFC 3339), by default 2026-01-01T00:00:00Z. */
  constructor(at?: string);
  advance(seconds: number): void;
  set(at: string): void;
  /** The instant as an RFC 3339 string in UTC. */
  now(): string;
}

export interface EngineOptions {
  clock?: ManualClock;
  /** `ES256` (default), `EdDSA`, `HS256`, or `RS256` with `rs256KeyPem`. */
  algorithm?: string;
  issuer?: string;
  rs256KeyPem?: string;
  /** Keep the state and signing key in this SQLite file (created owner-only). */
  database?: string;
  /** The rules SCIM users follow: `twilio` (default) or `rfc7643`. */
  scimRules?: "twilio" | "rfc7643";
}

export interface Organization {
  sid: string;
  name: string;
  createdAt: string;
  [key: string]: Json | undefined;
}
export interface Account {
  sid: string;
  organizationSid: string;
  name: string;
  [key: string]: Json | undefined;
}
export interface User {
  sid: string;
  organizationSid: string;
  userName: string;
  [key: string]: Json | undefined;
}
export interface App {
  clientId: string;
  name: string;
  grantType: string;
  scopes: string[];
  tokenTtl: number;
  authorizationUrl: string | null;
  [key: string]: Json | undefined;
}
export interface CreatedApp extends App {
  clientSecret: string;
}
export interface RotatedSecret extends CreatedApp {
  previousValidUntil: string | null;
}

export interface CreateUserOptions {
  organizationSid: string;
  userName: string;
  roles?: string[];
  sso?: boolean;
}
export interface AppDetails {
  name?: string;
  description?: string;
  companyName?: string;
  imageUrls?: string[];
  homepageUrl?: string;
  termsOfServiceUrl?: string;
  redirectUrl?: string;
  scopes?: string[];
  tokenTtl?: number;
}
export interface CreateAppOptions extends AppDetails {
  ownerSid: string;
  name: string;
  /** `client_credentials` (default) or `authorization_code`. */
  grantType?: string;
  scopes: string[];
}
export interface AuthorizeOptions {
  clientId: string;
  redirectUri: string;
  userSid: string;
  scope?: string;
  state?: string;
  codeChallenge?: string;
  codeChallengeMethod?: string;
  responseType?: string;
}
export interface AuthorizationCode {
  code: string;
  redirectTo: string;
  authorization: { sid: string; [key: string]: Json | undefined };
  expiresAt: string;
}
export interface TokenOptions {
  grantType: string;
  clientId?: string;
  clientSecret?: string;
  code?: string;
  redirectUri?: string;
  refreshToken?: string;
  codeVerifier?: string;
  scope?: string;
}
export interface Token {
  accessToken: string;
  expiresIn: number;
  refreshToken: string | null;
  tokenType: string;
  idToken: string | null;
  scope: string;
}
export interface Claims {
  [claim: string]: Json;
}
export interface Access {
  permission: Json;
  claims: Claims;
}
export interface ScimResource {
  [attribute: string]: Json;
}
export interface ScimListOptions {
  filter?: string;
  sortBy?: string;
  sortOrder?: "ascending" | "descending";
  startIndex?: number;
  count?: number;
  attributes?: string[];
  excludedAttributes?: string[];
}
export interface ScimListResponse {
  Resources: ScimResource[];
  totalResults: number;
  [key: string]: Json;
}
export interface RoleAssignmentOptions {
  roleSid: string;
  scope: string;
  identity: string;
}
export interface RoleAssignmentsQuery {
  identity?: string;
  scope?: string;
  pageSize?: number;
  pageToken?: string;
}
export interface AuditQuery {
  eventType?: string;
  subject?: string;
  since?: string;
  until?: string;
  limit?: number;
}
export interface ServeOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** Seed the demo organization, users and apps. */
  demo?: boolean;
  adminToken?: string;
  /** `twilio` (default) or `rfc`: strict standard response shapes. */
  responseStyle?: "twilio" | "rfc";
}
export interface Bootstrap {
  adminToken: string;
  [key: string]: Json | undefined;
}

/** Whether a SCIM filter matches a User resource, stored or not; an invalid filter
 * throws a `ScimError` (`invalidFilter`). */
export function filterMatches(filter: string, user: { [attribute: string]: Json }): boolean;

/** A running emulator. */
export class Server {
  readonly url: string;
  readonly bootstrap: Bootstrap;
  readonly running: boolean;
  stop(): Promise<void>;
}

/** The OAuth 2.0 + SCIM 2.0 engine, in memory. */
export class Engine {
  constructor(options?: EngineOptions);
  readonly clock: ManualClock | undefined;
  readonly algorithm: string;

  createOrganization(name: string): Organization;
  organization(sid: string): Organization;
  organizations(): Organization[];
  createAccount(organizationSid: string, name: string): Account;
  account(sid: string): Account;
  accounts(organizationSid: string): Account[];
  createUser(options: CreateUserOptions): User;
  user(sid: string): User;
  users(organizationSid: string): User[];

  createApp(options: CreateAppOptions): CreatedApp;
  app(clientId: string): App;
  apps(ownerSid: string): App[];
  updateApp(clientId: string, options?: AppDetails): App;
  rotateSecret(clientId: string, graceSeconds?: number): RotatedSecret;
  deleteApp(clientId: string): void;

  authorize(options: AuthorizeOptions): AuthorizationCode;
  authorizations(organizationSid: string): Array<{ sid: string; [key: string]: Json | undefined }>;
  revokeAuthorization(authorizationSid: string): { sid: string; [key: string]: Json | undefined };
  token(options: TokenOptions): Token;
  verify(token: string): Claims;
  checkAccess(token: string, method: string, path: string): Access;
  introspect(token: string): { active: boolean; [key: string]: Json };
  revokeToken(clientId: string, clientSecret: string, token: string): void;
  jwks(): { keys: Json[] };
  metadata(): { [key: string]: Json };

  scimCreateUser(organizationSid: string, user: ScimResource): ScimResource;
  scimGetUser(
    organizationSid: string,
    id: string,
    options?: { attributes?: string[]; excludedAttributes?: string[] },
  ): ScimResource;
  scimListUsers(organizationSid: string, options?: ScimListOptions): ScimListResponse;
  scimReplaceUser(
    organizationSid: string,
    id: string,
    user: ScimResource,
    options?: { ifMatch?: string },
  ): ScimResource;
  scimPatchUser(
    organizationSid: string,
    id: string,
    patch: ScimResource,
    options?: { ifMatch?: string },
  ): ScimResource;
  scimDeleteUser(organizationSid: string, id: string, options?: { ifMatch?: string }): void;

  scimServiceProviderConfig(): { [key: string]: Json };
  scimResourceTypes(): Json;
  scimSchemas(): Json;

  roles(): Array<{ sid: string; [key: string]: Json | undefined }>;
  createRoleAssignment(
    organizationSid: string,
    options: RoleAssignmentOptions,
  ): { sid: string; [key: string]: Json | undefined };
  roleAssignments(
    organizationSid: string,
    query?: RoleAssignmentsQuery,
  ): {
    content: Array<{ sid: string; [key: string]: Json | undefined }>;
    meta: { [key: string]: Json };
  };
  deleteRoleAssignment(organizationSid: string, sid: string): void;

  auditEvents(query?: AuditQuery): Array<{ [key: string]: Json }>;
  exportState(): string;
  importState(state: string): void;
  /** `scimListUsers` off the event loop (the libuv thread pool). */
  scimListUsersAsync(organizationSid: string, options?: ScimListOptions): Promise<ScimListResponse>;
  /** `exportState` off the event loop. */
  exportStateAsync(): Promise<string>;
  /** `importState` off the event loop. */
  importStateAsync(state: string): Promise<void>;

  serve(options?: ServeOptions): Promise<Server>;
}
