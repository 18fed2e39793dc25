//! The leaf of the error vocabulary: the [`ErrorCode`] trait every area's error
//! implements, and [`StoreError`], which every area that writes wraps. It imports no
//! area, so each area can depend on it without depending on the others; the
//! gathering [`Error`](crate::Error) stands above them all.

/// Stable, machine-readable facts about an error, shared by every area.
pub trait ErrorCode {
    /// The stable code: an RFC 6749 error code, a SCIM `scimType`, or an iamkit code.
    fn code(&self) -> &'static str;
    /// The HTTP status this error is answered with.
    fn status(&self) -> u16;
    /// Twilio's numeric error code for this error.
    fn twilio_code(&self) -> u32;
}

/// The store could not keep a change, or cannot be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// Reading or writing the database failed; the operation was not applied.
    #[error("storage failed: {0}")]
    Io(String),
    /// The file is not an iamkit database, or holds data this engine cannot read.
    #[error("not a usable iamkit database: {0}")]
    Invalid(String),
    /// The database was written by a newer iamkit.
    #[error("database schema version {found} is newer than this engine's {supported}")]
    NewerSchema {
        /// The schema version found in the file.
        found: u32,
        /// The newest version this engine reads.
        supported: u32,
    },
    /// Another engine has the database open.
    #[error("the database is in use by another engine")]
    Locked,
    /// The database cannot be reached, or this engine has not heard from it within
    /// its staleness bound; nothing was applied. Worth retrying.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
}

impl ErrorCode for StoreError {
    fn code(&self) -> &'static str {
        match self {
            StoreError::Io(_) | StoreError::Unavailable(_) => "storage_error",
            StoreError::Invalid(_) | StoreError::NewerSchema { .. } => "invalid_database",
            StoreError::Locked => "database_locked",
        }
    }
    fn status(&self) -> u16 {
        match self {
            StoreError::Unavailable(_) => 503,
            _ => 500,
        }
    }
    fn twilio_code(&self) -> u32 {
        match self {
            StoreError::Unavailable(_) => 20503,
            _ => 20500,
        }
    }
}

/// Longest piece of the input quoted in an error, in characters.
const SHOWN_CHARS: usize = 64;

/// Input cut to a length fit for an error message.
pub(crate) fn shown(input: &str) -> String {
    input.chars().take(SHOWN_CHARS).collect()
}

/// No organization has this sid. Found by [`crate::State::organization`], the one
/// lookup; each area's error says so in its own terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UnknownOrganization(pub crate::ids::OrganizationSid);
