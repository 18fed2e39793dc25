//! Consent tickets: the anti-CSRF proof that a consent form was rendered for this
//! very request, a short while ago on the engine's clock.
//!
//! A ticket is `base64url(expiry ‖ HMAC-SHA256(key, expiry ‖ request))`, where the
//! request is every field the page carries except the user's choice, and the key is
//! derived (HKDF) from the signing key: an engine restarted on a durable store, or
//! another engine on the same store, accepts the tickets of the first. Nothing is
//! stored per ticket.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::{hkdf, hmac};
use time::{Duration, OffsetDateTime};

use super::{AuthorizeError, AuthorizeRequest};

/// How long a rendered consent page can be submitted.
pub const TICKET_LIFETIME: Duration = Duration::minutes(10);

const EXPIRY_LEN: usize = 8;
const TAG_LEN: usize = 32;

/// The key that signs consent tickets. Its `Debug` shows nothing of it.
pub(crate) struct TicketKey(hmac::Key);

impl std::fmt::Debug for TicketKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TicketKey(..)")
    }
}

impl TicketKey {
    /// The ticket key of an engine whose signing key has `material`.
    pub fn derive(material: &[u8]) -> Self {
        let prk = hkdf::Salt::new(hkdf::HKDF_SHA256, b"iamkit consent ticket").extract(material);
        let okm = prk
            .expand(&[b"HMAC-SHA256"], hmac::HMAC_SHA256)
            .expect("one HMAC-SHA256 key is within HKDF-SHA256's output limit");
        Self(hmac::Key::from(okm))
    }

    /// A ticket for the consent page of `req`, rendered at `now`.
    pub fn issue(&self, req: &AuthorizeRequest, now: OffsetDateTime) -> String {
        let expiry = (now + TICKET_LIFETIME).unix_timestamp().to_be_bytes();
        let tag = hmac::sign(&self.0, &signed_bytes(expiry, req));
        let mut ticket = expiry.to_vec();
        ticket.extend_from_slice(tag.as_ref());
        URL_SAFE_NO_PAD.encode(ticket)
    }

    /// Whether `ticket` was issued for `req` and has not expired at `now`.
    pub fn check(
        &self,
        req: &AuthorizeRequest,
        ticket: &str,
        now: OffsetDateTime,
    ) -> Result<(), AuthorizeError> {
        let bytes = URL_SAFE_NO_PAD
            .decode(ticket)
            .map_err(|_| AuthorizeError::ForgedConsent)?;
        if bytes.len() != EXPIRY_LEN + TAG_LEN {
            return Err(AuthorizeError::ForgedConsent);
        }
        let (expiry, tag) = bytes.split_at(EXPIRY_LEN);
        let expiry: [u8; EXPIRY_LEN] = expiry.try_into().expect("split at EXPIRY_LEN");
        hmac::verify(&self.0, &signed_bytes(expiry, req), tag)
            .map_err(|_| AuthorizeError::ForgedConsent)?;
        if now.unix_timestamp() >= i64::from_be_bytes(expiry) {
            return Err(AuthorizeError::ConsentExpired);
        }
        Ok(())
    }
}

/// The expiry, then each field of the request the page carries, length-prefixed
/// (absent and empty differ), so no two requests sign the same bytes.
fn signed_bytes(expiry: [u8; EXPIRY_LEN], req: &AuthorizeRequest) -> Vec<u8> {
    let fields = [
        Some(req.client_id.as_str()),
        Some(req.response_type.as_str()),
        Some(req.redirect_uri.as_str()),
        req.scope.as_deref(),
        req.state.as_deref(),
        req.code_challenge.as_deref(),
        req.code_challenge_method.as_deref(),
    ];
    let mut bytes = expiry.to_vec();
    for field in fields {
        match field {
            None => bytes.push(0),
            Some(value) => {
                bytes.push(1);
                bytes.extend_from_slice(&(value.len() as u64).to_be_bytes());
                bytes.extend_from_slice(value.as_bytes());
            }
        }
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-01-01 00:00 UTC);

    fn request() -> AuthorizeRequest {
        AuthorizeRequest {
            client_id: "OQ1".into(),
            response_type: "code".into(),
            redirect_uri: "https://app.test/cb".into(),
            state: Some("s".into()),
            ..AuthorizeRequest::default()
        }
    }

    #[test]
    fn a_ticket_works_for_its_request_until_it_expires() {
        let key = TicketKey::derive(b"material");
        let ticket = key.issue(&request(), NOW);
        assert_eq!(key.check(&request(), &ticket, NOW), Ok(()));
        let last = NOW + TICKET_LIFETIME - Duration::seconds(1);
        assert_eq!(key.check(&request(), &ticket, last), Ok(()));
        assert_eq!(
            key.check(&request(), &ticket, NOW + TICKET_LIFETIME),
            Err(AuthorizeError::ConsentExpired)
        );
    }

    #[test]
    fn a_ticket_is_bound_to_the_request_and_the_key() {
        let key = TicketKey::derive(b"material");
        let ticket = key.issue(&request(), NOW);
        let other_state = AuthorizeRequest {
            state: Some("t".into()),
            ..request()
        };
        let no_state = AuthorizeRequest {
            state: None,
            ..request()
        };
        let empty_state = AuthorizeRequest {
            state: Some(String::new()),
            ..request()
        };
        for req in [other_state, no_state, empty_state] {
            assert_eq!(
                key.check(&req, &ticket, NOW),
                Err(AuthorizeError::ForgedConsent)
            );
        }
        let other_key = TicketKey::derive(b"other material");
        assert_eq!(
            other_key.check(&request(), &ticket, NOW),
            Err(AuthorizeError::ForgedConsent)
        );
        // The user's choice is not part of the ticket: any listed user may approve.
        let user = AuthorizeRequest {
            user_sid: "US1".into(),
            ..request()
        };
        assert_eq!(key.check(&user, &ticket, NOW), Ok(()));
    }

    #[test]
    fn malformed_and_doctored_tickets_are_forged() {
        let key = TicketKey::derive(b"material");
        let ticket = key.issue(&request(), NOW);
        let mut bytes = URL_SAFE_NO_PAD.decode(&ticket).unwrap();
        // A later expiry under the same tag.
        bytes[EXPIRY_LEN - 1] ^= 1;
        let later = URL_SAFE_NO_PAD.encode(&bytes);
        for bad in ["", "not base64!", &ticket[..ticket.len() - 2], &later] {
            assert_eq!(
                key.check(&request(), bad, NOW),
                Err(AuthorizeError::ForgedConsent),
                "{bad:?}"
            );
        }
    }
}
