//! iamkit: an embeddable OAuth 2.0 + SCIM 2.0 engine modelled on Twilio's OAuth apps,
//! Token API and SCIM API.
#![forbid(unsafe_code)]

pub mod clock;
pub mod error;
pub mod ids;
pub mod scim;
