//! The error vocabulary shared by every area of the engine.
//!
//! Each area (apps, authorization, tokens, access, SCIM, roles, store) has its own
//! `#[non_exhaustive]` error enum. Every one of them implements [`ErrorCode`], which
//! gives the stable machine-readable code, the HTTP status and Twilio's numeric code,
//! so the HTTP server and the bindings convert errors in one place without knowing
//! the variants. [`Error`] gathers them for callers that want a single type.

/// Stable, machine-readable facts about an error, shared by every area.
pub trait ErrorCode {
    /// The stable code: an RFC 6749 error code, a SCIM `scimType`, or an iamkit code.
    fn code(&self) -> &'static str;
    /// The HTTP status this error is answered with.
    fn status(&self) -> u16;
    /// Twilio's numeric error code for this error.
    fn twilio_code(&self) -> u32;
}
