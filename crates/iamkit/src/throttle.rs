//! Optional rate limits on the requests that anyone can send: client
//! authentication (the Token API, introspection, revocation) by client and by
//! source address, and consent decisions by source address.
//!
//! Each limit is a [`Rate`]: a burst of `requests`, refilled evenly over `period`
//! (the GCRA of the `governor` crate). Limits are off unless set in
//! [`EngineConfig::rate_limits`](crate::EngineConfig::rate_limits). The limiters
//! read the engine's [`Clock`], so a manual clock moves them too, and a refusal's
//! [`RateLimited::retry_after`] is counted on that clock.
//!
//! Keys stay bounded: a client id counts only when it names an app (any other text
//! is limited by address alone), an IPv6 address counts by its /64 network (what one
//! host is usually given), and keys that are back to a full burst are dropped every
//! [`PRUNE_EVERY`] checks.

use std::fmt;
use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};

use crate::clock::Clock;
use crate::error_code::ErrorCode;
use crate::ids::ClientId;

/// How many checks a limiter makes between two prunings of its idle keys.
pub const PRUNE_EVERY: u64 = 4096;

/// A quota: at most `requests` at once, refilled evenly over `period` (one request
/// every `period / requests`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    requests: NonZeroU32,
    period: Duration,
}

impl Rate {
    /// `requests` per `period`; `None` when either is zero.
    pub fn new(requests: u32, period: Duration) -> Option<Self> {
        let requests = NonZeroU32::new(requests)?;
        (period / requests.get() > Duration::ZERO).then_some(Self { requests, period })
    }

    /// `requests` per second (`None` for 0).
    pub fn per_second(requests: u32) -> Option<Self> {
        Self::new(requests, Duration::from_secs(1))
    }

    /// `requests` per minute (`None` for 0).
    pub fn per_minute(requests: u32) -> Option<Self> {
        Self::new(requests, Duration::from_secs(60))
    }

    /// The burst: how many requests pass at once.
    pub fn requests(&self) -> u32 {
        self.requests.get()
    }

    /// The time over which a whole burst is refilled.
    pub fn period(&self) -> Duration {
        self.period
    }

    fn quota(&self) -> Quota {
        Quota::with_period(self.period / self.requests.get())
            .expect("Rate::new refuses a zero interval")
            .allow_burst(self.requests)
    }
}

/// The units a [`Rate`] is written in: `N/s`, `N/m` (minute) or `N/h`.
const UNITS: [(&str, u64); 3] = [("s", 1), ("m", 60), ("h", 3600)];

impl FromStr for Rate {
    type Err = String;

    /// Reads `N/s`, `N/m` or `N/h` (`N` from 1 to 4294967295), e.g. `10/s`.
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not a rate such as 10/s, 100/m or 1000/h");
        let (count, unit) = s.trim().split_once('/').ok_or_else(bad)?;
        let seconds = UNITS
            .iter()
            .find(|(name, _)| *name == unit)
            .map(|(_, seconds)| *seconds)
            .ok_or_else(bad)?;
        let requests: u32 = count.parse().map_err(|_| bad())?;
        Self::new(requests, Duration::from_secs(seconds)).ok_or_else(bad)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match UNITS
            .iter()
            .find(|(_, seconds)| Duration::from_secs(*seconds) == self.period)
        {
            Some((unit, _)) => write!(f, "{}/{unit}", self.requests),
            None => write!(f, "{} per {:?}", self.requests, self.period),
        }
    }
}

/// The engine's rate limits; each is off when `None` (the default).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimits {
    /// Client authentications (token, introspection and revocation requests) naming
    /// one app, from anywhere.
    pub token_per_client: Option<Rate>,
    /// Client authentications from one source address, whatever client they name.
    pub token_per_address: Option<Rate>,
    /// Consent decisions (`POST /v2/authorize`) from one source address.
    pub consent_per_address: Option<Rate>,
}

impl RateLimits {
    /// Whether any limit is set.
    pub fn any(&self) -> bool {
        self.token_per_client.is_some()
            || self.token_per_address.is_some()
            || self.consent_per_address.is_some()
    }
}

/// Which limit refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Limit {
    /// [`RateLimits::token_per_client`].
    TokenPerClient,
    /// [`RateLimits::token_per_address`].
    TokenPerAddress,
    /// [`RateLimits::consent_per_address`].
    ConsentPerAddress,
}

impl Limit {
    fn what(self) -> &'static str {
        match self {
            Limit::TokenPerClient => "client authentications for this client",
            Limit::TokenPerAddress => "client authentications from this address",
            Limit::ConsentPerAddress => "consent decisions from this address",
        }
    }
}

/// A request refused by a rate limit: `rate_limited`, HTTP 429, Twilio's 20429.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many {}; retry after {retry_after} s", .limit.what())]
pub struct RateLimited {
    /// The limit that refused it.
    pub limit: Limit,
    /// Whole seconds (at least 1) on the engine's clock until a request passes.
    pub retry_after: u64,
}

impl ErrorCode for RateLimited {
    fn code(&self) -> &'static str {
        "rate_limited"
    }
    fn status(&self) -> u16 {
        429
    }
    fn twilio_code(&self) -> u32 {
        20429
    }
}

/// The engine's clock as `governor` reads it: nanoseconds since the Unix epoch
/// (an instant before it reads as the epoch; one moved back saturates).
#[derive(Debug, Clone)]
struct EngineClock(Arc<dyn Clock>);

impl governor::clock::Clock for EngineClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        let nanos = self.0.now().unix_timestamp_nanos();
        Nanos::from(u64::try_from(nanos.max(0)).unwrap_or(u64::MAX))
    }
}

/// One keyed limit.
struct Limiter<K: Hash + Eq + Clone> {
    limit: Limit,
    rate: Rate,
    clock: EngineClock,
    limiter: RateLimiter<K, HashMapStateStore<K>, EngineClock, NoOpMiddleware<Nanos>>,
    checks: AtomicU64,
}

impl<K: Hash + Eq + Clone> Limiter<K> {
    fn new(limit: Limit, rate: Rate, clock: &EngineClock) -> Self {
        Self {
            limit,
            rate,
            clock: clock.clone(),
            limiter: RateLimiter::hashmap_with_clock(rate.quota(), clock.clone()),
            checks: AtomicU64::new(0),
        }
    }

    /// Counts a request of `key`, or refuses it (counting nothing).
    fn check(&self, key: &K) -> Result<(), RateLimited> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
        self.limiter.check_key(key).map_err(|refused| {
            let wait = refused.wait_time_from(governor::clock::Clock::now(&self.clock));
            RateLimited {
                limit: self.limit,
                retry_after: whole_seconds(wait),
            }
        })
    }
}

impl<K: Hash + Eq + Clone> fmt::Debug for Limiter<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} {}", self.limit, self.rate)
    }
}

/// `wait` rounded up to whole seconds, at least 1 (what `Retry-After` carries).
fn whole_seconds(wait: Duration) -> u64 {
    let up = u64::from(wait.subsec_nanos() > 0);
    wait.as_secs().saturating_add(up).max(1)
}

/// The key of a source address: an IPv4 address (an IPv4-mapped IPv6 one read as
/// IPv4), or the /64 network of an IPv6 address.
fn address_key(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
    }
}

/// The engine's limiters, made from its [`RateLimits`] and clock.
#[derive(Debug)]
pub(crate) struct Throttle {
    token_per_client: Option<Limiter<ClientId>>,
    token_per_address: Option<Limiter<IpAddr>>,
    consent_per_address: Option<Limiter<IpAddr>>,
}

impl Throttle {
    pub(crate) fn new(limits: &RateLimits, clock: Arc<dyn Clock>) -> Self {
        let clock = EngineClock(clock);
        Self {
            token_per_client: limits
                .token_per_client
                .map(|rate| Limiter::new(Limit::TokenPerClient, rate, &clock)),
            token_per_address: limits
                .token_per_address
                .map(|rate| Limiter::new(Limit::TokenPerAddress, rate, &clock)),
            consent_per_address: limits
                .consent_per_address
                .map(|rate| Limiter::new(Limit::ConsentPerAddress, rate, &clock)),
        }
    }

    /// Admits a client authentication from `address` (when known) naming `client`
    /// (an app's id, when it names one). The address is counted first: a request it
    /// refuses is not counted against the client.
    pub(crate) fn client_authentication(
        &self,
        client: Option<ClientId>,
        address: Option<IpAddr>,
    ) -> Result<(), RateLimited> {
        if let (Some(limiter), Some(address)) = (&self.token_per_address, address) {
            limiter.check(&address_key(address))?;
        }
        if let (Some(limiter), Some(client)) = (&self.token_per_client, client) {
            limiter.check(&client)?;
        }
        Ok(())
    }

    /// Whether the per-client limit is set (so the client id needs looking up).
    pub(crate) fn limits_clients(&self) -> bool {
        self.token_per_client.is_some()
    }

    /// Admits a consent decision from `address` (when known).
    pub(crate) fn consent(&self, address: Option<IpAddr>) -> Result<(), RateLimited> {
        match (&self.consent_per_address, address) {
            (Some(limiter), Some(address)) => limiter.check(&address_key(address)),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::ids::Sid;

    fn throttle(limits: RateLimits) -> (ManualClock, Throttle) {
        let clock = ManualClock::default();
        let throttle = Throttle::new(&limits, Arc::new(clock.clone()));
        (clock, throttle)
    }

    fn address(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn rates_read_and_print_as_count_per_unit() {
        let rate: Rate = "10/s".parse().unwrap();
        assert_eq!(
            (rate.requests(), rate.period()),
            (10, Duration::from_secs(1))
        );
        assert_eq!(rate.to_string(), "10/s");
        assert_eq!("5/m".parse::<Rate>().unwrap(), Rate::per_minute(5).unwrap());
        assert_eq!("100/h".parse::<Rate>().unwrap().to_string(), "100/h");
        for bad in ["0/s", "10", "10/d", "-1/s", "x/s", "/s", "4294967296/s"] {
            assert_eq!(
                bad.parse::<Rate>(),
                Err(format!(
                    "{bad:?} is not a rate such as 10/s, 100/m or 1000/h"
                ))
            );
        }
        assert_eq!(Rate::new(3, Duration::ZERO), None);
        assert_eq!(
            Rate::new(2, Duration::from_millis(1500))
                .unwrap()
                .to_string(),
            "2 per 1.5s"
        );
    }

    #[test]
    fn a_client_over_its_burst_waits_on_the_engine_clock() {
        let (clock, throttle) = throttle(RateLimits {
            token_per_client: Rate::per_minute(3),
            ..RateLimits::default()
        });
        let client = Some(ClientId::generate());
        for _ in 0..3 {
            throttle.client_authentication(client, None).unwrap();
        }
        let refused = throttle.client_authentication(client, None).unwrap_err();
        assert_eq!(
            refused,
            RateLimited {
                limit: Limit::TokenPerClient,
                retry_after: 20
            }
        );
        assert_eq!(
            refused.to_string(),
            "too many client authentications for this client; retry after 20 s"
        );
        assert_eq!(
            (refused.code(), refused.status(), refused.twilio_code()),
            ("rate_limited", 429, 20429)
        );
        // Another client, and a request naming no app, are not held back.
        throttle
            .client_authentication(Some(ClientId::generate()), None)
            .unwrap();
        throttle.client_authentication(None, None).unwrap();

        clock.advance(time::Duration::seconds(19));
        let refused = throttle.client_authentication(client, None).unwrap_err();
        assert_eq!(refused.retry_after, 1);
        clock.advance(time::Duration::seconds(1));
        throttle.client_authentication(client, None).unwrap();
        assert!(throttle.client_authentication(client, None).is_err());
        clock.advance(time::Duration::minutes(1));
        for _ in 0..3 {
            throttle.client_authentication(client, None).unwrap();
        }
    }

    #[test]
    fn an_address_is_counted_before_the_client_and_a_refusal_spends_nothing() {
        let (clock, throttle) = throttle(RateLimits {
            token_per_client: Rate::per_second(2),
            token_per_address: Rate::per_second(1),
            ..RateLimits::default()
        });
        let client = Some(ClientId::generate());
        let a = address("192.0.2.1");
        throttle.client_authentication(client, a).unwrap();
        for _ in 0..5 {
            let refused = throttle.client_authentication(client, a).unwrap_err();
            assert_eq!(refused.limit, Limit::TokenPerAddress);
            assert_eq!(refused.retry_after, 1);
        }
        // The client spent one of its two: one more passes from another address.
        throttle
            .client_authentication(client, address("192.0.2.2"))
            .unwrap();
        let refused = throttle
            .client_authentication(client, address("192.0.2.3"))
            .unwrap_err();
        assert_eq!(refused.limit, Limit::TokenPerClient);
        // An unknown address is limited by client only.
        assert_eq!(
            throttle
                .client_authentication(client, None)
                .unwrap_err()
                .limit,
            Limit::TokenPerClient
        );
        clock.advance(time::Duration::seconds(1));
        throttle.client_authentication(client, a).unwrap();
    }

    #[test]
    fn ipv6_addresses_count_by_their_64_network_and_mapped_ipv4_as_ipv4() {
        let (_, throttle) = throttle(RateLimits {
            consent_per_address: Rate::per_minute(1),
            ..RateLimits::default()
        });
        throttle.consent(address("2001:db8:1:2::1")).unwrap();
        let refused = throttle
            .consent(address("2001:db8:1:2:ffff::9"))
            .unwrap_err();
        assert_eq!(
            refused,
            RateLimited {
                limit: Limit::ConsentPerAddress,
                retry_after: 60
            }
        );
        throttle.consent(address("2001:db8:1:3::1")).unwrap();
        throttle.consent(address("198.51.100.7")).unwrap();
        assert!(throttle.consent(address("::ffff:198.51.100.7")).is_err());
        // Without an address, and without a limit, nothing is refused.
        throttle.consent(None).unwrap();
        let (_, off) = self::throttle(RateLimits::default());
        for _ in 0..100 {
            off.consent(address("192.0.2.1")).unwrap();
            off.client_authentication(Some(ClientId::generate()), address("192.0.2.1"))
                .unwrap();
        }
    }

    #[test]
    fn idle_keys_are_pruned() {
        let (clock, throttle) = throttle(RateLimits {
            consent_per_address: Rate::per_second(1),
            ..RateLimits::default()
        });
        let limiter = throttle.consent_per_address.as_ref().unwrap();
        for n in 0..PRUNE_EVERY - 1 {
            let octets = u32::try_from(n).unwrap().to_be_bytes();
            throttle.consent(Some(IpAddr::from(octets))).unwrap();
        }
        assert_eq!(
            limiter.limiter.len(),
            usize::try_from(PRUNE_EVERY).unwrap() - 1
        );
        clock.advance(time::Duration::seconds(2));
        throttle.consent(address("192.0.2.1")).unwrap();
        assert!(limiter.limiter.len() <= 1, "{}", limiter.limiter.len());
    }

    #[test]
    fn wait_times_round_up_to_whole_seconds() {
        assert_eq!(whole_seconds(Duration::ZERO), 1);
        assert_eq!(whole_seconds(Duration::from_millis(1)), 1);
        assert_eq!(whole_seconds(Duration::from_secs(2)), 2);
        assert_eq!(whole_seconds(Duration::from_millis(2001)), 3);
    }
}
