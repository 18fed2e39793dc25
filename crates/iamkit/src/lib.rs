//! iamkit: an embeddable OAuth 2.0 + SCIM 2.0 engine modelled on Twilio's OAuth apps,
//! Token API and SCIM API.
//!
//! Everything goes through one [`Engine`], timed by one [`Clock`]:
//!
//! ```
//! use iamkit::{Actor, Engine, ManualClock, NewApp, OwnerSid, TokenRequest};
//! use time::Duration;
//!
//! let clock = ManualClock::default();
//! let engine = Engine::builder().clock(clock.clone()).build().unwrap();
//! let org = engine.create_organization("Acme").unwrap();
//! let created = engine
//!     .create_app(
//!         NewApp::client_credentials(OwnerSid::Organization(org.sid), "provisioner", &["managed-users/list"]),
//!         &Actor::admin(),
//!     )
//!     .unwrap();
//! let id = created.app.client_id.to_string();
//! let token = engine
//!     .token(&TokenRequest::client_credentials(&id, created.client_secret.expose()))
//!     .unwrap();
//! assert_eq!(token.expires_in, 3600);
//! let access = engine
//!     .check_access(token.access_token.expose(), "GET", "/scim/v2/Users")
//!     .unwrap();
//! assert_eq!(access.permission, "managed-users/list");
//!
//! // One hour later the token has expired.
//! clock.advance(Duration::hours(1));
//! let err = engine.verify(token.access_token.expose()).unwrap_err();
//! assert_eq!(err, iamkit::TokenError::Expired);
//! ```
#![forbid(unsafe_code)]

pub mod account_apps;
pub mod apps;
pub mod audit;
pub mod authorize;
pub mod catalogue;
pub mod clock;
pub mod directory;
pub mod endpoints;
mod engine;
pub mod error;
mod error_code;
pub mod ids;
pub mod paging;
pub mod roles;
pub mod scim;
pub mod secrets;
mod signing;
pub mod store;
pub mod throttle;
pub mod tokens;
mod tracked;

pub use apps::{
    App, AppError, AppRecord, AppUpdate, GrantType, NewApp, NewAppFields, Owner, OwnerSid,
};
pub use audit::{Actor, AuditEvent, AuditQuery};
pub use authorize::{
    Authorization, AuthorizeError, AuthorizeRequest, AuthorizeResponse, RefreshPolicy,
};
pub use catalogue::{AccessError, Catalogue, Method, Permission, Route};
pub use clock::{forward_step, Adjustable, Clock, ManualClock, OffsetClock, SystemClock};
pub use directory::{
    Account, AccountPage, AccountQuery, CreatedAccount, NewAccount, NewUser, Organization, User,
};
pub use engine::{
    Access, AuthenticatedAccount, ConsentRequest, CreatedApp, Engine, EngineBuilder, EngineConfig,
    RotatedSecret, UserList, UserQuery, MAX_PAGE_COUNT,
};
pub use error::{Error, ErrorCode};
pub use ids::{
    AccountSid, AuthorizationSid, ClientId, GrantSid, OrganizationSid, RoleAssignmentSid, RoleSid,
    Sid, SidError, TokenId, UserSid,
};
pub use paging::{LinkedPage, Page, PageError, PageLinks, PageMeta};
pub use roles::{
    NewRoleAssignment, Role, RoleAssignment, RoleAssignmentPage, RoleAssignmentQuery, RoleError,
    RoleInfo, RoleScope,
};
pub use scim::{Projection, ScimError, ScimRules};
pub use secrets::SecretString;
#[cfg(feature = "postgres")]
pub use store::PostgresStore;
#[cfg(feature = "sqlite")]
pub use store::SqliteStore;
pub use store::{Database, MemoryStore, State, StateError, Store, StoreError};
pub use throttle::{Limit, Rate, RateLimited, RateLimits};
pub use tokens::{
    Algorithm, Claims, Introspection, KeyError, OAuthError, SigningKey, TokenBody, TokenError,
    TokenRequest, TokenResponse,
};

/// The README's API tour, compiled and run as doctests.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
