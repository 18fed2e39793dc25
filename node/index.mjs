// ESM entry point: the same classes as the CommonJS `require("iamkit")`.
import iamkit from "./index.js";

export const {
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
} = iamkit;
export default iamkit;
