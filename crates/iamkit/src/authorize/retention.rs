//! Keeping the consent state bounded: a code that expired unredeemed is dropped with
//! its grant, which never led to a token; and an app has at most
//! [`MAX_PENDING_CODES`] codes waiting to be redeemed.

use time::OffsetDateTime;

use super::{AuthorizeError, Grant, RefreshToken};
use crate::ids::{ClientId, GrantSid};
use crate::secrets::SecretHash;
use crate::tracked::TrackedMap;

/// How many unexpired, unredeemed codes one app may have at a time.
pub const MAX_PENDING_CODES: usize = 1_000;

/// Whether `grant`'s code still waits to be redeemed at `now`.
fn pending(grant: &Grant, now: OffsetDateTime) -> bool {
    grant.redeemed_at.is_none() && grant.revoked_at.is_none() && !grant.code_expired(now)
}

/// Drops every grant whose code was never redeemed and can no longer be (expired or
/// revoked), with its code, and every refresh token past its recorded end.
/// Redeemed grants stay: their tokens are bound to them, and a replay of their code
/// must still revoke them.
pub(crate) fn drop_spent(
    grants: &mut TrackedMap<GrantSid, Grant>,
    codes: &mut TrackedMap<SecretHash, GrantSid>,
    refresh_tokens: &mut TrackedMap<SecretHash, RefreshToken>,
    now: OffsetDateTime,
) {
    let spent: Vec<(GrantSid, SecretHash)> = grants
        .values()
        .filter(|g| g.redeemed_at.is_none() && !pending(g, now))
        .map(|g| (g.sid, g.code_hash))
        .collect();
    for (sid, code_hash) in spent {
        grants.remove(&sid);
        codes.remove(&code_hash);
    }
    refresh_tokens.retain(|_, r| r.expires.is_none_or(|end| now < end));
}

/// Refuses a new code for `client_id` when it already has [`MAX_PENDING_CODES`].
pub(crate) fn check_room(
    grants: &TrackedMap<GrantSid, Grant>,
    client_id: ClientId,
    now: OffsetDateTime,
) -> Result<(), AuthorizeError> {
    let waiting = grants
        .values()
        .filter(|g| g.client_id == client_id && pending(g, now))
        .count();
    if waiting >= MAX_PENDING_CODES {
        return Err(AuthorizeError::TooManyPendingCodes);
    }
    Ok(())
}
