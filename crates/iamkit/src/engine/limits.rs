//! Admitting requests under the engine's rate limits
//! ([`EngineConfig::rate_limits`](crate::EngineConfig::rate_limits)). A caller asks
//! before doing the work: a refused request touches nothing else (no audit event,
//! no store write).

use std::net::IpAddr;

use super::Engine;
use crate::ids::{ClientId, Sid};
use crate::store;
use crate::throttle::RateLimited;

impl Engine {
    /// Admits a client authentication (a token, introspection or revocation
    /// request) naming `client_id` and sent from `address` (`None` when unknown: no
    /// per-address limit applies). Only a `client_id` that names an app counts
    /// against [`RateLimits::token_per_client`](crate::throttle::RateLimits); the
    /// address is counted first, and a request it refuses does not count against
    /// the client.
    pub fn admit_client_authentication(
        &self,
        client_id: Option<&str>,
        address: Option<IpAddr>,
    ) -> Result<(), RateLimited> {
        let client = if self.throttle.limits_clients() {
            client_id
                .and_then(|id| ClientId::parse(id).ok())
                .filter(|id| store::read(self.store(), |s| s.apps.contains_key(id)))
        } else {
            None
        };
        self.throttle.client_authentication(client, address)
    }

    /// Admits a consent decision sent from `address` (`None` when unknown: not
    /// limited).
    pub fn admit_consent(&self, address: Option<IpAddr>) -> Result<(), RateLimited> {
        self.throttle.consent(address)
    }
}
