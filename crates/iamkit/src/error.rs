//! The error vocabulary shared by every area of the engine.
//!
//! Each area (apps, authorization, tokens, access, SCIM, roles, store) has its own
//! `#[non_exhaustive]` error enum. Every one of them implements [`ErrorCode`], which
//! gives the stable machine-readable code, the HTTP status and Twilio's numeric code,
//! so the HTTP server and the bindings convert errors in one place without knowing
//! the variants. [`Error`] gathers them for callers that want a single type.

pub use crate::error_code::ErrorCode;

/// Any error the engine returns, by area.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Managing organizations, accounts, users and apps.
    #[error(transparent)]
    App(#[from] crate::apps::AppError),
    /// The authorization (consent) step of the authorization-code flow.
    #[error(transparent)]
    Authorize(#[from] crate::authorize::AuthorizeError),
    /// The Token API.
    #[error(transparent)]
    OAuth(#[from] crate::tokens::OAuthError),
    /// Verifying an access token.
    #[error(transparent)]
    Token(#[from] crate::signing::TokenError),
    /// Checking a token against the permission catalogue.
    #[error(transparent)]
    Access(#[from] crate::catalogue::AccessError),
    /// Building a permission catalogue.
    #[error(transparent)]
    Catalogue(#[from] crate::catalogue::CatalogueError),
    /// Making or loading a signing key.
    #[error(transparent)]
    Key(#[from] crate::signing::KeyError),
    /// Importing state.
    #[error(transparent)]
    State(#[from] crate::store::StateError),
    /// Opening or writing a durable store.
    #[error(transparent)]
    Store(#[from] crate::error_code::StoreError),
    /// SCIM resources, filters and PATCH.
    #[error(transparent)]
    Scim(#[from] crate::scim::ScimError),
    /// Roles and role assignments.
    #[error(transparent)]
    Role(#[from] crate::roles::RoleError),
    /// A request refused by a rate limit.
    #[error(transparent)]
    RateLimited(#[from] crate::throttle::RateLimited),
}

impl Error {
    fn inner(&self) -> &dyn ErrorCode {
        match self {
            Error::App(e) => e,
            Error::Authorize(e) => e,
            Error::OAuth(e) => e,
            Error::Token(e) => e,
            Error::Access(e) => e,
            Error::Catalogue(e) => e,
            Error::Key(e) => e,
            Error::State(e) => e,
            Error::Store(e) => e,
            Error::Scim(e) => e,
            Error::Role(e) => e,
            Error::RateLimited(e) => e,
        }
    }
}

impl ErrorCode for Error {
    fn code(&self) -> &'static str {
        self.inner().code()
    }
    fn status(&self) -> u16 {
        self.inner().status()
    }
    fn twilio_code(&self) -> u32 {
        self.inner().twilio_code()
    }
}
